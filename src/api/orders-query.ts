/**
 * GET /v1/orders: filters and keyset pagination. The cursor is opaque to clients (base64url JSON of
 * the sort and the last row's key), so a page never repeats or skips rows even while orders are
 * added, and deep pages cost the same as the first. Rows are returned as the stored canonical JSON
 * text, spliced into the response without a parse/serialise round trip.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Dialect } from '../core/store/db.ts';
import { afterKey } from '../core/store/orders.ts';
import { searchCondition, searchMode, type SearchMode } from '../core/store/search.ts';
import type { Database } from '../core/store/schema.ts';
import { ApiError } from './errors.ts';
import { kyselyReader, type QueryReader } from './reader.ts';

export const ORDER_SORTS = ['-createdAt', 'createdAt', '-updatedAt', 'updatedAt'] as const;
export type OrderSort = (typeof ORDER_SORTS)[number];

export interface OrderListFilter {
  connection?: string[] | undefined;
  channel?: string[] | undefined;
  status?: string[] | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
  updatedFrom?: string | undefined;
  updatedTo?: string | undefined;
  q?: string | undefined;
}

interface Cursor {
  s: OrderSort;
  k: string;
  id: string;
}

export function encodeOrderCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeOrderCursor(text: string, sort: OrderSort): Cursor {
  const bad = () => new ApiError(400, 'validation_failed', 'cursor is not one this API returned (or was made for another sort)');
  if (text.length > 512) throw bad();
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const o = c as Partial<Cursor>;
  if (!o || typeof o !== 'object' || o.s !== sort || typeof o.k !== 'string' || typeof o.id !== 'string') throw bad();
  return { s: o.s, k: o.k, id: o.id };
}

type OrdersQuery = SelectQueryBuilder<Database, 'orders', object>;

export function applyOrderFilter(q: OrdersQuery, f: OrderListFilter, dialect: Dialect, search: SearchMode = 'index'): OrdersQuery {
  const inOrEq = (query: OrdersQuery, col: 'connection' | 'channel' | 'status', values: string[] | undefined) => {
    if (!values || values.length === 0) return query;
    return values.length === 1 ? query.where(col, '=', values[0]!) : query.where(col, 'in', values);
  };
  q = inOrEq(q, 'connection', f.connection);
  q = inOrEq(q, 'channel', f.channel);
  q = inOrEq(q, 'status', f.status);
  if (f.createdFrom) q = q.where('created_at', '>=', f.createdFrom);
  if (f.createdTo) q = q.where('created_at', '<', f.createdTo);
  if (f.updatedFrom) q = q.where('updated_at', '>=', f.updatedFrom);
  if (f.updatedTo) q = q.where('updated_at', '<', f.updatedTo);
  // order number, external id, customer name or e-mail, SKU (core/store/search.ts)
  if (f.q) q = q.where(searchCondition(dialect, f.q, search));
  return q;
}

const MAX_EXPANSION = 24;

/**
 * One page of orders. A filter with several values for one field (status=new,confirmed) is run as one
 * indexed query per combination, merged here: an `IN (…)` sorted by date would make the database
 * sort every match, which is slow on large stores.
 */
export async function listOrders(
  db: Kysely<Database>,
  dialect: Dialect,
  params: { filter: OrderListFilter; sort: OrderSort; limit: number; cursor?: string | undefined; reader?: QueryReader | undefined; asBytes?: boolean },
): Promise<{ rows: Array<string | Buffer>; next: string | null }> {
  /** a row as the reader hands it over: id, the sort column's value, the document */
  type Row = [id: string, key: string, data: string | Buffer];
  const { sort, limit, filter } = params;
  const col = sort.endsWith('createdAt') ? 'created_at' : 'updated_at';
  const desc = sort.startsWith('-');
  const cursor = params.cursor ? decodeOrderCursor(params.cursor, sort) : null;
  const reader = params.reader ?? kyselyReader(db);
  const search = dialect === 'sqlite' && filter.q ? await searchMode(db, (query) => reader.all(query), filter.q) : 'index';
  const run = async (f: OrderListFilter) => {
    let q = applyOrderFilter(db.selectFrom('orders'), f, dialect, search);
    if (cursor) q = q.where((eb) => afterKey(eb, col, desc ? 'desc' : 'asc', cursor));
    // SQLite hands the JSON over as bytes (cast to blob): no UTF-8 decode here and no encode when the
    // response is written, which is most of the cost of a page of 50 orders.
    const data = dialect === 'sqlite' && params.asBytes ? sql<Buffer>`cast(data as blob)`.as('data') : sql<string>`data`.as('data');
    const query = q
      .select(['id', col])
      .select(data)
      .orderBy(col, desc ? 'desc' : 'asc')
      .orderBy('id', desc ? 'desc' : 'asc')
      .limit(limit + 1);
    return (await reader.tuples(query)) as Row[];
  };

  const combos = expand(filter);
  let rows: Row[];
  if (combos.length <= 1) {
    rows = await run(combos[0] ?? filter);
  } else {
    const parts = await Promise.all(combos.map(run));
    rows = parts.flat().sort(([aId, aKey], [bId, bKey]) => {
      const c = aKey < bKey ? -1 : aKey > bKey ? 1 : aId < bId ? -1 : aId > bId ? 1 : 0;
      return desc ? -c : c;
    }).slice(0, limit + 1);
  }
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  const next = more && last ? encodeOrderCursor({ s: sort, k: last[1], id: last[0] }) : null;
  return { rows: page.map((r) => r[2]), next };
}

/** The single-valued filters a multi-valued one stands for (or [filter] when not worth it). */
function expand(filter: OrderListFilter): OrderListFilter[] {
  let out: OrderListFilter[] = [filter];
  for (const field of ['connection', 'channel', 'status'] as const) {
    const values = filter[field];
    if (!values || values.length < 2) continue;
    const unique = [...new Set(values)];
    if (out.length * unique.length > MAX_EXPANSION) return [filter];
    out = out.flatMap((f) => unique.map((v) => ({ ...f, [field]: [v] })));
  }
  return out;
}

/** Every matching order, oldest first, in batches (exports). */
export async function* streamFilteredOrders(
  db: Kysely<Database>,
  dialect: Dialect,
  filter: OrderListFilter,
  batchSize = 1000,
  reader?: QueryReader,
): AsyncGenerator<string> {
  let cursor: string | undefined;
  for (;;) {
    const page = await listOrders(db, dialect, { filter, sort: 'createdAt', limit: batchSize, cursor, reader });
    for (const r of page.rows) yield typeof r === 'string' ? r : r.toString('utf8');
    if (!page.next) return;
    cursor = page.next;
  }
}
