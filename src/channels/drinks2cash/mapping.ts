/**
 * One raw drinks2cash order → the canonical order (see README.md for the field table).
 *
 * The channel gives NET prices only (product_price_net, product_value_net, delivery_cost without a
 * documented tax treatment), so every gross field is null and totals are net with taxIncluded=false.
 * Sums are exact (big.js through core/canonical/money.ts).
 */
import type { ZodError } from 'zod';
import type { Address, Customer, MappedOrder, OrderItem } from '../../core/canonical/order.ts';
import type { MapResult } from '../../core/connector.ts';
import { addDecimals, isDecimal, scaleOf } from '../../core/canonical/money.ts';
import { wallTimeToUtc } from '../../core/canonical/time.ts';
import { wireDecimal } from '../kit/decimals.ts';
import { describeIssues } from '../kit/issues.ts';
import { drinksOrderSchema, type DrinksOrder, type DrinksProduct } from './schemas.ts';
import { mapDrinksStatus } from './status-map.ts';

export const DRINKS_DEFAULT_ZONE = 'Europe/Warsaw';

/** "0064501123" / 64501123 → "64501123"; null when not a positive integer. */
export function normalizeOrderNumber(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? String(value) : null;
  if (typeof value === 'string') {
    const m = /^0*([1-9]\d*)$/.exec(value.trim());
    return m ? m[1]! : null;
  }
  return null;
}

/** Trimmed text, or null when absent/empty. */
function clean(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const t = value.trim();
  return t === '' ? null : t;
}

function country(value: string | null | undefined, what: string, warnings: string[]): string | null {
  const c = clean(value);
  if (c === null) return null;
  const upper = c.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper)) return upper;
  warnings.push(`${what}: "${c}" is not an ISO 3166-1 alpha-2 country code; left empty`);
  return null;
}

function allNull(obj: Record<string, unknown>): boolean {
  return Object.values(obj).every((v) => v === null);
}

/** `malformed drinks2cash order "64501123": create_time: … (got "not-a-date")` */
function describeMalformed(raw: unknown, error: ZodError): string {
  const id =
    raw && typeof raw === 'object' && 'order_number' in raw
      ? ` ${JSON.stringify((raw as { order_number: unknown }).order_number)}`
      : '';
  return `malformed drinks2cash order${id}: ${describeIssues(raw, error, { root: '(order)' })}`;
}

function mapItem(p: DrinksProduct, index: number, warnings: string[]): OrderItem {
  const at = `products[${index}]`;
  let vatRate: string | null = null;
  if (typeof p.product_vat_rate === 'number') vatRate = wireDecimal(p.product_vat_rate, `${at}.product_vat_rate`);
  else if (typeof p.product_vat_rate === 'string') {
    const t = p.product_vat_rate.trim();
    if (isDecimal(t)) vatRate = t;
    else if (t !== '') warnings.push(`${at}.product_vat_rate: "${t}" is not a percentage; vatRate left empty`);
  }
  const offer = p.product_d2c_offer_id;
  return {
    lineId: offer === null || offer === undefined ? null : String(offer),
    sku: clean(p.product_sku),
    ean: clean(p.product_ean),
    name: clean(p.product_name),
    quantity: wireDecimal(p.product_quantity, `${at}.product_quantity`),
    unitPriceNet:
      p.product_price_net === null || p.product_price_net === undefined
        ? null
        : wireDecimal(p.product_price_net, `${at}.product_price_net`),
    unitPriceGross: null,
    vatRate,
    totalNet: wireDecimal(p.product_value_net, `${at}.product_value_net`),
    totalGross: null,
  };
}

/** Exact sum with the widest scale of its terms ("581.00" + "52.11" → "633.11", "581.00" → "581.00"). */
function sum(values: readonly string[], fallbackScale = 2): string {
  const scale = values.length === 0 ? fallbackScale : Math.max(...values.map(scaleOf));
  return addDecimals(values, scale);
}

/**
 * Maps one raw order. Throws an Error naming the offending field(s) on a malformed record; the engine
 * keeps such records raw and reports them. Non-fatal oddities are returned as warnings.
 */
export function mapDrinksOrder(raw: unknown, zone: string = DRINKS_DEFAULT_ZONE): MapResult {
  const parsed = drinksOrderSchema.safeParse(raw);
  if (!parsed.success) throw new Error(describeMalformed(raw, parsed.error));
  const o: DrinksOrder = parsed.data;
  const externalId = normalizeOrderNumber(o.order_number)!;
  const warnings: string[] = [];

  let createdAt: string;
  try {
    createdAt = wallTimeToUtc(o.create_time, zone);
  } catch (err) {
    throw new Error(`malformed drinks2cash order ${externalId}: create_time: ${(err as Error).message}`);
  }

  const { status, unknown } = mapDrinksStatus(o.status);
  if (unknown) {
    warnings.push(`drinks2cash order ${externalId}: unknown status "${o.status}" (not in the mapping table); mapped to on_hold`);
  }

  let currency: string | null = null;
  const cur = clean(o.currency);
  if (cur !== null) {
    if (/^[A-Za-z]{3}$/.test(cur)) currency = cur.toUpperCase();
    else warnings.push(`currency: "${cur}" is not an ISO 4217 code; left empty`);
  }

  let items: OrderItem[];
  try {
    items = o.products.map((p, i) => mapItem(p, i, warnings));
  } catch (err) {
    throw new Error(`malformed drinks2cash order ${externalId}: ${(err as Error).message}`);
  }

  const itemsTotal = sum(items.map((i) => i.totalNet!));
  const shipping =
    o.delivery_cost === null || o.delivery_cost === undefined ? null : wireDecimal(o.delivery_cost, 'delivery_cost');
  const total = shipping === null ? null : sum([itemsTotal, shipping]);

  const phone = clean(o.client_phone);
  const email = clean(o.client_email);
  const firstName = clean(o.delivery_firstname);
  const lastName = clean(o.delivery_lastname);
  const personName = clean([firstName, lastName].filter((x) => x !== null).join(' '));

  const customer: Customer = {
    name: personName,
    email,
    phone,
    company: clean(o.invoice_company_name),
    companyId: null,
    vatId: clean(o.invoice_tax_number),
  };

  const billing: Address = {
    name: null,
    company: clean(o.invoice_company_name),
    street: street(o.invoice_street, o.invoice_number),
    city: clean(o.invoice_city),
    postalCode: clean(o.invoice_zip),
    country: country(o.invoice_country, 'invoice_country', warnings),
    phone: null,
    email: null,
  };
  const shippingPlace: Address = {
    name: personName,
    company: clean(o.delivery_company_name),
    street: street(o.delivery_street, o.delivery_number),
    city: clean(o.delivery_city),
    postalCode: clean(o.delivery_zip),
    country: country(o.delivery_country, 'delivery_country', warnings),
    phone: null,
    email: null,
  };
  const shippingAddress = allNull(shippingPlace as Record<string, unknown>)
    ? null
    : { ...shippingPlace, phone, email };

  const tracking = clean(o.delivery_tracking_number);

  const order: MappedOrder = {
    externalId,
    number: null,
    createdAt,
    status,
    channelStatus: o.status,
    currency,
    totals: { items: itemsTotal, shipping, total, taxIncluded: false },
    paid: null,
    paymentMethod: clean(o.payment_type),
    shippingMethod: null,
    trackingNumbers: tracking === null ? [] : [tracking],
    customer,
    billingAddress: allNull(billing as Record<string, unknown>) ? null : billing,
    shippingAddress,
    items,
    note: null,
  };
  return { order, warnings };
}

/** `invoice_street` + `invoice_number` (the house number, despite the name). */
function street(streetName: string | null | undefined, houseNumber: string | null | undefined): string | null {
  const s = clean(streetName);
  const n = clean(houseNumber);
  if (s === null) return n;
  return n === null ? s : `${s} ${n}`;
}
