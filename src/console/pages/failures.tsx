/** Failures: records a sync quarantined, with the reason and the raw payload; retry (after a fix) or dismiss. */
import { useState } from 'preact/hooks';
import { canWrite, getJson, sendJson } from '../api.ts';
import { ErrorNote, Notice, useLoad } from '../components/ui.tsx';
import { dateTime, json } from '../format.ts';
import { t } from '../i18n.ts';
import { href, route } from '../router.ts';
import type { Failure, Page } from '../types.ts';

interface RetryAnswer { outcome: 'stored' | 'failed'; source: string; orderId: string | null; failure: Failure | null }

export function FailuresPage() {
  const connection = route.value.query.get('connection') ?? undefined;
  const [before, setBefore] = useState<number | undefined>(undefined);
  const list = useLoad(() => getJson<Page<Failure> & { next: number | null }>('/v1/failures', { connection, before, limit: 50 }), [connection, before]);
  const [notes, setNotes] = useState<Record<number, { kind: 'ok' | 'warn'; text: string; orderId?: string | null }>>({});
  const [error, setError] = useState<Error | null>(null);

  async function retry(f: Failure) {
    setError(null);
    try {
      const r = await sendJson<RetryAnswer>('POST', `/v1/failures/${f.id}/retry`);
      setNotes({ ...notes, [f.id]: r.outcome === 'stored' ? { kind: 'ok', text: t('fail.stored'), orderId: r.orderId } : { kind: 'warn', text: t('fail.again', { error: r.failure?.error ?? '' }) } });
      await list.reload();
    } catch (err) {
      setError(err as Error);
    }
  }
  async function dismiss(f: Failure) {
    setError(null);
    try {
      await sendJson('DELETE', `/v1/failures/${f.id}`);
      setNotes({ ...notes, [f.id]: { kind: 'ok', text: t('fail.dismissed') } });
      await list.reload();
    } catch (err) {
      setError(err as Error);
    }
  }
  const rows = list.data?.data ?? [];
  const done = Object.entries(notes).filter(([id]) => !rows.some((f) => f.id === Number(id)));
  return (
    <div class="page">
      <h1>{t('fail.title')}</h1>
      <p class="muted">{t('fail.intro')}</p>
      <ErrorNote error={list.error ?? error} />
      {done.map(([id, n]) => (
        <Notice key={id} kind={n.kind}>#{id}: {n.text} {n.orderId && <a href={href(`orders/${n.orderId}`)}>{t('fail.openOrder')}</a>}</Notice>
      ))}
      {rows.length === 0 && !list.loading && <p class="empty">{t('fail.none')}</p>}
      <ul class="failures">
        {rows.map((f) => (
          <li key={f.id} class="card" data-failure={f.id}>
            <div class="failure-head">
              <strong>#{f.id}</strong> <span class="conn">{f.connection}</span> {f.externalId && <code>{f.externalId}</code>}
              <time dateTime={f.at}>{dateTime(f.at)}</time>
              {canWrite() && (
                <span class="buttons">
                  <button type="button" class="primary" onClick={() => void retry(f)}>{t('fail.retry')}</button>
                  <button type="button" onClick={() => void dismiss(f)}>{t('fail.dismiss')}</button>
                </span>
              )}
            </div>
            <p class="error-text">{f.error}</p>
            {notes[f.id] && <Notice kind={notes[f.id]!.kind}>{notes[f.id]!.text}</Notice>}
            <details><summary>{t('fail.payload')}</summary><pre>{json(f.payload)}</pre></details>
          </li>
        ))}
      </ul>
      <nav class="pager" aria-label={t('orders.pages')}>
        <button type="button" disabled={before === undefined} onClick={() => setBefore(undefined)}>← {t('orders.first')}</button>
        <button type="button" disabled={!list.data?.next} onClick={() => setBefore(list.data?.next ?? undefined)}>{t('orders.next')} →</button>
      </nav>
    </div>
  );
}
