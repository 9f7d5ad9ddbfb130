/**
 * Recording a finished run: its sync_runs row and the connection's health, in one transaction with
 * what the store's modules write because of it (their onSyncOutcome hooks, e.g. the alerts' system
 * events), so an event such as sync.failed exists exactly when the failure it reports is recorded.
 *
 * When that transaction fails (a hook's bug, or no room left on the disk), the run and the health are
 * recorded step by step without the hooks, as they were before there were hooks: a full disk may still
 * take the small updates, and the connection must not keep looking healthy because an alert failed.
 */
import type { Logger } from 'pino';
import type { StoreHandle } from '../store/db.ts';
import { getConnection, recordSyncOutcome } from '../store/connections.ts';
import { lockJournal } from '../store/journal.ts';
import type { SyncOutcome } from '../store/module.ts';
import { finishRun, type RunCounts } from '../store/runs.ts';

export interface RunOutcome {
  connection: string;
  runId: number;
  counts: RunCounts;
  warnings: string[];
  /** null: the run succeeded */
  error: string | null;
  needsAttention: string | null;
}

/** Records the outcome; throws (the first error) only when even the step-by-step fallback failed. */
export async function recordRunOutcome(store: StoreHandle, log: Logger, o: RunOutcome, now: Date): Promise<void> {
  const ok = o.error === null;
  const run = { status: ok ? ('succeeded' as const) : ('failed' as const), counts: o.counts, error: o.error, warnings: o.warnings };
  const health = ok ? { ok: true } : { ok: false, error: o.error, needsAttention: o.needsAttention };
  const hooks = store.modules.flatMap((m) => (m.onSyncOutcome ? [m.onSyncOutcome] : []));
  try {
    await store.db.transaction().execute(async (trx) => {
      if (hooks.length > 0) await lockJournal(trx);
      const row = await getConnection(trx, o.connection);
      await finishRun(trx, o.runId, run, now);
      const outcome: SyncOutcome = {
        connection: o.connection, runId: o.runId, at: now.toISOString(), ok, error: o.error, needsAttention: o.needsAttention, counts: o.counts,
        before: { health: row?.health ?? 'ok', attention: row?.attention ?? null, lastError: row?.last_error ?? null, lastSuccessAt: row?.last_success_at ?? null },
      };
      for (const hook of hooks) await hook(trx, outcome);
      await recordSyncOutcome(trx, o.connection, health, now);
    });
    return;
  } catch (err) {
    log.error({ err: (err as Error).message, connection: o.connection, runId: o.runId }, 'recording the sync outcome with its events failed; recording it without them');
  }
  let first: unknown = null;
  await finishRun(store.db, o.runId, run, now).catch((err: unknown) => (first ??= err));
  await recordSyncOutcome(store.db, o.connection, health, now).catch((err: unknown) => (first ??= err));
  if (first !== null) throw first;
}
