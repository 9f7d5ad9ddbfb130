/**
 * The write-back outbox: a status or tracking change or a document a client asked for (through the
 * API, the CLI or a bulk request), stored in the same transaction as its idempotency key, then
 * delivered to the channel by the WriteBackWorker (or at once by the CLI that holds it, deliver.ts).
 * The row is the request's durable record and its visible result: accepted → delivered | refused |
 * failed, with who asked (`actor`).
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { StoreHandle } from '../core/store/db.ts';
import { outboxTables, type OutboxDatabase, type WriteBacksTable } from './tables.ts';
import type { Database } from '../core/store/schema.ts';
import { appendSystemEvent, lockJournal } from '../core/store/journal.ts';

export type WriteBackRow = Selectable<WriteBacksTable>;
export type WriteBackKind = 'status' | 'tracking' | 'document';
export type WriteBackState = 'accepted' | 'delivered' | 'refused' | 'failed';

/** delays before attempts 2, 3, …: about 45 minutes in total, then failed */
export const DEFAULT_WRITE_BACK_SCHEDULE_MS: readonly number[] = [5_000, 30_000, 120_000, 600_000, 1_800_000];

export interface WriteBackInfo {
  id: string;
  orderId: string;
  connection: string;
  kind: WriteBackKind;
  request: Record<string, unknown>;
  state: WriteBackState;
  attempts: number;
  nextAttemptAt: string | null;
  error: { code: string; message: string } | null;
  result: Record<string, unknown> | null;
  /** who asked: `api:<key name>`, `cli`; null for write-backs from before the audit trail */
  actor: string | null;
  /** the bulk request that queued it, else null */
  bulkId: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export function toWriteBackInfo(r: WriteBackRow): WriteBackInfo {
  return {
    id: r.id, orderId: r.order_id, connection: r.connection, kind: r.kind as WriteBackKind,
    request: JSON.parse(r.request) as Record<string, unknown>, state: r.state as WriteBackState, attempts: r.attempts,
    nextAttemptAt: r.state === 'accepted' ? r.next_attempt_at : null,
    error: r.error ? { code: r.error_code ?? 'error', message: r.error } : null,
    result: r.result ? (JSON.parse(r.result) as Record<string, unknown>) : null,
    actor: r.actor, bulkId: r.bulk_id, createdAt: r.created_at, updatedAt: r.updated_at, completedAt: r.completed_at,
  };
}

export interface NewWriteBack {
  orderId: string;
  connection: string;
  kind: WriteBackKind;
  request: unknown;
  apiKeyId: string | null;
  /** who asks (see WriteBackInfo.actor) */
  actor: string;
  bulkId?: string | null | undefined;
  /**
   * Inserted already claimed by this owner (its first attempt, leased for leaseMs): the CLI delivers
   * its own write-back at once, and no worker may take it meanwhile.
   */
  claimedBy?: { owner: string; leaseMs: number } | undefined;
}

function newRow(p: NewWriteBack, now: Date): WriteBackRow {
  const iso = now.toISOString();
  return {
    id: `wb_${randomUUID().replace(/-/g, '')}`, order_id: p.orderId, connection: p.connection, kind: p.kind,
    request: JSON.stringify(p.request), state: 'accepted', attempts: p.claimedBy ? 1 : 0, next_attempt_at: iso,
    lease_owner: p.claimedBy?.owner ?? null,
    lease_until: p.claimedBy ? new Date(now.getTime() + p.claimedBy.leaseMs).toISOString() : null,
    error_code: null, error: null, result: null, api_key_id: p.apiKeyId, actor: p.actor, bulk_id: p.bulkId ?? null,
    created_at: iso, updated_at: iso, completed_at: null,
  };
}

export async function insertWriteBack(coreDb: Kysely<Database>, p: NewWriteBack, now = new Date()): Promise<WriteBackRow> {
  const row = newRow(p, now);
  await outboxTables(coreDb).insertInto('write_backs').values(row).execute();
  return row;
}

/** Inserts many write-backs (a bulk request's) in as few statements as both dialects allow. */
export async function insertWriteBacks(coreDb: Kysely<Database>, items: readonly NewWriteBack[], now = new Date()): Promise<number> {
  const db = outboxTables(coreDb);
  // 17 columns: 500 rows stay under SQLite's 32 766 bound parameters
  for (let i = 0; i < items.length; i += 500) {
    await db.insertInto('write_backs').values(items.slice(i, i + 500).map((p) => newRow(p, now))).execute();
  }
  return items.length;
}

/** The oldest write-back of the order still waiting to be delivered (state accepted), if any. */
export async function pendingWriteBackOf(coreDb: Kysely<Database>, orderId: string): Promise<WriteBackRow | undefined> {
  return outboxTables(coreDb)
    .selectFrom('write_backs').selectAll()
    .where('order_id', '=', orderId).where('state', '=', 'accepted')
    .orderBy('created_at').orderBy('id').limit(1)
    .executeTakeFirst();
}

/** The pending (accepted) status write-backs of these orders: their order and requested status. */
export async function pendingStatusRequests(coreDb: Kysely<Database>, orderIds: readonly string[]): Promise<Array<{ orderId: string; status: string }>> {
  if (orderIds.length === 0) return [];
  const rows = await outboxTables(coreDb)
    .selectFrom('write_backs').select(['order_id', 'request'])
    .where('order_id', 'in', [...orderIds]).where('state', '=', 'accepted').where('kind', '=', 'status')
    .execute();
  return rows.map((r) => ({ orderId: r.order_id, status: String((JSON.parse(r.request) as { status?: unknown }).status) }));
}

/** A bulk request's write-backs: how many are in each state, per connection. */
export async function bulkStates(coreDb: Kysely<Database>, bulkId: string): Promise<Array<{ connection: string; state: WriteBackState; n: number }>> {
  const rows = await outboxTables(coreDb)
    .selectFrom('write_backs')
    .select(['connection', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('bulk_id', '=', bulkId)
    .groupBy(['connection', 'state'])
    .orderBy('connection')
    .execute();
  return rows.map((r) => ({ connection: r.connection, state: r.state as WriteBackState, n: Number(r.n) }));
}

/** A bulk request's write-backs that were refused or failed, oldest first, at most `limit`. */
export async function bulkProblems(coreDb: Kysely<Database>, bulkId: string, limit: number): Promise<WriteBackRow[]> {
  return outboxTables(coreDb)
    .selectFrom('write_backs').selectAll()
    .where('bulk_id', '=', bulkId).where('state', 'in', ['refused', 'failed'])
    .orderBy('created_at').orderBy('id').limit(limit)
    .execute();
}

export async function getWriteBack(coreDb: Kysely<Database>, id: string): Promise<WriteBackRow | undefined> {
  const db = outboxTables(coreDb);
  return db.selectFrom('write_backs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function writeBacksOfOrder(coreDb: Kysely<Database>, orderId: string): Promise<WriteBackRow[]> {
  const db = outboxTables(coreDb);
  return db.selectFrom('write_backs').selectAll().where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();
}

/**
 * Claims due write-backs; one order's write-backs go out one at a time, oldest first (a later status
 * change must not overtake an earlier one).
 */
export async function claimWriteBacks(
  store: StoreHandle, owner: string, limit: number, leaseMs: number, now = new Date(), only: { bulkId?: string | undefined } = {},
): Promise<WriteBackRow[]> {
  const iso = now.toISOString();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const lock = store.dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const ofBulk = only.bulkId === undefined ? sql`` : sql`and w.bulk_id = ${only.bulkId}`;
  const res = await sql<WriteBackRow>`
    update write_backs
       set lease_owner = ${owner}, lease_until = ${until}, attempts = attempts + 1, updated_at = ${iso}
     where id in (
       select w.id from write_backs w
        where w.state = 'accepted'
          and w.next_attempt_at <= ${iso}
          and (w.lease_until is null or w.lease_until < ${iso})
          ${ofBulk}
          and not exists (
            select 1 from write_backs p
             where p.order_id = w.order_id and p.state = 'accepted'
               and (p.created_at < w.created_at or (p.created_at = w.created_at and p.id < w.id)))
        order by w.next_attempt_at, w.created_at
        limit ${limit}
        ${lock})
    returning *`.execute(store.db);
  return res.rows;
}

/**
 * Records a write-back's end (only while this owner still holds it). One that was not delivered
 * (refused by the channel, or failed) appends a write_back.failed event in the same transaction.
 */
export async function completeWriteBack(
  coreDb: Kysely<Database>,
  id: string,
  owner: string,
  outcome: { state: Exclude<WriteBackState, 'accepted'>; result?: unknown; errorCode?: string; error?: string },
  now = new Date(),
): Promise<void> {
  const iso = now.toISOString();
  const update = (db: Kysely<Database>) =>
    outboxTables(db)
      .updateTable('write_backs')
      .set({
        state: outcome.state, result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
        error_code: outcome.errorCode ?? null, error: outcome.error ?? null, lease_owner: null, lease_until: null,
        updated_at: iso, completed_at: iso,
      })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
  if (outcome.state === 'delivered') {
    await update(coreDb);
    return;
  }
  await coreDb.transaction().execute(async (trx) => {
    await lockJournal(trx);
    if (Number((await update(trx)).numUpdatedRows) === 0) return; // no longer ours
    const w = await outboxTables(trx).selectFrom('write_backs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await appendSystemEvent(trx, {
      kind: 'write_back.failed', connection: w.connection, orderId: w.order_id, at: iso, actor: w.actor,
      data: {
        writeBackId: w.id, kind: w.kind, request: JSON.parse(w.request) as unknown, state: w.state,
        error: { code: w.error_code ?? 'error', message: w.error ?? '' }, attempts: w.attempts,
      },
    });
  });
}

export async function retryWriteBackLater(coreDb: Kysely<Database>, id: string, owner: string, error: { code: string; message: string }, at: Date, now = new Date()): Promise<void> {
  const db = outboxTables(coreDb);
  await db
    .updateTable('write_backs')
    .set({ next_attempt_at: at.toISOString(), error_code: error.code, error: error.message, lease_owner: null, lease_until: null, updated_at: now.toISOString() })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}

export async function writeBackCounts(coreDb: Kysely<Database>): Promise<Record<string, number>> {
  const db = outboxTables(coreDb);
  const rows = await db.selectFrom('write_backs').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}
