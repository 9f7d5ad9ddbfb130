/**
 * The write-back outbox's table: one row per accepted status/tracking/document request, leased by the
 * worker that delivers it to the channel. Same conventions as the core's tables.
 */
import type { Generated, Kysely } from 'kysely';
import { defineStoreModule } from '../core/store/module.ts';
import { leasedRowColumns } from '../core/store/leased-rows.ts';
import type { Database } from '../core/store/schema.ts';

export interface WriteBacksTable {
  id: string;
  order_id: string;
  connection: string;
  /** 'status' | 'tracking' | 'document' */
  kind: string;
  request: string;
  /** 'accepted' | 'delivered' | 'refused' | 'failed' */
  state: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  error_code: string | null;
  error: string | null;
  result: string | null;
  api_key_id: string | null;
  /** who asked (`api:<key name>`, `cli`); its read-back is journalled as theirs. Null on rows from before 0013 */
  actor: string | null;
  /** the bulk request that queued it (`bulk_…`), else null */
  bulk_id: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

// a type alias, not an interface: Kysely's withTables wants a type with an implicit index signature
export type OutboxTables = {
  write_backs: WriteBacksTable;
};

/** The core's tables and the outbox's. */
export type OutboxDatabase = Database & OutboxTables;

/** Any store's Kysely instance (or transaction), typed with these tables as well. */
export function outboxTables(db: Kysely<Database>): Kysely<OutboxDatabase> {
  return db.withTables<OutboxTables>();
}

async function createWriteBacks(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('write_backs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('connection', 'text', (c) => c.notNull())
    /** 'status' | 'tracking' (| 'document' since 0013) */
    .addColumn('kind', 'text', (c) => c.notNull())
    /** JSON of the accepted request body */
    .addColumn('request', 'text', (c) => c.notNull())
    /** 'accepted' (pending) | 'delivered' | 'refused' | 'failed' */
    .$call(leasedRowColumns)
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
}

/** Who asked for each write-back (the audit trail), and the bulk request that queued it. */
async function addActorAndBulk(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('write_backs').addColumn('actor', 'text').execute();
  await db.schema.alterTable('write_backs').addColumn('bulk_id', 'text').execute();
  await db.schema.createIndex('write_backs_bulk_idx').on('write_backs').columns(['bulk_id', 'state']).execute();
}

export const outboxStoreModule = defineStoreModule({
  name: 'outbox',
  migrations: [
    // Created by 0002_api before the outbox declared its own table.
    { name: '0002_api_outbox', up: createWriteBacks, splitFrom: '0002_api' },
    { name: '0013_outbox_actor_bulk', up: addActorAndBulk },
  ],
});
