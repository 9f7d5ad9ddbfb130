/**
 * The hot read path of GET /v1/orders. On SQLite the API reads through its own connection to the
 * same file (WAL: readers never block the writer nor wait for it) with prepared statements cached by
 * SQL text and a larger page cache; Kysely still builds every query. On PostgreSQL queries simply go
 * through the store's pool.
 */
import SqliteDatabase from 'better-sqlite3';
import type { Compilable, Kysely } from 'kysely';
import type { StoreHandle } from '../core/store/db.ts';
import { cachePreparedStatements } from '../core/store/sqlite-statements.ts';
import type { Database } from '../core/store/schema.ts';

export interface QueryReader {
  all<R>(query: Compilable<R>): Promise<R[]>;
  close(): void;
}

class KyselyReader implements QueryReader {
  constructor(private readonly db: Kysely<Database>) {}
  async all<R>(query: Compilable<R>): Promise<R[]> {
    return (await this.db.executeQuery(query.compile())).rows;
  }
  close(): void {}
}

class SqliteReader implements QueryReader {
  private readonly conn: SqliteDatabase.Database;

  constructor(file: string) {
    this.conn = new SqliteDatabase(file, { fileMustExist: true });
    this.conn.pragma('busy_timeout = 10000');
    this.conn.pragma('query_only = true');
    this.conn.pragma('cache_size = -65536'); // 64 MiB
    this.conn.pragma('mmap_size = 268435456');
    cachePreparedStatements(this.conn);
  }

  async all<R>(query: Compilable<R>): Promise<R[]> {
    const { sql, parameters } = query.compile();
    return this.conn.prepare(sql).all(...(parameters as unknown[])) as R[];
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
