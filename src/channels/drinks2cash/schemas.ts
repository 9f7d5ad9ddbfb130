/**
 * zod schemas of the raw drinks2cash payloads (the help articles on orders, statuses and documents).
 *
 * The documentation shows one sample per endpoint, so the schemas are deliberately tolerant where a
 * real API is likely to vary: ids as numbers or digit strings, decimals as strings or JSON numbers,
 * nullable/missing optional fields, and unknown extra fields kept (loose objects). What the mapping
 * cannot do without (order_number, create_time, status, products with quantity and prices) is
 * required and checked strictly.
 */
import { z } from 'zod';

/** Statuses documented in "API – zmiana statusów zamówienia", in the API's own order. */
export const DRINKS_STATUSES = [
  'NEW',
  'RECEIVED_BY_DISTRIBUTOR',
  'IN_REALIZATION',
  'REALIZED',
  'CANCELLED',
  'WAITING_FOR_CLIENT_CONFIRMATION',
  'RETURN',
  'COMPLAIN',
] as const;
export type DrinksStatus = (typeof DRINKS_STATUSES)[number];

/** Statuses the channel refuses to change away from. */
export const DRINKS_FINAL_STATUSES: ReadonlySet<string> = new Set(['CANCELLED', 'REALIZED']);

/** The channel's own message for a change away from CANCELLED/REALIZED (a string, not an object). */
export const DRINKS_FINAL_STATUS_MESSAGE = 'You cannot change status cancelled or realised to any other.';

/** Document types as the API's own error message lists them (the help page writes PRO_FORM_INVOICE). */
export const DRINKS_DOCUMENT_TYPES = [
  'PRO_FORMA_INVOICE',
  'INVOICE',
  'CORRECTING_INVOICE',
  'SHIPPING_LIST',
  'MISC',
] as const;
export type DrinksDocumentType = (typeof DRINKS_DOCUMENT_TYPES)[number];

/** An id: JSON number or digit string (the sample uses numbers). */
export const idSchema = z.union([
  z.number().int('must be an integer').nonnegative('must not be negative'),
  z.string().regex(/^\d+$/, 'must contain digits only'),
]);

/** order_number: a positive integer, as a number or a digit string. */
export const orderNumberSchema = z.union([
  z.number().int('must be an integer').positive('must be positive'),
  z.string().regex(/^0*[1-9]\d*$/, 'must be a positive integer (digits only)'),
]);

/** "25.00" (documented) or 25 (tolerated). The mapping converts numbers without float maths. */
export const decimalSchema = z.union([
  z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number such as "25.00"'),
  z.number(),
]);

/** Optional text: string, null or absent. Numbers (e.g. a phone sent as a number) become strings. */
const text = z
  .union([z.string(), z.number().transform((n) => String(n))])
  .nullable()
  .optional();

/** "YYYY-MM-DD HH:MM:SS", local (Europe/Warsaw) wall time without an offset. */
export const wallTimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$/, 'must be a local date-time "YYYY-MM-DD HH:MM:SS"');

export const drinksProductSchema = z.looseObject({
  product_sku: text,
  product_ean: text,
  product_d2c_offer_id: idSchema.nullable().optional(),
  product_name: text,
  product_quantity: decimalSchema,
  product_quantity_in_pack: z.union([z.number(), z.string()]).nullable().optional(),
  product_price_net: decimalSchema.nullable().optional(),
  /** 23 in the sample; "23", "8.00" or even "zw" (exempt) are tolerated here and judged by the mapping */
  product_vat_rate: z.union([z.number(), z.string()]).nullable().optional(),
  product_unit: text,
  product_value_net: decimalSchema,
});
export type DrinksProduct = z.infer<typeof drinksProductSchema>;

export const drinksOrderSchema = z.looseObject({
  order_number: orderNumberSchema,
  create_time: wallTimeSchema,
  status: z.string().min(1, 'must not be empty'),
  client_confirmation_status: text,
  client_confirmation_time: text,
  payment_type: text,
  currency: text,
  client_phone: text,
  client_email: text,
  delivery_cost: decimalSchema.nullable().optional(),
  delivery_firstname: text,
  delivery_lastname: text,
  delivery_company_name: text,
  delivery_zip: text,
  delivery_city: text,
  delivery_country: text,
  delivery_street: text,
  delivery_number: text,
  delivery_tracking_number: text,
  invoice_company_name: text,
  invoice_zip: text,
  invoice_city: text,
  invoice_country: text,
  invoice_street: text,
  invoice_number: text,
  invoice_tax_number: text,
  products: z.array(drinksProductSchema),
});
/** A drinks2cash order as the API sends it (after tolerant parsing). */
export type DrinksOrder = z.infer<typeof drinksOrderSchema>;

/** `{code, reasonPhrase, data}` — every successful answer. */
export const envelopeSchema = z.looseObject({
  code: z.number().int(),
  reasonPhrase: z.string(),
  data: z.unknown(),
});
export type DrinksEnvelope = z.infer<typeof envelopeSchema>;

/**
 * GET /api/order and GET /api/order/{id}: `data` is an array of orders (also for a single order).
 * Orders are NOT validated here: one malformed order must not hide the others; the mapping judges
 * each one (and the engine quarantines what it refuses).
 */
export const orderListEnvelopeSchema = envelopeSchema.extend({
  data: z.array(z.unknown()),
});
export type DrinksOrderListEnvelope = z.infer<typeof orderListEnvelopeSchema>;

/** PATCH /api/order-status → `data: "Status changed"`; POST /api/order-document → `data: "Created"`. */
export const messageEnvelopeSchema = envelopeSchema.extend({
  data: z.string(),
});

/**
 * 400 Bad Request. `message` is an object of `{field: {validatorKey: text}}` (Laminas validator
 * style) for parameter errors, or a plain string for rule violations (status change).
 */
export const badRequestBodySchema = z.looseObject({
  code: z.number().int().optional(),
  reasonPhrase: z.string().optional(),
  message: z.union([
    z.string(),
    z.record(z.string(), z.union([z.string(), z.record(z.string(), z.unknown())])),
  ]),
});
export type DrinksBadRequestBody = z.infer<typeof badRequestBodySchema>;

/** 403 Forbidden: `{"code":403,"reasonPhrase":"Forbidden","data":"Unauthorised"}`. */
export const forbiddenBodySchema = z.looseObject({
  code: z.literal(403),
  reasonPhrase: z.string(),
  data: z.string(),
});
export type DrinksForbiddenBody = z.infer<typeof forbiddenBodySchema>;

/**
 * Flattens a 400 `message` into one line: `from: Podana wartość nie jest poprawną datą; limit: …`.
 * A string message is returned as is.
 */
export function flattenDrinksMessage(message: DrinksBadRequestBody['message']): string {
  if (typeof message === 'string') return message;
  const parts: string[] = [];
  for (const [field, rules] of Object.entries(message)) {
    if (typeof rules === 'string') {
      parts.push(`${field}: ${rules}`);
      continue;
    }
    const texts = Object.entries(rules).map(([rule, t]) => (typeof t === 'string' ? t : `${rule} ${JSON.stringify(t)}`));
    parts.push(`${field}: ${texts.join(', ') || '(no details)'}`);
  }
  return parts.join('; ') || '(empty message)';
}
