/**
 * Webhook subscriptions and deliveries in the store.
 *
 * Events come from the order journal (same transaction as the order change). Fan-out turns journal
 * rows after a subscription's cursor into delivery rows and moves the cursor in one transaction
 * (unique (subscription, seq) makes a repeated fan-out harmless). Deliveries are claimed with a
 * lease: a claimer that dies leaves rows whose lease expires and which are claimed again, so a crash
 * loses nothing (delivery is at least once). A delivery is claimable only when no earlier delivery
 * of the same order to the same subscription is still pending, so per-order order is kept.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { StoreHandle } from '../core/store/db.ts';
import { webhookTables, type WebhookDeliveriesTable, type WebhookSubscriptionsTable } from './tables.ts';
import type { Database } from '../core/store/schema.ts';
import { eventTypeOf, journalHead, ORDER_EVENT_TYPES, type EventType } from '../api/events.ts';
import { appendSystemEvent, lockJournal } from '../core/store/journal.ts';
import { newWebhookSecret, secretProblem, type SigningScheme } from './signature.ts';
import { redactUrl, type TargetPolicy } from './targets.ts';

export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type SubscriptionRow = Selectable<WebhookSubscriptionsTable>;

/** ~24 h in total: 10 s, 30 s, 2 m, 10 m, 30 m, 1 h, 2 h, 4 h, 8 h, 8 h; then dead-lettered. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 28_800_000,
];

export interface Subscription {
  id: string;
  /** credentials in it redacted (https://user:***@host/) */
  url: string;
  events: EventType[];
  description: string | null;
  includeOrder: boolean;
  enabled: boolean;
  signing: SigningScheme;
  createdAt: string;
  /** journal position up to which deliveries have been created */
  cursor: number;
}

export function toSubscription(r: SubscriptionRow): Subscription {
  return {
    id: r.id, url: redactUrl(r.url), events: JSON.parse(r.events) as EventType[], description: r.description,
    includeOrder: r.include_order === 1, enabled: r.enabled === 1, signing: r.signing as SigningScheme, createdAt: r.created_at, cursor: Number(r.cursor),
  };
}

export interface SubscriptionInput {
  url: string;
  events?: readonly EventType[] | undefined;
  secret?: string | undefined;
  description?: string | undefined;
  includeOrder?: boolean | undefined;
  fromStart?: boolean | undefined;
  signing?: SigningScheme | undefined;
}

/**
 * What the API and the CLI refuse before creating a subscription (each with the field it is about):
 * a target the operator's policy forbids, a secret the chosen scheme cannot sign with.
 */
export function subscriptionProblems(input: SubscriptionInput, policy: TargetPolicy): Array<{ path: 'url' | 'secret'; message: string }> {
  const problems: Array<{ path: 'url' | 'secret'; message: string }> = [];
  const target = policy.urlProblem(input.url);
  if (target) problems.push({ path: 'url', message: `webhook target refused: ${target}` });
  const secret = input.secret === undefined ? null : secretProblem(input.signing ?? 'orderhub', input.secret);
  if (secret) problems.push({ path: 'secret', message: secret });
  return problems;
}

export async function createSubscription(
  coreDb: Kysely<Database>,
  params: SubscriptionInput,
  now = new Date(),
): Promise<{ subscription: Subscription; secret: string }> {
  const db = webhookTables(coreDb);
  const signing = params.signing ?? 'orderhub';
  const secret = params.secret ?? newWebhookSecret(signing);
  const iso = now.toISOString();
  // A new subscription receives the events after the moment it was created (or every stored one);
  // without a list of types, the order events (system events are asked for by name).
  const cursor = params.fromStart ? 0 : await journalHead(coreDb);
  const row: SubscriptionRow = {
    id: `wh_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
    url: params.url,
    events: JSON.stringify(params.events && params.events.length > 0 ? [...new Set(params.events)] : [...ORDER_EVENT_TYPES]),
    secret,
    description: params.description ?? null,
    include_order: params.includeOrder ? 1 : 0,
    enabled: 1,
    signing,
    cursor,
    created_at: iso,
    updated_at: iso,
  };
  await db.insertInto('webhook_subscriptions').values(row).execute();
  return { subscription: toSubscription(row), secret };
}

export async function listSubscriptions(coreDb: Kysely<Database>): Promise<Subscription[]> {
  const db = webhookTables(coreDb);
  return (await db.selectFrom('webhook_subscriptions').selectAll().orderBy('created_at').execute()).map(toSubscription);
}

export async function getSubscription(coreDb: Kysely<Database>, id: string): Promise<Subscription | null> {
  const db = webhookTables(coreDb);
  const r = await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toSubscription(r) : null;
}

/** Removes a subscription and its deliveries. Returns false when there was none. */
export async function deleteSubscription(coreDb: Kysely<Database>, id: string): Promise<boolean> {
  const db = webhookTables(coreDb);
  return db.transaction().execute(async (trx) => {
    const res = await trx.deleteFrom('webhook_subscriptions').where('id', '=', id).executeTakeFirst();
    await trx.deleteFrom('webhook_deliveries').where('subscription_id', '=', id).execute();
    return Number(res.numDeletedRows) > 0;
  });
}

/**
 * Creates the deliveries owed for journal rows after each subscription's cursor (at most `batch`
 * journal rows per call). Returns the number of deliveries created.
 */
export async function fanOut(store: StoreHandle, batch = 2000, now = new Date()): Promise<number> {
  const iso = now.toISOString();
  return webhookTables(store.db).transaction().execute(async (trx) => {
    let q = trx.selectFrom('webhook_subscriptions').select(['id', 'events', 'cursor']).where('enabled', '=', 1);
    // Several processes may fan out: each takes the subscriptions nobody else is fanning out now.
    if (store.dialect === 'postgres') q = q.forUpdate().skipLocked();
    const subs = await q.execute();
    if (subs.length === 0) return 0;
    const from = Math.min(...subs.map((s) => Number(s.cursor)));
    const rows = await trx
      .selectFrom('order_journal')
      .select(['seq', 'order_id', 'kind'])
      .where('seq', '>', from)
      .orderBy('seq')
      .limit(batch)
      .execute();
    if (rows.length === 0) return 0;
    const last = Number(rows[rows.length - 1]!.seq);
    const values: Array<Omit<DeliveryRow, 'id'>> = [];
    for (const s of subs) {
      const cursor = Number(s.cursor);
      if (cursor >= last) continue;
      const types = new Set(JSON.parse(s.events) as string[]);
      for (const r of rows) {
        const seq = Number(r.seq);
        if (seq <= cursor) continue;
        const type = eventTypeOf(r.kind);
        if (!types.has(type)) continue;
        values.push({
          subscription_id: s.id, event_seq: seq, order_id: r.order_id, event_type: type, state: 'pending', attempts: 0,
          next_attempt_at: iso, lease_owner: null, lease_until: null, last_status: null, last_error: null,
          created_at: iso, updated_at: iso, delivered_at: null,
        });
      }
      await trx.updateTable('webhook_subscriptions').set({ cursor: last }).where('id', '=', s.id).execute();
    }
    for (let i = 0; i < values.length; i += 500) {
      await trx
        .insertInto('webhook_deliveries')
        .values(values.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['subscription_id', 'event_seq']).doNothing())
        .execute();
    }
    return values.length;
  });
}

/**
 * Delivery `d` may be attempted at `iso`: pending, due, not leased, and no earlier event of its
 * order still pending for its subscription (which keeps per-order order).
 */
function claimable(iso: string) {
  return sql`d.state = 'pending'
          and d.next_attempt_at <= ${iso}
          and (d.lease_until is null or d.lease_until < ${iso})
          and not exists (
            select 1 from webhook_deliveries p
             where p.subscription_id = d.subscription_id and p.order_id = d.order_id
               and p.state = 'pending' and p.event_seq < d.event_seq)`;
}

/** Subscriptions with a delivery that could be claimed now. */
export async function dueSubscriptions(coreDb: Kysely<Database>, now = new Date()): Promise<string[]> {
  const res = await sql<{ id: string }>`
    select s.id from webhook_subscriptions s
     where exists (select 1 from webhook_deliveries d where d.subscription_id = s.id and ${claimable(now.toISOString())})`.execute(coreDb);
  return res.rows.map((r) => r.id);
}

/**
 * Claims up to `limit` due deliveries for `owner` until now + leaseMs, of one subscription or of
 * all. PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent claimers never take the same row. SQLite:
 * one statement (one writer).
 */
export async function claimDeliveries(store: StoreHandle, owner: string, limit: number, leaseMs: number, now = new Date(), subscriptionId?: string): Promise<DeliveryRow[]> {
  const iso = now.toISOString();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const lock = store.dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const ofSubscription = subscriptionId === undefined ? sql`` : sql`and d.subscription_id = ${subscriptionId}`;
  const res = await sql<DeliveryRow>`
    update webhook_deliveries
       set lease_owner = ${owner}, lease_until = ${until}, attempts = attempts + 1, updated_at = ${iso}
     where id in (
       select d.id from webhook_deliveries d
        where ${claimable(iso)}
          ${ofSubscription}
        order by d.event_seq
        limit ${limit}
        ${lock})
    returning *`.execute(store.db);
  return res.rows.map((r) => ({ ...r, id: Number(r.id), event_seq: Number(r.event_seq) })).sort((a, b) => a.event_seq - b.event_seq);
}

/** Acknowledges deliveries (only while this owner still holds them). */
export async function markDelivered(coreDb: Kysely<Database>, ids: readonly number[], owner: string, statuses: ReadonlyMap<number, number>, now = new Date()): Promise<void> {
  const db = webhookTables(coreDb);
  if (ids.length === 0) return;
  const iso = now.toISOString();
  // One statement per distinct HTTP status (nearly always one: 200/204).
  const byStatus = new Map<number, number[]>();
  for (const id of ids) {
    const s = statuses.get(id) ?? 200;
    byStatus.set(s, [...(byStatus.get(s) ?? []), id]);
  }
  for (const [status, group] of byStatus) {
    for (let i = 0; i < group.length; i += 500) {
      await db
        .updateTable('webhook_deliveries')
        .set({ state: 'delivered', delivered_at: iso, updated_at: iso, lease_owner: null, lease_until: null, last_status: status, last_error: null })
        .where('id', 'in', group.slice(i, i + 500))
        .where('lease_owner', '=', owner)
        .execute();
    }
  }
}

/**
 * Records a failed attempt: retried after the schedule's next delay, or dead-lettered. A dead letter
 * appends a webhook.dead_lettered event in the same transaction (not for a delivery that is itself
 * one: a receiver that is down for good must not make an endless chain of them).
 */
export async function markFailed(
  coreDb: Kysely<Database>,
  d: Pick<DeliveryRow, 'id' | 'attempts' | 'subscription_id' | 'event_seq' | 'event_type' | 'order_id'>,
  owner: string,
  failure: { status: number | null; error: string },
  schedule: readonly number[],
  now = new Date(),
): Promise<'pending' | 'dead'> {
  const iso = now.toISOString();
  const delay = schedule[d.attempts - 1];
  const state = delay === undefined ? 'dead' : 'pending';
  // up to 10 % jitter so a receiver coming back is not hit by every retry at once
  const next = delay === undefined ? iso : new Date(now.getTime() + Math.round(delay * (1 + Math.random() * 0.1))).toISOString();
  const lastError = failure.error.slice(0, 500);
  const update = (db: Kysely<Database>) =>
    webhookTables(db)
      .updateTable('webhook_deliveries')
      .set({ state, next_attempt_at: next, lease_owner: null, lease_until: null, last_status: failure.status, last_error: lastError, updated_at: iso })
      .where('id', '=', d.id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
  if (state === 'pending' || d.event_type === 'webhook.dead_lettered') {
    await update(coreDb);
    return state;
  }
  await coreDb.transaction().execute(async (trx) => {
    await lockJournal(trx);
    if (Number((await update(trx)).numUpdatedRows) === 0) return; // no longer ours
    const event = await trx.selectFrom('order_journal').select('connection').where('seq', '=', d.event_seq).executeTakeFirst();
    const sub = await webhookTables(trx).selectFrom('webhook_subscriptions').select('url').where('id', '=', d.subscription_id).executeTakeFirst();
    await appendSystemEvent(trx, {
      kind: 'webhook.dead_lettered', connection: event?.connection ?? '', at: iso, actor: 'webhooks',
      data: {
        subscriptionId: d.subscription_id, url: sub ? redactUrl(sub.url) : null, deliveryId: d.id, eventId: `evt_${d.event_seq}`,
        eventType: d.event_type, orderId: d.order_id === '' ? null : d.order_id, attempts: d.attempts, lastStatus: failure.status, lastError,
      },
    });
  });
  return state;
}

/** Gives claimed deliveries back (shutdown before they were attempted). */
export async function releaseDeliveries(coreDb: Kysely<Database>, ids: readonly number[], owner: string): Promise<void> {
  const db = webhookTables(coreDb);
  for (let i = 0; i < ids.length; i += 500) {
    await db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ lease_owner: null, lease_until: null, attempts: eb('attempts', '-', 1) }))
      .where('id', 'in', ids.slice(i, i + 500))
      .where('lease_owner', '=', owner)
      .execute();
  }
}

export interface DeliveryInfo {
  id: number;
  subscriptionId: string;
  eventId: string;
  eventSeq: number;
  eventType: string;
  /** null: a system event about no order */
  orderId: string | null;
  state: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export function toDeliveryInfo(r: DeliveryRow): DeliveryInfo {
  return {
    id: Number(r.id), subscriptionId: r.subscription_id, eventId: `evt_${r.event_seq}`, eventSeq: Number(r.event_seq),
    eventType: r.event_type, orderId: r.order_id === '' ? null : r.order_id, state: r.state, attempts: r.attempts,
    nextAttemptAt: r.state === 'pending' ? r.next_attempt_at : null, lastStatus: r.last_status, lastError: r.last_error,
    createdAt: r.created_at, deliveredAt: r.delivered_at,
  };
}

export async function listDeliveries(
  coreDb: Kysely<Database>,
  filter: { subscriptionId?: string | undefined; state?: string | undefined; orderId?: string | undefined; before?: number | undefined; limit: number },
): Promise<DeliveryInfo[]> {
  const db = webhookTables(coreDb);
  let q = db.selectFrom('webhook_deliveries').selectAll();
  if (filter.subscriptionId) q = q.where('subscription_id', '=', filter.subscriptionId);
  if (filter.state) q = q.where('state', '=', filter.state);
  if (filter.orderId) q = q.where('order_id', '=', filter.orderId);
  if (filter.before) q = q.where('id', '<', filter.before);
  return (await q.orderBy('id', 'desc').limit(filter.limit).execute()).map(toDeliveryInfo);
}

/**
 * Puts deliveries back in the queue (attempts reset): one by id, or every dead-lettered delivery of
 * a subscription. Returns how many.
 */
export async function redeliver(coreDb: Kysely<Database>, target: { id: number } | { subscriptionId: string; state?: 'dead' | 'delivered' }, now = new Date()): Promise<number> {
  const db = webhookTables(coreDb);
  const iso = now.toISOString();
  let q = db
    .updateTable('webhook_deliveries')
    .set({ state: 'pending', attempts: 0, next_attempt_at: iso, lease_owner: null, lease_until: null, delivered_at: null, updated_at: iso });
  if ('id' in target) q = q.where('id', '=', target.id);
  else q = q.where('subscription_id', '=', target.subscriptionId).where('state', '=', target.state ?? 'dead');
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function deliveryBacklog(coreDb: Kysely<Database>): Promise<{ pending: number; dead: number }> {
  const db = webhookTables(coreDb);
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', 'in', ['pending', 'dead'])
    .groupBy('state')
    .execute();
  const get = (s: string) => Number(rows.find((r) => r.state === s)?.n ?? 0);
  return { pending: get('pending'), dead: get('dead') };
}

/** Deletes delivered rows older than `olderThanMs` (the journal keeps the events themselves). */
export async function pruneDelivered(coreDb: Kysely<Database>, olderThanMs: number, now = new Date()): Promise<number> {
  const db = webhookTables(coreDb);
  const res = await db
    .deleteFrom('webhook_deliveries')
    .where('state', '=', 'delivered')
    .where('delivered_at', '<', new Date(now.getTime() - olderThanMs).toISOString())
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
