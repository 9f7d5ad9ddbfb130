/**
 * The canonical order: the one shape every part of orderhub speaks (store, API, webhooks, exports).
 * This zod schema is the single source of truth; the TypeScript types are derived from it.
 * Contract for users: docs/canonical-order.md. Fields may be added, never renamed.
 */
import { z } from 'zod';
import { CANONICAL_STATUSES } from './status.ts';

/** An exact decimal as a string ("581.00", "0.5", "-3"). Never a JSON number: no float maths anywhere. */
export const decimalString = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string such as "581.00"');

/** An ISO 8601 instant in UTC with milliseconds and a Z, as produced by Date#toISOString(). */
export const utcTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be a UTC ISO timestamp ending in Z');

const nullableString = z.string().nullable();

export const CHANNEL_KINDS = ['alza-trade', 'alza-dropship', 'drinks2cash', 'dropohs', 'ecommd'] as const;

export const canonicalStatus = z.enum(CANONICAL_STATUSES);

export const totalsSchema = z.object({
  items: decimalString.nullable(),
  shipping: decimalString.nullable(),
  total: decimalString.nullable(),
  taxIncluded: z.boolean().nullable(),
});

export const customerSchema = z.object({
  name: nullableString,
  email: nullableString,
  phone: nullableString,
  company: nullableString,
  companyId: nullableString,
  vatId: nullableString,
});

export const addressSchema = z.object({
  name: nullableString,
  company: nullableString,
  street: nullableString,
  city: nullableString,
  postalCode: nullableString,
  /** ISO 3166-1 alpha-2, upper case */
  country: z.string().regex(/^[A-Z]{2}$/).nullable(),
  phone: nullableString,
  email: nullableString,
});

export const orderItemSchema = z.object({
  lineId: nullableString,
  sku: nullableString,
  ean: nullableString,
  name: nullableString,
  quantity: decimalString,
  unitPriceNet: decimalString.nullable(),
  unitPriceGross: decimalString.nullable(),
  /** VAT in percent ("23") */
  vatRate: decimalString.nullable(),
  totalNet: decimalString.nullable(),
  totalGross: decimalString.nullable(),
});

/** What a connector's mapping produces: everything but the fields the hub itself owns. */
export const mappedOrderSchema = z.object({
  externalId: z.string().min(1),
  number: nullableString,
  createdAt: utcTimestamp,
  status: canonicalStatus,
  channelStatus: z.string(),
  currency: z.string().regex(/^[A-Z]{3}$/).nullable(),
  totals: totalsSchema,
  paid: z.boolean().nullable(),
  paymentMethod: nullableString,
  shippingMethod: nullableString,
  trackingNumbers: z.array(z.string()),
  customer: customerSchema,
  billingAddress: addressSchema.nullable(),
  shippingAddress: addressSchema.nullable(),
  items: z.array(orderItemSchema),
  note: nullableString,
});

export const canonicalOrderSchema = mappedOrderSchema.extend({
  id: z.string(),
  connection: z.string(),
  channel: z.string(),
  updatedAt: utcTimestamp,
});

export type Totals = z.infer<typeof totalsSchema>;
export type Customer = z.infer<typeof customerSchema>;
export type Address = z.infer<typeof addressSchema>;
export type OrderItem = z.infer<typeof orderItemSchema>;
export type MappedOrder = z.infer<typeof mappedOrderSchema>;
export type CanonicalOrder = z.infer<typeof canonicalOrderSchema>;

/** Canonical field order, used for stable JSON (hashing, exports). */
export const CANONICAL_FIELD_ORDER = [
  'id', 'connection', 'channel', 'externalId', 'number', 'createdAt', 'updatedAt', 'status',
  'channelStatus', 'currency', 'totals', 'paid', 'paymentMethod', 'shippingMethod', 'trackingNumbers',
  'customer', 'billingAddress', 'shippingAddress', 'items', 'note',
] as const satisfies readonly (keyof CanonicalOrder)[];

/** An empty address/customer helper for mappings: every field null, as the contract wants. */
export function emptyCustomer(): Customer {
  return { name: null, email: null, phone: null, company: null, companyId: null, vatId: null };
}
