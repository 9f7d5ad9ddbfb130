/**
 * Bulk status changes: every order matching a filter (the filters of GET /v1/orders) gets one
 * status write-back in the outbox, the status mapped to each order's channel (status-names.ts), so
 * the worker delivers them like any other, one order at a time.
 *
 * Bounded: at most BULK_MAX_ORDERS matching orders per request (a client may ask for fewer with
 * `maxOrders`, a guard against a filter broader than meant); the matches are counted first (one
 * grouped query), then walked in (createdAt, id) keyset pages, so memory holds one page whatever the
 * store's size. The queued write-backs and the request's idempotency key commit in one transaction.
 *
 * Re-running a request does not queue twice: an order is skipped when it already has the status
 * (`alreadyInStatus`) or a pending write-back that sets the same channel status (`pending`); orders
 * whose channel cannot take the status are skipped as `unsupported`, with the reason per connection.
 * A dry run walks the same way and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Compilable, Kysely } from 'kysely';
import { CANONICAL_STATUSES } from '../core/canonical/status.ts';
import type { WriteBack } from '../core/connector.ts';
import type { Dialect } from '../core/store/db.ts';
import { afterKey } from '../core/store/orders.ts';
import type { Database } from '../core/store/schema.ts';
import { searchMode, type SearchMode } from '../core/store/search.ts';
import { describeError } from '../core/sync/ingest.ts';
import { applyOrderFilter, type OrderListFilter } from '../api/orders-query.ts';
import { statusNamesOf, type WriteBackEnv } from './channel.ts';
import { channelStatusFor } from './status-names.ts';
import { insertWriteBacks, pendingStatusRequests, type NewWriteBack } from './store.ts';

/** The most orders one bulk request may cover (docs/api.md, README). */
export const BULK_MAX_ORDERS = 10_000;
/** Orders read (and write-backs queued) per keyset page. */
const PAGE = 500;

export interface BulkStatusRequest {
  filter: OrderListFilter;
  /** a canonical status or a channel's own name, as POST /v1/orders/{id}/status takes it */
  status: string;
  /** refuse when more orders than this match (at most BULK_MAX_ORDERS, the default) */
  maxOrders?: number | undefined;
  dryRun: boolean;
}

export interface SkipCounts {
  /** the order has that status already */
  alreadyInStatus: number;
  /** a write-back to the same status is still waiting to be delivered (a re-run of the same request) */
  pending: number;
  /** it needs the change, but its channel cannot take the status (`problem` says why) */
  unsupported: number;
}

export interface BulkGroup {
  connection: string;
  channel: string;
  matched: number;
  /** the channel status the orders are set to; null when the channel cannot take the status */
  channelStatus: string | null;
  /** write-backs queued (a dry run: that would be queued) */
  queued: number;
  skipped: SkipCounts;
  /** why this connection's channel cannot take the status, else null */
  problem: string | null;
}

export interface BulkStatusSummary {
  dryRun: boolean;
  /** the write-backs' bulkId (GET /v1/orders/bulk/{bulkId}); null for a dry run or when none was queued */
  bulkId: string | null;
  status: string;
  matched: number;
  queued: number;
  skipped: SkipCounts;
  /** per connection (and channel kind), by connection name */
  byConnection: BulkGroup[];
}

/** A bulk request that cannot be run as asked (too many orders, no filter, an unknown status). */
export class BulkRequestError extends Error {
  override readonly name = 'BulkRequestError';
  constructor(message: string, readonly details?: unknown) {
    super(message);
  }
}

interface Target {
  channelStatus: string | null;
  problem: string | null;
  /** what the channel said when it cannot take the status (WriteBackRuleError, write_back_unsupported) */
  error: unknown;
  names: Pick<WriteBack, 'settableStatuses' | 'statusTable'> | null;
  title: string;
}

/** What a bulk request will do, worked out before its transaction: the matches per connection and each one's target status. */
export interface BulkPlan {
  request: BulkStatusRequest;
  groups: Array<{ connection: string; channel: string; matched: number }>;
  targets: Map<string, Target>;
  search: SearchMode;
  dialect: Dialect;
}

const noSkips = (): SkipCounts => ({ alreadyInStatus: 0, pending: 0, unsupported: 0 });

function isEmpty(f: OrderListFilter): boolean {
  return Object.values(f).every((v) => v === undefined || (Array.isArray(v) && v.length === 0));
}

/**
 * Counts the matches per connection and resolves the status for each connection's channel. Throws
 * BulkRequestError for an empty filter or more matches than allowed, and the channel's own refusal
 * (WriteBackRuleError, suggesting the name meant) for a status that no matched channel knows.
 */
export async function planBulkStatus(env: WriteBackEnv, request: BulkStatusRequest): Promise<BulkPlan> {
  const { store } = env;
  const { filter, status } = request;
  if (isEmpty(filter)) throw new BulkRequestError('a bulk status change needs a filter (connection, channel, status, dates or q): an empty one would change every order');
  const max = request.maxOrders ?? BULK_MAX_ORDERS;
  if (!Number.isInteger(max) || max < 1 || max > BULK_MAX_ORDERS) throw new BulkRequestError(`maxOrders must be a whole number from 1 to ${BULK_MAX_ORDERS}`);
  const all = async <R>(query: Compilable<R>): Promise<R[]> => (await store.db.executeQuery(query.compile())).rows;
  const search = store.dialect === 'sqlite' && filter.q ? await searchMode(store.db, all, filter.q) : 'index';
  const rows = await applyOrderFilter(store.db.selectFrom('orders'), filter, store.dialect, search)
    .select(['connection', 'channel', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['connection', 'channel'])
    .orderBy('connection')
    .orderBy('channel')
    .execute();
  const groups = rows.map((r) => ({ connection: r.connection, channel: r.channel, matched: Number(r.n) }));
  const matched = groups.reduce((n, g) => n + g.matched, 0);
  if (matched > max) {
    const parts = groups.map((g) => `${g.connection} ${g.matched}`).join(', ');
    throw new BulkRequestError(
      `${matched} orders match this filter (${parts}), more than ${max === BULK_MAX_ORDERS ? `the ${BULK_MAX_ORDERS} one bulk request may change` : `maxOrders ${max}`}: narrow the filter (e.g. by createdFrom/createdTo) and send one request per part`,
      { matched, maxOrders: max, byConnection: groups },
    );
  }
  const targets = new Map<string, Target>();
  for (const { connection } of groups) {
    if (targets.has(connection)) continue;
    targets.set(connection, await targetOf(env, connection, status));
  }
  const known = (CANONICAL_STATUSES as readonly string[]).includes(status) || [...targets.values()].some((t) => t.names?.settableStatuses.includes(status));
  // a name no matched channel knows is a typo, refused as POST /v1/orders/{id}/status refuses it
  if (!known && matched > 0) throw [...targets.values()].find((t) => t.error !== null)!.error;
  return { request, groups, targets, search, dialect: store.dialect };
}

async function targetOf(env: WriteBackEnv, connection: string, status: string): Promise<Target> {
  let names: Target['names'] = null;
  let title = connection;
  try {
    ({ title, names } = await statusNamesOf(env, connection));
    return { channelStatus: channelStatusFor(title, names, status), problem: null, error: null, names, title };
  } catch (err) {
    return { channelStatus: null, problem: describeError(err), error: err, names, title };
  }
}

/**
 * Walks the plan's matches in keyset pages inside `trx` and queues one write-back per order that
 * needs one (nothing for a dry run). Returns what it did, per connection.
 */
export async function runBulkStatus(
  trx: Kysely<Database>,
  plan: BulkPlan,
  who: { actor: string; apiKeyId: string | null },
  now = new Date(),
): Promise<BulkStatusSummary> {
  const { request, targets } = plan;
  const bulkId = request.dryRun ? null : `bulk_${randomUUID().replace(/-/g, '')}`;
  const groups = new Map<string, BulkGroup>();
  const groupOf = (connection: string, channel: string): BulkGroup => {
    const k = `${connection}\u0000${channel}`;
    let g = groups.get(k);
    if (!g) {
      const t = targets.get(connection);
      g = { connection, channel, matched: 0, channelStatus: t?.channelStatus ?? null, queued: 0, skipped: noSkips(), problem: t?.problem ?? null };
      groups.set(k, g);
    }
    return g;
  };
  const max = request.maxOrders ?? BULK_MAX_ORDERS;
  const canonical = (CANONICAL_STATUSES as readonly string[]).includes(request.status);
  let seen = 0;
  let after: { k: string; id: string } | null = null;
  for (;;) {
    let q = applyOrderFilter(trx.selectFrom('orders'), request.filter, plan.dialect, plan.search)
      .select(['id', 'connection', 'channel', 'status', 'channel_status', 'created_at']);
    if (after) {
      const a = after;
      q = q.where((eb) => afterKey(eb, 'created_at', 'asc', a));
    }
    const page = await q.orderBy('created_at').orderBy('id').limit(PAGE).execute();
    seen += page.length;
    // (orders that arrived since the plan counted them: the limit holds for what is walked too)
    if (seen > max) throw new BulkRequestError(`more than ${max} orders match this filter now (orders arrived meanwhile): narrow the filter`);
    const pending = await pendingTargets(trx, page, targets);
    const queue: NewWriteBack[] = [];
    for (const o of page) {
      const g = groupOf(o.connection, o.channel);
      g.matched++;
      const target = g.channelStatus;
      // (an order that has the status needs nothing, whether or not its channel could set it)
      if (o.channel_status === target || (canonical && o.status === request.status)) g.skipped.alreadyInStatus++;
      else if (target === null) g.skipped.unsupported++;
      else if (pending.get(o.id)?.has(target)) g.skipped.pending++;
      else {
        g.queued++;
        queue.push({ orderId: o.id, connection: o.connection, kind: 'status', request: { status: request.status }, apiKeyId: who.apiKeyId, actor: who.actor, bulkId });
      }
    }
    if (!request.dryRun) await insertWriteBacks(trx, queue, now);
    if (page.length < PAGE) break;
    const last = page[page.length - 1]!;
    after = { k: last.created_at, id: last.id };
  }
  const byConnection = [...groups.values()].sort((a, b) => (a.connection < b.connection ? -1 : a.connection > b.connection ? 1 : a.channel < b.channel ? -1 : 1));
  const skipped = noSkips();
  for (const g of byConnection) for (const k of Object.keys(skipped) as Array<keyof SkipCounts>) skipped[k] += g.skipped[k];
  const queued = byConnection.reduce((n, g) => n + g.queued, 0);
  return {
    dryRun: request.dryRun, bulkId: queued > 0 ? bulkId : null, status: request.status,
    matched: byConnection.reduce((n, g) => n + g.matched, 0),
    queued, skipped, byConnection,
  };
}

/** The channel statuses that pending status write-backs of these orders set, by order. */
async function pendingTargets(
  trx: Kysely<Database>,
  page: ReadonlyArray<{ id: string; connection: string }>,
  targets: Map<string, Target>,
): Promise<Map<string, Set<string>>> {
  const connectionOf = new Map(page.map((o) => [o.id, o.connection]));
  const out = new Map<string, Set<string>>();
  for (const p of await pendingStatusRequests(trx, page.map((o) => o.id))) {
    const t = targets.get(connectionOf.get(p.orderId)!);
    if (!t?.names) continue;
    let channelStatus: string;
    try {
      channelStatus = channelStatusFor(t.title, t.names, p.status);
    } catch {
      continue; // (a request the channel no longer takes will be refused; it sets nothing)
    }
    let set = out.get(p.orderId);
    if (!set) out.set(p.orderId, (set = new Set()));
    set.add(channelStatus);
  }
  return out;
}
