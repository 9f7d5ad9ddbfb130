/**
 * Re-reading orders the run's creation-date windows do not cover. Channels filter by creation date,
 * so a change to an order placed before the windows would never show up in a new window:
 *
 * - **Open orders** (non-terminal) younger than `refreshOpenDays` are re-read on every run.
 * - **Closed orders** change too (returns after delivery, complaints, refunds, re-opened orders, days
 *   or weeks later): those that closed, or last changed, within `refreshClosedDays` are re-read once
 *   per `refreshClosedEvery`, spread over that period so a run never re-reads all of them at once
 *   (each order has a slot in the period, its creation instant modulo the period; a run re-reads the
 *   orders whose slot passed since the previous run). `refreshClosedEvery: 0` re-reads them every run.
 *
 * Open orders go through the channel's own status filter where it has one (`supportsOpenQuery`), by
 * id where few (or where the channel has no date filter), by creation-date windows otherwise. Closed
 * ones due are first cut down to those no window of this run re-read already (re-polling open orders
 * by windows re-reads the closed orders created in the same hours), then re-read whichever way costs
 * the fewest requests, estimated from the store: by id (a request each), the channel's closed-status
 * query (its pages from the oldest due order on), or windows around them (their pages). An order the
 * channel no longer returns is reported, never taken as deleted.
 */
import type { Logger } from 'pino';
import { parseDuration } from '../canonical/time.ts';
import type { BaseConnectionConfig } from '../config.ts';
import type { Connector, PullQuery } from '../connector.ts';
import type { StoreHandle } from '../store/db.ts';
import { getState, setState } from '../store/connections.ts';
import {
  countOpenOrders, countOrdersCreated, listClosedOrders, listOpenOrders, openOrderHours, type StoredOrderRef,
} from '../store/orders.ts';
import type { WarningLog } from './ingest.ts';
import { windowsCovering, type TimeWindow } from './windows.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Up to this many orders are re-read one by one; more are re-read by creation-date windows. */
const REFRESH_BY_ID_LIMIT = 50;
/** connection_state key: when the last run that re-read closed orders started */
const CLOSED_REFRESH_STATE_KEY = 'closed_refresh';

export interface RefreshDeps {
  store: StoreHandle;
  config: BaseConnectionConfig;
  connector: Connector;
  partitions: Array<string | undefined>;
  signal: AbortSignal;
  walk: (query: PullQuery, onIds?: (ids: string[]) => void) => Promise<void>;
  /** maps and commits records (fetched by id); returns their external ids */
  storeRecords: (records: unknown[]) => Promise<string[]>;
  log: Logger;
  warnings: WarningLog;
  /** the creation-date windows this run re-read in full (filled as they are walked) */
  covered: TimeWindow[];
}

export function windowQuery(w: TimeWindow, partition: string | undefined): PullQuery {
  return partition === undefined ? { kind: 'window', from: w.from, to: w.to } : { kind: 'window', from: w.from, to: w.to, partition };
}

/** Re-reads the open orders created in [horizon, windowsFrom). Returns how many were due. */
export async function refreshOpenOrders(deps: RefreshDeps, windowsFrom: Date, runStart: Date, onStart: () => void): Promise<number> {
  const { store, config, connector, partitions, walk } = deps;
  const horizon = new Date(runStart.getTime() - config.refreshOpenDays * DAY_MS);
  if (horizon >= windowsFrom) return 0;
  const range = [horizon.toISOString(), windowsFrom.toISOString()] as const;
  const dueCount = await countOpenOrders(store.db, config.name, ...range);
  if (dueCount === 0) return 0;
  onStart();

  const way: Way = connector.supportsOpenQuery === true
    ? 'query'
    : connector.fetchByIds !== undefined && (dueCount <= REFRESH_BY_ID_LIMIT || connector.listing !== 'window') ? 'ids' : 'windows';
  if (way === 'windows') {
    // Many open orders and no status filter: re-read the creation-date windows they fall in, planned
    // from an hourly aggregate so that memory stays flat however many orders are open.
    const hours = await openOrderHours(store.db, config.name, ...range);
    const windows = windowsCovering(hours.map((h) => new Date(`${h}:00:00.000Z`)), connector.maxWindowDays ?? 31);
    for (const w of windows) {
      // windowsCovering ends a window just after its last hour's start; cover that whole hour.
      const window = { from: w.from, to: new Date(w.to.getTime() - 1 + HOUR_MS) };
      for (const partition of partitions) await walk(windowQuery(window, partition));
      deps.covered.push(window);
    }
    return dueCount;
  }
  const due = await listOpenOrders(store.db, config.name, ...range);
  await reread(deps, due, way, (partition) => (partition === undefined ? { kind: 'open' } : { kind: 'open', partition }), 'open');
  return dueCount;
}

/**
 * Re-reads the closed orders that changed within `refreshClosedDays` and were created before the
 * windows, those whose slot came round since the last run. Returns how many were due.
 */
export async function refreshClosedOrders(deps: RefreshDeps, windowsFrom: Date, runStart: Date, onStart: () => void): Promise<number> {
  const { store, config, connector } = deps;
  if (config.refreshClosedDays <= 0) return 0;
  const period = parseDuration(String(config.refreshClosedEvery)) ?? 0;
  const previous = await getState<{ at: string }>(store.db, config.name, CLOSED_REFRESH_STATE_KEY);
  const candidates = await listClosedOrders(
    store.db, config.name, new Date(runStart.getTime() - config.refreshClosedDays * DAY_MS).toISOString(), windowsFrom.toISOString(),
  );
  // The first run that re-reads closed orders only starts the clock (no spike after an upgrade);
  // from then on each order comes round once per period.
  const slotted = period === 0 ? candidates : previous === null ? [] : candidates.filter(slotPassed(period, new Date(previous.at), runStart));
  // re-read already: created inside a window this run walked in full
  const due = slotted.filter(notIn(deps.covered));
  if (due.length > 0) {
    onStart();
    // the lookup lists them oldest first (a spread of a million times into Math.min would overflow the stack)
    const from = new Date(due[0]!.createdAt);
    const way = await cheapestWay(deps, due, from, windowsFrom);
    deps.log.debug({ due: due.length, way }, 'closed orders re-checked');
    await reread(deps, due, way, (partition) => (partition === undefined ? { kind: 'closed', from } : { kind: 'closed', from, partition }), 'closed');
  }
  await setState(store.db, config.name, CLOSED_REFRESH_STATE_KEY, { at: runStart.toISOString() });
  return slotted.length;
}

type Way = 'query' | 'ids' | 'windows';

/** Orders not created inside any of the windows. */
function notIn(windows: readonly TimeWindow[]): (o: StoredOrderRef) => boolean {
  if (windows.length === 0) return () => true;
  const spans = windows.map((w) => [w.from.getTime(), w.to.getTime()] as const);
  return (o) => {
    const t = Date.parse(o.createdAt);
    return !spans.some(([a, b]) => t >= a && t < b);
  };
}

/**
 * The way to re-read `due` that sends the fewest requests, estimated from what the store holds: by id
 * one request each; the closed-status query the pages of the closed orders created from `from` on;
 * windows around them the pages of every order created in them, plus the empty page that proves each
 * window's end. Only the ways the connector offers are weighed.
 */
async function cheapestWay(deps: RefreshDeps, due: readonly StoredOrderRef[], from: Date, until: Date): Promise<Way> {
  const { store, config, connector, partitions } = deps;
  const pages = (n: number) => Math.ceil(n / Math.max(1, connector.pageSize)) + 1;
  const costs: Array<[Way, number]> = [];
  if (connector.fetchByIds) costs.push(['ids', due.length]);
  if (connector.supportsClosedQuery === true) {
    const closed = await countOrdersCreated(store.db, config.name, from.toISOString(), until.toISOString(), { open: false });
    costs.push(['query', pages(closed) * partitions.length]);
  }
  if (connector.listing === 'window') {
    let cost = 0;
    for (const w of windowsCovering(due.map((o) => new Date(o.createdAt)), connector.maxWindowDays ?? 31)) {
      cost += pages(await countOrdersCreated(store.db, config.name, w.from.toISOString(), w.to.toISOString()));
    }
    costs.push(['windows', cost * partitions.length]);
  }
  costs.sort((a, b) => a[1] - b[1]);
  return costs[0]?.[0] ?? 'windows';
}

/** Orders whose slot (creation instant modulo the period) lies in (previous, now], or all after a whole period. */
function slotPassed(periodMs: number, previous: Date, now: Date): (o: StoredOrderRef) => boolean {
  const elapsed = now.getTime() - previous.getTime();
  if (elapsed >= periodMs || elapsed < 0) return () => true;
  const from = previous.getTime() % periodMs;
  const to = now.getTime() % periodMs;
  return (o) => {
    const slot = Date.parse(o.createdAt) % periodMs;
    return from <= to ? slot > from && slot <= to : slot > from || slot <= to;
  };
}

/**
 * Re-reads known orders `way`: through the channel's status query (then by id what it did not return,
 * where few), by id, or by creation-date windows around them.
 */
async function reread(
  deps: RefreshDeps,
  due: readonly StoredOrderRef[],
  way: Way,
  statusQuery: (partition: string | undefined) => PullQuery,
  which: 'open' | 'closed',
): Promise<void> {
  const { connector, partitions, signal, walk, storeRecords } = deps;
  const pending = new Map(due.map((o) => [o.externalId, o.createdAt]));
  const markSeen = (ids: string[]) => {
    for (const id of ids) pending.delete(id);
  };
  if (way === 'query') {
    for (const partition of partitions) await walk(statusQuery(partition), markSeen);
  }
  // after a status query, what it did not return goes by id where few (or where there are no windows)
  const byIds = way === 'ids' || (way === 'query' && (pending.size <= REFRESH_BY_ID_LIMIT || connector.listing !== 'window'));
  if (pending.size > 0 && connector.fetchByIds && byIds) {
    const batch: unknown[] = [];
    for await (const record of connector.fetchByIds([...pending.keys()], signal)) {
      batch.push(record);
      if (batch.length >= 200) markSeen(await storeRecords(batch.splice(0)));
    }
    if (batch.length > 0) markSeen(await storeRecords(batch));
  } else if (pending.size > 0) {
    const windows = windowsCovering([...pending.values()].map((t) => new Date(t)), connector.maxWindowDays ?? 31);
    for (const w of windows) {
      for (const partition of partitions) await walk(windowQuery(w, partition), markSeen);
      deps.covered.push(w);
    }
  }
  if (pending.size > 0) {
    const sample = [...pending.keys()].slice(0, 5).join(', ');
    deps.warnings.add(`${pending.size} ${which} order(s) were not returned by the channel when re-polled (kept as they were): ${sample}`);
  }
}
