/**
 * A stored dropship order record → the canonical order.
 *
 * Decisions (README "Mapping"): a reservation is already a canonical order (`new`, no address yet:
 * Alza sends the address only with Confirm); prices are Alza's purchase prices without VAT and fees,
 * so totals are net (`taxIncluded: false`), `total` adding the per-unit copyright/recycling fees;
 * the customer is the delivery contact, with the regNo/vatNo Alza sent; paymentMethod says whether
 * the carrier collects cash on delivery; the demanded departure and the COD amount go into the note
 * (the canonical order has no field for them).
 */
import { z } from 'zod';
import type { Address, MappedOrder, OrderItem } from '../../core/canonical/order.ts';
import { addDecimals, compareDecimals, multiplyDecimals, scaleOf, toScale } from '../../core/canonical/money.ts';
import type { MapResult } from '../../core/connector.ts';
import { formatTimestamp } from './protocol.ts';
import type { DropshipOrderRecord } from './record.ts';
import { productKey } from './schemas.ts';
import { mapDropshipState } from './status-map.ts';

const utc = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

/** Enough of the record's shape to map it; the record is ours, but a damaged one must fail here. */
const recordShape = z.object({
  orderNumber: z.string().min(1),
  supplierOrder: z.string().min(1),
  state: z.string(),
  orderedAt: utc,
  insert: z.object({
    itemsPriceCurrency: z.string().regex(/^[A-Z]{3}$/),
    orderItems: z.array(z.object({ orderItemId: z.string(), code: z.string(), quantity: z.number().int() })).min(1),
  }),
  products: z.record(z.string(), z.object({ code: z.string(), ean: z.string().nullable(), name: z.string().nullable() })),
});

function money2(value: string): string {
  return toScale(value, Math.max(2, scaleOf(value)));
}

export function mapDropshipRecord(raw: unknown): MapResult {
  const checked = recordShape.safeParse(raw);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new Error(`dropship order record is malformed at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const r = raw as DropshipOrderRecord;
  const warnings: string[] = [];
  const { status, unknown } = mapDropshipState(r.state);
  if (unknown) warnings.push(`unknown dropship state "${r.state}" mapped to on_hold`);

  const items: OrderItem[] = r.insert.orderItems.map((it) => {
    const snap = r.products[productKey(it.code)];
    const qty = String(it.quantity);
    const unit = it.purchasePriceWithoutFees ?? null;
    return {
      lineId: it.orderItemId,
      sku: it.code,
      ean: snap?.ean ?? null,
      name: snap?.name ?? null,
      quantity: qty,
      unitPriceNet: unit === null ? null : money2(unit),
      unitPriceGross: null,
      vatRate: null,
      totalNet: unit === null ? null : multiplyDecimals(unit, qty, 2),
      totalGross: null,
    };
  });
  const lineTotals = items.map((i) => i.totalNet);
  const itemsTotal = lineTotals.every((t): t is string => t !== null) ? addDecimals(lineTotals, 2) : null;
  const fees = r.insert.orderItems.flatMap((it) =>
    [it.fees?.copyright, it.fees?.recycling].filter((f): f is string => f !== undefined).map((f) => multiplyDecimals(f, String(it.quantity))),
  );
  const total = itemsTotal === null ? null : addDecimals([itemsTotal, ...fees], 2);

  const c = r.confirm;
  const addr = c?.deliveryAddress;
  const shippingAddress: Address | null = addr
    ? {
        name: addr.addressName ?? null,
        company: addr.companyName ?? null,
        street: addr.streetWithNumber,
        city: addr.city,
        postalCode: addr.zip,
        country: addr.country,
        phone: addr.phone,
        email: addr.email,
      }
    : null;
  const cod = c ? (c.cashOnDeliveryValue ?? '0') : null;
  const collectsCash = cod !== null && compareDecimals(cod, '0') > 0;

  const order: MappedOrder = {
    externalId: r.orderNumber,
    number: r.orderNumber,
    createdAt: r.orderedAt,
    status,
    channelStatus: r.state,
    currency: r.insert.itemsPriceCurrency,
    totals: { items: itemsTotal, shipping: null, total, taxIncluded: false },
    paid: c ? (!collectsCash || r.state === 'delivered') : null,
    paymentMethod: c ? (collectsCash ? 'cash on delivery' : 'prepaid') : null,
    shippingMethod: c
      ? [c.shippingCarrier.shippingCarrierCode, c.shippingCarrier.shippingCarrierDeliveryType, c.parcelShop ? `(${c.parcelShop.parcelShopIdentification} ${c.parcelShop.parcelShopBranchCode})` : undefined]
          .filter(Boolean)
          .join(' ')
      : null,
    trackingNumbers: r.shipment ? r.shipment.packages.map((p) => p.fullNumber ?? p.number) : [],
    customer: {
      name: addr?.addressName ?? null,
      email: addr?.email ?? null,
      phone: addr?.phone ?? null,
      company: addr?.companyName ?? null,
      companyId: c?.regNo ?? r.insert.regNo ?? null,
      vatId: c?.vatNo ?? r.insert.vatNo ?? null,
    },
    billingAddress: null,
    shippingAddress,
    items,
    note: noteOf(r, cod, collectsCash),
  };
  return { order, warnings };
}

function noteOf(r: DropshipOrderRecord, cod: string | null, collectsCash: boolean): string | null {
  const c = r.confirm;
  const lines: string[] = [];
  if (c?.deliveryAddress.note) lines.push(c.deliveryAddress.note);
  const facts = [`supplier order ${r.supplierOrder}`];
  if (c) {
    facts.push(`departure ${c.shipmentDepartureTime} (Prague time)`);
    facts.push(`${c.shipmentDeliveryType} delivery, ${c.shipmentShippingMode} shipping mode`);
    if (collectsCash) facts.push(`cash on delivery ${money2(cod!)} ${c.cashOnDeliveryValueCurrency ?? ''}`.trimEnd());
    facts.push(`VS ${c.paymentVS}`);
  } else if (r.validUntil && r.state === 'reserved') {
    facts.push(`reserved until ${formatTimestamp(new Date(r.validUntil))} (Prague time)`);
  }
  lines.push(`Alza dropship: ${facts.join('; ')}`);
  return lines.join('\n');
}
