/**
 * One raw Dropohs order → the canonical order (field table in README.md).
 *
 * - `created` is Europe/Prague wall time (connection override possible), DST included.
 * - Money arrives as JSON floats (gross); each is read back through its shortest literal
 *   (core decimalFromJsonNumber) and written with two decimals — no float maths anywhere.
 * - Zip codes and IČO arrive as integers, so leading zeros are lost: CZ/SK zips are restored to five
 *   digits ("1000" → "01000", Slovak zips start with 0), CZ/SK IČO to eight; 0 means empty.
 * - Baskets carry variant ids only: sku, name, EAN and VAT come from the shop's product catalog
 *   (see catalog.ts), the prices from the basket itself (what the customer paid, not today's price).
 */
import type { Address, Customer, MappedOrder, OrderItem } from '../../core/canonical/order.ts';
import type { CanonicalStatus } from '../../core/canonical/status.ts';
import { addDecimals, decimalFromJsonNumber, multiplyDecimals, parseDecimal, plainDecimal, scaleOf } from '../../core/canonical/money.ts';
import { wallTimeToUtc } from '../../core/canonical/time.ts';
import type { MapResult } from '../../core/connector.ts';
import type { CatalogVariant } from './catalog.ts';
import { describeIssues } from '../kit/issues.ts';
import { dropohsOrderSchema, type DropohsOrder } from './schemas.ts';
import { mapDropohsState } from './status-map.ts';

export const DROPOHS_DEFAULT_ZONE = 'Europe/Prague';

/** Countries whose zip codes have five digits and IČO eight (so lost leading zeros can be restored). */
const CZ_SK = new Set(['CZ', 'SK']);

export interface DropohsMapOptions {
  zone: string;
  /** the API sends none; the connection's setting (default CZK) */
  currency: string | null;
  /** the variant catalog of the order's e-shop; null when the shop is unknown */
  lookup: ((variantId: string) => CatalogVariant | undefined) | null;
  /** for warnings: "e-shop 123456" */
  shopLabel?: string;
}

/** The order id as a string ("0042" → "42"), or null when the record has none. */
export function dropohsOrderId(record: unknown): string | null {
  if (record === null || typeof record !== 'object') return null;
  const id = (record as { id?: unknown }).id;
  if (typeof id === 'number') return Number.isSafeInteger(id) && id > 0 ? String(id) : null;
  if (typeof id === 'string') {
    const m = /^0*([1-9]\d*)$/.exec(id.trim());
    return m ? m[1]! : null;
  }
  return null;
}

/** "", 0, false, null → null; other numbers become text (a company typed as digits). */
export function cleanText(value: unknown): string | null {
  if (value === null || value === undefined || typeof value === 'boolean') return null;
  if (typeof value === 'number') return value === 0 || !Number.isFinite(value) ? null : String(value);
  const t = String(value).trim();
  return t === '' ? null : t;
}

/** Digits of an integer-typed code; null for 0 / empty. */
function digitsOf(value: number | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const d = typeof value === 'number' ? String(value) : value.replace(/\s+/g, '');
  if (d === '' || /^0+$/.test(d)) return null;
  return d;
}

/** PSČ: 1000 → "01000" for CZ/SK (the API sends an int, losing the zero); 0 → null. */
export function zipCode(value: number | string | null | undefined, country: string | null): string | null {
  const d = digitsOf(value);
  if (d === null) return null;
  return country !== null && CZ_SK.has(country) && d.length < 5 ? d.padStart(5, '0') : d;
}

/** IČO: 64581 → "00064581" for CZ/SK (eight digits); 0 → null. */
export function companyId(value: number | string | null | undefined, country: string | null): string | null {
  const d = digitsOf(value);
  if (d === null) return null;
  return country !== null && CZ_SK.has(country) && d.length < 8 ? d.padStart(8, '0') : d;
}

/** A plain decimal literal without exponent or superfluous leading zeros ("299.9", "-5", "0.05"). */
const PLAIN_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.(\d+))?$/;

/**
 * A money value the API sent (float, or a decimal string) → exact decimal string with at least two
 * decimals ("10189" → "10189.00", "19.9" → "19.90"). A float is read through its shortest round-trip
 * literal, exactly as core decimalFromJsonNumber does (that function handles the rare exponent forms);
 * the padding is string work, no arithmetic. A value with more decimals is kept exact, never rounded
 * away, and reported.
 */
export function money(value: number | string, what: string, warnings: string[]): string {
  let exact: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${what}: ${value} is not a finite number`);
    const literal = value.toString();
    // 1e+21 / 1e-7: core's reading, written out without an exponent
    exact = PLAIN_DECIMAL.test(literal) ? literal : plainDecimal(decimalFromJsonNumber(value));
  } else {
    const t = value.trim();
    exact = PLAIN_DECIMAL.test(t) ? t : parseDecimal(t, what).toFixed();
  }
  const scale = scaleOf(exact);
  if (scale > 2) {
    warnings.push(`${what} has more than two decimals; kept exact, not rounded`);
    return exact;
  }
  return scale === 2 ? exact : scale === 1 ? `${exact}0` : `${exact}.00`;
}

function countryCode(value: unknown, warnings: string[]): string | null {
  const c = cleanText(value);
  if (c === null) return null;
  const upper = c.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper)) return upper;
  warnings.push(`country "${c}" is not an ISO 3166-1 alpha-2 code; left empty`);
  return null;
}

function personName(first: unknown, last: unknown): string | null {
  const parts = [cleanText(first), cleanText(last)].filter((p): p is string => p !== null);
  return parts.length === 0 ? null : parts.join(' ');
}

function isEmptyAddress(a: Address): boolean {
  return Object.values(a).every((v) => v === null);
}

function flag(value: boolean | 0 | 1 | null | undefined): boolean | null {
  if (value === null || value === undefined) return null;
  return value === true || value === 1;
}

/** `customer_state_id` is "non-zero during complaints" (nenulový při reklamacích). */
export function isComplaint(o: Pick<DropohsOrder, 'customer_state_id'>): boolean {
  const id = o.customer_state_id;
  if (id === null || id === undefined) return false;
  return Number(id) !== 0;
}

function quantityOf(q: number | string): string {
  return typeof q === 'number' ? String(q) : q.replace(/^0+/, '');
}

function mapItems(o: DropohsOrder, options: DropohsMapOptions, warnings: string[]): OrderItem[] {
  const shop = options.shopLabel ?? 'the e-shop';
  return o.basket.map((line, i) => {
    const variantId = String(line.id);
    const v = options.lookup?.(variantId);
    if (!v) {
      warnings.push(
        options.lookup === null
          ? `basket: no product catalog for ${shop}; sku and name of its items left empty`
          : `basket: variant ${variantId} is not in the product catalog of ${shop} (not even after re-reading it); sku and name left empty`,
      );
    }
    const unit = money(line.price_retail_vat, `basket[${i}].price_retail_vat`, warnings);
    const quantity = quantityOf(line.quantity);
    return {
      // baskets are keyed by variant; the line has no id of its own
      lineId: variantId,
      sku: v?.sku ?? null,
      ean: v?.ean ?? null,
      name: v?.name ?? null,
      quantity,
      unitPriceNet: null,
      unitPriceGross: unit,
      vatRate: v?.vatRate ?? null,
      totalNet: null,
      // exact: an integer quantity times a decimal has the decimal's scale
      totalGross: quantity === '1' ? unit : multiplyDecimals(unit, quantity, scaleOf(unit)),
    };
  });
}

/**
 * Maps one raw order. Throws an Error naming the offending field(s) on a malformed record (the engine
 * keeps it raw and reports it). Non-fatal oddities come back as warnings, worded without the order id
 * (the engine adds an example id and counts repeats).
 */
export function mapDropohsOrder(raw: unknown, options: DropohsMapOptions): MapResult {
  const parsed = dropohsOrderSchema.safeParse(raw);
  if (!parsed.success) {
    const id = dropohsOrderId(raw);
    throw new Error(`malformed Dropohs order${id === null ? '' : ` ${id}`}: ${describeIssues(raw, parsed.error, { root: '(record)' })}`);
  }
  const o = parsed.data;
  const externalId = dropohsOrderId(o)!;
  const warnings: string[] = [];
  const fail = (field: string, err: unknown): never => {
    throw new Error(`malformed Dropohs order ${externalId}: ${field}: ${(err as Error).message}`);
  };

  let createdAt = '';
  try {
    createdAt = wallTimeToUtc(o.created, options.zone);
  } catch (err) {
    fail('created', err);
  }

  const channelStatus = o.state_text.trim();
  const mapped = mapDropohsState(channelStatus);
  if (mapped.unknown) {
    warnings.push(`unknown state_text "${channelStatus}" (state_id ${o.state_id ?? 'null'}): not in the mapping table; mapped to on_hold`);
  }
  // A complaint (reklamace) outranks the order state: the order is disputed until the customer
  // state is cleared. channelStatus keeps state_text; the complaint text stays in the raw payload.
  const status: CanonicalStatus = isComplaint(o) ? 'disputed' : mapped.status;

  let items: OrderItem[] = [];
  let total = '';
  let shipping: string | null = null;
  try {
    items = mapItems(o, options, warnings);
    total = money(o.price, 'price', warnings);
    const deliveryPrice = o.delivery?.price_vat;
    shipping = deliveryPrice === null || deliveryPrice === undefined ? null : money(deliveryPrice, 'delivery.price_vat', warnings);
  } catch (err) {
    fail('money', err);
  }
  const scale = Math.max(2, ...items.map((i) => scaleOf(i.totalGross!)));
  const itemsTotal = items.length === 1 && scaleOf(items[0]!.totalGross!) === scale ? items[0]!.totalGross! : addDecimals(items.map((i) => i.totalGross!), scale);

  const country = countryCode(o.country, warnings);
  const billing: Address = {
    name: personName(o.invoice_firstname, o.invoice_surname),
    company: cleanText(o.invoice_company),
    street: cleanText(o.invoice_street),
    city: cleanText(o.invoice_city),
    postalCode: zipCode(o.invoice_zipcode, country),
    country,
    phone: null,
    email: null,
  };
  const billingAddress = isEmptyAddress(billing) ? null : billing;

  let shippingAddress: Address | null;
  if (flag(o.contact_like_invoice)) {
    // "fakturační údaje shodné s doručovacími": the contact_* fields are then empty/0 — use the invoice ones
    shippingAddress = billingAddress === null ? null : { ...billingAddress };
  } else {
    const contact: Address = {
      name: personName(o.contact_firstname, o.contact_surname),
      company: cleanText(o.contact_company),
      street: cleanText(o.contact_street),
      city: cleanText(o.contact_city),
      // the API has no delivery country; the payer's country only decides how to restore the zip
      postalCode: zipCode(o.contact_zipcode, country),
      country: null,
      phone: null,
      email: null,
    };
    shippingAddress = isEmptyAddress(contact) ? null : contact;
    if (shippingAddress === null) warnings.push('contact_like_invoice is false but the contact (delivery) address is empty; shippingAddress left empty');
  }

  const customer: Customer = {
    name: billing.name,
    email: null,
    phone: null,
    company: billing.company,
    companyId: companyId(o.invoice_ico, country),
    vatId: cleanText(o.invoice_dic),
  };

  const order: MappedOrder = {
    externalId,
    number: null,
    createdAt,
    status,
    channelStatus,
    currency: options.currency,
    // gross throughout; the payment fee (payment.price_vat) is part of `total` only
    totals: { items: itemsTotal, shipping, total, taxIncluded: true },
    paid: flag(o.paid),
    paymentMethod: cleanText(o.payment?.name),
    shippingMethod: cleanText(o.delivery?.name),
    trackingNumbers: [],
    customer,
    billingAddress,
    shippingAddress,
    items,
    note: cleanText(o.note),
  };
  return { order, warnings };
}
