/**
 * The outbox of Buyer API messages. A message is queued in the transaction that decides it (with its
 * exact JSON and what it does to our orders once accepted), then delivered by `deliverOutbox`:
 *
 * - messages of one chain (one order, one branch's availability) go in the order they were queued;
 * - before each attempt the resend intervals are respected per message kind and subject [DOC]:
 *   `short` minutes after the previous message when at most 2 others were sent in the observed range,
 *   `default` minutes otherwise — so we do not earn a -7; a -7 all the same waits the default
 *   interval; a 429 (no body), 5xx, timeouts and invalid answers wait per the intervals;
 * - a refused message (errorCode -2, -4, 400, 401…) or one out of attempts becomes `failed` and is
 *   shown by `orderhub alza-dropship outbox`; `retryMessage` queues it again.
 *
 * Claiming uses a lease (compare-and-set), so several processes may run deliverOutbox safely.
 */
import { randomUUID } from 'node:crypto';
import type { Updateable } from 'kysely';
import type { Logger } from 'pino';
import type { StoreHandle } from '../../../core/store/db.ts';
import type { AlzaDropshipConfig } from '../config.ts';
import type { DropshipProjections } from '../projection.ts';
import { RESEND_INTERVALS, earliestNextSend, type PaceKey } from '../protocol.ts';
import { dropshipDb, type DropshipDb, type DropshipOutboxTable } from '../store.ts';
import type { BuyerApiClient } from './client.ts';
import { applyEffect, compensateFailure, type Effect } from './effects.ts';

export type OutboxKind = 'availability' | 'shipment.create' | 'shipment.delete' | 'departure' | 'track' | 'delivery';

export interface OutboxMessage {
  kind: OutboxKind;
  pace: PaceKey;
  subject: string;
  chain: string;
  method: 'POST' | 'DELETE';
  path: string;
  /** JSON text containing "timestamp":"__TIMESTAMP__" */
  body: string;
  effect: Effect | null;
}

export type OutboxRow = DropshipOutboxTable & { id: number };

const LEASE_MS = 5 * 60_000;
const SEND_LOG_KEEP_MS = 3 * 3_600_000;

export async function enqueue(db: DropshipDb, connection: string, msg: OutboxMessage, now: Date): Promise<number> {
  const at = now.toISOString();
  const row = await db
    .insertInto('dropship_outbox')
    .values({
      connection, kind: msg.kind, pace: msg.pace, subject: msg.subject, chain: msg.chain, method: msg.method, path: msg.path,
      body: msg.body, effect: msg.effect ? JSON.stringify(msg.effect) : null, state: 'pending', attempts: 0,
      next_attempt_at: at, lease_owner: null, lease_until: null, last_status: null, last_error: null, response: null,
      created_at: at, updated_at: at, completed_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export interface DeliveryReport {
  accepted: number;
  retrying: number;
  failed: number;
  /** not yet due because of the resend intervals or the chain order */
  waiting: number;
  /** accepted message ids */
  acceptedIds: number[];
}

export interface DeliverOptions {
  store: StoreHandle;
  /** the store's projections in this process: accepted messages change orders (projection.ts) */
  projections: DropshipProjections;
  config: AlzaDropshipConfig;
  client: BuyerApiClient;
  now?: () => Date;
  logger?: Logger;
  /** most messages to attempt in this call (default 100) */
  limit?: number;
  signal?: AbortSignal;
}

/** Attempts every due message of a connection once (in queue order, chains kept in order). */
export async function deliverOutbox(opts: DeliverOptions): Promise<DeliveryReport> {
  const db = dropshipDb(opts.store);
  const clock = opts.now ?? (() => new Date());
  const connection = opts.config.name;
  const owner = randomUUID();
  const report: DeliveryReport = { accepted: 0, retrying: 0, failed: 0, waiting: 0, acceptedIds: [] };
  const start = clock();
  await db.deleteFrom('dropship_send_log').where('connection', '=', connection).where('sent_at', '<', new Date(start.getTime() - SEND_LOG_KEEP_MS).toISOString()).execute();

  const due = (await db
    .selectFrom('dropship_outbox')
    .selectAll()
    .where('connection', '=', connection)
    .where('state', '=', 'pending')
    .where('next_attempt_at', '<=', start.toISOString())
    .orderBy('id')
    .limit(opts.limit ?? 100)
    .execute()) as OutboxRow[];

  const blockedChains = new Set<string>();
  for (const row of due) {
    if (opts.signal?.aborted) break;
    if (blockedChains.has(row.chain)) {
      report.waiting++;
      continue;
    }
    const older = await db
      .selectFrom('dropship_outbox')
      .select('id')
      .where('connection', '=', connection)
      .where('chain', '=', row.chain)
      .where('state', '=', 'pending')
      .where('id', '<', row.id)
      .executeTakeFirst();
    if (older) {
      blockedChains.add(row.chain);
      report.waiting++;
      continue;
    }
    const now = clock();
    if (!(await claim(db, row.id, owner, now))) continue;
    blockedChains.add(row.chain); // one message per chain per call: the next one is paced anyway
    const pace = RESEND_INTERVALS[row.pace as PaceKey];
    const earliest = earliestNextSend(pace, await sentTimes(db, connection, row.pace, row.subject, now, pace.range), now.getTime());
    if (earliest > now.getTime()) {
      await release(db, row.id, owner, { next_attempt_at: new Date(earliest).toISOString(), updated_at: now.toISOString() });
      report.waiting++;
      continue;
    }
    await db.insertInto('dropship_send_log').values({ connection, pace: row.pace, subject: row.subject, sent_at: now.toISOString() }).execute();
    const outcome = await opts.client.attempt({
      method: row.method as 'POST' | 'DELETE',
      path: row.path,
      body: row.body,
      now,
      overloadIsRetryable: row.kind === 'availability',
      signal: opts.signal,
    });
    const after = clock();
    const attempts = row.attempts + 1;
    const effect = row.effect ? (JSON.parse(row.effect) as Effect) : null;
    if (outcome.kind === 'accepted') {
      const orders = await applyEffect(opts.store, opts.projections, opts.config, effect, outcome.body, after, async (trx) => {
        await trx
          .updateTable('dropship_outbox')
          .set({
            state: 'delivered', attempts, last_status: outcome.status, last_error: null, response: JSON.stringify(outcome.body),
            lease_owner: null, lease_until: null, updated_at: after.toISOString(), completed_at: after.toISOString(),
          })
          .where('id', '=', row.id)
          .execute();
      }, opts.logger);
      report.accepted++;
      report.acceptedIds.push(row.id);
      opts.logger?.info({ connection, id: row.id, kind: row.kind, orders }, 'Buyer API message accepted');
      continue;
    }
    const outOfAttempts = attempts >= opts.config.outboxMaxAttempts;
    if (outcome.kind === 'refused' || outOfAttempts) {
      const error = outOfAttempts && outcome.kind === 'retry' ? `gave up after ${attempts} attempts: ${outcome.message}` : outcome.message;
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('dropship_outbox')
          .set({
            state: 'failed', attempts, last_status: outcome.status, last_error: error, lease_owner: null, lease_until: null,
            updated_at: after.toISOString(), completed_at: after.toISOString(),
          })
          .where('id', '=', row.id)
          .execute();
        await compensateFailure(trx, opts.config, effect);
      });
      report.failed++;
      opts.logger?.error({ connection, id: row.id, kind: row.kind, err: error }, 'Buyer API message failed; see `orderhub alza-dropship outbox`');
      continue;
    }
    // Resend later: after the default interval for -7/overload, else as soon as the intervals allow.
    const sent = await sentTimes(db, connection, row.pace, row.subject, after, pace.range);
    const next = outcome.wait === 'default'
      ? after.getTime() + pace.default * 60_000
      : Math.max(earliestNextSend(pace, sent, after.getTime()), after.getTime() + pace.short * 60_000);
    await release(db, row.id, owner, {
      attempts, last_status: outcome.status, last_error: outcome.message, next_attempt_at: new Date(next).toISOString(), updated_at: after.toISOString(),
    });
    report.retrying++;
    opts.logger?.warn({ connection, id: row.id, kind: row.kind, err: outcome.message, next: new Date(next).toISOString() }, 'Buyer API message will be resent');
  }
  return report;
}

async function claim(db: DropshipDb, id: number, owner: string, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('dropship_outbox')
    .set({ lease_owner: owner, lease_until: new Date(now.getTime() + LEASE_MS).toISOString() })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now.toISOString())]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

async function release(db: DropshipDb, id: number, owner: string, set: Updateable<DropshipOutboxTable>): Promise<void> {
  await db
    .updateTable('dropship_outbox')
    .set({ ...set, lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .execute();
}

async function sentTimes(db: DropshipDb, connection: string, pace: string, subject: string, now: Date, rangeMinutes: number): Promise<number[]> {
  const rows = await db
    .selectFrom('dropship_send_log')
    .select('sent_at')
    .where('connection', '=', connection)
    .where('pace', '=', pace)
    .where('subject', '=', subject)
    .where('sent_at', '>', new Date(now.getTime() - rangeMinutes * 60_000).toISOString())
    .execute();
  return rows.map((r) => Date.parse(r.sent_at));
}

/**
 * One delivery attempt of what is due, then the given messages as they stand (what the CLI and the
 * REST API answer after queueing: accepted, to be resent when, or failed).
 */
export async function deliverAndLoad(opts: DeliverOptions, ids: readonly number[]): Promise<OutboxRow[]> {
  await deliverOutbox(opts);
  if (ids.length === 0) return [];
  return (await dropshipDb(opts.store).selectFrom('dropship_outbox').selectAll().where('id', 'in', [...ids]).orderBy('id').execute()) as OutboxRow[];
}

/** Messages of a connection, newest first (for the CLI). */
export async function listOutbox(store: StoreHandle, connection: string, options: { state?: string; limit?: number } = {}): Promise<OutboxRow[]> {
  let q = dropshipDb(store).selectFrom('dropship_outbox').selectAll().where('connection', '=', connection);
  if (options.state) q = q.where('state', '=', options.state);
  return (await q.orderBy('id', 'desc').limit(options.limit ?? 50).execute()) as OutboxRow[];
}

/** Puts a failed message back in the queue (after a person fixed the cause). */
export async function retryMessage(store: StoreHandle, connection: string, id: number, now = new Date()): Promise<boolean> {
  const res = await dropshipDb(store)
    .updateTable('dropship_outbox')
    .set({ state: 'pending', attempts: 0, next_attempt_at: now.toISOString(), completed_at: null, updated_at: now.toISOString() })
    .where('connection', '=', connection)
    .where('id', '=', id)
    .where('state', '=', 'failed')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
