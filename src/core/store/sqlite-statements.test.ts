import SqliteDatabase from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { cachePreparedStatements } from './sqlite-statements.ts';

let db: SqliteDatabase.Database | null = null;
afterEach(() => db?.close());

function open(capacity?: number): SqliteDatabase.Database {
  db = new SqliteDatabase(':memory:');
  cachePreparedStatements(db, capacity);
  db.exec('create table t (n integer)');
  db.prepare('insert into t values (?)').run(1);
  db.prepare('insert into t values (?)').run(2);
  return db;
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
