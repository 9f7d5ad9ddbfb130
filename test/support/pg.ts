// Test helpers for PostgreSQL-backed suites and temp files.
//
//   import { describeIfPg, createTestDatabase } from '../support/pg.ts';
//
//   describeIfPg('postgres store', () => {
//     let db: TestDatabase;
//     beforeAll(async () => { db = await createTestDatabase(); });
//     afterAll(async () => { await db.drop(); });
//     it('...', async () => { /* connect to db.url */ });
//   });
//
// The cluster is started once per `vitest run` by test/support/global-setup.ts.
// When PostgreSQL is unavailable, describeIfPg/itIfPg suites are skipped, except
// with ORDERHUB_REQUIRE_PG=1 (CI), where global setup fails instead.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, inject, it } from 'vitest';

/** URL of the throwaway test cluster's `postgres` database (superuser), or null when PG is unavailable. */
export function pgUrl(): string | null {
  let url: string | null | undefined;
  try {
    url = inject('pgUrl');
  } catch {
    url = undefined; // not inside a vitest worker
  }
  return url ?? process.env.ORDERHUB_TEST_PG_URL ?? null;
}

export function hasPg(): boolean {
  return pgUrl() !== null;
}

/** The cluster URL; throws if PostgreSQL is unavailable (use inside describeIfPg/itIfPg). */
export function requirePgUrl(): string {
  const url = pgUrl();
  if (!url) throw new Error('PostgreSQL test cluster is not available (see the global-setup warning)');
  return url;
}

/** `describe` that is skipped when no PostgreSQL test cluster is available. */
export function describeIfPg(name: string, fn: () => void): void {
  describe.skipIf(!hasPg())(name, fn);
}

/** `it` that is skipped when no PostgreSQL test cluster is available. */
export function itIfPg(name: string, fn: () => unknown | Promise<unknown>, timeout?: number): void {
  it.skipIf(!hasPg())(name, fn, timeout);
}

export interface TestDatabase {
  /** Connection URL of the new database (superuser `postgres`). */
  url: string;
  /** Database name. */
  name: string;
  /** Drops the database (WITH (FORCE): open connections are terminated). Idempotent. */
  drop(): Promise<void>;
}

let dbCounter = 0;

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a fresh, uniquely named database on the test cluster for isolation
 * between test files (which run in parallel). Call drop() in afterAll.
 */
export async function createTestDatabase(prefix = 'orderhub_test'): Promise<TestDatabase> {
  const adminUrl = requirePgUrl();
  const safePrefix = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30);
  const name = `${safePrefix}_${process.pid}_${++dbCounter}_${Math.random().toString(36).slice(2, 8)}`;
  // template0: nobody is ever connected to it, so concurrent CREATE DATABASE calls cannot
  // fail with "source database is being accessed by other users".
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8'`));

  const u = new URL(adminUrl);
  u.pathname = `/${encodeURIComponent(name)}`;
  let dropped = false;
  return {
    url: u.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
}

export interface TempDir {
  path: string;
  /** Removes the directory and everything in it. Idempotent. */
  cleanup(): void;
}

/** Creates a fresh temp directory (under os.tmpdir()). */
export function tempDir(prefix = 'orderhub-test-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    cleanup() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}
