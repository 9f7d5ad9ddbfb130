/**
 * Modules own their tables: every module's migrations run when the product opens a store, a store
 * made before the tables were split into modules opens unchanged, a process that loads fewer modules
 * still opens the store, and a module added later is migrated.
 */
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { openStore, type StoreHandle } from '../../src/core/store/db.ts';
import { defineStoreModule } from '../../src/core/store/module.ts';
import { openHubStore, storeModules } from '../../src/store-modules.ts';
import { createTestDatabase, tempDir } from '../support/pg.ts';
import { describeEachStore, type StoreKind } from '../support/stores.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freshDatabase(kind: StoreKind): Promise<string> {
  if (kind === 'sqlite') {
    const dir = tempDir('orderhub-modules-');
    cleanups.push(async () => dir.cleanup());
    return join(dir.path, 'orderhub.db');
  }
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return db.url;
}

async function opened(p: Promise<StoreHandle>): Promise<StoreHandle> {
  const store = await p;
  cleanups.push(() => store.close());
  return store;
}

async function history(store: StoreHandle): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
  return rows.rows.map((r) => r.name);
}

async function tables(store: StoreHandle): Promise<string[]> {
  return (await store.db.introspection.getTables()).map((t) => t.name).sort();
}

describeEachStore('store modules', (kind) => {
  it('creates every module’s tables and records each module’s migrations', async () => {
    const store = await opened(openHubStore(await freshDatabase(kind)));
    const names = await tables(store);
    for (const t of ['orders', 'order_journal', 'api_keys', 'idempotency_keys', 'write_backs', 'webhook_subscriptions', 'webhook_deliveries', 'dropship_orders', 'dropship_outbox']) {
      expect(names).toContain(t);
    }
    const declared = storeModules.flatMap((m) => m.migrations.map((x) => x.name));
    expect(await history(store)).toEqual(expect.arrayContaining(['0001_initial', ...declared]));
  });

  it('opens a store made before the tables were split into modules (0002_api created the outbox and webhook tables)', async () => {
    const database = await freshDatabase(kind);
    const first = await openHubStore(database);
    // what such a store's history says: 0002_api, no 0002_api_outbox / 0002_api_webhooks, and the tables exist
    await sql`delete from kysely_migration where name in ('0002_api_outbox', '0002_api_webhooks')`.execute(first.db);
    await first.close();

    const store = await opened(openHubStore(database));
    expect(await history(store)).toEqual(expect.arrayContaining(['0002_api', '0002_api_outbox', '0002_api_webhooks']));
    expect(await tables(store)).toContain('write_backs');
  });

  it('opens a full store from a process that loads only the core’s module, and migrates a module added later', async () => {
    const database = await freshDatabase(kind);
    await (await openHubStore(database)).close();
    const coreOnly = await opened(openStore(database));
    expect(await coreOnly.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 0 });

    // a module whose migration sorts before migrations the store already ran
    const late = defineStoreModule({
      name: 'late',
      migrations: [{ name: '0003_late_notes', up: (db: Kysely<unknown>) => db.schema.createTable('late_notes').addColumn('id', 'text').execute() }],
    });
    const withLate = await opened(openStore(database, { modules: [...storeModules, late] }));
    expect(await tables(withLate)).toContain('late_notes');
  });
});

it('refuses two modules that declare the same migration name', async () => {
  const dir = tempDir('orderhub-modules-');
  cleanups.push(async () => dir.cleanup());
  const a = defineStoreModule({ name: 'a', migrations: [{ name: '0100_x', up: async () => {} }] });
  const b = defineStoreModule({ name: 'b', migrations: [{ name: '0100_x', up: async () => {} }] });
  await expect(openStore(join(dir.path, 'x.db'), { modules: [a, b] })).rejects.toThrow(/0100_x is declared by both a and b/);
});
