/** Webhooks: subscriptions, their deliveries, dead letters and redelivery (the API shows these to write keys only). */
import { useState } from 'preact/hooks';
import { canWrite, getJson, sendJson } from '../api.ts';
import { Badge, ErrorNote, Notice, Section, useLoad } from '../components/ui.tsx';
import { dateTime } from '../format.ts';
import { t } from '../i18n.ts';
import { href } from '../router.ts';
import type { Delivery, Webhook } from '../types.ts';

function Deliveries({ hook }: { hook: Webhook }) {
  const [state, setState] = useState<'' | 'pending' | 'delivered' | 'dead'>('dead');
  const list = useLoad(() => getJson<{ data: Delivery[] }>(`/v1/webhooks/${hook.id}/deliveries`, { state: state || undefined, limit: 50 }), [hook.id, state]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  async function redeliver(deliveryId?: number) {
    setError(null);
    try {
      const r = await sendJson<{ requeued?: number }>('POST', `/v1/webhooks/${hook.id}/redeliver`, deliveryId ? { deliveryId } : {});
      setMessage(t('hooks.requeued', { n: r.requeued ?? 1 }));
      await list.reload();
    } catch (err) {
      setError(err as Error);
    }
  }
  return (
    <div>
      <div class="toolbar">
        <label>{t('hooks.state')}
          <select value={state} onChange={(e) => setState((e.currentTarget as HTMLSelectElement).value as typeof state)}>
            <option value="">{t('orders.all')}</option><option value="pending">{t('hooks.pending')}</option>
            <option value="delivered">{t('hooks.delivered')}</option><option value="dead">{t('hooks.dead')}</option>
          </select>
        </label>
        <button type="button" onClick={() => void redeliver()}>{t('hooks.redeliverAll')}</button>
      </div>
      {message && <Notice kind="ok">{message}</Notice>}
      <ErrorNote error={list.error ?? error} />
      <table>
        <thead><tr><th>#</th><th>{t('hooks.event')}</th><th>{t('hooks.order')}</th><th>{t('hooks.state')}</th><th>{t('hooks.attempts')}</th><th>{t('hooks.last')}</th><th /></tr></thead>
        <tbody>
          {(list.data?.data ?? []).map((d) => (
            <tr key={d.id}>
              <td>{d.id}</td><td>{d.eventType} <span class="muted">{d.eventId}</span></td><td><a href={href(`orders/${d.orderId}`)}>{d.orderId.slice(0, 8)}…</a></td>
              <td><Badge value={d.state} label={t(`hooks.${d.state}` as 'hooks.dead', {}, d.state)} /></td><td>{d.attempts}</td>
              <td>{d.lastStatus ?? ''} {d.lastError && <span class="error-text">{d.lastError}</span>} <span class="muted">{dateTime(d.deliveredAt ?? d.nextAttemptAt)}</span></td>
              <td>{d.state === 'dead' && <button type="button" onClick={() => void redeliver(d.id)}>{t('hooks.redeliver')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function WebhooksPage() {
  if (!canWrite()) return <div class="page"><h1>{t('hooks.title')}</h1><Notice>{t('hooks.writeOnly')}</Notice></div>;
  const list = useLoad(() => getJson<{ data: Webhook[] }>('/v1/webhooks'), []);
  return (
    <div class="page">
      <h1>{t('hooks.title')}</h1>
      <ErrorNote error={list.error} />
      {list.data?.data.length === 0 && <p class="empty">{t('hooks.none')}</p>}
      {(list.data?.data ?? []).map((h) => (
        <Section key={h.id} title={h.url}>
          <p class="muted">{h.id} · {h.events.join(', ')} · {h.signing} · {t('hooks.since', { at: dateTime(h.createdAt) })} {h.description && `· ${h.description}`}</p>
          <Deliveries hook={h} />
        </Section>
      ))}
    </div>
  );
}
