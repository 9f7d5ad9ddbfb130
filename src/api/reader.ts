/**
 * The hot read path of GET /v1/orders. On SQLite the API reads through its own connection to the
 * same file (WAL: readers never block the writer nor wait for it) with prepared statements cached by
 * SQL text and a larger page cache; Kysely still builds every query. On PostgreSQL queries simply go
 * through the store's pool.
 */
import { setFlagsFromString } from 'node:v8';
import SqliteDatabase from 'better-sqlite3';
import type { Compilable, Kysely } from 'kysely';
import type { StoreHandle } from '../core/store/db.ts';
import { StatementCache } from '../core/store/sqlite-statements.ts';
import type { Database } from '../core/store/schema.ts';

export interface QueryReader {
  all<R>(query: Compilable<R>): Promise<R[]>;
  /** the rows as arrays of their selected columns, in select order (no object per row) */
  tuples(query: Compilable<unknown>): Promise<unknown[][]>;
  close(): void;
}

class KyselyReader implements QueryReader {
  constructor(private readonly db: Kysely<Database>) {}
  async all<R>(query: Compilable<R>): Promise<R[]> {
    return (await this.db.executeQuery(query.compile())).rows;
  }
  async tuples(query: Compilable<unknown>): Promise<unknown[][]> {
    // (pg and Kysely keep the select order in a row object's keys)
    return (await this.all(query)).map((row) => Object.values(row as object) as unknown[]);
  }
  close(): void {}
}

/**
 * Call once at the start of a process that serves the API (`orderhub serve` and each of its
 * `--processes` workers, the demo, the API benchmark's server): a process-wide V8 flag, so it is set
 * where the process starts rather than by whichever reader happens to be made first.
 *
 * A page read as bytes is one Buffer per row (51 per page). V8 frees the memory behind dead Buffers
 * on a helper thread by default, and those frees contend with the main thread's allocations for
 * malloc's arena lock (perf: a fifth of a page's time in malloc/free, much of it futex waits).
 * Sweeping them on the main thread during GC instead took a page of 50 orders from 290 to 175 µs
 * (loop over the reader, 1 000 000 orders); a full sync measured the same either way, so the
 * scheduler and workers sharing the process lose nothing. V8 reads the flag at every GC; setting it
 * again is harmless.
 */
export function sweepArrayBuffersOnMainThread(): void {
  setFlagsFromString('--no-concurrent-array-buffer-sweeping');
}

class SqliteReader implements QueryReader {
  private readonly conn: SqliteDatabase.Database;
  private readonly statements: StatementCache;

  constructor(file: string) {
    this.conn = new SqliteDatabase(file, { fileMustExist: true });
    this.conn.pragma('busy_timeout = 10000');
    this.conn.pragma('query_only = true');
    this.conn.pragma('cache_size = -65536'); // 64 MiB
    this.conn.pragma('mmap_size = 268435456');
    this.statements = new StatementCache(this.conn);
  }

  async all<R>(query: Compilable<R>): Promise<R[]> {
    const { sql, parameters } = query.compile();
    return this.statements.prepare(sql).all(...(parameters as unknown[])) as R[];
  }

  // Arrays instead of row objects: better-sqlite3 builds each row object key by key in C++, about a
  // tenth of the time of a page of 50 orders.
  async tuples(query: Compilable<unknown>): Promise<unknown[][]> {
    const { sql, parameters } = query.compile();
    const statement = this.statements.prepare(sql);
    statement.raw(true);
    try {
      return statement.all(...(parameters as unknown[])) as unknown[][];
    } finally {
      statement.raw(false); // (the statement is cached and shared with all())
    }
  }

  close(): void {
    this.conn.close();
  }
}

export function createReader(store: StoreHandle): QueryReader {
  return store.dialect === 'sqlite' ? new SqliteReader(store.location) : new KyselyReader(store.db);
}

/** Queries through Kysely itself (what createReader gives on PostgreSQL), for callers without a reader. */
export function kyselyReader(db: Kysely<Database>): QueryReader {
  return new KyselyReader(db);
}
