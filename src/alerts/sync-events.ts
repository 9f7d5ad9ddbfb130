/**
 * The system events a sync outcome causes, written by the core's outcome hook inside the transaction
 * that records the run (core/sync/outcome.ts), so they exist exactly when the outcome does:
 *
 * - every failed run: `sync.failed`;
 * - a failed run that makes a healthy connection need attention (credentials refused, a full disk):
 *   `connection.needs_attention` too (only on that change: the scheduler then stops trying);
 * - the first successful run after failures, or after the connection needed attention: one
 *   `sync.recovered`, naming what it cleared.
 */
import type { Kysely } from 'kysely';
import type { SystemEventType } from '../api/events.ts';
import { appendSystemEvent } from '../core/store/journal.ts';
import { syncActor } from '../core/sync/ingest.ts';
import type { SyncOutcome } from '../core/store/module.ts';
import type { Database } from '../core/store/schema.ts';

export async function syncOutcomeEvents(trx: Kysely<Database>, o: SyncOutcome): Promise<void> {
  const append = (kind: SystemEventType, data: Record<string, unknown>) =>
    appendSystemEvent(trx, { kind, connection: o.connection, at: o.at, runId: o.runId, actor: syncActor(o.runId), data: { runId: o.runId, ...data } });
  if (!o.ok) {
    await append('sync.failed', { error: o.error, lastSuccessAt: o.before.lastSuccessAt, needsAttention: o.needsAttention !== null });
    if (o.needsAttention !== null && o.before.health !== 'needs_attention') await append('connection.needs_attention', { reason: o.needsAttention });
    return;
  }
  const cleared: SystemEventType[] = [];
  if (o.before.lastError !== null) cleared.push('sync.failed');
  if (o.before.health === 'needs_attention') cleared.push('connection.needs_attention');
  if (cleared.length > 0) {
    await append('sync.recovered', { cleared, previousError: o.before.lastError ?? o.before.attention, created: o.counts.created, updated: o.counts.updated });
  }
}
