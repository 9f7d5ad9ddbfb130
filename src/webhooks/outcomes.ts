/**
 * Records delivery outcomes as they come in, each right after its answer: a delivery answered 2xx
 * is marked delivered within one statement's time, not when the slowest delivery claimed with it
 * answers, so a process killed meanwhile re-sends only what was really unanswered.
 *
 * Outcomes that arrive together (in one turn of the event loop, or while a write runs) are written
 * together (a group commit): one statement for many acknowledgements keeps a fast receiver's
 * throughput.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../core/store/schema.ts';
import { markDelivered, markFailed, type DeliveryRow } from './store.ts';

export interface Outcome {
  d: DeliveryRow;
  /** the HTTP status, null when there was no answer */
  status: number | null;
  /** null: delivered */
  error: string | null;
  durationMs: number | null;
}

export type RecordedState = 'delivered' | 'pending' | 'dead';

export interface OutcomeTotals {
  delivered: number;
  failed: number;
  dead: number;
  durationsMs: number[];
}

interface Queued {
  outcome: Outcome;
  done: (state: RecordedState) => void;
}

export class OutcomeRecorder {
  private queue: Queued[] = [];
  private writing: Promise<void> | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly owner: string,
    private readonly retrySchedule: readonly number[],
    private readonly log: Logger,
    private readonly onWritten?: (totals: OutcomeTotals) => void,
  ) {}

  /** Resolves with the delivery's state once it is written. */
  record(outcome: Outcome): Promise<RecordedState> {
    return new Promise((done) => {
      this.queue.push({ outcome, done });
      this.writing ??= this.drain();
    });
  }

  /** Waits until everything recorded so far is written. */
  async flush(): Promise<void> {
    await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      // after the answers that came in with this one (same turn of the event loop): SQLite writes
      // block, so outcomes would otherwise never arrive while a write runs, and each be one write
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) await this.write(this.queue.splice(0));
    } finally {
      // reached in the same tick as the last empty-queue check: a record() after it starts a new drain
      this.writing = null;
    }
  }

  private async write(batch: Queued[]): Promise<void> {
    const totals: OutcomeTotals = { delivered: 0, failed: 0, dead: 0, durationsMs: [] };
    const delivered = batch.filter((q) => q.outcome.error === null);
    try {
      await markDelivered(this.db, delivered.map((q) => q.outcome.d.id), this.owner, new Map(delivered.map((q) => [q.outcome.d.id, q.outcome.status ?? 200])));
      for (const q of delivered) q.done('delivered');
      totals.delivered = delivered.length;
    } catch (err) {
      // not recorded: the leases expire and these are delivered again (at least once)
      this.log.error({ err, deliveries: delivered.length }, 'recording webhook deliveries failed');
      for (const q of delivered) q.done('pending');
    }
    for (const q of batch) {
      const { d, status, error, durationMs } = q.outcome;
      if (durationMs !== null) totals.durationsMs.push(durationMs);
      if (error === null) continue;
      totals.failed++;
      let state: RecordedState = 'pending';
      try {
        state = await markFailed(this.db, d, this.owner, { status, error }, this.retrySchedule);
      } catch (err) {
        this.log.error({ err, delivery: d.id }, 'recording a failed webhook delivery failed');
      }
      if (state === 'dead') {
        totals.dead++;
        this.log.warn({ delivery: d.id, event: `evt_${d.event_seq}`, error }, 'webhook delivery dead-lettered');
      }
      q.done(state);
    }
    this.onWritten?.(totals);
  }
}
