/**
 * Write-backs delivered by the process that asked for them (the CLI): recorded in the outbox like
 * the API's (same rows, actor, states, retry schedule), but attempted at once, so the command can
 * say what the channel did. A write-back is inserted already claimed by this process, so no worker
 * takes it meanwhile; when an earlier write-back of the same order is still waiting, it is queued
 * behind it instead (one order's write-backs go out in order) and the workers deliver both.
 */
import { randomUUID } from 'node:crypto';
import type { CanonicalOrder } from '../core/canonical/order.ts';
import { findOrder } from '../core/store/orders.ts';
import { checkWriteBack, type WriteBackEnv, type WriteBackRequest } from './channel.ts';
import {
  bulkStates, claimWriteBacks, DEFAULT_WRITE_BACK_SCHEDULE_MS, getWriteBack, insertWriteBack, pendingWriteBackOf, toWriteBackInfo,
  type WriteBackInfo, type WriteBackKind,
} from './store.ts';
import { processWriteBack, type WriteBackOutcome } from './worker.ts';

const LEASE_MS = 300_000;

export type DeliveredNow =
  | { writeBack: WriteBackInfo; outcome: WriteBackOutcome; order: CanonicalOrder }
  | { writeBack: WriteBackInfo; queuedBehind: WriteBackInfo };

/** This process's name as a lease owner. */
export function directOwner(): string {
  return `direct:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Checks the write-back (throws write_back_unsupported / WriteBackRuleError as the API answers 422,
 * recording nothing), records it as `actor`'s and delivers it now, or queues it behind the order's
 * pending write-back. A document carries its bytes in `data`; it never waits in the queue (it needs
 * the bytes this process holds, and no status depends on it).
 */
export async function writeBackNow(
  env: WriteBackEnv,
  order: CanonicalOrder,
  wb: { kind: WriteBackKind; request: WriteBackRequest; data?: Buffer },
  actor: string,
): Promise<DeliveredNow> {
  await checkWriteBack(env, order, wb.kind, wb.request);
  const owner = directOwner();
  const inserted = await env.store.db.transaction().execute(async (trx) => {
    const earlier = wb.kind === 'document' ? undefined : await pendingWriteBackOf(trx, order.id);
    const row = await insertWriteBack(trx, {
      orderId: order.id, connection: order.connection, kind: wb.kind, request: wb.request, apiKeyId: null, actor,
      claimedBy: earlier ? undefined : { owner, leaseMs: LEASE_MS },
    });
    return { row, earlier };
  });
  if (inserted.earlier) return { writeBack: toWriteBackInfo(inserted.row), queuedBehind: toWriteBackInfo(inserted.earlier) };
  const outcome = await processWriteBack(env, inserted.row, owner, { schedule: DEFAULT_WRITE_BACK_SCHEDULE_MS, log: env.logger, data: wb.data });
  const row = (await getWriteBack(env.store.db, inserted.row.id)) ?? inserted.row;
  return { writeBack: toWriteBackInfo(row), outcome, order: (await findOrder(env.store.db, order.id)) ?? order };
}

export interface BulkDelivery {
  delivered: number;
  refused: number;
  failed: number;
  /**
   * still accepted: an attempt failed and the workers of `orderhub run` / `serve` retry it on the
   * schedule, or it waits behind another write-back of its order
   */
  waiting: number;
}

/**
 * Delivers a bulk request's write-backs from this process until none is due (those scheduled for a
 * retry, and those queued behind another write-back of their order, are left to the workers), then
 * says where they all stand.
 */
export async function deliverBulk(env: WriteBackEnv, bulkId: string, options: { concurrency?: number } = {}): Promise<BulkDelivery> {
  const owner = directOwner();
  for (;;) {
    const rows = await claimWriteBacks(env.store, owner, options.concurrency ?? 4, LEASE_MS, new Date(), { bulkId });
    if (rows.length === 0) break;
    await Promise.all(rows.map((r) => processWriteBack(env, r, owner, { schedule: DEFAULT_WRITE_BACK_SCHEDULE_MS, log: env.logger })));
  }
  const done: BulkDelivery = { delivered: 0, refused: 0, failed: 0, waiting: 0 };
  for (const { state, n } of await bulkStates(env.store.db, bulkId)) done[state === 'accepted' ? 'waiting' : state] += n;
  return done;
}
