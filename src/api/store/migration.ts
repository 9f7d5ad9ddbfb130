/**
 * Tables of the service layer (issue #6): API keys, idempotency keys, the write-back outbox, webhook
 * subscriptions and their deliveries, plus the order indexes the REST filters need. Same conventions
 * as the core migration: text timestamps (ISO UTC, they sort as text), text JSON, 0/1 integers, and
 * the auto-increment key type chosen by dialect.
 *
 * Webhook events are not stored twice: an event is an order_journal row (written in the transaction
 * of the order change). A delivery row only says "event seq N is owed to subscription S".
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../../core/store/db.ts';

export const apiMigration = async (db: Kysely<unknown>, dialect: Dialect): Promise<void> => {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    /** 'read' | 'write' */
    .addColumn('scope', 'text', (c) => c.notNull())
    /** the first characters of the key, to recognise it in lists */
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    /** sha256 hex of the whole key; the key itself is never stored */
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('api_key_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    /** sha256 of method, path and the canonical JSON body */
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['api_key_id', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_created_idx').on('idempotency_keys').column('created_at').execute();

  await db.schema
    .createTable('write_backs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('connection', 'text', (c) => c.notNull())
    /** 'status' | 'tracking' */
    .addColumn('kind', 'text', (c) => c.notNull())
    /** JSON of the accepted request body */
    .addColumn('request', 'text', (c) => c.notNull())
    /** 'accepted' (pending) | 'delivered' | 'refused' | 'failed' */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error', 'text')
    /** JSON: what the channel now says (status, channelStatus) after the read-back */
    .addColumn('result', 'text')
    .addColumn('api_key_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema.createIndex('write_backs_state_idx').on('write_backs').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('write_backs_order_idx').on('write_backs').columns(['order_id', 'created_at']).execute();

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
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
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

  // Keyset pagination of GET /v1/orders under its common filters (newest first by default).
  await db.schema.createIndex('orders_api_connection_created_idx').on('orders').columns(['connection', 'created_at', 'id']).execute();
  await db.schema.createIndex('orders_api_status_created_idx').on('orders').columns(['status', 'created_at', 'id']).execute();
  await db.schema
    .createIndex('orders_api_connection_status_created_idx')
    .on('orders')
    .columns(['connection', 'status', 'created_at', 'id'])
    .execute();
};
