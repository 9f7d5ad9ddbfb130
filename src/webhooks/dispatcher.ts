/**
 * The webhook dispatcher: fans journal events out into deliveries, claims due deliveries in batches
 * under a lease, POSTs them signed over a keep-alive undici agent with bounded concurrency, and
 * acknowledges the successes in one statement. Failures are retried on the schedule (about a day by
 * default), then dead-lettered; `redeliver` puts them back.
 *
 * Runs inside `orderhub serve`, and is a plain class so a separate worker process can run it too:
 * several dispatchers on one PostgreSQL store never take the same delivery (SKIP LOCKED); a
 * dispatcher killed mid-delivery loses nothing (its leases expire and the rows are claimed again).
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { StoreHandle } from '../core/store/db.ts';
import type { CanonicalOrder } from '../core/canonical/order.ts';
import { ordersById, toEvent } from '../api/events.ts';
import {
  claimDeliveries, DEFAULT_RETRY_SCHEDULE_MS, fanOut, markDelivered, markFailed, pruneDelivered, type DeliveryRow,
} from './store.ts';
import { DELIVERY_ID_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.ts';
import { webhookTables } from './tables.ts';

export interface DispatcherOptions {
  store: StoreHandle;
  logger: Logger;
  /** deliveries claimed per round (default 200) */
  batchSize?: number;
  /** requests in flight (default 64) */
  concurrency?: number;
  /** idle wait between rounds when nothing was due (default 250 ms) */
  pollIntervalMs?: number;
  /** how long a claim is held; must exceed timeoutMs (default 60 s) */
  leaseMs?: number;
  /** per delivery attempt (default 10 s) */
  timeoutMs?: number;
  /** delays before attempt 2, 3, …; after the last one a delivery is dead-lettered */
  retrySchedule?: readonly number[];
  /** delivered rows are pruned after this long (default 7 days) */
  keepDeliveredMs?: number;
  owner?: string;
  onResult?: (r: { delivered: number; failed: number; dead: number; durationsMs: number[] }) => void;
}

export interface RoundResult {
  fannedOut: number;
  claimed: number;
  delivered: number;
  failed: number;
  dead: number;
}

interface SubInfo {
  url: string;
  secret: string;
  includeOrder: boolean;
}

export class WebhookDispatcher {
  readonly owner: string;
  private readonly opts: Required<Omit<DispatcherOptions, 'onResult' | 'owner'>> & Pick<DispatcherOptions, 'onResult'>;
  private readonly agent: Agent;
  private readonly log: Logger;
  private running: Promise<void> | null = null;
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private lastPrune = 0;

  constructor(options: DispatcherOptions) {
    this.owner = options.owner ?? `dispatcher:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.opts = {
      store: options.store,
      logger: options.logger,
      batchSize: options.batchSize ?? 200,
      concurrency: options.concurrency ?? 64,
      pollIntervalMs: options.pollIntervalMs ?? 250,
      leaseMs: options.leaseMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      retrySchedule: options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE_MS,
      keepDeliveredMs: options.keepDeliveredMs ?? 7 * 86_400_000,
      onResult: options.onResult,
    };
    this.log = options.logger.child({ component: 'webhooks' });
    this.agent = new Agent({
      connections: this.opts.concurrency,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: this.opts.timeoutMs },
      headersTimeout: this.opts.timeoutMs,
      bodyTimeout: this.opts.timeoutMs,
    });
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  /** Ends the loop after the round in flight (whose deliveries are all attempted and recorded). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    this.running = null;
    await this.agent.close();
  }

  /** Skips the idle wait (new events were just written by this process). */
  wake(): void {
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let busy = false;
      try {
        const r = await this.runOnce();
        busy = r.claimed > 0 || r.fannedOut > 0;
      } catch (err) {
        this.log.error({ err }, 'webhook round failed');
      }
      if (!busy && !this.stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.opts.pollIntervalMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = null;
      }
    }
  }

  /** One round: fan out, claim, deliver, record. Exposed for tests and one-shot workers. */
  async runOnce(now = new Date()): Promise<RoundResult> {
    const { store } = this.opts;
    const fannedOut = await fanOut(store, Math.max(2000, this.opts.batchSize * 4), now);
    const claimed = await this.claim(now);
    const r = await this.deliver(claimed);
    if (Date.now() - this.lastPrune > 600_000) {
      this.lastPrune = Date.now();
      await pruneDelivered(store.db, this.opts.keepDeliveredMs).catch((err: unknown) => this.log.warn({ err }, 'pruning deliveries failed'));
    }
    return { fannedOut, claimed: claimed.length, ...r };
  }

  /** Claims due deliveries under this dispatcher's lease (exposed for crash tests). */
  claim(now = new Date()): Promise<DeliveryRow[]> {
    return claimDeliveries(this.opts.store, this.owner, this.opts.batchSize, this.opts.leaseMs, now);
  }

  /** Attempts claimed deliveries and records the outcomes. */
  async deliver(claimed: DeliveryRow[]): Promise<{ delivered: number; failed: number; dead: number }> {
    if (claimed.length === 0) return { delivered: 0, failed: 0, dead: 0 };
    const { db } = this.opts.store;
    const subIds = [...new Set(claimed.map((d) => d.subscription_id))];
    const subs = new Map<string, SubInfo>(
      (await webhookTables(db).selectFrom('webhook_subscriptions').select(['id', 'url', 'secret', 'include_order']).where('id', 'in', subIds).execute())
        .map((s) => [s.id, { url: s.url, secret: s.secret, includeOrder: s.include_order === 1 }]),
    );
    const seqs = [...new Set(claimed.map((d) => d.event_seq))];
    const journal = new Map<number, Awaited<ReturnType<typeof loadJournal>>[number]>();
    for (let i = 0; i < seqs.length; i += 500) {
      for (const row of await loadJournal(this.opts.store, seqs.slice(i, i + 500))) journal.set(Number(row.seq), row);
    }
    const needOrders = claimed.filter((d) => subs.get(d.subscription_id)?.includeOrder).map((d) => d.order_id);
    const orders: Map<string, CanonicalOrder> = needOrders.length > 0 ? await ordersById(db, needOrders) : new Map();

    const ok: number[] = [];
    const statuses = new Map<number, number>();
    const failures: Array<{ d: DeliveryRow; status: number | null; error: string }> = [];
    const durations: number[] = [];
    const limit = pLimit(this.opts.concurrency);
    await Promise.all(
      claimed.map((d) =>
        limit(async () => {
          const sub = subs.get(d.subscription_id);
          const row = journal.get(d.event_seq);
          if (!sub || !row) {
            failures.push({ d, status: null, error: !sub ? 'subscription removed' : 'event no longer in the journal' });
            return;
          }
          const event = toEvent(row, sub.includeOrder ? (orders.get(d.order_id) ?? null) : undefined);
          const body = JSON.stringify(event);
          const started = performance.now();
          const outcome = await this.post(sub, body, event.id, event.type, d.id);
          durations.push(performance.now() - started);
          if (outcome.ok) {
            ok.push(d.id);
            statuses.set(d.id, outcome.status);
          } else {
            failures.push({ d, status: outcome.status, error: outcome.error });
          }
        }),
      ),
    );
    await markDelivered(db, ok, this.owner, statuses);
    let dead = 0;
    for (const f of failures) {
      const state = await markFailed(db, f.d, this.owner, { status: f.status, error: f.error }, this.opts.retrySchedule);
      if (state === 'dead') {
        dead++;
        this.log.warn({ delivery: f.d.id, event: `evt_${f.d.event_seq}`, error: f.error }, 'webhook delivery dead-lettered');
      }
    }
    this.opts.onResult?.({ delivered: ok.length, failed: failures.length, dead, durationsMs: durations });
    return { delivered: ok.length, failed: failures.length, dead };
  }

  private async post(sub: SubInfo, body: string, eventId: string, eventType: string, deliveryId: number): Promise<{ ok: true; status: number } | { ok: false; status: number | null; error: string }> {
    try {
      const res = await request(sub.url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'orderhub-webhooks/0.1',
          [EVENT_ID_HEADER]: eventId,
          [EVENT_TYPE_HEADER]: eventType,
          [DELIVERY_ID_HEADER]: String(deliveryId),
          [SIGNATURE_HEADER]: signatureHeader(sub.secret, body),
        },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      if (res.statusCode >= 200 && res.statusCode < 300) {
        await res.body.dump();
        return { ok: true, status: res.statusCode };
      }
      const text = (await res.body.text().catch(() => '')).slice(0, 200);
      return { ok: false, status: res.statusCode, error: `HTTP ${res.statusCode}${text ? `: ${text}` : ''}` };
    } catch (err) {
      const e = err as Error & { code?: string; cause?: { code?: string } };
      const code = e.cause?.code ?? e.code;
      return { ok: false, status: null, error: `${code ? `${code} ` : ''}${e.message}` };
    }
  }
}

function loadJournal(store: StoreHandle, seqs: number[]) {
  return store.db
    .selectFrom('order_journal')
    .select(['seq', 'order_id', 'connection', 'at', 'kind', 'from_status', 'to_status', 'diff'])
    .where('seq', 'in', seqs)
    .execute();
}
