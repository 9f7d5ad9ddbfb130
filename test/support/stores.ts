/**
 * Runs a suite against every store dialect: a fresh SQLite file and a fresh PostgreSQL database on
 * the test cluster (skipped only when no cluster exists; CI requires one).
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe } from 'vitest';
import type { StoreHandle } from '../../src/core/store/db.ts';
import { openHubStore } from '../../src/store-modules.ts';
import { createTestDatabase, hasPg, tempDir } from './pg.ts';

export type StoreKind = 'sqlite' | 'postgres';

export interface TestStore {
  store: StoreHandle;
  /** the `database` setting that opens this store (for configs and child processes) */
  database: string;
  cleanup(): Promise<void>;
}

export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'sqlite') {
    const dir = tempDir('orderhub-store-');
    const database = join(dir.path, 'orderhub.db');
    const store = await openHubStore(database);
    return { store, database, cleanup: async () => { await store.close(); dir.cleanup(); } };
  }
  const db = await createTestDatabase();
  const store = await openHubStore(db.url);
  return { store, database: db.url, cleanup: async () => { await store.close(); await db.drop(); } };
}

export function storeKinds(): StoreKind[] {
  return ['sqlite', 'postgres'];
}

/** describe.each over both dialects; the PostgreSQL suite is skipped when no cluster is available. */
export function describeEachStore(name: string, fn: (kind: StoreKind) => void): void {
  for (const kind of storeKinds()) {
    describe.skipIf(kind === 'postgres' && !hasPg())(`${name} [${kind}]`, () => fn(kind));
  }
}

/** A fresh store for each test of the suite, set up by `setUp`, closed and removed after the test. */
export function storePerTest(kind: StoreKind, setUp?: (t: TestStore) => Promise<unknown>): { readonly t: TestStore } {
  let current: TestStore | undefined;
  beforeEach(async () => {
    current = await openTestStore(kind);
    await setUp?.(current);
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return {
    get t() {
      if (!current) throw new Error('storePerTest: no store outside a test');
      return current;
    },
  };
}
