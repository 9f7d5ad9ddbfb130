/**
 * Issue 19, defect 5: a sync that runs out of space says so. The cause (SQLite's "database or disk is
 * full") reaches the run, the connection's last error and its health, and the lease is released so
 * the next sync can start. The disk is "filled" with SQLite's max_page_count on the test store's
 * connection: the file may not grow, as on a full disk.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { listRuns } from '../../src/core/store/runs.ts';
import { openTestStore } from '../support/stores.ts';
import { drinksConfig, startSim, sync } from './support.ts';

describe('a sync on a full disk [sqlite]', () => {
  it('records the real cause on the run, the connection and its health, and releases the lease', async () => {
    const sim = await startSim(600, 3);
    const t = await openTestStore('sqlite');
    try {
      const config = drinksConfig(sim);
      const { page_count: pages } = (await sql<{ page_count: number }>`pragma page_count`.execute(t.store.db)).rows[0]!;
      // room for the run's own rows, not for 600 orders
      await sql.raw(`pragma max_page_count = ${pages + 2}`).execute(t.store.db);

      const summary = await sync(t.store, config);
      expect(summary.status).toBe('failed');
      expect(summary.error).toMatch(/database or disk is full/);

      const [run] = await listRuns(t.store.db, { connection: 'drinks' });
      expect(run).toMatchObject({ status: 'failed', error: expect.stringMatching(/database or disk is full/) });
      expect(run!.finished_at).not.toBeNull();
      const conn = await t.store.db.selectFrom('connections').selectAll().where('name', '=', 'drinks').executeTakeFirstOrThrow();
      expect(conn.last_error).toMatch(/database or disk is full/);
      expect(conn.health).toBe('needs_attention');
      expect(conn.attention).toMatch(/database or disk is full/);
      expect(conn.lock_owner).toBeNull();

      // room again: the next sync starts at once (no lease left behind), succeeds and clears the health
      await sql.raw('pragma max_page_count = 1073741823').execute(t.store.db);
      const next = await sync(t.store, config);
      expect(next.status, next.error ?? '').toBe('succeeded');
      const after = await t.store.db.selectFrom('connections').select(['health', 'attention', 'last_error']).where('name', '=', 'drinks').executeTakeFirstOrThrow();
      expect(after).toEqual({ health: 'ok', attention: null, last_error: null });
    } finally {
      await t.cleanup();
      await sim.close();
    }
  });
});
