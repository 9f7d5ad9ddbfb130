/**
 * A prepared-statement cache for better-sqlite3 under Kysely. Kysely's SQLite driver calls
 * `db.prepare(sql)` for every query; compiling the same SQL again costs about as much as running it
 * (profiled: a third of the store time of an Alza dropship Insert). Statements are reused by SQL text.
 * A statement still being iterated (a streamed query) is `busy` and cannot run again until the
 * iteration ends, so a busy one is never handed out: that query gets a fresh statement.
 */
import type { Database, Statement } from 'better-sqlite3';

export function cachePreparedStatements(db: Database, capacity = 500): void {
  const cache = new Map<string, Statement>();
  const prepare = db.prepare.bind(db) as (sql: string) => Statement;
  db.prepare = ((sql: string) => {
    const cached = cache.get(sql);
    if (cached && !cached.busy) {
      // (re-inserted: the Map's order is the LRU order)
      cache.delete(sql);
      cache.set(sql, cached);
      return cached;
    }
    const statement = prepare(sql);
    if (!cached) {
      cache.set(sql, statement);
      if (cache.size > capacity) cache.delete(cache.keys().next().value!);
    }
    return statement;
  }) as Database['prepare'];
}
