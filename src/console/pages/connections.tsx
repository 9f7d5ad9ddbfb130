/** Connections: health, last/next sync, the full last error, counts, "sync now", and each one's sync runs. */
import { useState } from 'preact/hooks';
import { canWrite, getJson, sendJson } from '../api.ts';
import { Badge, ErrorNote, Notice, Section, useInterval, useLoad } from '../components/ui.tsx';
import { count, dateTime, json } from '../format.ts';
import { t } from '../i18n.ts';
import { href } from '../router.ts';
import type { Connection, SyncRun } from '../types.ts';

function Runs({ connection, version }: { connection: string; version: string }) {
  const runs = useLoad(() => getJson<{ data: SyncRun[] }>('/v1/sync-runs', { connection, limit: 10 }), [connection, version]);
  if (runs.error) return <ErrorNote error={runs.error} />;
  return (
    <div class="table-wrap">
      <table class="runs">
        <thead><tr><th>#</th><th>{t('conn.started')}</th><th>{t('conn.mode')}</th><th>{t('conn.result')}</th>
          <th class="num">{t('conn.fetched')}</th><th class="num">{t('conn.created')}</th><th class="num">{t('conn.updated')}</th>
          <th class="num">{t('conn.unchanged')}</th><th class="num">{t('conn.failedCount')}</th><th>{t('conn.warnings')}</th></tr></thead>
        <tbody>
          {(runs.data?.data ?? []).map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td><td><time dateTime={r.startedAt}>{dateTime(r.startedAt)}</time></td><td>{r.mode}</td>
              <td><Badge value={r.status} label={t(`run.${r.status}` as 'run.succeeded', {}, r.status)} />{r.error && <div class="error-text">{r.error}</div>}</td>
              <td class="num">{count(r.counts.fetched)}</td><td class="num">{count(r.counts.created)}</td><td class="num">{count(r.counts.updated)}</td>
              <td class="num">{count(r.counts.unchanged)}</td><td class="num">{count(r.counts.failed)}</td>
              <td>{r.warnings.length === 0 ? '—' : <ul class="warnings">{r.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ConnectionCard({ c, onChange }: { c: Connection & { checkpoint?: unknown; settings?: Record<string, unknown> }; onChange: () => void }) {
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  async function syncNow() {
    setError(null);
    setMessage(null);
    try {
      const r = await sendJson<{ runId: number | null; status: string }>('POST', `/v1/connections/${encodeURIComponent(c.name)}/sync`);
      setMessage(t('conn.syncStarted', { run: r.runId ?? '…' }));
      onChange();
    } catch (err) {
      setError(err as Error);
    }
  }
  const push = c.kind === 'alza-dropship';
  return (
    <Section
      title={c.name}
      actions={canWrite() && !push ? (
        <button type="button" class={c.health === 'needs_attention' ? 'primary' : undefined} disabled={c.running} onClick={() => void syncNow()}>
          {c.running ? t('conn.running') : c.health === 'needs_attention' ? t('conn.retry') : t('conn.syncNow')}
        </button>
      ) : undefined}
    >
      <dl class="fields">
        <dt>{t('conn.channel')}</dt><dd>{c.title ?? c.kind} <span class="muted">({c.kind})</span></dd>
        <dt>{t('conn.health')}</dt><dd><Badge value={c.health} label={t(`health.${c.health}`)} /> {c.running && <Badge value="running" label={t('conn.running')} />}</dd>
        {c.attention && <><dt>{t('conn.attention')}</dt><dd class="error-text">{c.attention}</dd></>}
        <dt>{t('conn.schedule')}</dt><dd>{c.schedule}</dd>
        <dt>{t('conn.lastSync')}</dt><dd>{dateTime(c.lastSyncAt)}</dd>
        <dt>{t('conn.lastSuccess')}</dt><dd>{dateTime(c.lastSuccessAt)}</dd>
        <dt>{t('conn.nextSync')}</dt><dd>{push ? t('conn.pushed') : dateTime(c.nextSyncAt)}</dd>
        {c.checkpoint !== undefined && <><dt>{t('conn.checkpoint')}</dt><dd><code>{typeof c.checkpoint === 'string' ? c.checkpoint : json(c.checkpoint)}</code></dd></>}
        <dt>{t('conn.orders')}</dt><dd><a href={href('orders', { connection: c.name })}>{count(c.counts.orders)}</a> ({t('conn.open', { n: count(c.counts.open) })})</dd>
        <dt>{t('conn.lastError')}</dt><dd>{c.lastError ? <pre class="error-text">{c.lastError}</pre> : '—'}</dd>
      </dl>
      {message && <Notice kind="ok">{message}</Notice>}
      <ErrorNote error={error} />
      <details open={c.health === 'needs_attention'}>
        <summary>{t('conn.runs')}</summary>
        <Runs connection={c.name} version={`${c.lastRun?.id ?? 0}:${c.lastRun?.status ?? ''}`} />
      </details>
    </Section>
  );
}

export function ConnectionsPage() {
  const list = useLoad(() => getJson<{ data: Connection[] }>('/v1/connections'), []);
  useInterval(() => void list.reload(), 3000);
  return (
    <div class="page">
      <h1>{t('conn.title')}</h1>
      <ErrorNote error={list.error} />
      <div class="cards">
        {(list.data?.data ?? []).map((c) => <ConnectionCard key={c.name} c={c} onChange={() => void list.reload()} />)}
      </div>
    </div>
  );
}
