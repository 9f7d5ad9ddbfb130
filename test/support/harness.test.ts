// Checks the test harness itself: the PostgreSQL test cluster from global setup,
// per-test databases, and temp dirs.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, describeIfPg, pgUrl, tempDir } from './pg.ts';

describe('test harness', () => {
  it('has PostgreSQL when ORDERHUB_REQUIRE_PG=1 (CI must never silently skip PG suites)', () => {
    if (process.env.ORDERHUB_REQUIRE_PG === '1') {
      expect(pgUrl(), 'ORDERHUB_REQUIRE_PG=1 but no PostgreSQL test cluster').toMatch(/^postgres:\/\//);
    }
  });

  it('exposes the cluster URL to child processes via ORDERHUB_TEST_PG_URL', () => {
    expect(process.env.ORDERHUB_TEST_PG_URL ?? null).toBe(pgUrl());
  });

  it('tempDir creates and removes a directory', () => {
    const dir = tempDir('orderhub-harness-');
    writeFileSync(join(dir.path, 'x.txt'), 'x');
    expect(existsSync(join(dir.path, 'x.txt'))).toBe(true);
    dir.cleanup();
    expect(existsSync(dir.path)).toBe(false);
    dir.cleanup(); // idempotent
  });
});

describeIfPg('PostgreSQL test cluster', () => {
  it('creates an isolated database, round-trips a row, and drops it', async () => {
    const db = await createTestDatabase('harness');
    expect(db.url).toContain(`/${db.name}`);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows: cur } = await client.query<{ db: string }>('select current_database() as db');
      expect(cur[0]?.db).toBe(db.name);
      await client.query('create table t (id int primary key, note text not null)');
      await client.query('insert into t (id, note) values ($1, $2)', [1, 'zażółć']);
      const { rows } = await client.query<{ id: number; note: string }>('select id, note from t');
      expect(rows).toEqual([{ id: 1, note: 'zażółć' }]);
    } finally {
      await client.end();
    }

    await db.drop();
    await db.drop(); // idempotent

    const admin = new pg.Client({ connectionString: pgUrl()! });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [db.name]);
      expect(rowCount).toBe(0);
    } finally {
      await admin.end();
    }
  });

  it('drop() works while connections are still open (WITH FORCE)', async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => {}); // the forced drop terminates this connection
    await client.connect();
    await client.query('select 1');
    await db.drop();
    await expect(client.query('select 1')).rejects.toThrow();
    await client.end().catch(() => {});
  });
});
