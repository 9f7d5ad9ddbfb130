/**
 * Turning fetched raw records into stored orders: map, validate against the canonical schema, dedup
 * within the page, and commit in one transaction together with the quarantine of records that failed.
 * Used by the sync engine and by write-back read-backs, so both store orders the same way.
 */
import { sql } from 'kysely';
import { mappedOrderSchema } from '../canonical/order.ts';
import type { Connector } from '../connector.ts';
import { OrderhubError } from '../errors.ts';
import type { StoreHandle } from '../store/db.ts';
import { sha1, storedOrderHashes, upsertOrders, type IncomingOrder } from '../store/orders.ts';
import { recordFailure } from '../store/runs.ts';

const MAX_WARNINGS = 50;
const DUPLICATE_IN_PAGE = 'the channel listed the same order id twice in one page; the later record was kept';
/** Advisory lock key held by every transaction that appends to the order journal (PostgreSQL). */
export const JOURNAL_LOCK_KEY = 4_242_001;

export interface RecordFailure {
  externalId: string | null;
  error: string;
  payload: string;
}

export interface IngestResult {
  ids: string[];
  created: number;
  updated: number;
  unchanged: number;
  failures: RecordFailure[];
}

export async function ingestRecords(params: {
  store: StoreHandle;
  connection: string;
  channel: string;
  connector: Connector;
  runId: number | null;
  records: unknown[];
  warnings: WarningLog;
  now: Date;
  /**
   * Who made the changes stored, recorded on each journal entry (opaque to the core: the caller's
   * name for itself, e.g. `api:<key name>`, `cli`). Default: the sync, `sync:<run id>` (or `sync`).
   */
  actor?: string | undefined;
  /**
   * Skip mapping a record whose raw payload is the one already stored for its order (same raw hash):
   * it can only map to the stored content. Only for connectors whose mapping depends on nothing but
   * the record and an unchanged mapping (the engine decides; see engine.ts, mapping fingerprint).
   */
  skipUnchangedRaw?: boolean;
}): Promise<IngestResult> {
  const { store, connection, channel, connector, runId, records, warnings, now } = params;
  const known = params.skipUnchangedRaw ? await storedOfPage(store, connection, records, connector) : null;
  const { accepted, failures, ids, skipped } = mapPage(connector, records, warnings, known);
  const at = now.toISOString();
  const result = await store.db.transaction().execute(async (trx) => {
    // The journal is the change feed, read by sequence number. On PostgreSQL concurrent transactions
    // could commit sequence numbers out of order, and a reader could then skip an event for good;
    // serialising journal writers makes sequence order equal commit order. (SQLite has one writer.)
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${JOURNAL_LOCK_KEY})`.execute(trx);
    const r = await upsertOrders(trx, { connection, channel, runId, now: at, orders: accepted, actor: params.actor ?? syncActor(runId) });
    for (const f of failures) {
      await recordFailure(trx, { runId, connection, externalId: f.externalId, error: f.error, payload: f.payload }, now);
    }
    return r;
  });
  return { ids, ...result, unchanged: result.unchanged + skipped, failures };
}

/** The actor of changes a sync brought: `sync:<run id>`, or `sync` outside a run. */
export function syncActor(runId: number | null): string {
  return runId === null ? 'sync' : `sync:${runId}`;
}

type StoredHashes = Awaited<ReturnType<typeof storedOrderHashes>>;

/** The stored hashes of the orders of this page that are already stored. */
async function storedOfPage(store: StoreHandle, connection: string, records: unknown[], connector: Connector): Promise<StoredHashes> {
  const ids = new Set<string>();
  for (const raw of records) {
    try {
      const id = connector.externalIdOf(raw);
      if (id !== null) ids.add(id);
    } catch {
      // mapPage reports it
    }
  }
  return storedOrderHashes(store.db, connection, [...ids]);
}

interface MappedPage {
  accepted: IncomingOrder[];
  failures: RecordFailure[];
  ids: string[];
  /** records not mapped because their stored raw payload is the same (counted unchanged) */
  skipped: number;
}

/**
 * Maps every record of a page; duplicates inside one page resolve to the last one, as the channel
 * listed them. With `known` (the stored hashes), a record whose raw payload is already stored as is
 * is not mapped again.
 */
function mapPage(connector: Connector, records: unknown[], warnings: WarningLog, known: StoredHashes | null): MappedPage {
  const accepted = new Map<string, IncomingOrder>();
  const unchanged = new Set<string>();
  const failures: MappedPage['failures'] = [];
  const ids: string[] = [];
  for (const raw of records) {
    const rawJson = JSON.stringify(raw) ?? 'null';
    let externalId: string | null = null;
    try {
      externalId = connector.externalIdOf(raw);
      if (externalId === null) throw new Error('the record has no order id');
      ids.push(externalId);
      const seenBefore = accepted.has(externalId) || unchanged.has(externalId);
      const rawHash = sha1(rawJson);
      if (known?.get(externalId)?.raw_hash === rawHash) {
        if (seenBefore) warnings.add(DUPLICATE_IN_PAGE, externalId);
        accepted.delete(externalId);
        unchanged.add(externalId);
        continue;
      }
      const result = connector.mapOrder(raw);
      const parsed = mappedOrderSchema.safeParse(result.order);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new Error(`mapped order is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      }
      const mapped = parsed.data;
      if (mapped.externalId !== externalId) throw new Error(`mapped externalId ${mapped.externalId} differs from the record's id ${externalId}`);
      for (const w of result.warnings) warnings.add(w, externalId);
      if (seenBefore) warnings.add(DUPLICATE_IN_PAGE, externalId);
      unchanged.delete(externalId);
      const mappedJson = JSON.stringify(mapped);
      accepted.set(externalId, { mapped, mappedJson, rawJson, rawHash, contentHash: sha1(mappedJson) });
    } catch (err) {
      failures.push({ externalId, error: describeError(err), payload: rawJson });
    }
  }
  return { accepted: [...accepted.values()], failures, ids, skipped: unchanged.size };
}

/** Aggregates repeated warnings ("unknown status X" on 300 orders is one line with a count). */
export class WarningLog {
  private readonly entries = new Map<string, { count: number; example: string | undefined }>();
  add(message: string, externalId?: string): void {
    const e = this.entries.get(message);
    if (e) e.count++;
    else if (this.entries.size < MAX_WARNINGS) this.entries.set(message, { count: 1, example: externalId });
  }
  lines(): string[] {
    return [...this.entries].map(([m, e]) =>
      e.example === undefined ? m : `${m} (${e.count} order${e.count === 1 ? '' : 's'}, e.g. ${e.example})`,
    );
  }
}

export function describeError(err: unknown): string {
  if (err instanceof OrderhubError) return err.message;
  if (err instanceof Error) return err.name === 'Error' ? err.message : `${err.name}: ${err.message}`;
  return String(err);
}
