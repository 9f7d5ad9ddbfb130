/**
 * Issue 19, defect 5, at the store: when the disk is full SQLite rolls the whole transaction back by
 * itself; the error a transaction fails with must still be SQLite's "database or disk is full", not
 * the "cannot rollback - no transaction is active" of a second rollback. The disk is "filled" with
 * max_page_count on the store's connection: the file may not grow, as on a full disk.
 */
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/pg.ts';
import { ensureConnection } from '../connections.ts';
import { isStorageFull, openStore, type StoreHandle } from '../db.ts';

describe('a transaction on a full disk [sqlite]', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: StoreHandle;

  beforeEach(async () => {
    dir = tempDir('orderhub-full-');
    store = await openStore(join(dir.path, 'orderhub.db'));
    await ensureConnection(store.db, 'shop', 'testshop');
    // A table with neither a unique index nor AUTOINCREMENT: SQLite then rolls back the whole
    // transaction on SQLITE_FULL, not only the statement (as it does when a disk fills during a write)
    await sql`create table filler (v text)`.execute(store.db);
    const { page_count: pages } = (await sql<{ page_count: number }>`pragma page_count`.execute(store.db)).rows[0]!;
    await sql.raw(`pragma max_page_count = ${pages}`).execute(store.db);
  });
  afterEach(async () => {
    await store.close();
    dir.cleanup();
  });

  it('fails with SQLITE_FULL ("database or disk is full"), and the store stays usable', async () => {
    const err = await store.db
      .transaction()
      .execute(async (trx) => {
        await ensureConnection(trx, 'other', 'testshop');
        await sql`insert into filler (v) values (${'x'.repeat(200_000)})`.execute(trx);
      })
      .then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'SQLITE_FULL', message: 'database or disk is full' });
    expect(isStorageFull(err)).toBe(true);
    expect(isStorageFull(new Error('cannot rollback - no transaction is active'))).toBe(false);
    // nothing of it was stored, and the next transaction runs
    expect((await store.db.selectFrom('connections').select('name').execute()).map((r) => r.name)).toEqual(['shop']);
    await store.db.transaction().execute(async (trx) => ensureConnection(trx, 'third', 'testshop'));
    expect((await store.db.selectFrom('connections').select('name').orderBy('name').execute()).map((r) => r.name)).toEqual(['shop', 'third']);
  });
});
