/**
 * Waiting for SQLite's write lock without blocking the event loop.
 *
 * better-sqlite3 is synchronous: with a long `busy_timeout`, a statement that finds the write lock
 * taken (another process's sync, a `sqlite3` shell in `BEGIN EXCLUSIVE`) sleeps inside SQLite, and
 * the whole process with it: a server answered nothing, not even /healthz, for as long as an outside
 * lock was held (issue 19). So there is no busy timeout (`BUSY_TIMEOUT_MS`), and a statement that
 * finds the lock taken is retried after an asynchronous backoff, up to a total wait: the
 * store's (`lockWaitMs`, 10 s by default, what the busy timeout used to be), or a shorter one for
 * work started inside `LockWait.run` (an API request, which answers 503 rather than hang).
 *
 * Only statements that did nothing can be retried: a statement outside a transaction (SQLite runs it
 * in its own) and the `BEGIN IMMEDIATE` that opens each transaction. Transactions take the write lock
 * when they begin, so no statement inside one waits for it, and a waiting transaction has not run
 * any of its work yet. While a statement waits, the connection is handed back: reads and other
 * work of this process go on meanwhile (WAL: reads never need the write lock).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import {
  CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type QueryResult, type SqliteDialectConfig,
} from 'kysely';
import { StoreBusyError } from '../errors.ts';

/**
 * SQLite's own wait per attempt, which blocks the thread: none. Measured on the 2-core VM with another
 * process holding the lock for 3 s and one write waiting for it: the event loop's longest stall was
 * 3 000 ms with the old 10 s busy timeout, 144 ms with 100 ms, 26–65 ms with 20 ms, and 7–60 ms
 * with 0 or 5 ms, which is this shared VM's own noise (mean stall 1.2–1.3 ms either way); two
 * processes writing 3 000 small transactions each against one file took the same time (0.8–2 s,
 * noise again) with 0, 2, 5 or 10 ms. So SQLite never sleeps, and every wait is asynchronous.
 */
export const BUSY_TIMEOUT_MS = 0;

/** The store's default total wait for the write lock (the busy timeout used to be 10 s). */
export const DEFAULT_LOCK_WAIT_MS = 10_000;

/** Backoff between attempts: 2, 4, 8 … ms up to this, each with jitter. */
const MAX_BACKOFF_MS = 100;

const scopes = new AsyncLocalStorage<LockWait>();

/**
 * A total wait for the write lock for the work started inside `run` (e.g. one API request). Work that
 * outlives the scope (a sync a request started in the background) waits as the store does once the
 * scope has `end`ed.
 */
export class LockWait {
  private ended = false;
  constructor(readonly ms: number) {}

  run<T>(fn: () => T): T {
    return scopes.run(this, fn);
  }

  end(): void {
    this.ended = true;
  }

  /** the wait for work started now */
  static current(storeDefaultMs: number): number {
    const scope = scopes.getStore();
    return scope && !scope.ended ? scope.ms : storeDefaultMs;
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

interface LockOptions {
  sqlite: SqliteDatabase;
  /** the file, for messages */
  location: string;
  lockWaitMs: number;
}

class LockWaitingDriver extends SqliteDriver {
  private connection: DatabaseConnection | undefined;

  constructor(
    config: SqliteDialectConfig,
    private readonly lock: LockOptions,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const base = await super.acquireConnection();
    this.connection ??= {
      executeQuery: <R>(query: CompiledQuery) => this.whenUnlocked(() => base.executeQuery<R>(query)),
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => base.streamQuery<R>(query, chunkSize),
    };
    return this.connection;
  }

  /** The write lock is taken at BEGIN: a transaction waits before it does anything, never halfway. */
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR, …); a second
   * rollback would fail with "cannot rollback - no transaction is active" and that message would
   * replace the error that says what happened.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.lock.sqlite.inTransaction) await super.rollbackTransaction(connection);
  }

  private async whenUnlocked<T>(run: () => Promise<T>): Promise<T> {
    let waitMs = 0;
    let since = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await run();
      } catch (err) {
        // inside a transaction a statement cannot be repeated alone (and never waits: see BEGIN)
        if (!isBusy(err) || this.lock.sqlite.inTransaction) throw err;
        if (attempt === 0) {
          waitMs = LockWait.current(this.lock.lockWaitMs);
          since = Date.now();
        }
        const left = since + waitMs - Date.now();
        if (left <= 0) throw new StoreBusyError(this.lock.location, waitMs, err);
        const backoff = Math.min(MAX_BACKOFF_MS, 2 ** (attempt + 1));
        // hand the connection back while waiting: reads and other work of this process go on
        await this.releaseConnection();
        try {
          await sleep(Math.min(left, backoff / 2 + Math.random() * (backoff / 2)));
        } finally {
          await super.acquireConnection();
        }
      }
    }
  }
}

/** Kysely's SQLite dialect over `sqlite`, waiting for the write lock as described above. */
export class LockWaitingSqliteDialect extends SqliteDialect {
  constructor(
    private readonly config: SqliteDialectConfig,
    private readonly lock: LockOptions,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new LockWaitingDriver(this.config, this.lock);
  }
}
