/**
 * System events in the order journal. The journal is the change feed: one sequence that order events
 * and system events (a sync failed, a webhook dead-lettered …) share, so a feed cursor and a webhook
 * subscription's position stay one number. A system event is a journal row whose `kind` is its event
 * type, whose `order_id` is the order it concerns or '' (none), and whose `diff` column carries the
 * event's data object instead of a field diff. Whoever changes the state an event reports appends it
 * in the same transaction; the core knows no event type.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { JOURNAL_LOCK_KEY } from '../sync/ingest.ts';
import type { Database } from './schema.ts';

/** `order_id` of a journal row that concerns no order. */
export const NO_ORDER = '';

export interface SystemEventInput {
  /** the event type, e.g. 'sync.failed' */
  kind: string;
  connection: string;
  /** ISO UTC */
  at: string;
  data: Record<string, unknown>;
  orderId?: string | undefined;
  runId?: number | null | undefined;
  /** who made it happen, as the writer names itself (see the journal's actor column) */
  actor?: string | null | undefined;
}

/**
 * Serialises journal writers until the transaction ends (PostgreSQL; SQLite has one writer), so
 * sequence order is commit order (see sync/ingest.ts). Take it before the transaction's other writes;
 * taking it again in the same transaction is harmless.
 */
export async function lockJournal(trx: Kysely<Database>): Promise<void> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(${JOURNAL_LOCK_KEY})`.execute(trx);
}

/** Appends one system event inside `trx`; returns its sequence number. */
export async function appendSystemEvent(trx: Kysely<Database>, e: SystemEventInput): Promise<number> {
  await lockJournal(trx);
  const row = await trx
    .insertInto('order_journal')
    .values({
      order_id: e.orderId ?? NO_ORDER, connection: e.connection, at: e.at, kind: e.kind, from_status: null, to_status: null,
      diff: JSON.stringify(e.data), run_id: e.runId ?? null, actor: e.actor ?? null,
    })
    .returning('seq')
    .executeTakeFirstOrThrow();
  return Number(row.seq);
}
