/** Alza dropship (where configured): dropship orders by state, stock with what is reserved, and the Buyer API outbox. */
import { useState } from 'preact/hooks';
import { canWrite, getJson, sendJson } from '../api.ts';
import { ErrorNote, Notice, Section, useLoad } from '../components/ui.tsx';
import { RowsTable } from '../components/rows.tsx';
import { t } from '../i18n.ts';
import type { Connection } from '../types.ts';

const STATES = ['', 'reserved', 'confirmed', 'shipment_created', 'departed', 'delivered', 'cancelled', 'expired'];

function DropshipConnection({ name }: { name: string }) {
  const base = `/v1/alza-dropship/${encodeURIComponent(name)}`;
  const [state, setState] = useState('');
  const orders = useLoad(() => getJson<{ data: Array<Record<string, unknown>> }>(`${base}/orders`, { state: state || undefined, limit: 100 }), [name, state]);
  const stock = useLoad(() => getJson<{ data: Array<Record<string, unknown>> }>(`${base}/stock`), [name]);
  const outbox = useLoad(() => getJson<{ data: Array<Record<string, unknown>> }>(`${base}/outbox`, { limit: 100 }), [name]);
  const [error, setError] = useState<Error | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const byState = new Map<string, number>();
  for (const o of orders.data?.data ?? []) byState.set(String(o.state), (byState.get(String(o.state)) ?? 0) + 1);
  async function retry(id: unknown) {
    setError(null);
    try {
      await sendJson('POST', `${base}/outbox/${String(id)}/retry`);
      setMessage(t('drop.retried', { id: String(id) }));
      await outbox.reload();
    } catch (err) {
      setError(err as Error);
    }
  }
  const failed = (outbox.data?.data ?? []).filter((m) => m.state === 'failed');
  return (
    <>
      <Section title={t('drop.orders', { name })} actions={
        <label>{t('drop.state')}<select value={state} onChange={(e) => setState((e.currentTarget as HTMLSelectElement).value)}>
          {STATES.map((s) => <option key={s} value={s}>{s || t('orders.all')}</option>)}
        </select></label>
      }>
        <p class="muted">{[...byState].map(([s, n]) => `${s}: ${n}`).join(' · ')}</p>
        <ErrorNote error={orders.error} />
        <RowsTable rows={orders.data?.data ?? []} columns={['orderNumber', 'supplierOrder', 'state', 'validUntil', 'createdAt', 'updatedAt']} />
      </Section>
      <Section title={t('drop.stock')}>
        <ErrorNote error={stock.error} />
        <RowsTable rows={stock.data?.data ?? []} />
      </Section>
      <Section title={t('drop.outbox')}>
        <ErrorNote error={outbox.error ?? error} />
        {message && <Notice kind="ok">{message}</Notice>}
        {canWrite() && failed.length > 0 && (
          <div class="toolbar">{failed.map((m) => <button key={String(m.id)} type="button" onClick={() => void retry(m.id)}>{t('drop.retry', { id: String(m.id) })}</button>)}</div>
        )}
        <RowsTable rows={outbox.data?.data ?? []} />
      </Section>
    </>
  );
}

export function DropshipPage() {
  const connections = useLoad(() => getJson<{ data: Connection[] }>('/v1/connections'), []);
  const dropship = (connections.data?.data ?? []).filter((c) => c.kind === 'alza-dropship');
  return (
    <div class="page">
      <h1>{t('drop.title')}</h1>
      <ErrorNote error={connections.error} />
      {connections.data && dropship.length === 0 && <p class="empty">{t('drop.none')}</p>}
      {dropship.map((c) => <DropshipConnection key={c.name} name={c.name} />)}
    </div>
  );
}
