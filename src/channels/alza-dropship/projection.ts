/**
 * Keeping the canonical orders in step with the dropship order records.
 *
 * Every change of a record bumps its `version`; projecting stores the record through the core's
 * ingestRecords (journal, payload, content hash, change feed, exactly like a pulled order) and then
 * records the version it stored. The change and its projection are two transactions, so a crash in
 * between leaves `projected_version < version`, which the next projection of that connection (every
 * request, and the plugin's sweeper) finds and completes.
 *
 * Projections of one store run one after another in this process: two requests about the same order
 * must not store an older record after a newer one.
 *
 * The Supplier API does not wait for the projection (`requestProjection`): it answers Alza as soon as
 * the reservation is committed, and the canonical orders follow a few milliseconds later, many per
 * ingest transaction. Under load that turns one commit per request into one per batch, which is what
 * keeps Insert latency low on SQLite. `flushProjections` waits for everything requested so far.
 */
import type { Logger } from 'pino';
import { ingestRecords, WarningLog, type IngestResult } from '../../core/sync/ingest.ts';
import type { StoreHandle } from '../../core/store/db.ts';
import { ensureConnection } from '../../core/store/connections.ts';
import { createDropshipConnector } from './connector.ts';
import { dropshipDb } from './store.ts';

export const CHANNEL_KIND = 'alza-dropship';

const queues = new WeakMap<StoreHandle, Promise<unknown>>();
const known = new WeakMap<StoreHandle, Set<string>>();
const connector = createDropshipConnector();

/** Runs `fn` after every projection queued before it on this store. */
function serialised<T>(store: StoreHandle, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(store) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(fn);
  queues.set(store, next);
  return next;
}

export interface ProjectionResult extends Pick<IngestResult, 'created' | 'updated' | 'unchanged'> {
  failures: number;
}

/**
 * Stores the records of a connection whose canonical order is behind (all of them, or the given
 * order numbers). Returns what ingest did.
 */
export function projectOrders(
  store: StoreHandle,
  connection: string,
  options: {
    orderNumbers?: readonly string[];
    now?: Date;
    logger?: Logger;
  } = {},
): Promise<ProjectionResult> {
  return serialised(store, async () => {
    const db = dropshipDb(store);
    const total: ProjectionResult = { created: 0, updated: 0, unchanged: 0, failures: 0 };
    let seen = known.get(store);
    if (!seen) known.set(store, (seen = new Set()));
    if (!seen.has(connection)) {
      await ensureConnection(store.db, connection, CHANNEL_KIND);
      seen.add(connection);
    }
    for (;;) {
      let q = db
        .selectFrom('dropship_orders')
        .select(['order_number', 'record', 'version'])
        .where('connection', '=', connection)
        .where('state', '!=', 'out_of_stock')
        .whereRef('projected_version', '<', 'version');
      if (options.orderNumbers) {
        if (options.orderNumbers.length === 0) return total;
        q = q.where('order_number', 'in', [...options.orderNumbers]);
      }
      const rows = await q.orderBy('order_number').limit(500).execute();
      if (rows.length === 0) return total;
      const warnings = new WarningLog();
      const result = await ingestRecords({
        store,
        connection,
        channel: CHANNEL_KIND,
        connector,
        runId: null,
        records: rows.map((r) => JSON.parse(r.record) as unknown),
        warnings,
        now: options.now ?? new Date(),
      });
      total.created += result.created;
      total.updated += result.updated;
      total.unchanged += result.unchanged;
      total.failures += result.failures.length;
      for (const f of result.failures) options.logger?.error({ connection, order: f.externalId, err: f.error }, 'dropship order could not be stored as a canonical order');
      for (const w of warnings.lines()) options.logger?.warn({ connection }, w);
      // A failed mapping is kept in sync_failures with the record; it is not retried forever.
      await db.transaction().execute(async (trx) => {
        for (const r of rows) {
          await trx
            .updateTable('dropship_orders')
            .set({ projected_version: r.version })
            .where('connection', '=', connection)
            .where('order_number', '=', r.order_number)
            .where('projected_version', '<', r.version)
            .execute();
        }
      });
      if (rows.length < 500) return total;
    }
  });
}

interface Batch {
  pending: Map<string, Set<string>>;
  /** taken by a flush that has not finished yet */
  flushing: Set<string>;
  timer: NodeJS.Timeout | null;
  logger: Logger | undefined;
}

const batches = new WeakMap<StoreHandle, Batch>();

/** Most time a requested projection waits for others to join its batch. */
const BATCH_DELAY_MS = 10;

/**
 * Asks for these orders to be stored as canonical orders soon (batched; see above). Failures are
 * logged and left to the sweeper (`projectOrders` without order numbers).
 */
export function requestProjection(store: StoreHandle, connection: string, orderNumbers: readonly string[], logger?: Logger): void {
  let batch = batches.get(store);
  if (!batch) batches.set(store, (batch = { pending: new Map(), flushing: new Set(), timer: null, logger }));
  batch.logger ??= logger;
  let set = batch.pending.get(connection);
  if (!set) batch.pending.set(connection, (set = new Set()));
  for (const o of orderNumbers) set.add(o);
  if (!batch.timer) {
    batch.timer = setTimeout(() => {
      batch.timer = null;
      flushProjections(store).catch((err: unknown) => {
        batch.logger?.error({ err: (err as Error).message }, 'storing canonical dropship orders failed; the sweeper will retry');
      });
    }, BATCH_DELAY_MS);
  }
}

/** Stores every projection requested so far (and waits for those already running). */
export async function flushProjections(store: StoreHandle): Promise<void> {
  const batch = batches.get(store);
  if (batch) {
    if (batch.timer) clearTimeout(batch.timer);
    batch.timer = null;
    const work = [...batch.pending];
    batch.pending = new Map();
    const keys = work.flatMap(([connection, orders]) => [...orders].map((o) => `${connection}\u0000${o}`));
    for (const k of keys) batch.flushing.add(k);
    try {
      for (const [connection, orders] of work) {
        await projectOrders(store, connection, { orderNumbers: [...orders], logger: batch.logger });
      }
    } finally {
      for (const k of keys) batch.flushing.delete(k);
    }
  }
  await serialised(store, async () => undefined);
}

/**
 * Called before an order changes: if its previous change is still waiting in a batch, store that
 * first, so that the journal (the change feed) shows every state the order went through.
 */
export async function settleOrder(store: StoreHandle, connection: string, orderNumber: string): Promise<void> {
  const batch = batches.get(store);
  if (!batch) return;
  if (batch.pending.get(connection)?.has(orderNumber) || batch.flushing.has(`${connection}\u0000${orderNumber}`)) {
    await flushProjections(store);
  }
}
