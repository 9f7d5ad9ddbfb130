/**
 * One raw ecom.md order (the ASSUMED read model in schemas.ts) → the canonical order. Decisions,
 * documented in README.md:
 * - externalId = id; number = null (ecom.md shows the id to people).
 * - currency MDL: ecom.md is a Moldovan platform selling in lei; the read model carries no currency.
 * - items: unitPriceGross = loyalty_price when given (what the client pays), else price; totalGross =
 *   quantity × that, exactly; net prices and VAT rates are not given (null). Retail prices in Moldova
 *   are quoted with VAT, hence taxIncluded = true.
 * - totals.total = total_price as sent (it may include delivery or promo discounts the read model does
 *   not itemise, so it is never recomputed); totals.items = Σ line totals; shipping = null (unknown).
 * - shipping address: city = locality name (or the region's when no locality); street = address,
 *   then "sector <name>" (Chișinău only), then the region name when it differs from the city;
 *   postalCode = zip_code; country MD; name/phone/email from the customer.
 * - billing address only for legal entities: juridical_address (one text) as street.
 * - customer.companyId = fiscal_code (IDNO).
 * - status = top-level status; when absent, the items' common order_status (malformed if they differ).
 */
import type { ZodError } from 'zod';
import type { Address, Customer, MappedOrder, OrderItem } from '../../core/canonical/order.ts';
import { addDecimals, multiplyDecimals, scaleOf } from '../../core/canonical/money.ts';
import type { MapResult } from '../../core/connector.ts';
import { wireDecimal } from '../kit/decimals.ts';
import { describeIssues } from '../kit/issues.ts';
import { ECOMMD_DEFAULT_ZONE, ecommdTimeToUtc } from './datetime.ts';
import { orderSchema, type EcommdOrder, type EcommdOrderItem } from './schemas.ts';
import { mapEcommdStatus } from './status-map.ts';

export const ECOMMD_CURRENCY = 'MDL';
export const ECOMMD_COUNTRY = 'MD';

/** The order id of a raw record as a string, or null (then the engine quarantines it). */
export function ecommdIdOf(record: unknown): string | null {
  if (record === null || typeof record !== 'object') return null;
  const id = (record as { id?: unknown }).id;
  if (typeof id === 'number') return Number.isSafeInteger(id) && id >= 0 ? String(id) : null;
  if (typeof id === 'string' && /^\d+$/.test(id.trim())) return id.trim().replace(/^0+(?=\d)/, '');
  return null;
}

function clean(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const t = value.trim();
  return t === '' ? null : t;
}

/** `malformed ecom.md order 123: created_at: … (got "not-a-date")` */
function describeMalformed(raw: unknown, error: ZodError): string {
  const id = ecommdIdOf(raw);
  return `malformed ecom.md order${id === null ? '' : ` ${id}`}: ${describeIssues(raw, error, { root: '(order)' })}`;
}

/** Name of a sector given as {id, name}, a name, or a bare id (no name: null). */
function sectorName(sector: unknown): string | null {
  if (typeof sector === 'string') return clean(sector);
  if (sector && typeof sector === 'object') {
    const name = (sector as { name?: unknown }).name;
    return typeof name === 'string' ? clean(name) : null;
  }
  return null;
}

function refName(ref: { name?: string | null | undefined } | null | undefined): string | null {
  return ref ? clean(ref.name) : null;
}

/** The order status: top level, else the items' common order_status. */
function orderStatus(o: EcommdOrder, externalId: string): string {
  const top = clean(o.status);
  if (top !== null) return top;
  const itemStatuses = [...new Set(o.order_items.map((i) => clean(i.order_status)).filter((s): s is string => s !== null))];
  if (itemStatuses.length === 1) return itemStatuses[0]!;
  if (itemStatuses.length === 0) throw new Error(`malformed ecom.md order ${externalId}: status: missing, and no item has an order_status`);
  throw new Error(`malformed ecom.md order ${externalId}: status: missing, and the items disagree (${itemStatuses.join(', ')})`);
}

function productOf(item: EcommdOrderItem): { id: string | null; code: string | null; name: string | null } {
  const p = item.product;
  if (p === null || p === undefined) return { id: null, code: null, name: null };
  if (typeof p === 'number' || typeof p === 'string') return { id: String(p), code: null, name: null };
  return { id: p.id === null || p.id === undefined ? null : String(p.id), code: clean(p.code), name: clean(p.name) };
}

function mapItem(item: EcommdOrderItem, index: number): OrderItem {
  const at = `order_items[${index}]`;
  const quantity = wireDecimal(item.quantity, `${at}.quantity`);
  const listPrice = item.price === null || item.price === undefined ? null : wireDecimal(item.price, `${at}.price`);
  const loyalty =
    item.loyalty_price === null || item.loyalty_price === undefined ? null : wireDecimal(item.loyalty_price, `${at}.loyalty_price`);
  const unit = loyalty ?? listPrice;
  const product = productOf(item);
  return {
    lineId: item.id === null || item.id === undefined ? null : String(item.id),
    // the product code is the shop's article number; without one the ecom.md product id identifies it
    sku: product.code ?? product.id,
    ean: null,
    name: product.name,
    quantity,
    unitPriceNet: null,
    unitPriceGross: unit,
    vatRate: null,
    totalNet: null,
    // exact: a product never has more decimals than its factors together
    totalGross: unit === null ? null : multiplyDecimals(quantity, unit, Math.max(2, scaleOf(unit) + scaleOf(quantity))),
  };
}

function allNull(obj: Record<string, unknown>): boolean {
  return Object.values(obj).every((v) => v === null);
}

/**
 * Maps one raw order. Throws an Error naming the offending field(s) on a malformed record; the engine
 * keeps such records raw and reports them. Non-fatal oddities are returned as warnings.
 */
export function mapEcommdOrder(raw: unknown, zone: string = ECOMMD_DEFAULT_ZONE): MapResult {
  const parsed = orderSchema.safeParse(raw);
  if (!parsed.success) throw new Error(describeMalformed(raw, parsed.error));
  const o = parsed.data;
  const externalId = ecommdIdOf(o)!;
  const warnings: string[] = [];

  let createdAt: string;
  try {
    createdAt = ecommdTimeToUtc(o.created_at, zone);
  } catch (err) {
    throw new Error(`malformed ecom.md order ${externalId}: created_at: ${(err as Error).message}`);
  }

  const channelStatus = orderStatus(o, externalId);
  const { status, unknown } = mapEcommdStatus(channelStatus);
  if (unknown) warnings.push(`ecom.md order status "${channelStatus}" is not in the mapping table; mapped to on_hold`);

  let items: OrderItem[];
  let total: string | null;
  try {
    items = o.order_items.map((item, i) => mapItem(item, i));
    total = o.total_price === null || o.total_price === undefined ? null : wireDecimal(o.total_price, 'total_price');
  } catch (err) {
    throw new Error(`malformed ecom.md order ${externalId}: ${(err as Error).message}`);
  }
  const lineTotals = items.map((i) => i.totalGross);
  const itemsTotal =
    lineTotals.length > 0 && lineTotals.every((t): t is string => t !== null)
      ? addDecimals(lineTotals, Math.max(2, ...lineTotals.map(scaleOf)))
      : null;

  const c = o.customer ?? null;
  const name = clean(c?.name);
  const email = clean(c?.email);
  const phone = clean(c?.phone);
  const fiscalCode = clean(c?.fiscal_code);
  const customer: Customer = { name, email, phone, company: null, companyId: fiscalCode, vatId: null };

  const juridical = clean(c?.juridical_address);
  const billingAddress: Address | null =
    juridical === null
      ? null
      : { name, company: null, street: juridical, city: null, postalCode: null, country: null, phone: null, email: null };

  const shippingAddress = mapShippingAddress(c, name, phone, email);

  const order: MappedOrder = {
    externalId,
    number: null,
    createdAt,
    status,
    channelStatus,
    currency: ECOMMD_CURRENCY,
    totals: { items: itemsTotal, shipping: null, total, taxIncluded: true },
    paid: null,
    paymentMethod: clean(o.payment?.pay_method),
    shippingMethod: clean(o.payment?.delivery_type),
    trackingNumbers: [],
    customer,
    billingAddress,
    shippingAddress,
    items,
    note: null,
  };
  return { order, warnings };
}

function mapShippingAddress(
  c: EcommdOrder['customer'],
  name: string | null,
  phone: string | null,
  email: string | null,
): Address | null {
  const a = c?.address;
  if (!a) return null;
  const region = refName(a.region);
  const locality = refName(a.locality);
  const sector = sectorName(a.sector);
  const city = locality ?? region;
  const streetParts = [clean(a.address), sector === null ? null : `sector ${sector}`, region !== null && region !== city ? region : null];
  const street = streetParts.filter((p): p is string => p !== null).join(', ') || null;
  const place = { street, city, postalCode: clean(a.zip_code) };
  if (allNull(place)) return null;
  return { name, company: null, ...place, country: ECOMMD_COUNTRY, phone, email };
}
