/**
 * Stock and catalog of a supplier branch: per product code (case-insensitive, trimmed) the EAN, name,
 * quantity on hand and purchase price (exact decimal). Reservations of dropship orders are counted
 * in `reserved`; what Alza may order is on hand − reserved.
 *
 * An import sets on-hand quantities (what the warehouse counted); it never touches reservations.
 * File formats: CSV with the header `code,ean,name,quantity,price`, or a JSON array of objects with
 * those keys.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { decimalFromJsonNumber, normalizeDecimal } from '../../core/canonical/money.ts';
import { OrderhubError } from '../../core/errors.ts';
import type { StoreHandle } from '../../core/store/db.ts';
import { productCode, productKey } from './schemas.ts';
import { dropshipDb } from './store.ts';

export interface StockRow {
  code: string;
  ean: string | null;
  name: string | null;
  quantity: number;
  /** purchase price without VAT and fees; null when unknown */
  price: string | null;
}

export interface Branch {
  supplierId: number;
  supplierBranchId: number;
}

/** A stock file or request that cannot be taken: the user's to fix (the CLI's exit 2, the API's 422). */
export class StockFileError extends OrderhubError {
  constructor(readonly problems: string[]) {
    super('usage', `the stock file has ${problems.length} problem(s):\n  - ${problems.slice(0, 20).join('\n  - ')}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`);
  }
}

/** Replacing the stock with an empty list (it would set every product to 0) was not confirmed. */
export class EmptyReplaceError extends OrderhubError {
  constructor(branch: Branch, howToConfirm: string) {
    super('usage', `replacing the stock with an empty list would set every product of branch ${branch.supplierBranchId} to 0 (on hand); ${howToConfirm} if that is what you want`);
  }
}

const CSV_HEADER = ['code', 'ean', 'name', 'quantity', 'price'];

/**
 * Rows one API request may set (README "Limits"); a longer list is refused by its length before any
 * row is checked. The CLI imports files of any length.
 */
export const MAX_STOCK_ROWS = 20_000;

function cleanOptional(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
}

/** Validates one row (from CSV: strings; from JSON: strings or numbers). */
function readRow(raw: Record<string, unknown>, where: string, problems: string[]): StockRow | null {
  const before = problems.length;
  const codeParsed = productCode.safeParse(typeof raw.code === 'number' ? String(raw.code) : raw.code);
  if (!codeParsed.success) problems.push(`${where}: code ${codeParsed.error.issues[0]!.message}`);
  const ean = cleanOptional(raw.ean);
  if (ean !== null && !/^[0-9A-Za-z]{1,20}$/.test(ean)) problems.push(`${where}: ean "${ean}" must be up to 20 letters or digits`);
  const name = cleanOptional(raw.name);
  if (name !== null && name.length > 300) problems.push(`${where}: name is longer than 300 characters`);
  const qRaw = typeof raw.quantity === 'number' ? String(raw.quantity) : cleanOptional(raw.quantity);
  let quantity = 0;
  if (qRaw === null || !/^\d{1,9}$/.test(qRaw)) problems.push(`${where}: quantity "${qRaw ?? ''}" must be a whole number from 0`);
  else quantity = Number(qRaw);
  let price: string | null = null;
  if (typeof raw.price === 'number') {
    price = Number.isFinite(raw.price) && raw.price >= 0 ? decimalFromJsonNumber(raw.price) : null;
    if (price === null) problems.push(`${where}: price must be a decimal number from 0`);
  } else {
    const p = cleanOptional(raw.price);
    if (p !== null) {
      if (!/^\d{1,10}(\.\d{1,6})?$/.test(p)) problems.push(`${where}: price "${p}" must be a decimal number such as 199.90 (a dot, no thousands separators)`);
      else price = normalizeDecimal(p);
    }
  }
  if (problems.length > before) return null;
  return { code: codeParsed.data!, ean, name, quantity, price };
}

/**
 * Reads a stock file: JSON when it starts with `[`, CSV otherwise. Every problem is reported at once.
 * More than `maxRows` rows are refused before any is checked.
 */
export function parseStockFile(text: string, options: { maxRows?: number } = {}): StockRow[] {
  const body = text.replace(/^\uFEFF/, '');
  const problems: string[] = [];
  const rows: StockRow[] = [];
  let records: Array<{ where: string; raw: Record<string, unknown> }>;
  if (body.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      throw new StockFileError([`not valid JSON: ${(err as Error).message}`]);
    }
    if (!Array.isArray(parsed)) throw new StockFileError(['a JSON stock file must be an array of products']);
    records = parsed.map((raw, i) => {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) problems.push(`[${i}]: must be an object`);
      return { where: `[${i}]`, raw: (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown> };
    });
  } else {
    let table: string[][];
    try {
      table = parseCsv(body, { skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
    } catch (err) {
      throw new StockFileError([`not valid CSV: ${(err as Error).message}`]);
    }
    const header = (table[0] ?? []).map((h) => h.toLowerCase());
    if (header.join(',') !== CSV_HEADER.join(',')) {
      throw new StockFileError([`the first line must be the header ${CSV_HEADER.join(',')} (found: ${header.join(',') || 'nothing'})`]);
    }
    records = table.slice(1).map((cells, i) => ({
      where: `line ${i + 2}`,
      raw: Object.fromEntries(CSV_HEADER.map((h, j) => [h, cells[j]])),
    }));
  }
  if (options.maxRows !== undefined && records.length > options.maxRows) {
    throw new StockFileError([`the stock file has ${records.length} rows; at most ${options.maxRows} are taken at once (import larger files with orderhub stock import)`]);
  }
  const seen = new Map<string, string>();
  for (const { where, raw } of records) {
    const row = readRow(raw, where, problems);
    if (!row) continue;
    const key = productKey(row.code);
    const first = seen.get(key);
    if (first) problems.push(`${where}: code ${row.code} is already listed (${first}); codes are case-insensitive`);
    else seen.set(key, where);
    rows.push(row);
  }
  if (problems.length > 0) throw new StockFileError(problems);
  return rows;
}

export interface ImportResult {
  created: number;
  updated: number;
  /** products not in the file whose on-hand quantity was set to 0 (replace mode) */
  zeroed: number;
}

export interface SetStockOptions {
  /** products missing from the list get on hand 0 */
  replace?: boolean;
  /**
   * How the caller confirms a replace with an empty list (e.g. "add --yes"): without it such a replace
   * is refused (EmptyReplaceError), since it sets every product to 0. Given: the replace goes ahead.
   */
  emptyReplace?: { confirmed: boolean; howToConfirm: string };
  now?: Date;
}

/**
 * Sets products of a branch: on-hand quantity, EAN, name and price of every listed product, in one
 * transaction. With `replace`, products missing from the list get on hand 0 (they stay in the
 * catalog: reservations may still point at them); with an empty list only when confirmed.
 */
export async function setStock(store: StoreHandle, branch: Branch, rows: readonly StockRow[], options: SetStockOptions = {}): Promise<ImportResult> {
  if (options.replace && rows.length === 0 && options.emptyReplace?.confirmed !== true) {
    throw new EmptyReplaceError(branch, options.emptyReplace?.howToConfirm ?? 'confirm it');
  }
  const db = dropshipDb(store);
  const supplierId = String(branch.supplierId);
  const branchId = String(branch.supplierBranchId);
  const now = (options.now ?? new Date()).toISOString();
  const result: ImportResult = { created: 0, updated: 0, zeroed: 0 };
  await db.transaction().execute(async (trx) => {
    const keys = new Set<string>();
    for (const row of rows) {
      const key = productKey(row.code);
      keys.add(key);
      const res = await trx
        .insertInto('dropship_products')
        .values({
          supplier_id: supplierId, branch_id: branchId, code_key: key, code: row.code.trim(), ean: row.ean, name: row.name,
          on_hand: row.quantity, reserved: 0, price: row.price, reported: null, updated_at: now,
        })
        .onConflict((oc) => oc.columns(['supplier_id', 'branch_id', 'code_key']).doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0) === 1) {
        result.created++;
        continue;
      }
      await trx
        .updateTable('dropship_products')
        .set({ code: row.code.trim(), ean: row.ean, name: row.name, on_hand: row.quantity, price: row.price, updated_at: now })
        .where('supplier_id', '=', supplierId)
        .where('branch_id', '=', branchId)
        .where('code_key', '=', key)
        .execute();
      result.updated++;
    }
    if (options.replace) {
      const others = await trx
        .selectFrom('dropship_products')
        .select('code_key')
        .where('supplier_id', '=', supplierId)
        .where('branch_id', '=', branchId)
        .where('on_hand', '>', 0)
        .execute();
      for (const o of others) {
        if (keys.has(o.code_key)) continue;
        await trx
          .updateTable('dropship_products')
          .set({ on_hand: 0, updated_at: now })
          .where('supplier_id', '=', supplierId)
          .where('branch_id', '=', branchId)
          .where('code_key', '=', o.code_key)
          .execute();
        result.zeroed++;
      }
    }
  });
  return result;
}

export async function importStockFile(
  store: StoreHandle,
  branch: Branch,
  text: string,
  options: SetStockOptions & { maxRows?: number } = {},
): Promise<ImportResult & { rows: number }> {
  const rows = parseStockFile(text, { maxRows: options.maxRows });
  return { ...(await setStock(store, branch, rows, options)), rows: rows.length };
}

export interface StockListing {
  code: string;
  ean: string | null;
  name: string | null;
  onHand: number;
  reserved: number;
  /** on hand − reserved, never below 0 */
  available: number;
  price: string | null;
  reservations: Array<{ orderNumber: string; quantity: number; connection: string }>;
}

/** Products of a branch with their reservations, by code. */
export async function listStock(store: StoreHandle, branch: Branch, options: { code?: string } = {}): Promise<StockListing[]> {
  const db = dropshipDb(store);
  const supplierId = String(branch.supplierId);
  const branchId = String(branch.supplierBranchId);
  let q = db.selectFrom('dropship_products').selectAll().where('supplier_id', '=', supplierId).where('branch_id', '=', branchId);
  if (options.code !== undefined) q = q.where('code_key', '=', productKey(options.code));
  const products = await q.orderBy('code_key').execute();
  let rq = db
    .selectFrom('dropship_reservations')
    .select(['code_key', 'order_number', 'quantity', 'connection'])
    .where('supplier_id', '=', supplierId)
    .where('branch_id', '=', branchId);
  if (options.code !== undefined) rq = rq.where('code_key', '=', productKey(options.code));
  const reservations = await rq.orderBy('order_number').execute();
  const byKey = new Map<string, StockListing['reservations']>();
  for (const r of reservations) {
    const list = byKey.get(r.code_key) ?? [];
    list.push({ orderNumber: r.order_number, quantity: r.quantity, connection: r.connection });
    byKey.set(r.code_key, list);
  }
  return products.map((p) => ({
    code: p.code,
    ean: p.ean,
    name: p.name,
    onHand: p.on_hand,
    reserved: p.reserved,
    available: Math.max(0, p.on_hand - p.reserved),
    price: p.price,
    reservations: byKey.get(p.code_key) ?? [],
  }));
}
