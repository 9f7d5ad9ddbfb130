/**
 * A prepared-statement cache for better-sqlite3. Kysely's SQLite driver calls `prepare(sql)` for
 * every query; compiling the same SQL again costs about as much as running it (profiled: a third of
 * the store time of an Alza dropship Insert). Statements are reused by SQL text, the least recently
 * used dropped beyond `capacity`. A statement still being iterated (a streamed query) is `busy` and
 * cannot run again until the iteration ends, so a busy one is never handed out: that query gets a
 * fresh statement.
 *
 * The database itself is left as it is: Kysely is given `withStatementCache(db)`, an object with the
 * two methods its dialect calls, and the API's reader prepares through its own StatementCache.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

export class StatementCache {
  // (a Map's order is insertion order: re-inserting on each hit makes it the LRU order)
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly capacity = 500,
  ) {}

  prepare(sql: string): Statement {
    const cached = this.statements.get(sql);
    if (cached && !cached.busy) {
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.db.prepare(sql);
    if (!cached) {
      this.statements.set(sql, statement);
      if (this.statements.size > this.capacity) this.statements.delete(this.statements.keys().next().value!);
    }
    return statement;
  }
}

/** `db` as Kysely's SqliteDialect uses it (prepare and close), its statements prepared through a cache. */
export function withStatementCache(db: Database, capacity?: number): SqliteDatabase {
  const statements = new StatementCache(db, capacity);
  return {
    prepare: (sql) => statements.prepare(sql),
    close: () => db.close(),
  };
}
