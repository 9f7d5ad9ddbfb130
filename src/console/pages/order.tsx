/**
 * One order: its canonical fields, items, addresses and money; the journal as a timeline with field
 * diffs; raw payload versions (and what changed between two); write-backs with the channel's answer;
 * actions (status, tracking, re-sync).
 */
import { useRef, useState } from 'preact/hooks';
import { canWrite, getJson, sendJson, writeBack } from '../api.ts';
import { Badge, ErrorNote, Notice, Section, StatusBadge, useInterval, useLoad } from '../components/ui.tsx';
import { dateTime, json, money } from '../format.ts';
import { t } from '../i18n.ts';
import { href } from '../router.ts';
import { CANONICAL_STATUSES, type Address, type FieldChange, type Order, type OrderDetail, type OrderEvent } from '../types.ts';

function AddressBlock({ title, address }: { title: string; address: Address | null }) {
  return (
    <div class="address">
      <h3>{title}</h3>
      {address ? (
        <address>
          {[address.name, address.company, address.street, [address.postalCode, address.city].filter(Boolean).join(' '), address.country, address.phone, address.email]
            .filter(Boolean).map((line, i) => <div key={i}>{line}</div>)}
        </address>
      ) : <p class="muted">—</p>}
    </div>
  );
}

const show = (v: unknown) => (v === null || v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v));

function Diff({ changes }: { changes: FieldChange[] }) {
  return (
    <table class="diff">
      <tbody>
        {changes.map((c) => (
          <tr key={c.path}><th scope="row">{c.path}</th><td class="from">{show(c.from)}</td><td aria-hidden="true">→</td><td class="to">{show(c.to)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

function Timeline({ journal }: { journal: OrderEvent[] }) {
  return (
    <ol class="timeline">
      {[...journal].reverse().map((e) => (
        <li key={e.id}>
          <div class="when"><time dateTime={e.occurredAt}>{dateTime(e.occurredAt)}</time> <span class="muted">{e.id}{e.actor ? ` · ${t('order.by', { actor: e.actor })}` : ''}</span></div>
          <div class="what">
            <strong>{t(`event.${e.type}` as 'event.order.created', {}, e.type)}</strong>
            {e.type === 'order.status_changed' && <> {e.fromStatus && <StatusBadge status={e.fromStatus} />} → {e.toStatus && <StatusBadge status={e.toStatus} />}</>}
          </div>
          {e.diff && e.diff.length > 0 && <Diff changes={e.diff} />}
        </li>
      ))}
    </ol>
  );
}

/** leaf paths of a JSON value, for a field-level diff of two raw payloads */
function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(prefix, value);
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
  return out;
}

export function payloadDiff(a: unknown, b: unknown): FieldChange[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const changes: FieldChange[] = [];
  for (const path of new Set([...fa.keys(), ...fb.keys()])) {
    const from = fa.has(path) ? fa.get(path) : null;
    const to = fb.has(path) ? fb.get(path) : null;
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ path, from, to });
  }
  return changes;
}

function RawVersions({ raw }: { raw: NonNullable<OrderDetail['raw']> }) {
  const [a, setA] = useState(Math.max(0, raw.length - 2));
  const [b, setB] = useState(raw.length - 1);
  const pick = (set: (n: number) => void) => (e: Event) => set(Number((e.currentTarget as HTMLSelectElement).value));
  const options = raw.map((r, i) => <option key={i} value={i}>{t('order.version', { n: i + 1, at: dateTime(r.fetchedAt) })}</option>);
  return (
    <div>
      {raw.length > 1 && (
        <div class="compare">
          <label>{t('order.compareFrom')}<select value={a} onChange={pick(setA)}>{options}</select></label>
          <label>{t('order.compareTo')}<select value={b} onChange={pick(setB)}>{options}</select></label>
          {(() => {
            const d = payloadDiff(raw[a]?.payload, raw[b]?.payload);
            return d.length ? <Diff changes={d} /> : <p class="muted">{t('order.noDifference')}</p>;
          })()}
        </div>
      )}
      {raw.map((r, i) => (
        <details key={i}>
          <summary>{t('order.version', { n: i + 1, at: dateTime(r.fetchedAt) })}</summary>
          <pre>{json(r.payload)}</pre>
        </details>
      ))}
    </div>
  );
}

function Actions({ order, onDone }: { order: Order; onDone: () => void }) {
  const [status, setStatus] = useState('');
  const [tracking, setTracking] = useState('');
  const [carrier, setCarrier] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  async function run(fn: () => Promise<string>) {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      setMessage(await fn());
      onDone();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class="actions">
      <form onSubmit={(e) => { e.preventDefault(); void run(async () => { await writeBack(order.id, 'status', { status }); return t('order.statusAccepted'); }); }}>
        <label>{t('order.newStatus')}
          <input name="status" list="statuses" required value={status} onInput={(e) => setStatus((e.currentTarget as HTMLInputElement).value)} placeholder={t('order.statusHint')} />
        </label>
        <datalist id="statuses">{CANONICAL_STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}</datalist>
        <button type="submit" class="primary" disabled={busy}>{t('order.changeStatus')}</button>
      </form>
      <form onSubmit={(e) => { e.preventDefault(); void run(async () => { await writeBack(order.id, 'tracking', { trackingNumber: tracking, carrier: carrier || null }); return t('order.trackingAccepted'); }); }}>
        <label>{t('order.trackingNumber')}<input name="trackingNumber" required value={tracking} onInput={(e) => setTracking((e.currentTarget as HTMLInputElement).value)} /></label>
        <label>{t('order.carrier')}<input name="carrier" value={carrier} onInput={(e) => setCarrier((e.currentTarget as HTMLInputElement).value)} /></label>
        <button type="submit" disabled={busy}>{t('order.addTracking')}</button>
      </form>
      <button type="button" disabled={busy} onClick={() => void run(async () => {
        const r = await sendJson<{ changed: boolean }>('POST', `/v1/orders/${encodeURIComponent(order.id)}/resync`);
        return r.changed ? t('order.resyncChanged') : t('order.resyncUnchanged');
      })}>{t('order.resync')}</button>
      {message && <Notice kind="ok">{message}</Notice>}
      <ErrorNote error={error} />
    </div>
  );
}

export function OrderPage({ id }: { id: string }) {
  const feed = useRef<string | null>(null);
  const detail = useLoad(async () => {
    // where the feed is before reading the order: a change committed in between is seen by the next poll
    if (feed.current === null) feed.current = (await getJson<{ next: string }>('/v1/events/head')).next;
    return getJson<OrderDetail>(`/v1/orders/${encodeURIComponent(id)}`, { include: 'raw' });
  }, [id]);
  // follow this order's changes (a status changed at the channel, a write-back read back)
  useInterval(async () => {
    if (!detail.data || feed.current === null) return;
    const res = await getJson<{ data: OrderEvent[]; next: string }>('/v1/events', { after: feed.current, orderId: detail.data.order.id, limit: 100 });
    feed.current = res.next;
    if (res.data.length > 0 || detail.data.writeBacks.some((w) => w.state === 'accepted')) await detail.reload();
  }, 2000);

  if (detail.error && !detail.data) return <div class="page"><p><a href="#/orders">← {t('nav.orders')}</a></p><ErrorNote error={detail.error} /></div>;
  if (!detail.data) return <div class="page"><p class="loading">…</p></div>;
  const { order, journal, writeBacks, raw } = detail.data;
  const c = order.customer;
  return (
    <div class="page">
      <p><a href={href('orders')}>← {t('nav.orders')}</a></p>
      <h1>{t('order.title', { number: order.number ?? order.externalId })} <StatusBadge status={order.status} /></h1>
      <p class="muted">{order.connection} · {order.channel} · {order.externalId} · {t('order.channelStatus')}: <code>{order.channelStatus}</code></p>
      {canWrite() && <Section title={t('order.actions')}><Actions order={order} onDone={() => void detail.reload()} /></Section>}
      <div class="grid2">
        <Section title={t('order.summary')}>
          <dl class="fields">
            <dt>{t('orders.created')}</dt><dd><time dateTime={order.createdAt}>{dateTime(order.createdAt)}</time></dd>
            <dt>{t('order.updated')}</dt><dd><time dateTime={order.updatedAt}>{dateTime(order.updatedAt)}</time></dd>
            <dt>{t('order.payment')}</dt><dd>{order.paymentMethod ?? '—'} {order.paid === true ? `(${t('order.paid')})` : order.paid === false ? `(${t('order.unpaid')})` : ''}</dd>
            <dt>{t('order.shipping')}</dt><dd>{order.shippingMethod ?? '—'}</dd>
            <dt>{t('orders.tracking')}</dt><dd>{order.trackingNumbers.join(', ') || '—'}</dd>
            <dt>{t('orders.customer')}</dt><dd>{[c.name, c.company, c.email, c.phone].filter(Boolean).join(' · ') || '—'}</dd>
            {(c.companyId || c.vatId) && <><dt>{t('order.companyIds')}</dt><dd>{[c.companyId, c.vatId].filter(Boolean).join(' · ')}</dd></>}
            {order.note && <><dt>{t('order.note')}</dt><dd>{order.note}</dd></>}
          </dl>
        </Section>
        <Section title={t('order.money')}>
          <dl class="fields money">
            <dt>{t('order.items')}</dt><dd>{money(order.totals.items, order.currency)}</dd>
            <dt>{t('order.shippingCost')}</dt><dd>{money(order.totals.shipping, order.currency)}</dd>
            <dt>{t('orders.total')}</dt><dd><strong>{money(order.totals.total, order.currency)}</strong></dd>
            <dt>{t('order.taxIncluded')}</dt><dd>{order.totals.taxIncluded === null ? '—' : order.totals.taxIncluded ? t('common.yes') : t('common.no')}</dd>
          </dl>
          <div class="addresses">
            <AddressBlock title={t('order.shippingAddress')} address={order.shippingAddress} />
            <AddressBlock title={t('order.billingAddress')} address={order.billingAddress} />
          </div>
        </Section>
      </div>
      <Section title={t('order.items')}>
        <div class="table-wrap">
          <table>
            <thead><tr><th>SKU</th><th>EAN</th><th>{t('order.itemName')}</th><th class="num">{t('order.quantity')}</th><th class="num">{t('order.unitPrice')}</th><th class="num">{t('order.vat')}</th><th class="num">{t('orders.total')}</th></tr></thead>
            <tbody>
              {order.items.map((i, n) => (
                <tr key={n}><td>{i.sku ?? '—'}</td><td>{i.ean ?? '—'}</td><td>{i.name}</td><td class="num">{i.quantity}</td>
                  <td class="num">{money(i.unitPriceGross ?? i.unitPriceNet, order.currency)}</td><td class="num">{i.vatRate === null ? '—' : `${i.vatRate} %`}</td>
                  <td class="num">{money(i.totalGross ?? i.totalNet, order.currency)}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <Section title={t('order.writeBacks')}>
        {writeBacks.length === 0 ? <p class="muted">{t('order.noWriteBacks')}</p> : (
          <table class="write-backs">
            <thead><tr><th>{t('order.requested')}</th><th>{t('order.kind')}</th><th>{t('order.request')}</th><th>{t('order.state')}</th><th>{t('order.answer')}</th></tr></thead>
            <tbody>
              {[...writeBacks].reverse().map((w) => (
                <tr key={w.id}>
                  <td><time dateTime={w.createdAt}>{dateTime(w.createdAt)}</time></td><td>{w.kind}</td><td><code>{JSON.stringify(w.request)}</code></td>
                  <td><Badge value={w.state} label={t(`wb.${w.state}`)} /> {w.attempts > 1 && <span class="muted">×{w.attempts}</span>}</td>
                  <td>{w.error ? <span class="error-text">{w.error.code}: {w.error.message}</span> : w.result ? <code>{JSON.stringify(w.result)}</code> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title={t('order.timeline')}><Timeline journal={journal} /></Section>
      {raw && <Section title={t('order.raw', { n: raw.length })}><RawVersions raw={raw} /></Section>}
    </div>
  );
}
