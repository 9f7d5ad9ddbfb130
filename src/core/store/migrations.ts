/**
 * Migrations: one list for both dialects. The only dialect difference is the auto-increment key type,
 * so each migration receives the dialect and picks it; everything else is portable Kysely DDL.
 */
import { type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from './db.ts';
import { apiMigration } from '../../api/store/migration.ts';
import { dropshipMigration } from '../../channels/alza-dropship/store.ts';
import { createSearchIndex, foldSearchIndex } from './search.ts';

type DialectMigration = (db: Kysely<unknown>, dialect: Dialect) => Promise<void>;

const initial: DialectMigration = async (db, dialect) => {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';

  await db.schema
    .createTable('connections')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('health', 'text', (c) => c.notNull().defaultTo('ok'))
    .addColumn('attention', 'text')
    .addColumn('checkpoint', 'text')
    .addColumn('lock_owner', 'text')
    .addColumn('lock_until', 'text')
    .addColumn('last_sync_at', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('connection_state')
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('connection_state_pk', ['connection', 'key'])
    .execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('channel_status', 'text', (c) => c.notNull())
    .addColumn('open', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('raw_hash', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addUniqueConstraint('orders_connection_external_id', ['connection', 'external_id'])
    .execute();
  await db.schema.createIndex('orders_open_idx').on('orders').columns(['connection', 'open', 'created_at']).execute();
  await db.schema.createIndex('orders_created_idx').on('orders').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('orders_updated_idx').on('orders').columns(['updated_at', 'id']).execute();
  await db.schema.createIndex('orders_status_idx').on('orders').columns(['status', 'created_at']).execute();

  await db.schema
    .createTable('order_payloads')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('fetched_at', 'text', (c) => c.notNull())
    .addColumn('raw_hash', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('order_payloads_order_idx').on('order_payloads').columns(['order_id', 'id']).execute();

  await db.schema
    .createTable('order_journal')
    .addColumn('seq', serial, (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text')
    .addColumn('diff', 'text')
    .addColumn('run_id', 'integer')
    .execute();
  await db.schema.createIndex('order_journal_order_idx').on('order_journal').columns(['order_id', 'seq']).execute();

  await db.schema
    .createTable('sync_runs')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('fetched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('warnings', 'text')
    .execute();
  await db.schema.createIndex('sync_runs_connection_idx').on('sync_runs').columns(['connection', 'id']).execute();

  await db.schema
    .createTable('sync_failures')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('run_id', 'integer')
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sync_failures_connection_idx').on('sync_failures').columns(['connection', 'id']).execute();
};

/**
 * orders_status_idx (status, created_at) is a prefix of 0002's orders_api_status_created_idx
 * (status, created_at, id), which serves every query it served: one B-tree less to update per order.
 */
const dropRedundantStatusIndex: DialectMigration = async (db) => {
  await db.schema.dropIndex('orders_status_idx').ifExists().execute();
};

/** Ordered list; names sort lexicographically, which is how Kysely orders them. Append only. */
const MIGRATIONS: Array<[string, DialectMigration]> = [
  ['0001_initial', initial],
  ['0002_api', apiMigration],
  ['0003_alza_dropship', dropshipMigration],
  ['0004_drop_redundant_status_index', dropRedundantStatusIndex],
  ['0005_order_search', createSearchIndex],
  ['0006_order_search_fold', foldSearchIndex],
];

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, up] of MIGRATIONS) out[name] = { up: (db) => up(db, dialect) };
      return out;
    },
  };
}
