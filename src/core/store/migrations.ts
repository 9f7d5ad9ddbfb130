/**
 * The core's tables (connections, orders, payloads, journal, sync runs and failures, the search
 * index) as a store module, and the migration provider that runs the migrations of every module a
 * store is opened with. One list for both dialects: the only dialect difference is the auto-increment
 * key type, so each migration receives the dialect and picks it; everything else is portable Kysely DDL.
 */
import { type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { defineStoreModule, type Dialect, type DialectMigration, type StoreModule } from './module.ts';
import { createSearchIndex, foldSearchIndex } from './search.ts';

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

/**
 * Closed orders are re-checked for late changes for a while after they last changed (sync/refresh.ts):
 * their lookup by (connection, open, updated_at) would otherwise scan every closed order of the
 * connection on every run.
 */
const closedOrdersChangedIndex: DialectMigration = async (db) => {
  await db.schema.createIndex('orders_changed_idx').ifNotExists().on('orders').columns(['connection', 'open', 'updated_at']).execute();
};

/**
 * Who made each change in the journal (the audit trail): an opaque text the writer gives — the core
 * does not interpret it (`sync:<run id>`, `api:<key name>`, `cli`, …). Rows written before have none.
 */
const journalActor: DialectMigration = async (db) => {
  await db.schema.alterTable('order_journal').addColumn('actor', 'text').execute();
};

/** The core's migrations. Append only; see module.ts for how names are chosen across modules. */
export const coreStoreModule: StoreModule = defineStoreModule({
  name: 'core',
  migrations: [
    { name: '0001_initial', up: initial },
    { name: '0004_drop_redundant_status_index', up: dropRedundantStatusIndex },
    { name: '0005_order_search', up: createSearchIndex },
    { name: '0006_order_search_fold', up: foldSearchIndex },
    { name: '0008_orders_changed_index', up: closedOrdersChangedIndex },
    { name: '0012_journal_actor', up: journalActor },
  ],
});

/** The core first, then the others once each (a module passed twice is the same module). */
export function withCoreModule(modules: readonly StoreModule[]): StoreModule[] {
  const out: StoreModule[] = [coreStoreModule];
  for (const m of modules) if (!out.some((o) => o.name === m.name)) out.push(m);
  return out;
}

/**
 * Every module's migrations in one Kysely provider. Names must be unique across modules; they run in
 * name order, and a module added to a store later (its migrations sort before ones already run) is
 * still migrated, which is why the migrator allows unordered migrations. `ranElsewhere` are
 * migrations the store has run that no module of this process declares (a process that opens the
 * store with fewer modules, e.g. a core-only tool): they stand in the list as done, so the migrator
 * does not take the store for corrupted.
 */
export function migrationProvider(modules: readonly StoreModule[], dialect: Dialect, ranElsewhere: readonly string[] = []): MigrationProvider {
  const owner = new Map<string, string>();
  for (const m of modules) {
    for (const { name } of m.migrations) {
      const other = owner.get(name);
      if (other !== undefined) throw new Error(`store migration ${name} is declared by both ${other} and ${m.name}`);
      owner.set(name, m.name);
    }
  }
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const m of modules) for (const { name, up } of m.migrations) out[name] = { up: (db) => up(db, dialect) };
      for (const name of ranElsewhere) out[name] ??= { up: async () => {} };
      return out;
    },
  };
}

/**
 * Reads the store's migration history before migrating: migrations split out of one the store
 * already ran are recorded as done (with its timestamp), and the names of every migration run are
 * returned. A new store (no history table yet) has none.
 */
export async function prepareHistory(db: Kysely<unknown>, modules: readonly StoreModule[], table: string): Promise<string[]> {
  const exists = await db.introspection.getTables({ withInternalKyselyTables: true }).then((ts) => ts.some((t) => t.name === table));
  if (!exists) return [];
  const history = db as unknown as Kysely<Record<string, { name: string; timestamp: string }>>;
  const rows = await history.selectFrom(table).select(['name', 'timestamp']).execute();
  const ran = new Map(rows.map((r) => [r.name, r.timestamp]));
  for (const m of modules.flatMap((x) => x.migrations)) {
    const at = m.splitFrom === undefined ? undefined : ran.get(m.splitFrom);
    if (at === undefined || ran.has(m.name)) continue;
    await history
      .insertInto(table)
      .values({ name: m.name, timestamp: at })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    ran.set(m.name, at);
  }
  return [...ran.keys()];
}
