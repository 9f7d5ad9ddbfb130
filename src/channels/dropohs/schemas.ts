/**
 * zod schemas of the raw Dropohs payloads (manual.dropohs.cz/api/{shops,products,orders}).
 *
 * The manual shows one sample per endpoint and is loose about empties: company fields arrive as "",
 * 0 or null, zip codes and IČO as integers. So text fields accept string/number/null (the mapping
 * normalises them) and money accepts a JSON number (documented: float) or a decimal string. What the
 * mapping cannot do without (id, created, state_text, price, basket lines) is required.
 */
import { z } from 'zod';

/** `{code, message, data}` — every answer, errors included. */
export const envelopeSchema = z.looseObject({
  code: z.number().int('must be an integer'),
  message: z.string().nullable().optional(),
  data: z.unknown(),
});
export type DropohsEnvelope = z.infer<typeof envelopeSchema>;

/** An id: a JSON number (documented) or a digit string (tolerated). */
export const idSchema = z.union(
  [z.number().int('must be an integer').nonnegative('must not be negative'), z.string().regex(/^\d+$/, 'must contain digits only')],
  { error: 'must be an id (a whole number)' },
);

/** A positive order id. */
export const orderIdSchema = z.union(
  [z.number().int('must be an integer').positive('must be positive'), z.string().regex(/^0*[1-9]\d*$/, 'must be a positive integer (digits only)')],
  { error: 'must be a positive whole number' },
);

/** Documented as float; a decimal string is tolerated. Never converted through float maths. */
export const moneySchema = z.union(
  [z.number().refine(Number.isFinite, 'must be a finite number'), z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number')],
  { error: 'must be a number (or a decimal string)' },
);

/** Free text the API fills inconsistently: "", 0 or null all mean empty. */
export const looseTextSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]).optional();

/** PSČ / IČO: documented int (0 = empty); digit strings (with spaces) tolerated. */
export const numericCodeSchema = z
  .union(
    [z.number().int('must be an integer').nonnegative('must not be negative'), z.string().regex(/^[\d\s]*$/, 'must contain digits only'), z.null()],
    { error: 'must be a whole number (digits)' },
  )
  .optional();

/** bool; PHP backends also send 1/0. */
export const flagSchema = z.union([z.boolean(), z.literal(0), z.literal(1)], { error: 'must be true or false (or 1/0)' });

/** "YYYY-MM-DD HH:MM:SS", Europe/Prague wall time without an offset. */
export const wallTimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$/, 'must be a local date-time "YYYY-MM-DD HH:MM:SS"');

export const basketLineSchema = z.looseObject({
  /** the product VARIANT id (join with /products variants[].id) */
  id: idSchema,
  /** unit price incl. VAT */
  price_retail_vat: moneySchema,
  quantity: z.union(
    [z.number().int('must be a whole number').positive('must be positive'), z.string().regex(/^0*[1-9]\d*$/, 'must be a positive whole number')],
    { error: 'must be a positive whole number' },
  ),
});
export type DropohsBasketLine = z.infer<typeof basketLineSchema>;

export const methodSchema = z.looseObject({
  id: idSchema.nullable().optional(),
  name: z.string().nullable().optional(),
  price_vat: moneySchema.nullable().optional(),
});
export type DropohsMethod = z.infer<typeof methodSchema>;

export const dropohsOrderSchema = z.looseObject({
  id: orderIdSchema,
  remote_id: looseTextSchema,
  provider_id: idSchema.nullable().optional(),
  created: wallTimeSchema,
  state_id: idSchema.nullable().optional(),
  state_text: z.string().trim().min(1, 'must not be empty'),
  customer_state_id: idSchema.nullable().optional(),
  customer_state_text: z.string().nullable().optional(),
  invoice_firstname: looseTextSchema,
  invoice_surname: looseTextSchema,
  invoice_street: looseTextSchema,
  invoice_city: looseTextSchema,
  invoice_zipcode: numericCodeSchema,
  country: looseTextSchema,
  invoice_company: looseTextSchema,
  invoice_ico: numericCodeSchema,
  invoice_dic: looseTextSchema,
  contact_like_invoice: flagSchema,
  contact_firstname: looseTextSchema,
  contact_surname: looseTextSchema,
  contact_street: looseTextSchema,
  contact_city: looseTextSchema,
  contact_zipcode: numericCodeSchema,
  contact_company: looseTextSchema,
  contact_ico: numericCodeSchema,
  contact_dic: looseTextSchema,
  /** order total incl. VAT */
  price: moneySchema,
  paid: flagSchema.nullable().optional(),
  note: looseTextSchema,
  basket: z.array(basketLineSchema),
  payment: methodSchema.nullable().optional(),
  delivery: methodSchema.nullable().optional(),
});
export type DropohsOrder = z.infer<typeof dropohsOrderSchema>;

/** GET /shops items. */
export const shopSchema = z.looseObject({
  id: z.number().int('must be an integer').positive('must be positive'),
  name: z.string().nullable().optional(),
  url: z.string().nullable().optional(),
});
export type DropohsShop = z.infer<typeof shopSchema>;

export const variantSchema = z.looseObject({
  id: idSchema,
  code: z.string().nullable().optional(),
  parameter: z.string().nullable().optional(),
  value: z.union([z.string(), z.number()]).nullable().optional(),
  price: moneySchema.nullable().optional(),
  price_vat: moneySchema.nullable().optional(),
  /** VAT percent, e.g. 21 */
  vat: moneySchema.nullable().optional(),
});
export type DropohsVariant = z.infer<typeof variantSchema>;

/** GET /products items. */
export const productSchema = z.looseObject({
  id: idSchema,
  name: z.string().nullable().optional(),
  code: z.string().nullable().optional(),
  ean: z.union([z.string(), z.number()]).nullable().optional(),
  variants: z.array(variantSchema),
});
export type DropohsProduct = z.infer<typeof productSchema>;
