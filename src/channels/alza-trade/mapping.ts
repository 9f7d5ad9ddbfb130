/**
 * One raw AlzaTrade order → the canonical order (field table in README.md).
 *
 * Prices are WITH VAT per unit (the assumed contract has no net prices), so gross fields and totals are
 * filled with taxIncluded=true and every net field is null: deriving a net price would need a division
 * and a rounding rule the channel does not state. Line totals and the items total are exact products
 * and sums (big.js via core/canonical/money.ts). Waiting orders carry no recipient details yet: their
 * customer fields and address are null and fill in on a later sync once Alza confirms the order.
 */
import type { ZodError } from 'zod';
import { emptyCustomer, type Address, type Customer, type MappedOrder, type OrderItem } from '../../core/canonical/order.ts';
import { addDecimals, multiplyDecimals, scaleOf, toScale } from '../../core/canonical/money.ts';
import type { MapResult } from '../../core/connector.ts';
import { wireDecimal } from '../kit/decimals.ts';
import { describeIssues } from '../kit/issues.ts';
import { parseWireOrder, parseWireTime, type AlzaAddress, type AlzaItem, type AlzaOrder, type WireDecimal } from './schemas.ts';
import { mapAlzaState } from './status-map.ts';

export const ALZA_DEFAULT_ZONE = 'Europe/Prague';

/** Money with at least two decimals ("499" → "499.00"), more kept when the channel sent more. */
function money(value: WireDecimal, what: string): string {
  const d = wireDecimal(value, what);
  return toScale(d, Math.max(2, scaleOf(d)));
}

/** `malformed AlzaTrade order "5203698741": items[0].quantity: … (got "two")` */
function describeMalformed(raw: unknown, error: ZodError): string {
  const id =
    raw && typeof raw === 'object' && 'orderNumber' in raw ? ` ${JSON.stringify((raw as { orderNumber: unknown }).orderNumber)}` : '';
  return `malformed AlzaTrade order${id}: ${describeIssues(raw, error, { root: '(order)' })}`;
}

function country(value: string | null, what: string, warnings: string[]): string | null {
  if (value === null) return null;
  const upper = value.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper)) return upper;
  warnings.push(`${what}: "${value}" is not an ISO 3166-1 alpha-2 country code; left empty`);
  return null;
}

function mapItem(item: AlzaItem, index: number): OrderItem {
  const at = `items[${index}]`;
  const quantity = wireDecimal(item.quantity, `${at}.quantity`);
  const unit = item.unitPriceWithVat === null ? null : money(item.unitPriceWithVat, `${at}.unitPriceWithVat`);
  return {
    lineId: item.lineId,
    // the supplier's own product code is what the supplier's systems know; Alza's code stays in the raw payload
    sku: item.supplierCode,
    ean: item.ean,
    name: item.name,
    quantity,
    unitPriceNet: null,
    unitPriceGross: unit,
    vatRate: item.vatRate === null ? null : wireDecimal(item.vatRate, `${at}.vatRate`),
    totalNet: null,
    totalGross: unit === null ? null : multiplyDecimals(unit, quantity, Math.max(2, scaleOf(unit))),
  };
}

function mapAddress(a: AlzaAddress, warnings: string[]): Address | null {
  const address: Address = {
    name: a.name,
    company: a.company,
    street: a.street,
    city: a.city,
    postalCode: a.postalCode,
    country: country(a.country, 'deliveryAddress.country', warnings),
    phone: a.phone,
    email: a.email,
  };
  return Object.values(address).every((v) => v === null) ? null : address;
}

/** "PPL" + "PPLPARCELSHOP" → "PPL/PPLPARCELSHOP"; one of them when the other is missing or equal. */
export function shippingMethodOf(code: string | null, deliveryType: string | null): string | null {
  if (code === null) return deliveryType;
  if (deliveryType === null || deliveryType === code) return code;
  return `${code}/${deliveryType}`;
}

/**
 * Maps one raw order. Throws an Error naming the offending field on a malformed record (the engine
 * keeps it raw and reports it); non-fatal oddities come back as warnings.
 */
export function mapAlzaOrder(raw: unknown, zone: string = ALZA_DEFAULT_ZONE): MapResult {
  const parsed = parseWireOrder(raw);
  if (!parsed.success) throw new Error(describeMalformed(raw, parsed.error));
  const o: AlzaOrder = parsed.data;
  const id = o.orderNumber;
  const warnings: string[] = [];
  const fail = (err: unknown): never => {
    throw new Error(`malformed AlzaTrade order ${id}: ${(err as Error).message}`);
  };

  let createdAt = '';
  try {
    createdAt = parseWireTime(o.created, zone);
  } catch (err) {
    fail(new Error(`created: ${(err as Error).message}`));
  }

  const { status, unknown } = mapAlzaState(o.state);
  if (unknown) warnings.push(`AlzaTrade order ${id}: unknown state "${o.state}" (not in the mapping table); mapped to on_hold`);

  let currency: string | null = null;
  if (o.currency !== null) {
    if (/^[A-Za-z]{3}$/.test(o.currency)) currency = o.currency.toUpperCase();
    else warnings.push(`currency: "${o.currency}" is not an ISO 4217 code; left empty`);
  }

  let items: OrderItem[] = [];
  let total: string | null = null;
  try {
    items = o.items.map(mapItem);
    total = o.totalWithVat === null ? null : money(o.totalWithVat, 'totalPriceWithVat');
  } catch (err) {
    fail(err);
  }
  const lineTotals = items.map((i) => i.totalGross);
  const itemsTotal = lineTotals.every((t): t is string => t !== null)
    ? addDecimals(lineTotals, Math.max(2, ...lineTotals.map(scaleOf)))
    : null;

  const customer: Customer = o.customer
    ? {
        name: o.customer.name,
        email: o.customer.email,
        phone: o.customer.phone,
        company: o.customer.company,
        companyId: o.customer.companyId,
        vatId: o.customer.vatId,
      }
    : emptyCustomer();

  const order: MappedOrder = {
    externalId: id,
    number: null,
    createdAt,
    status,
    channelStatus: o.state,
    currency,
    totals: { items: itemsTotal, shipping: null, total, taxIncluded: true },
    paid: null,
    paymentMethod: null,
    shippingMethod: shippingMethodOf(o.carrierCode, o.carrierDeliveryType),
    trackingNumbers: o.trackingNumber === null ? [] : [o.trackingNumber],
    customer,
    billingAddress: null,
    shippingAddress: o.deliveryAddress ? mapAddress(o.deliveryAddress, warnings) : null,
    items,
    note: o.deliveryAddress?.note ?? null,
  };
  return { order, warnings };
}
