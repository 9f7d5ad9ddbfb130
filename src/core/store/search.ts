/**
 * Order search (`q` of GET /v1/orders and exports): a case-insensitive substring of the order number,
 * the channel's external id, the customer's name or e-mail, or an item's SKU.
 *
 * Scanning the canonical JSON with LIKE took 1.6–8.6 s for a rare term over 1 000 000 orders, and
 * better-sqlite3 runs a query on the event loop, so one search stalled every other request of the
 * server for that long. Now the searchable text is indexed by trigrams:
 * - SQLite: an FTS5 table with the trigram tokenizer (substring LIKE served by the index), kept by
 *   triggers on `orders`, so every writer (sync, dropship projection, tests) keeps it current in the
 *   same transaction without knowing it exists. SQLite's LIKE (and so the index) folds case for ASCII
 *   letters only — "černá" would not find "Černá", nor "łukasz" "Łukasz" — so the indexed text is
 *   stored lower-cased by JavaScript's Unicode rules (`orderhub_search_fold`, a function every store
 *   connection registers) and terms are lower-cased the same way.
 * - PostgreSQL: a GIN trigram index (pg_trgm) on the same text as an expression, used by ILIKE. Where
 *   the extension cannot be created (a managed server without it), search still works, as a scan.
 *
 * A term matching a large share of the orders ("nowak") is answered faster by walking the sort index
 * and testing rows than by collecting every match and sorting; see `searchMode`.
 */
import type { Database as SqliteConnection } from 'better-sqlite3';
import { sql, type Compilable, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Dialect } from './module.ts';
import type { Database } from './schema.ts';

/**
 * Lower-cases the searchable text of an order (SQLite). Registered on every connection of a store
 * (openStore): the search triggers call it, so a connection without it cannot write orders.
 */
export function registerSearchFold(conn: SqliteConnection): void {
  conn.function('orderhub_search_fold', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? foldSearchText(text) : text));
}

function foldSearchText(text: string): string {
  return text.toLowerCase();
}

/** the searchable text of a canonical order document `doc` (SQLite JSON functions), folded */
function sqliteSearchText(doc: string): string {
  return `orderhub_search_fold(concat_ws(' ', json_extract(${doc}, '$.number'), json_extract(${doc}, '$.externalId'), json_extract(${doc}, '$.customer.name'), ` +
    `json_extract(${doc}, '$.customer.email'), (select group_concat(json_extract(i.value, '$.sku'), ' ') from json_each(${doc}, '$.items') i)))`;
}

/** the same for PostgreSQL; immutable (|| and coalesce, not concat_ws), so it can be indexed */
const PG_SEARCH_TEXT =
  `coalesce(data::jsonb->>'number', '') || ' ' || coalesce(data::jsonb->>'externalId', '') || ' ' || ` +
  `coalesce(data::jsonb->'customer'->>'name', '') || ' ' || coalesce(data::jsonb->'customer'->>'email', '') || ' ' || ` +
  `jsonb_path_query_array(data::jsonb, '$.items[*].sku')::text`;

/** SQLite: indexes every order in `orders` (a fresh store, or after bulk loading with the insert trigger off). */
export const SQLITE_SEARCH_BACKFILL = `insert into order_search (rowid, text) select rowid, ${sqliteSearchText('data')} from orders`;

/** SQLite: keeps the index current as orders are inserted. */
export const SQLITE_SEARCH_INSERT_TRIGGER = `create trigger orders_search_insert after insert on orders begin
      insert into order_search (rowid, text) values (new.rowid, ${sqliteSearchText('new.data')}); end`;

/**
 * SQLite: (re)creates the index table, indexes every order and creates the triggers that keep it
 * current. (Dropped and made anew rather than emptied: deleting a million rows from an FTS5 table
 * leaves their tombstones in the index, and rare terms took 200–400 ms instead of a few.)
 */
async function rebuildSqliteSearch(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists orders_search_insert`.execute(db);
  await sql`drop trigger if exists orders_search_update`.execute(db);
  await sql`drop trigger if exists orders_search_delete`.execute(db);
  await sql`drop table if exists order_search`.execute(db);
  await sql`create virtual table order_search using fts5(text, tokenize = 'trigram', detail = 'none')`.execute(db);
  await sql.raw(SQLITE_SEARCH_BACKFILL).execute(db);
  await sql.raw(SQLITE_SEARCH_INSERT_TRIGGER).execute(db);
  await sql.raw(`create trigger orders_search_update after update of data on orders begin
    update order_search set text = ${sqliteSearchText('new.data')} where rowid = new.rowid; end`).execute(db);
  await sql`create trigger orders_search_delete after delete on orders begin
    delete from order_search where rowid = old.rowid; end`.execute(db);
}

export async function createSearchIndex(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    await rebuildSqliteSearch(db);
    return;
  }
  // (pg_trgm is a trusted extension: the database owner may create it; skipped if it is not installed)
  await sql.raw(`do $$ begin
      create extension if not exists pg_trgm;
    exception when others then
      raise notice 'pg_trgm unavailable (%): order search will scan', sqlerrm;
    end $$`).execute(db);
  await sql.raw(`do $$ begin
      if exists (select 1 from pg_extension where extname = 'pg_trgm') then
        create index orders_search_trgm_idx on orders using gin ((${PG_SEARCH_TEXT}) gin_trgm_ops);
      end if;
    end $$`).execute(db);
}

/**
 * Migration 0006: stores created before the indexed text was folded get it folded (the whole index is
 * rebuilt: about 15 s per million orders on the development VM; a store older than 0005 is indexed
 * twice, once by each). Nothing to do on PostgreSQL, whose ILIKE folds by itself.
 */
export async function foldSearchIndex(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') await rebuildSqliteSearch(db);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/** How a search runs on SQLite: through the trigram index, or by testing rows in sort order. */
export type SearchMode = 'index' | 'scan';

/** at least this many matches make walking the sort index the faster plan (measured at 1M orders) */
const DENSE_MATCHES = 5_000;

const WILDCARDS = /[%_\\]/;

/**
 * Picks the plan for `q` on SQLite: a term with fewer than DENSE_MATCHES matches is looked up in the
 * trigram index (a few ms at 1M orders), a common one is tested row by row in sort order, where
 * matches come quickly (tens of ms). A term the index cannot serve (under three characters, or with
 * LIKE's wildcard characters, matched literally) is tested against every indexed text, which is
 * still far cheaper than reading the documents (150–450 ms at 1M orders instead of seconds).
 */
export async function searchMode(db: Kysely<Database>, all: <R>(query: Compilable<R>) => Promise<R[]>, q: string): Promise<SearchMode> {
  if ([...q].length < 3 || WILDCARDS.test(q)) return 'index';
  const matches = sql<number>`(select count(*) from (select 1 from order_search where text like ${`%${foldSearchText(q)}%`} limit ${DENSE_MATCHES}))`;
  const rows = await all(db.selectNoFrom(matches.as('n')));
  return Number(rows[0]?.n ?? 0) >= DENSE_MATCHES ? 'scan' : 'index';
}

/**
 * The WHERE condition on `orders` for search term `q`, case-insensitive for every letter on SQLite
 * (folded text, see above); on PostgreSQL ILIKE folds by the database's LC_CTYPE (all letters in a
 * UTF-8 locale, ASCII only in the C locale).
 */
export function searchCondition(dialect: Dialect, q: string, mode: SearchMode = 'index'): Expression<SqlBool> {
  if (dialect === 'postgres') return sql<SqlBool>`${sql.raw(PG_SEARCH_TEXT)} ilike ${`%${escapeLike(q)}%`} escape '\\'`;
  const term = foldSearchText(q);
  const escaped = `%${escapeLike(term)}%`;
  // row by row: the order's indexed text, looked up by rowid (no JSON to read, folded as stored)
  if (mode === 'scan') return sql<SqlBool>`(select text from order_search where order_search.rowid = orders.rowid) like ${escaped} escape '\\'`;
  // (an ESCAPE clause keeps FTS5 from using the trigram index, so only when there is something to escape)
  const match = WILDCARDS.test(term) ? sql`text like ${escaped} escape '\\'` : sql`text like ${`%${term}%`}`;
  return sql<SqlBool>`orders.rowid in (select rowid from order_search where ${match})`;
}
