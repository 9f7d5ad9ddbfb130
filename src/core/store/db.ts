/**
 * Opening the store: one Kysely query layer over better-sqlite3 (the embedded default) or pg.
 * `database` is a file path (SQLite, WAL) or a postgres:// URL. On open, the migrations of the core
 * and of every module passed in `modules` run (see module.ts); the handle's `db` is typed with the
 * core's tables, and a module reads its own through `store.db.withTables<ItsTables>()`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import type { Database } from './schema.ts';
import { withStatementCache } from './sqlite-statements.ts';
import { migrationProvider, prepareHistory, withCoreModule } from './migrations.ts';
import type { Dialect, StoreModule } from './module.ts';
import { registerSearchFold } from './search.ts';
import { BUSY_TIMEOUT_MS, DEFAULT_LOCK_WAIT_MS, LockWaitingSqliteDialect } from './sqlite-lock.ts';

export type { Dialect, StoreModule } from './module.ts';
export { LockWait } from './sqlite-lock.ts';

export interface StoreHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** the modules whose tables this store has (the core first) */
  modules: readonly StoreModule[];
  /** where the data lives, secrets removed (for messages) */
  location: string;
  close(): Promise<void>;
}

// COUNT(*) and bigserial come back from pg as int8 strings; our counters stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

export function redactDatabaseUrl(database: string): string {
  return isPostgresUrl(database) ? database.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@') : database;
}

/**
 * Whether `err` says the store has no room left: SQLite's SQLITE_FULL ("database or disk is full":
 * the disk, or max_page_count) or PostgreSQL's disk_full (53100). No retry helps; someone has to
 * free space.
 */
export function isStorageFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === '53100';
}

export async function openStore(
  database: string,
  options: {
    modules?: readonly StoreModule[];
    migrate?: boolean;
    poolSize?: number;
    onIdleError?: (err: Error) => void;
    /** SQLite: how long work waits for another process's write lock before it fails (default 10 s; see sqlite-lock.ts) */
    lockWaitMs?: number;
  } = {},
): Promise<StoreHandle> {
  const modules = withCoreModule(options.modules ?? []);
  let handle: StoreHandle;
  if (isPostgresUrl(database)) {
    const pool = new pg.Pool({ connectionString: database, max: options.poolSize ?? 10 });
    // An idle pooled connection that the server closes (restart, failover, admin termination) is
    // reported here; the pool already discarded it and the next query opens a new one. Without a
    // listener Node treats the event as an uncaught exception and the whole process dies.
    pool.on('error', (err) => {
      options.onIdleError?.(err);
    });
    handle = {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      dialect: 'postgres',
      modules,
      location: redactDatabaseUrl(database),
      close: async () => {
        await handle.db.destroy();
      },
    };
  } else {
    const file = resolve(database.replace(/^sqlite:(\/\/)?/, ''));
    mkdirSync(dirname(file), { recursive: true });
    const sqlite = new SqliteDatabase(file);
    // 16 KiB pages: an order row (canonical JSON + hashes) is ~2 KB, so 4 KiB pages split B-tree
    // nodes constantly; measured ~2x faster bulk inserts. Only takes effect on a new, empty file.
    sqlite.pragma('page_size = 16384');
    // WAL: readers (CLI, API) never block the syncing writer. NORMAL is durable across process
    // crashes, which is the failure we design for; a power cut may lose the last commit (documented).
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    // Several processes (scheduler, CLI, API) share the file: work waits for a lock instead of
    // failing, but SQLite's own wait blocks the event loop, so all of the wait is asynchronous
    // (sqlite-lock.ts).
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('foreign_keys = ON');
    // 16 MB page cache instead of 2 MB: the order indexes outgrow the default as the store grows
    // (measured at 200k orders: sync +8% orders/s for +5 MB peak RSS).
    sqlite.pragma('cache_size = -16384');
    registerSearchFold(sqlite);
    handle = {
      db: new Kysely<Database>({
        dialect: new LockWaitingSqliteDialect({ database: withStatementCache(sqlite) }, { sqlite, location: file, lockWaitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS }),
      }),
      dialect: 'sqlite',
      modules,
      location: file,
      close: async () => {
        await handle.db.destroy();
      },
    };
  }
  if (options.migrate !== false) await migrate(handle);
  return handle;
}

const MIGRATION_TABLE = 'kysely_migration';

export async function migrate(handle: StoreHandle): Promise<void> {
  const ran = await prepareHistory(handle.db as unknown as Kysely<unknown>, handle.modules, MIGRATION_TABLE);
  const migrator = new Migrator({
    db: handle.db,
    provider: migrationProvider(handle.modules, handle.dialect, ran),
    migrationTableName: MIGRATION_TABLE,
    // Modules add their migrations to one history; one added to a store later sorts before
    // migrations the store already ran, and must still run.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed on ${handle.location}: ${(error as Error).message}`, { cause: error });
  }
}
