/**
 * The webhook dispatcher: fans journal events out into deliveries, claims due deliveries under a
 * lease, POSTs them signed (each subscription in its scheme, signature.ts) over a keep-alive undici
 * agent, and records each outcome as soon as it is known (outcomes.ts). Failures are retried on the
 * schedule (about a day by default), then dead-lettered; `redeliver` puts them back.
 *
 * Subscriptions are independent: each subscription with due deliveries has a lane of its own, which
 * keeps up to `concurrency` of them in flight and claims more as they finish, so a receiver that
 * holds its answer delays nobody but itself. Per-order order holds because a delivery is claimable
 * only once the one before it (same order, same subscription) is delivered.
 *
 * Runs inside `orderhub serve` and `orderhub run`, and is a plain class so a separate worker process
 * can run it too: several dispatchers on one PostgreSQL store never take the same delivery (SKIP
 * LOCKED); a dispatcher killed mid-delivery loses nothing (its leases expire and the rows are claimed
 * again), and re-sends only what had not been answered yet. Targets are checked against the
 * operator's policy (targets.ts) before any connection is opened.
 */
import { randomUUID } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { PollingLoop } from '../core/sleep.ts';
import type { StoreHandle } from '../core/store/db.ts';
import type { CanonicalOrder } from '../core/canonical/order.ts';
import { EVENT_COLUMNS, ordersById, toEvent } from '../api/events.ts';
import { claimDeliveries, DEFAULT_RETRY_SCHEDULE_MS, dueSubscriptions, fanOut, pruneDelivered, type DeliveryRow } from './store.ts';
import { OutcomeRecorder, type Outcome, type OutcomeTotals } from './outcomes.ts';
import { DELIVERY_ID_HEADER, EVENT_ID_HEADER, EVENT_TYPE_HEADER, signatureHeaders, signerFor, type Signer, type SigningScheme } from './signature.ts';
import { requestTarget, TargetPolicy, type PrivateTargetsAllowance } from './targets.ts';
import { webhookTables } from './tables.ts';

export interface DispatcherOptions {
  store: StoreHandle;
  logger: Logger;
  /** deliveries claimed at once (default 200) */
  batchSize?: number;
  /** requests in flight per subscription (default 64) */
  concurrency?: number;
  /** requests in flight across every subscription (default 512) */
  maxInFlight?: number;
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
  /** the config's webhooks.allowPrivateTargets (default false: private, loopback, link-local refused) */
  allowPrivateTargets?: PrivateTargetsAllowance;
  /** resolves target host names (default: the system's, dns.lookup); tests give names of their own */
  dnsLookup?: LookupFunction;
  owner?: string;
  /** called as outcomes are recorded (several times per round) */
  onResult?: (r: OutcomeTotals) => void;
}

export interface RoundResult {
  fannedOut: number;
  claimed: number;
  delivered: number;
  failed: number;
  dead: number;
}

/** A subscription as its deliveries need it. */
interface Target {
  url: string;
  authorization: string | null;
  /** why the policy refuses the URL's host (an IP literal), or null */
  refused: string | null;
  signer: Signer;
  includeOrder: boolean;
}

/** A claimed delivery, ready to send, or already known to fail. */
type Attempt = { d: DeliveryRow; target: Target; body: string; eventId: string; eventType: string } | { d: DeliveryRow; failure: string };

/** One subscription's lane: woken when one of its deliveries finishes or new events were fanned out. */
class Lane {
  done: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private nudged = false;

  nudge(): void {
    if (this.wakeUp) this.wakeUp();
    else this.nudged = true;
  }

  /** Returns at once when nudged since the last wait. */
  wait(ms: number): Promise<void> {
    if (this.nudged) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}

export class WebhookDispatcher {
  readonly owner: string;
  private readonly opts: Required<Omit<DispatcherOptions, 'onResult' | 'owner' | 'allowPrivateTargets' | 'dnsLookup'>>;
  private readonly agent: Agent;
  private readonly log: Logger;
  private readonly policy: TargetPolicy;
  private readonly recorder: OutcomeRecorder;
  private readonly lanes = new Map<string, Lane>();
  private inFlight = 0;
  private readonly loop: PollingLoop;
  private stopping = false;
  private lastPrune = 0;

  constructor(options: DispatcherOptions) {
    this.owner = options.owner ?? `dispatcher:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.opts = {
      store: options.store,
      logger: options.logger,
      batchSize: options.batchSize ?? 200,
      concurrency: options.concurrency ?? 64,
      maxInFlight: options.maxInFlight ?? 512,
      pollIntervalMs: options.pollIntervalMs ?? 250,
      leaseMs: options.leaseMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      retrySchedule: options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE_MS,
      keepDeliveredMs: options.keepDeliveredMs ?? 7 * 86_400_000,
    };
    this.log = options.logger.child({ component: 'webhooks' });
    this.policy = new TargetPolicy(options.allowPrivateTargets ?? false);
    this.recorder = new OutcomeRecorder(options.store.db, this.owner, this.opts.retrySchedule, this.log, options.onResult);
    this.agent = new Agent({
      connections: this.opts.concurrency,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // every address a host name resolves to is checked before connecting (IP literals in prepare)
      connect: { timeout: this.opts.timeoutMs, lookup: this.policy.allowsEverything ? options.dnsLookup : this.policy.lookup(options.dnsLookup) },
      headersTimeout: this.opts.timeoutMs,
      bodyTimeout: this.opts.timeoutMs,
    });
    this.loop = new PollingLoop(() => this.round(), this.opts.pollIntervalMs, (err) => this.log.error({ err }, 'webhook round failed'));
  }

  start(): void {
    this.stopping = false;
    this.loop.start();
  }

  /** Stops claiming; returns once the deliveries in flight are attempted and recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop.stop();
    await Promise.all([...this.lanes.values()].map((lane) => lane.done));
    await this.recorder.flush();
    await this.agent.close();
  }

  /** Skips the idle wait (new events were just written by this process). */
  wake(): void {
    this.loop.wake();
    for (const lane of this.lanes.values()) lane.nudge();
  }

  /** Fans out, starts a lane for each subscription with due deliveries; true when more may be left to fan out. */
  private async round(): Promise<boolean> {
    const fannedOut = await this.fanOut(new Date());
    if (fannedOut > 0) for (const lane of this.lanes.values()) lane.nudge();
    for (const id of await dueSubscriptions(this.opts.store.db)) {
      if (!this.lanes.has(id) && !this.stopping) this.startLane(id);
    }
    await this.pruneNow();
    // more to fan out: go on at once; otherwise the lanes deliver, and this looks again later
    return fannedOut > 0;
  }

  private startLane(subscriptionId: string): void {
    const lane = new Lane();
    this.lanes.set(subscriptionId, lane);
    lane.done = this.runLane(subscriptionId, lane)
      .catch((err: unknown) => this.log.error({ err, subscription: subscriptionId }, 'webhook lane failed'))
      .finally(() => this.lanes.delete(subscriptionId));
  }

  /**
   * Keeps one subscription's deliveries flowing until none is due and none is in flight. Claims
   * again when a quarter of its slots are free (or all of them), so claims stay batched.
   */
  private async runLane(subscriptionId: string, lane: Lane): Promise<void> {
    // deliveries sent and not yet recorded; `requests` of them still waiting for their answer
    const unrecorded = new Set<Promise<unknown>>();
    let requests = 0;
    // their ids: a lease shorter than an attempt (misconfigured) must not make this lane send one
    // delivery twice at once
    const sending = new Set<number>();
    const targets = new Map<string, Target>();
    const refillAt = Math.max(1, Math.floor(this.opts.concurrency / 4));
    try {
      while (!this.stopping) {
        const free = Math.min(this.opts.concurrency - requests, this.opts.maxInFlight - this.inFlight, this.opts.batchSize);
        let claimed = 0;
        if (free > 0 && (free >= refillAt || requests === 0)) {
          const rows = (await claimDeliveries(this.opts.store, this.owner, free, this.opts.leaseMs, new Date(), subscriptionId)).filter((d) => !sending.has(d.id));
          claimed = rows.length;
          for (const attempt of await this.prepare(rows, targets)) {
            this.inFlight++;
            requests++;
            sending.add(attempt.d.id);
            const task = this.send(attempt)
              .then((outcome) => {
                // the slot is free once answered; the next event of the order once recorded
                this.inFlight--;
                requests--;
                lane.nudge();
                return this.recorder.record(outcome);
              })
              .finally(() => {
                sending.delete(attempt.d.id);
                unrecorded.delete(task);
                lane.nudge();
              });
            unrecorded.add(task);
          }
          if (claimed > 0 && claimed === free) continue; // perhaps more are due
        }
        if (unrecorded.size === 0 && claimed === 0) return;
        await lane.wait(this.opts.pollIntervalMs);
      }
    } finally {
      await Promise.all(unrecorded);
    }
  }

  /** One round: fan out, claim, deliver, record. Exposed for tests and one-shot workers. */
  async runOnce(now = new Date()): Promise<RoundResult> {
    const fannedOut = await this.fanOut(now);
    const claimed = await this.claim(now);
    const r = await this.deliver(claimed);
    await this.pruneNow();
    return { fannedOut, claimed: claimed.length, ...r };
  }

  private fanOut(now: Date): Promise<number> {
    return fanOut(this.opts.store, Math.max(2000, this.opts.batchSize * 4), now);
  }

  private async pruneNow(): Promise<void> {
    if (Date.now() - this.lastPrune <= 600_000) return;
    this.lastPrune = Date.now();
    await pruneDelivered(this.opts.store.db, this.opts.keepDeliveredMs).catch((err: unknown) => this.log.warn({ err }, 'pruning deliveries failed'));
  }

  /** Claims due deliveries (of every subscription) under this dispatcher's lease (exposed for crash tests). */
  claim(now = new Date()): Promise<DeliveryRow[]> {
    return claimDeliveries(this.opts.store, this.owner, this.opts.batchSize, this.opts.leaseMs, now);
  }

  /** Attempts claimed deliveries; each outcome is recorded as soon as it is known. */
  async deliver(claimed: DeliveryRow[]): Promise<{ delivered: number; failed: number; dead: number }> {
    const limit = pLimit(this.opts.concurrency);
    const states = await Promise.all((await this.prepare(claimed, new Map())).map((a) => limit(() => this.send(a)).then((o) => this.recorder.record(o))));
    const delivered = states.filter((s) => s === 'delivered').length;
    return { delivered, failed: states.length - delivered, dead: states.filter((s) => s === 'dead').length };
  }

  /** Loads what the claimed deliveries need: their subscriptions (cached in `targets`), events and orders. */
  private async prepare(claimed: DeliveryRow[], targets: Map<string, Target>): Promise<Attempt[]> {
    if (claimed.length === 0) return [];
    const { db } = this.opts.store;
    const missing = [...new Set(claimed.map((d) => d.subscription_id))].filter((id) => !targets.has(id));
    if (missing.length > 0) {
      const rows = await webhookTables(db)
        .selectFrom('webhook_subscriptions')
        .select(['id', 'url', 'secret', 'include_order', 'signing'])
        .where('id', 'in', missing)
        .execute();
      for (const s of rows) {
        targets.set(s.id, {
          ...requestTarget(s.url),
          refused: this.policy.urlProblem(s.url),
          signer: signerFor(s.signing as SigningScheme, s.secret),
          includeOrder: s.include_order === 1,
        });
      }
    }
    const seqs = [...new Set(claimed.map((d) => d.event_seq))];
    const journal = new Map<number, Awaited<ReturnType<typeof loadJournal>>[number]>();
    for (let i = 0; i < seqs.length; i += 500) {
      for (const row of await loadJournal(this.opts.store, seqs.slice(i, i + 500))) journal.set(Number(row.seq), row);
    }
    const needOrders = claimed.filter((d) => targets.get(d.subscription_id)?.includeOrder).map((d) => d.order_id);
    const orders: Map<string, CanonicalOrder> = needOrders.length > 0 ? await ordersById(db, needOrders) : new Map();
    return claimed.map((d): Attempt => {
      const target = targets.get(d.subscription_id);
      const row = journal.get(d.event_seq);
      if (!target) return { d, failure: 'subscription removed' };
      if (!row) return { d, failure: 'event no longer in the journal' };
      if (target.refused) return { d, failure: `webhook target refused: ${target.refused}` };
      const event = toEvent(row, target.includeOrder ? (orders.get(d.order_id) ?? null) : undefined);
      return { d, target, body: JSON.stringify(event), eventId: event.id, eventType: event.type };
    });
  }

  /** Sends one delivery (or not: an attempt already known to fail); resolves with its outcome. */
  private async send(a: Attempt): Promise<Outcome> {
    if ('failure' in a) return { d: a.d, status: null, error: a.failure, durationMs: null };
    const started = performance.now();
    const r = await this.post(a);
    return { d: a.d, status: r.status, error: r.ok ? null : r.error, durationMs: performance.now() - started };
  }

  private async post(a: Extract<Attempt, { target: Target }>): Promise<{ ok: true; status: number } | { ok: false; status: number | null; error: string }> {
    const { target, body } = a;
    try {
      const res = await request(target.url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'orderhub-webhooks/0.1',
          [EVENT_ID_HEADER]: a.eventId,
          [EVENT_TYPE_HEADER]: a.eventType,
          [DELIVERY_ID_HEADER]: String(a.d.id),
          ...(target.authorization ? { authorization: target.authorization } : {}),
          ...signatureHeaders(target.signer, a.eventId, body),
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
      if (code === 'ERR_WEBHOOK_TARGET_REFUSED') return { ok: false, status: null, error: e.message };
      return { ok: false, status: null, error: `${code ? `${code} ` : ''}${e.message}` };
    }
  }
}

function loadJournal(store: StoreHandle, seqs: number[]) {
  return store.db
    .selectFrom('order_journal')
    .select(EVENT_COLUMNS)
    .where('seq', 'in', seqs)
    .execute();
}
