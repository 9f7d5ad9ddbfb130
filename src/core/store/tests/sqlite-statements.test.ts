import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, expect, it, vi } from 'vitest';
import { StatementCache, withStatementCache } from '../sqlite-statements.ts';

let db: SqliteDatabase.Database | null = null;
afterEach(() => {
  if (db?.open) db.close();
});

function open(capacity?: number): StatementCache {
  db = new SqliteDatabase(':memory:');
  db.exec('create table t (n integer)');
  db.prepare('insert into t values (?)').run(1);
  db.prepare('insert into t values (?)').run(2);
  return new StatementCache(db, capacity);
}

it('reuses a statement for the same SQL', () => {
  const d = open();
  expect(d.prepare('select n from t order by n')).toBe(d.prepare('select n from t order by n'));
  expect(d.prepare('select n from t order by n').all()).toEqual([{ n: 1 }, { n: 2 }]);
});

it('never hands out a statement that is still being iterated', () => {
  const d = open();
  const seen: unknown[] = [];
  for (const row of d.prepare('select n from t order by n').iterate()) {
    // the same SQL while the first iteration is open: a fresh statement, not the busy one
    seen.push([row, d.prepare('select n from t order by n').all()]);
  }
  expect(seen).toEqual([[{ n: 1 }, [{ n: 1 }, { n: 2 }]], [{ n: 2 }, [{ n: 1 }, { n: 2 }]]]);
});

it('keeps at most `capacity` statements, dropping the least recently used', () => {
  const d = open(2);
  const a = d.prepare('select 1');
  d.prepare('select 2');
  expect(d.prepare('select 1')).toBe(a); // a is now the most recent
  d.prepare('select 3'); // evicts "select 2"
  expect(d.prepare('select 1')).toBe(a);
  const b = d.prepare('select 2');
  expect(d.prepare('select 2')).toBe(b);
});

it('gives Kysely the cache without touching the database: a repeated query is prepared once', async () => {
  open();
  const raw = db!;
  const ownPrepare = raw.prepare;
  const database = withStatementCache(raw);
  expect(raw.prepare).toBe(ownPrepare); // the instance is left as it is
  const prepare = vi.spyOn(raw, 'prepare');
  const kysely = new Kysely<{ t: { n: number } }>({ dialect: new SqliteDialect({ database }) });
  const query = () => kysely.selectFrom('t').select('n').where('n', '>', 0).orderBy('n').execute();
  expect(await query()).toEqual([{ n: 1 }, { n: 2 }]);
  expect(await query()).toEqual([{ n: 1 }, { n: 2 }]);
  expect(prepare.mock.calls.filter(([text]) => text.startsWith('select')).length).toBe(1);
  prepare.mockRestore();
  await kysely.destroy();
  expect(raw.open).toBe(false); // closing Kysely closes the database
});
