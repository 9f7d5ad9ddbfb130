/**
 * The two CSV layouts of an order export (docs/api.md, "CSV layouts"):
 * - `orders`: one row per order, the items as a JSON array in one column so nothing is lost;
 * - `items`: one row per order item, the order's key columns repeated on each, named as in `orders`
 *   so the two files join on `id`. An order without items still gets one row (empty item columns),
 *   so every exported order appears in either layout.
 * Every cell goes through csv-stringify; text that a spreadsheet would run as a formula is neutralised
 * (spreadsheet-formulas.ts).
 */
import { stringify } from 'csv-stringify/sync';
import type { CanonicalOrder, OrderItem } from './canonical/order.ts';
import { neutraliseFormula } from './spreadsheet-formulas.ts';

export const CSV_LAYOUTS = ['orders', 'items'] as const;
export type CsvLayout = (typeof CSV_LAYOUTS)[number];

/** Makes Excel read the file as UTF-8 (otherwise "Šťastná Łucja" shows as mojibake). */
export const UTF8_BOM = '\uFEFF';

type Cell = string | null;

export const CSV_COLUMNS = [
  'id', 'connection', 'channel', 'externalId', 'number', 'createdAt', 'updatedAt', 'status', 'channelStatus', 'currency',
  'totalItems', 'totalShipping', 'total', 'taxIncluded', 'paid', 'paymentMethod', 'shippingMethod', 'trackingNumbers',
  'customerName', 'customerEmail', 'customerPhone', 'customerCompany', 'customerCompanyId', 'customerVatId',
  'shippingName', 'shippingCompany', 'shippingStreet', 'shippingCity', 'shippingPostalCode', 'shippingCountry',
  'billingName', 'billingCompany', 'billingStreet', 'billingCity', 'billingPostalCode', 'billingCountry',
  'itemCount', 'items', 'note',
] as const;

/** One CSV row per order (the `orders` layout), values as stored; the items as a JSON array. */
export function csvRow(o: CanonicalOrder): Cell[] {
  const b = (v: boolean | null) => (v === null ? null : String(v));
  return [
    o.id, o.connection, o.channel, o.externalId, o.number, o.createdAt, o.updatedAt, o.status, o.channelStatus, o.currency,
    o.totals.items, o.totals.shipping, o.totals.total, b(o.totals.taxIncluded), b(o.paid), o.paymentMethod, o.shippingMethod,
    o.trackingNumbers.join(' '),
    o.customer.name, o.customer.email, o.customer.phone, o.customer.company, o.customer.companyId, o.customer.vatId,
    o.shippingAddress?.name ?? null, o.shippingAddress?.company ?? null, o.shippingAddress?.street ?? null,
    o.shippingAddress?.city ?? null, o.shippingAddress?.postalCode ?? null, o.shippingAddress?.country ?? null,
    o.billingAddress?.name ?? null, o.billingAddress?.company ?? null, o.billingAddress?.street ?? null,
    o.billingAddress?.city ?? null, o.billingAddress?.postalCode ?? null, o.billingAddress?.country ?? null,
    String(o.items.length), JSON.stringify(o.items), o.note,
  ];
}

/** The order's columns repeated on each item row of the `items` layout (names as in CSV_COLUMNS). */
export const ITEM_ORDER_COLUMNS = [
  'id', 'connection', 'channel', 'externalId', 'number', 'createdAt', 'status', 'currency', 'total',
  'customerName', 'customerEmail', 'customerCompany', 'shippingCountry',
] as const;

/** The item's own columns: its 1-based position in the order, then the canonical item's fields. */
export const ITEM_COLUMNS = [
  'itemPosition', 'itemLineId', 'itemSku', 'itemEan', 'itemName', 'itemQuantity',
  'itemUnitPriceNet', 'itemUnitPriceGross', 'itemVatRate', 'itemTotalNet', 'itemTotalGross',
] as const;

export const CSV_ITEM_COLUMNS = [...ITEM_ORDER_COLUMNS, ...ITEM_COLUMNS] as const;

function orderKeyCells(o: CanonicalOrder): Cell[] {
  return [
    o.id, o.connection, o.channel, o.externalId, o.number, o.createdAt, o.status, o.currency, o.totals.total,
    o.customer.name, o.customer.email, o.customer.company, o.shippingAddress?.country ?? null,
  ];
}

function itemCells(item: OrderItem, position: number): Cell[] {
  return [
    String(position), item.lineId, item.sku, item.ean, item.name, item.quantity,
    item.unitPriceNet, item.unitPriceGross, item.vatRate, item.totalNet, item.totalGross,
  ];
}

/** The `items` layout's rows of one order: one per item, or one with empty item columns. */
export function csvItemRows(o: CanonicalOrder): Cell[][] {
  const key = orderKeyCells(o);
  if (o.items.length === 0) return [[...key, ...ITEM_COLUMNS.map(() => null)]];
  return o.items.map((item, i) => [...key, ...itemCells(item, i + 1)]);
}

const LAYOUTS: Record<CsvLayout, { columns: readonly string[]; rows: (o: CanonicalOrder) => Cell[][] }> = {
  orders: { columns: CSV_COLUMNS, rows: (o) => [csvRow(o)] },
  items: { columns: CSV_ITEM_COLUMNS, rows: csvItemRows },
};

// csv-stringify's cast hook sees every string cell (null stays an empty cell).
const STRINGIFY_OPTIONS = { cast: { string: neutraliseFormula } };

export function csvHeader(layout: CsvLayout): string {
  return stringify([[...LAYOUTS[layout].columns]]);
}

/** The CSV text of one order's row(s) in the layout, formulas neutralised. */
export function csvRecords(o: CanonicalOrder, layout: CsvLayout): string {
  return stringify(LAYOUTS[layout].rows(o), STRINGIFY_OPTIONS);
}
