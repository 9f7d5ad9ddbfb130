/**
 * Keeping the canonical orders in step with the dropship order records.
 *
 * Every change of a record bumps its `version`; projecting stores the record through the core's
 * ingestRecords (journal, payload, content hash, change feed, exactly like a pulled order) and then
 * records the version it stored. The change and its projection are two transactions, so a crash in
 * between leaves `projected_version < version`, which the next projection of that connection (every
 * request, and the plugin's sweeper) finds and completes.
 *
 * Projections of one store run one after another (`DropshipProjections` queues them): two requests
 * about the same order must not store an older record after a newer one. So a process has one
 * DropshipProjections per store, made where that store's dropship work is set up (the Supplier API
 * plugin for everything `serve` does with it, one per CLI command) and passed to whatever changes
 * orders.
 *
 * The Supplier API does not wait for the projection (`request`): it answers Alza as soon as
 * the reservation is committed, and the canonical orders follow a few milliseconds later, many per
 * ingest transaction. Under load that turns one commit per request into one per batch, which is what
 * keeps Insert latency low on SQLite. `flush()` waits for everything requested so far.
 */
import type { Logger } from 'pino';
import { ingestRecords, WarningLog, type IngestResult } from '../../core/sync/ingest.ts';
import type { StoreHandle } from '../../core/store/db.ts';
import { ensureConnection } from '../../core/store/connections.ts';
import { createDropshipConnector } from './connector.ts';
import { dropshipDb } from './store.ts';

export const CHANNEL_KIND = 'alza-dropship';
/**
 * Who the journal says changed a dropship order: the partner. Its records change by what Alza sends
 * (Supplier API requests, reservation ends by its policy) or has accepted (Buyer API messages), and
 * the canonical order follows the record, like a pulled order follows its channel.
 */
export const PARTNER_ACTOR = 'alza-dropship:partner';

const connector = createDropshipConnector();

/** Most time a requested projection waits for others to join its batch. */
const BATCH_DELAY_MS = 10;
/** Records per ingest transaction. */
const PAGE = 500;

export interface ProjectionResult extends Pick<IngestResult, 'created' | 'updated' | 'unchanged'> {
  failures: number;
}

/** How a change reaches the store: 'sync', before the caller goes on; 'batched', soon after (see above). */
export type ProjectionMode = 'sync' | 'batched';

const key = (connection: string, orderNumber: string) => `${connection}\u0000${orderNumber}`;

/** The projections of one store: their queue, the batch being gathered, and the connections ensured. */
export class DropshipProjections {
  /** the last projection queued; the next one starts after it */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly ensured = new Set<string>();
  private pending = new Map<string, Set<string>>();
  /** taken by a flush that has not finished yet */
  private readonly flushing = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private batchLogger: Logger | undefined;

  constructor(readonly store: StoreHandle) {}

  /** Runs `fn` after every projection queued before it. */
  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => undefined).then(fn);
    this.queue = next;
    return next;
  }

  /**
   * Stores the records of a connection whose canonical order is behind (all of them, or the given
   * order numbers). Returns what ingest did.
   */
  project(connection: string, options: { orderNumbers?: readonly string[]; now?: Date; logger?: Logger } = {}): Promise<ProjectionResult> {
    return this.serialised(async () => {
      const { store } = this;
      const db = dropshipDb(store);
      const total: ProjectionResult = { created: 0, updated: 0, unchanged: 0, failures: 0 };
      if (!this.ensured.has(connection)) {
        await ensureConnection(store.db, connection, CHANNEL_KIND);
        this.ensured.add(connection);
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
        const rows = await q.orderBy('order_number').limit(PAGE).execute();
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
          actor: PARTNER_ACTOR,
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
        if (rows.length < PAGE) return total;
      }
    });
  }

  /**
   * Asks for these orders to be stored as canonical orders soon (batched; see above). Failures are
   * logged and left to the sweeper (`project` without order numbers).
   */
  request(connection: string, orderNumbers: readonly string[], logger?: Logger): void {
    this.batchLogger ??= logger;
    let set = this.pending.get(connection);
    if (!set) this.pending.set(connection, (set = new Set()));
    for (const o of orderNumbers) set.add(o);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush().catch((err: unknown) => {
          this.batchLogger?.error({ err: (err as Error).message }, 'storing canonical dropship orders failed; the sweeper will retry');
        });
      }, BATCH_DELAY_MS);
    }
  }

  /**
   * After orders changed: stores them as canonical orders now ('sync') or soon ('batched'). A failure
   * is logged, not thrown: the change is committed and the sweeper stores the canonical orders later.
   */
  async changed(connection: string, orderNumbers: readonly string[], options: { mode?: ProjectionMode | undefined; now: Date; logger?: Logger | undefined }): Promise<void> {
    if (options.mode === 'batched') {
      this.request(connection, orderNumbers, options.logger);
      return;
    }
    try {
      await this.project(connection, { orderNumbers, now: options.now, logger: options.logger });
    } catch (err) {
      options.logger?.error({ err: (err as Error).message, connection, orders: orderNumbers }, 'storing canonical dropship orders failed; will retry');
    }
  }

  /** Stores every projection requested so far (and waits for those already running). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const work = [...this.pending];
    this.pending = new Map();
    const keys = work.flatMap(([connection, orders]) => [...orders].map((o) => key(connection, o)));
    for (const k of keys) this.flushing.add(k);
    try {
      for (const [connection, orders] of work) {
        await this.project(connection, { orderNumbers: [...orders], logger: this.batchLogger });
      }
    } finally {
      for (const k of keys) this.flushing.delete(k);
    }
    await this.serialised(async () => undefined);
  }

  /**
   * Called before an order changes: if its previous change is still waiting in a batch, store that
   * first, so that the journal (the change feed) shows every state the order went through.
   */
  async settle(connection: string, orderNumber: string): Promise<void> {
    if (this.pending.get(connection)?.has(orderNumber) || this.flushing.has(key(connection, orderNumber))) {
      await this.flush();
    }
  }
}
