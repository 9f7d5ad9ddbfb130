/**
 * Webhook subscriptions and their deliveries. Events are not stored twice: an event is an
 * order_journal row (written in the transaction of the order change); a delivery row only says
 * "event seq N is owed to subscription S". Same conventions as the core's tables.
 */
import type { Generated, Kysely } from 'kysely';
import { defineStoreModule, type Dialect } from '../core/store/module.ts';
import { leasedRowColumns } from '../core/store/leased-rows.ts';
import type { Database } from '../core/store/schema.ts';

export interface WebhookSubscriptionsTable {
  id: string;
  url: string;
  /** JSON array of event types */
  events: string;
  secret: string;
  description: string | null;
  include_order: number;
  enabled: number;
  /** 'orderhub' | 'standard' (signature.ts); added by 0007 */
  signing: string;
  /** journal seq up to which deliveries exist */
  cursor: number;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  subscription_id: string;
  event_seq: number;
  order_id: string;
  event_type: string;
  /** 'pending' | 'delivered' | 'dead' */
  state: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

// a type alias, not an interface: Kysely's withTables wants a type with an implicit index signature
export type WebhookTables = {
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
};

/** The core's tables and the webhooks'. */
export type WebhookDatabase = Database & WebhookTables;

/** Any store's Kysely instance (or transaction), typed with these tables as well. */
export function webhookTables(db: Kysely<Database>): Kysely<WebhookDatabase> {
  return db.withTables<WebhookTables>();
}

async function createWebhookTables(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    /** JSON array of event types ('order.created', …) */
    .addColumn('events', 'text', (c) => c.notNull())
    /** HMAC key; needed in clear to sign (see docs/api.md) */
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('include_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    /** journal seq up to which deliveries have been created for this subscription */
    .addColumn('cursor', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('event_seq', 'bigint', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    /** 'pending' | 'delivered' | 'dead' */
    .$call(leasedRowColumns)
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addUniqueConstraint('webhook_deliveries_event_uq', ['subscription_id', 'event_seq'])
    .execute();
  await db.schema.createIndex('webhook_deliveries_state_idx').on('webhook_deliveries').columns(['state', 'event_seq']).execute();
  await db.schema
    .createIndex('webhook_deliveries_order_idx')
    .on('webhook_deliveries')
    .columns(['subscription_id', 'order_id', 'event_seq'])
    .execute();
}

/** Each subscription's signing scheme; existing subscriptions keep the one they were made with. */
async function addSigningScheme(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhook_subscriptions').addColumn('signing', 'text', (c) => c.notNull().defaultTo('orderhub')).execute();
}

/**
 * The dispatcher claims each subscription's deliveries on their own (one slow receiver must not hold
 * up the others): its due deliveries in journal order, without scanning every subscription's pending
 * rows or its own delivered history.
 */
async function addSubscriptionQueueIndex(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('webhook_deliveries_subscription_queue_idx')
    .on('webhook_deliveries')
    .columns(['subscription_id', 'state', 'event_seq'])
    .execute();
}

export const webhookStoreModule = defineStoreModule({
  name: 'webhooks',
  migrations: [
    // Created by 0002_api before webhooks declared their own tables.
    { name: '0002_api_webhooks', up: createWebhookTables, splitFrom: '0002_api' },
    { name: '0007_webhooks_signing', up: addSigningScheme },
    { name: '0009_webhooks_subscription_queue', up: addSubscriptionQueueIndex },
  ],
});
