/**
 * The API's tables: API keys and idempotency keys, plus the order indexes the REST filters need.
 * Same conventions as the core: text timestamps (ISO UTC, they sort as text), text JSON, 0/1 integers.
 *
 * Migration `0002_api` created the outbox's and webhooks' tables too before each module declared its
 * own; on such a store theirs are recorded as done (see `splitFrom` in core/store/module.ts).
 */
import type { Generated, Kysely } from 'kysely';
import { defineStoreModule } from '../../core/store/module.ts';
import type { Database } from '../../core/store/schema.ts';
import { createSessionsTable } from './sessions-migration.ts';

export interface ApiKeysTable {
  id: string;
  name: string;
  /** 'read' | 'write' */
  scope: string;
  key_prefix: string;
  /** sha256 hex of the key */
  key_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface IdempotencyKeysTable {
  api_key_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  status_code: number;
  /** the stored response body (JSON) */
  response: string;
  created_at: string;
}

// a type alias, not an interface: Kysely's withTables wants a type with an implicit index signature
export type ApiTables = {
  api_keys: ApiKeysTable;
  idempotency_keys: IdempotencyKeysTable;
};

/** The core's tables and the API's. */
export type ApiDatabase = Database & ApiTables;

/** Any store's Kysely instance (or transaction), typed with these tables as well. */
export function apiTables(db: Kysely<Database>): Kysely<ApiDatabase> {
  return db.withTables<ApiTables>();
}

async function createApiTables(db: Kysely<unknown>): Promise<void> {
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

  // Keyset pagination of GET /v1/orders under its common filters (newest first by default).
  await db.schema.createIndex('orders_api_connection_created_idx').on('orders').columns(['connection', 'created_at', 'id']).execute();
  await db.schema.createIndex('orders_api_status_created_idx').on('orders').columns(['status', 'created_at', 'id']).execute();
  await db.schema
    .createIndex('orders_api_connection_status_created_idx')
    .on('orders')
    .columns(['connection', 'status', 'created_at', 'id'])
    .execute();
};

export const apiStoreModule = defineStoreModule({
  name: 'api',
  migrations: [{ name: '0002_api', up: createApiTables }, { name: '0010_api_console_sessions', up: createSessionsTable }],
});
