/** Sync runs (one row per pass over a connection) and quarantined records. */
import type { Kysely } from 'kysely';
import type { Database, SyncRunRow } from './schema.ts';

export interface RunCounts {
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  pages: number;
}

export async function startRun(db: Kysely<Database>, connection: string, mode: string, now = new Date()): Promise<number> {
  const row = await db
    .insertInto('sync_runs')
    .values({ connection, mode, status: 'running', started_at: now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function finishRun(
  db: Kysely<Database>,
  runId: number,
  outcome: { status: 'succeeded' | 'failed'; counts: RunCounts; error: string | null; warnings: string[] },
  now = new Date(),
): Promise<void> {
  await db
    .updateTable('sync_runs')
    .set({
      status: outcome.status,
      finished_at: now.toISOString(),
      ...outcome.counts,
      error: outcome.error,
      warnings: outcome.warnings.length > 0 ? JSON.stringify(outcome.warnings) : null,
    })
    .where('id', '=', runId)
    .execute();
}

/**
 * Runs left 'running' by a process that died are closed as failed when the connection's lease is
 * taken again, so nothing stays "running" forever after a crash.
 */
export async function closeAbandonedRuns(db: Kysely<Database>, connection: string, now = new Date()): Promise<number> {
  const res = await db
    .updateTable('sync_runs')
    .set({ status: 'failed', finished_at: now.toISOString(), error: 'interrupted: the process running this sync stopped' })
    .where('connection', '=', connection)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function recordFailure(
  db: Kysely<Database>,
  failure: { runId: number | null; connection: string; externalId: string | null; error: string; payload: string },
  now = new Date(),
): Promise<void> {
  await db
    .insertInto('sync_failures')
    .values({
      run_id: failure.runId,
      connection: failure.connection,
      external_id: failure.externalId,
      at: now.toISOString(),
      error: failure.error,
      payload: failure.payload,
    })
    .execute();
}

export async function listRuns(db: Kysely<Database>, options: { connection?: string; limit?: number } = {}): Promise<SyncRunRow[]> {
  let q = db.selectFrom('sync_runs').selectAll();
  if (options.connection) q = q.where('connection', '=', options.connection);
  return q.orderBy('id', 'desc').limit(options.limit ?? 20).execute();
}

export async function listFailures(db: Kysely<Database>, options: { connection?: string; limit?: number } = {}) {
  let q = db.selectFrom('sync_failures').selectAll();
  if (options.connection) q = q.where('connection', '=', options.connection);
  return q.orderBy('id', 'desc').limit(options.limit ?? 50).execute();
}
