/**
 * Orders: the API's filters and search, keyset pages (next / previous), new and changed orders shown
 * without a reload (the change feed), a selection for a bulk status change or an export.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, canWrite, download, getJson, sendJson, writeBack } from '../api.ts';
import { ErrorNote, Notice, StatusBadge, useInterval, useLoad } from '../components/ui.tsx';
import { dateTime, localInputToIso, money } from '../format.ts';
import { t } from '../i18n.ts';
import { go, href, route } from '../router.ts';
import { CANONICAL_STATUSES, type Connection, type Order, type OrderEvent, type Page } from '../types.ts';

const FILTERS = ['connection', 'channel', 'status', 'createdFrom', 'createdTo', 'updatedFrom', 'updatedTo', 'q'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;
const PAGE_SIZE = 50;
const LIVE_MS = 3000;

function filtersOf(query: URLSearchParams): Filters {
  const f: Filters = {};
  for (const k of FILTERS) {
    const v = query.get(k);
    if (v) f[k] = v;
  }
  return f;
}

/** datetime-local inputs hold the viewer's wall time; the API wants instants */
function apiQuery(f: Filters): Record<string, string | undefined> {
  return {
    ...f,
    createdFrom: f.createdFrom && localInputToIso(f.createdFrom),
    createdTo: f.createdTo && localInputToIso(f.createdTo),
    updatedFrom: f.updatedFrom && localInputToIso(f.updatedFrom),
    updatedTo: f.updatedTo && localInputToIso(f.updatedTo),
  };
}

function FilterForm({ filters, connections }: { filters: Filters; connections: Connection[] }) {
  const [draft, setDraft] = useState<Filters>(filters);
  useEffect(() => setDraft(filters), [JSON.stringify(filters)]);
  const set = (k: keyof Filters) => (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value || undefined });
  const kinds = [...new Set(connections.map((c) => c.kind))];
  return (
    <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); go('orders', draft); }}>
      <label>{t('orders.search')}<input type="search" name="q" value={draft.q ?? ''} onInput={set('q')} placeholder={t('orders.searchHint')} /></label>
      <label>{t('orders.connection')}
        <select name="connection" value={draft.connection ?? ''} onChange={set('connection')}>
          <option value="">{t('orders.all')}</option>
          {connections.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
        </select>
      </label>
      <label>{t('orders.channel')}
        <select name="channel" value={draft.channel ?? ''} onChange={set('channel')}>
          <option value="">{t('orders.all')}</option>
          {kinds.map((k) => <option key={k} value={k}>{k}</option>)}
        </select>
      </label>
      <label>{t('orders.status')}
        <select name="status" value={draft.status ?? ''} onChange={set('status')}>
          <option value="">{t('orders.all')}</option>
          {CANONICAL_STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
        </select>
      </label>
      <label>{t('orders.createdFrom')}<input type="datetime-local" name="createdFrom" value={draft.createdFrom ?? ''} onInput={set('createdFrom')} /></label>
      <label>{t('orders.createdTo')}<input type="datetime-local" name="createdTo" value={draft.createdTo ?? ''} onInput={set('createdTo')} /></label>
      <label>{t('orders.updatedFrom')}<input type="datetime-local" name="updatedFrom" value={draft.updatedFrom ?? ''} onInput={set('updatedFrom')} /></label>
      <label>{t('orders.updatedTo')}<input type="datetime-local" name="updatedTo" value={draft.updatedTo ?? ''} onInput={set('updatedTo')} /></label>
      <div class="filter-buttons">
        <button type="submit" class="primary">{t('orders.apply')}</button>
        <button type="button" onClick={() => go('orders')}>{t('orders.clear')}</button>
      </div>
    </form>
  );
}

interface BulkSummary {
  dryRun: boolean; bulkId: string | null; status: string; matched: number; queued: number;
  skipped: { alreadyInStatus: number; pending: number; unsupported: number };
  byConnection: Array<{ connection: string; channelStatus: string | null; queued: number; problem: string | null }>;
}
interface BulkStates { states: Record<'accepted' | 'delivered' | 'refused' | 'failed', number> }

/** Every order the filters match (not only this page): previewed first (a dry run), then queued through the outbox. */
function FilterBulk({ filters }: { filters: Filters }) {
  const [status, setStatus] = useState<string>('processing');
  const [preview, setPreview] = useState<BulkSummary | null>(null);
  const [done, setDone] = useState<BulkSummary | null>(null);
  const [states, setStates] = useState<BulkStates | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(() => crypto.randomUUID());
  const filterKey = JSON.stringify(filters);
  useEffect(() => { setPreview(null); setDone(null); setStates(null); }, [filterKey, status]);
  const filter = Object.fromEntries(Object.entries(apiQuery(filters)).filter(([, v]) => v));
  async function run(dryRun: boolean) {
    setBusy(true);
    setError(null);
    try {
      const summary = await sendJson<BulkSummary>('POST', '/v1/orders/bulk/status', { filter, status, dryRun }, dryRun ? undefined : { 'idempotency-key': key });
      if (dryRun) setPreview(summary);
      else {
        setDone(summary);
        setPreview(null);
        setKey(crypto.randomUUID());
      }
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }
  useInterval(async () => {
    if (!done?.bulkId) return;
    setStates(await getJson<BulkStates>(`/v1/orders/bulk/${encodeURIComponent(done.bulkId)}`));
  }, 2000, done?.bulkId != null);
  const describe = (s: BulkSummary) => t('bulk.summary', {
    matched: s.matched, queued: s.queued, already: s.skipped.alreadyInStatus, pending: s.skipped.pending, unsupported: s.skipped.unsupported,
  });
  return (
    <div class="bulk filter-bulk" role="region" aria-label={t('bulk.title')}>
      <strong>{t('bulk.title')}</strong>
      <label>{t('orders.newStatus')}
        <select name="filterBulkStatus" value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value)}>
          {CANONICAL_STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
        </select>
      </label>
      <button type="button" disabled={busy} onClick={() => void run(true)}>{t('bulk.preview')}</button>
      {preview && (
        <>
          <span class="bulk-preview" role="status">{describe(preview)}
            {preview.byConnection.filter((c) => c.problem).map((c) => <span key={c.connection} class="error-text"> {c.connection}: {c.problem}</span>)}
          </span>
          <button type="button" class="primary" disabled={busy || preview.queued === 0} onClick={() => void run(false)}>{t('bulk.confirm', { n: preview.queued })}</button>
        </>
      )}
      {done && (
        <span class="bulk-done" role="status">
          {t('bulk.queued', { n: done.queued })}{' '}
          {states && t('bulk.states', { delivered: states.states.delivered, accepted: states.states.accepted, refused: states.states.refused, failed: states.states.failed })}
        </span>
      )}
      <ErrorNote error={error} />
    </div>
  );
}

interface BulkResult { accepted: number; refused: Array<{ order: Order; message: string }> }

function BulkBar({ selected, onDone, clear }: { selected: Order[]; onDone: () => void; clear: () => void }) {
  const [status, setStatus] = useState<string>('processing');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BulkResult | null>(null);
  const [error, setError] = useState<Error | null>(null);
  async function changeStatus() {
    setBusy(true);
    setResult(null);
    const r: BulkResult = { accepted: 0, refused: [] };
    for (const o of selected) {
      try {
        await writeBack(o.id, 'status', { status });
        r.accepted++;
      } catch (err) {
        r.refused.push({ order: o, message: (err as Error).message });
      }
    }
    setResult(r);
    setBusy(false);
    onDone();
  }
  async function exportAs(format: 'csv' | 'ndjson') {
    setError(null);
    try {
      const res = await call('POST', '/v1/orders/export', { ids: selected.map((o) => o.id), format, ...(format === 'csv' ? { bom: true } : {}) });
      await download(res, `orders.${format}`);
    } catch (err) {
      setError(err as Error);
    }
  }
  return (
    <div class="bulk" role="region" aria-label={t('orders.selection')}>
      <strong>{t('orders.selected', { n: selected.length })}</strong>
      {canWrite() && (
        <>
          <label>{t('orders.newStatus')}
            <select value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value)} name="bulkStatus">
              {CANONICAL_STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
            </select>
          </label>
          <button type="button" class="primary" disabled={busy} onClick={() => void changeStatus()}>{t('orders.changeStatus')}</button>
        </>
      )}
      <button type="button" onClick={() => void exportAs('csv')}>{t('orders.exportCsv')}</button>
      <button type="button" onClick={() => void exportAs('ndjson')}>{t('orders.exportNdjson')}</button>
      <button type="button" onClick={clear}>{t('orders.clearSelection')}</button>
      <ErrorNote error={error} />
      {result && (
        <div class="bulk-result" role="status">
          {t('orders.bulkAccepted', { n: result.accepted })}
          {result.refused.length > 0 && (
            <ul class="refused">
              {result.refused.map((r) => <li key={r.order.id}><a href={href(`orders/${r.order.id}`)}>{r.order.number ?? r.order.externalId}</a>: {r.message}</li>)}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}

export function OrdersPage() {
  const query = route.value.query;
  const filters = filtersOf(query);
  const filterKey = JSON.stringify(filters);
  const cursor = query.get('cursor') ?? undefined;
  const [history, setHistory] = useState<string[]>([]); // cursors of the pages before this one
  const [selected, setSelected] = useState<Map<string, Order>>(new Map());
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [pendingChanges, setPendingChanges] = useState(0);
  const feed = useRef<string | null>(null);

  const page = useLoad(async () => {
    // where the feed is before reading the page: a change committed in between is seen by the next poll
    if (feed.current === null) feed.current = (await getJson<{ next: string }>('/v1/events/head')).next;
    return getJson<Page<Order>>('/v1/orders', { ...apiQuery(filters), cursor, limit: PAGE_SIZE });
  }, [filterKey, cursor]);
  // the filter's connection list after the first page: its order counts cost the server more than a page
  const shown = page.data !== undefined;
  const connections = useLoad(() => (shown ? getJson<{ data: Connection[] }>('/v1/connections') : Promise.resolve({ data: [] as Connection[] })), [shown]);

  useEffect(() => {
    setHistory([]);
    setSelected(new Map());
  }, [filterKey]);

  useInterval(async () => {
    if (feed.current === null) return;
    try {
      const res = await getJson<Page<OrderEvent> & { next: string }>('/v1/events', { after: feed.current, limit: 500 });
      feed.current = res.next;
      if (res.data.length === 0) return;
      const ids = new Set(res.data.map((e) => e.orderId));
      if (!cursor) {
        await page.reload();
        setFresh(ids);
        setTimeout(() => setFresh(new Set()), 8000);
      } else {
        setPendingChanges((n) => n + res.data.length);
      }
    } catch {
      /* the next tick tries again */
    }
  }, LIVE_MS);

  function turn(next: string | null, back: boolean) {
    const q: Record<string, string | undefined> = { ...filters };
    if (back) {
      const prev = history.slice(0, -1);
      q.cursor = history[history.length - 1] || undefined;
      setHistory(prev);
    } else {
      setHistory([...history, cursor ?? '']);
      q.cursor = next ?? undefined;
    }
    go('orders', q);
  }

  const rows = page.data?.data ?? [];
  const allOnPage = rows.length > 0 && rows.every((o) => selected.has(o.id));
  const toggle = (o: Order) => {
    const next = new Map(selected);
    if (next.has(o.id)) next.delete(o.id);
    else next.set(o.id, o);
    setSelected(next);
  };
  const toggleAll = () => {
    const next = new Map(selected);
    for (const o of rows) allOnPage ? next.delete(o.id) : next.set(o.id, o);
    setSelected(next);
  };

  return (
    <div class="page">
      <h1>{t('orders.title')}</h1>
      <FilterForm filters={filters} connections={connections.data?.data ?? []} />
      {canWrite() && Object.keys(filters).length > 0 && <FilterBulk filters={filters} />}
      {selected.size > 0 && <BulkBar selected={[...selected.values()]} onDone={() => void page.reload()} clear={() => setSelected(new Map())} />}
      <ErrorNote error={page.error} />
      {pendingChanges > 0 && (
        <Notice kind="info">
          {t('orders.changesElsewhere', { n: pendingChanges })}{' '}
          <button type="button" onClick={() => { setPendingChanges(0); setHistory([]); go('orders', filters); }}>{t('orders.toFirstPage')}</button>
        </Notice>
      )}
      <div aria-live="polite" class="sr-only">{fresh.size > 0 ? t('orders.liveUpdated', { n: fresh.size }) : ''}</div>
      <div class="table-wrap">
        <table class="orders" aria-busy={page.loading}>
          <thead>
            <tr>
              <th class="check"><input type="checkbox" checked={allOnPage} onChange={toggleAll} aria-label={t('orders.selectPage')} /></th>
              <th>{t('orders.number')}</th><th>{t('orders.channel')}</th><th>{t('orders.created')}</th>
              <th>{t('orders.customer')}</th><th class="num">{t('orders.total')}</th><th>{t('orders.status')}</th><th>{t('orders.tracking')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr key={o.id} class={fresh.has(o.id) ? 'fresh' : undefined} data-order={o.id}>
                <td class="check"><input type="checkbox" checked={selected.has(o.id)} onChange={() => toggle(o)} aria-label={t('orders.selectOrder', { number: o.number ?? o.externalId })} /></td>
                <td><a href={href(`orders/${o.id}`)}>{o.number ?? o.externalId}</a></td>
                <td><span class="conn">{o.connection}</span> <span class="muted">{o.channel}</span></td>
                <td><time dateTime={o.createdAt}>{dateTime(o.createdAt)}</time></td>
                <td>{o.customer.company ?? o.customer.name ?? '—'}</td>
                <td class="num">{money(o.totals.total, o.currency)}</td>
                <td><StatusBadge status={o.status} /> <span class="muted">{o.channelStatus}</span></td>
                <td class="tracking">{o.trackingNumbers.join(', ') || '—'}</td>
              </tr>
            ))}
            {!page.loading && rows.length === 0 && <tr><td colSpan={8} class="empty">{t('orders.none')}</td></tr>}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label={t('orders.pages')}>
        <button type="button" disabled={history.length === 0} onClick={() => turn(null, true)}>← {t('orders.previous')}</button>
        <span>{t('orders.pageN', { n: history.length + 1 })}</span>
        <button type="button" disabled={!page.data?.next} onClick={() => turn(page.data?.next ?? null, false)}>{t('orders.next')} →</button>
      </nav>
    </div>
  );
}
