/**
 * Delivers accepted write-backs to their channels, with bounded retries:
 * - the channel refused (ChannelRefusedError, or a rule orderhub checks locally) → `refused`, never
 *   retried, with the channel's message;
 * - network failures, timeouts, 408/429/5xx → retried on the schedule, then `failed`;
 * - rejected credentials → `failed` at once (repeating a bad login gets clients blacklisted).
 * Leases make it crash-safe like the webhook dispatcher (a killed worker's claim expires).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { PollingLoop } from '../core/sleep.ts';
import { ChannelRefusedError, OrderhubError, WriteBackRuleError, type OrderhubErrorCode } from '../core/errors.ts';
import { AuthError, DeadlineExceededError, HttpStatusError, RetriesExhaustedError } from '../core/http/errors.ts';
import { findOrder } from '../core/store/orders.ts';
import { describeError } from '../core/sync/ingest.ts';
import { deliverWriteBack, DocumentGoneError, type WriteBackEnv, type WriteBackRequest } from './channel.ts';
import {
  claimWriteBacks, completeWriteBack, DEFAULT_WRITE_BACK_SCHEDULE_MS, retryWriteBackLater, type WriteBackKind, type WriteBackRow,
} from './store.ts';

export interface WriteBackWorkerOptions extends WriteBackEnv {
  retrySchedule?: readonly number[];
  pollIntervalMs?: number;
  leaseMs?: number;
  concurrency?: number;
  onOutcome?: (state: string) => void;
}

/** What becomes of a write-back that failed; `code` (the core's catalogue) is what its record says. */
export type Verdict = { kind: 'refused' | 'retry' | 'failed'; code: OrderhubErrorCode; message: string };

export function classifyWriteBackError(err: unknown): Verdict {
  const message = describeError(err);
  if (err instanceof DocumentGoneError) return { kind: 'failed', code: 'write_back_unsupported', message };
  if (err instanceof ChannelRefusedError) return { kind: 'refused', code: 'channel_refused', message };
  if (err instanceof WriteBackRuleError) return { kind: 'refused', code: 'write_back_rule', message };
  if (err instanceof AuthError) return { kind: 'failed', code: 'auth_failed', message };
  if (err instanceof HttpStatusError) {
    return err.retryable ? { kind: 'retry', code: 'http_status', message } : { kind: 'refused', code: 'channel_refused', message };
  }
  if (err instanceof RetriesExhaustedError || err instanceof DeadlineExceededError) {
    const last = err.lastError;
    if (last instanceof HttpStatusError && !last.retryable) return { kind: 'refused', code: 'channel_refused', message };
    return { kind: 'retry', code: err.code, message };
  }
  if (err instanceof OrderhubError) {
    if (err.code === 'write_back_unsupported') return { kind: 'refused', code: err.code, message };
    return err.retryable ? { kind: 'retry', code: err.code, message } : { kind: 'failed', code: err.code, message };
  }
  return { kind: 'retry', code: 'error', message };
}

export class WriteBackWorker {
  readonly owner = `write-back:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly schedule: readonly number[];
  private readonly log: Logger;
  private readonly loop: PollingLoop;

  constructor(private readonly options: WriteBackWorkerOptions) {
    this.schedule = options.retrySchedule ?? DEFAULT_WRITE_BACK_SCHEDULE_MS;
    this.log = options.logger.child({ component: 'write-back' });
    this.loop = new PollingLoop(async () => (await this.runOnce()) > 0, options.pollIntervalMs ?? 500, (err) => this.log.error({ err }, 'write-back round failed'));
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Claims and processes due write-backs; returns how many were processed. */
  async runOnce(): Promise<number> {
    const rows = await claimWriteBacks(this.options.store, this.owner, this.options.concurrency ?? 4, this.options.leaseMs ?? 300_000);
    await Promise.all(rows.map((r) => this.process(r)));
    return rows.length;
  }

  private async process(row: WriteBackRow): Promise<void> {
    const outcome = await processWriteBack(this.options, row, this.owner, { schedule: this.schedule, log: this.log });
    this.options.onOutcome?.(outcome.state);
  }
}

/** What became of one attempt: delivered, retried later (on the schedule), refused or failed, with the error. */
export type WriteBackOutcome =
  | { state: 'delivered' }
  | { state: 'retrying' | 'refused' | 'failed'; error: unknown; verdict: Verdict; nextAttemptAt: Date | null };

/**
 * One attempt at a write-back claimed by `owner` (the worker's, or the CLI's own, deliver.ts), and
 * its record: delivered with what the channel now says, scheduled again, refused or failed. A
 * document travels with its bytes (`data`); it cannot be retried later (the store does not keep them).
 */
export async function processWriteBack(
  env: WriteBackEnv,
  row: WriteBackRow,
  owner: string,
  options: { schedule: readonly number[]; log: Logger; data?: Buffer | undefined },
): Promise<WriteBackOutcome> {
  const { store } = env;
  const request = JSON.parse(row.request) as WriteBackRequest;
  try {
    const order = await findOrder(store.db, row.order_id);
    if (!order) throw new OrderhubError('write_back_unsupported', `order ${row.order_id} is no longer in the store`);
    // (rows from before the audit trail have no actor; only the API queued write-backs then)
    const after = await deliverWriteBack(env, order, row.kind as WriteBackKind, request, row.actor ?? 'api', options.data);
    await completeWriteBack(store.db, row.id, owner, {
      state: 'delivered',
      result: { status: after.status, channelStatus: after.channelStatus, trackingNumbers: after.trackingNumbers, updatedAt: after.updatedAt },
    });
    return { state: 'delivered' };
  } catch (err) {
    const v = classifyWriteBackError(err);
    const delay = row.kind === 'document' ? undefined : options.schedule[row.attempts - 1];
    let outcome: WriteBackOutcome;
    if (v.kind === 'retry' && delay !== undefined) {
      const at = new Date(Date.now() + delay);
      await retryWriteBackLater(store.db, row.id, owner, v, at);
      outcome = { state: 'retrying', error: err, verdict: v, nextAttemptAt: at };
    } else {
      const state = v.kind === 'refused' ? 'refused' : 'failed';
      await completeWriteBack(store.db, row.id, owner, { state, errorCode: v.code, error: v.message });
      outcome = { state, error: err, verdict: v, nextAttemptAt: null };
    }
    options.log.warn({ writeBack: row.id, attempt: row.attempts, outcome: outcome.state, error: v.message }, 'write-back not delivered');
    return outcome;
  }
}
