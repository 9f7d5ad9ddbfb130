/**
 * zod schemas of the raw ecom.md payloads — the contract file for field paths.
 *
 * >>> ASSUMED READ MODEL <<<
 * No public page shows what GET /external/external-order/ returns. The order read model below is
 * designed from the 1C export "Order.json" [DOC: support.ecom.md/en/developers/peredacha-zakazov-v-1s-
 * order-json-ru] (id, customer{…, address{region{id,name}, locality{id,name}, sector, address,
 * address_type}}, payment{delivery_type, pay_method, …}, total_price "9435.00", created_at) and the
 * upsert body on the Order Sync API page (order_items[{order_id, order_status, loyalty_price,
 * quantity, product}], address.zip_code, shop, rrn, promocode). Every field path the mapping reads is
 * here and only here; a field marked [ASSUMED] is our reading, [DOC] is stated by ecom.md. If the
 * live API differs, this file (and mapping.ts) is what changes.
 *
 * Tolerance: ids as numbers or digit strings, decimals as strings or JSON numbers, nested refs as
 * {id, name} objects, bare ids or names; unknown extra fields are kept (loose objects). Required:
 * id, created_at, a status (top-level or on the items) and order_items.
 */
import { z } from 'zod';

/** An id: JSON number or digit string. */
export const idSchema = z.union([
  z.number().int('must be an integer').nonnegative('must not be negative'),
  z.string().regex(/^\d+$/, 'must contain digits only'),
]);

/** "9435.00" [DOC total_price] or 88 [DOC upsert loyalty_price]; converted without float maths. */
export const decimalSchema = z.union([
  z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number such as "9435.00"'),
  z.number().refine(Number.isFinite, 'must be a finite number'),
]);

/** Optional text; numbers (a phone or zip sent as a number) become strings. */
const text = z
  .union([z.string(), z.number().transform((n) => String(n))])
  .nullable()
  .optional();

/** [DOC] region/locality as `{"id": 3, "name": "Chișinău"}` */
export const namedRefSchema = z.looseObject({
  id: idSchema.nullable().optional(),
  name: text,
});

/** [DOC] `sector`: "only for Chisinau"; its shape is not shown: {id,name}, a name or a bare id [ASSUMED] */
export const sectorSchema = z.union([namedRefSchema, z.string(), z.number()]).nullable().optional();

export const addressSchema = z.looseObject({
  id: idSchema.nullable().optional(),
  /** [DOC] pickup store when the client chose self-pickup (shape not shown) */
  store: z.unknown().optional(),
  region: namedRefSchema.nullable().optional(),
  locality: namedRefSchema.nullable().optional(),
  sector: sectorSchema,
  /** [DOC] the free-text delivery address ("str. Ismail 88, ap. 5") */
  address: text,
  /** [DOC] "Street, boulevard, alley, etc. — for delivery systems" */
  address_type: text,
  /** [ASSUMED] from the upsert body's address.zip_code (2068 there; "MD-2068" tolerated) */
  zip_code: text,
});

export const customerSchema = z.looseObject({
  name: text,
  email: text,
  phone: text,
  dateofbirth: text,
  /** [DOC] fiscal code (IDNO/IDNP) given by the client */
  fiscal_code: text,
  /** [DOC] legal address, one text */
  juridical_address: text,
  iban: text,
  bank_code: text,
  address: addressSchema.nullable().optional(),
});

export const paymentSchema = z.looseObject({
  /** [DOC] e.g. "standart" (sic) */
  delivery_type: text,
  /** [DOC] e.g. "cash" */
  pay_method: text,
  payment_system: text,
  months: z.union([z.number(), z.string()]).nullable().optional(),
  sumpermonth: decimalSchema.nullable().optional(),
  transaction_id: text,
  promo_code: z.unknown().optional(),
});

/** [ASSUMED] `product` as an object (id/code/name); a bare id as in the upsert body is tolerated. */
export const productRefSchema = z.union([
  z.looseObject({ id: idSchema.nullable().optional(), code: text, name: text }),
  idSchema,
]);

export const orderItemSchema = z.looseObject({
  /** [ASSUMED] the item's own id (the upsert's order_items[].order_id, "12" beside order 294) */
  id: idSchema.nullable().optional(),
  order_id: idSchema.nullable().optional(),
  /** [DOC upsert] the status is carried per item */
  order_status: z.string().nullable().optional(),
  product: productRefSchema.nullable().optional(),
  /** [DOC upsert] 1000 — a JSON number; decimal strings tolerated */
  quantity: decimalSchema,
  /** [ASSUMED] unit price, a decimal string like total_price */
  price: decimalSchema.nullable().optional(),
  /** [DOC upsert] unit price after the loyalty discount */
  loyalty_price: decimalSchema.nullable().optional(),
});
export type EcommdOrderItem = z.infer<typeof orderItemSchema>;

export const orderSchema = z.looseObject({
  /** [DOC Order.json] */
  id: idSchema,
  /** [ASSUMED] the order's status at the top level; when absent, the items' common order_status */
  status: z.string().min(1, 'must not be empty').nullable().optional(),
  /** [DOC Order.json, format cut off] ISO 8601; [ASSUMED] with an offset as DRF renders it, naive = Europe/Chisinau */
  created_at: z.union([z.string().min(1, 'must not be empty'), z.number()]),
  /** [DOC] "9435.00" */
  total_price: decimalSchema.nullable().optional(),
  /** [DOC upsert] store/branch id, card payment RRN, promo code id */
  shop: z.unknown().optional(),
  rrn: text,
  promocode: z.unknown().optional(),
  customer: customerSchema.nullable().optional(),
  payment: paymentSchema.nullable().optional(),
  order_items: z.array(orderItemSchema),
});
export type EcommdOrder = z.infer<typeof orderSchema>;

/**
 * [ASSUMED, DRF] page-number pagination envelope. Orders inside are NOT validated here: one malformed
 * order must not hide the page; the mapping judges each (the engine quarantines what it refuses).
 */
export const pageSchema = z.looseObject({
  count: z.number().int().nonnegative().optional(),
  next: z.string().nullable(),
  previous: z.string().nullable().optional(),
  results: z.array(z.unknown()),
});
export type DrfPage = z.infer<typeof pageSchema>;

/** A list endpoint answers a DRF page or (like /external/shop/ [DOC]) a bare array. */
export const listBodySchema = z.union([pageSchema, z.array(z.unknown())]);

/** [ASSUMED, DRF] 401/403/404 `{"detail": "…"}` */
export const detailBodySchema = z.looseObject({ detail: z.string() });

// ------------------------------------------------------------------------------------------------
// write-back

/** [DOC Order Sync API #13, names repaired; the top-level `status` is ASSUMED] one element of the upsert array */
export interface UpsertItem {
  order_id: number | string;
  order_status: string;
  product?: number | string;
  quantity?: number | string;
}
export interface UpsertOrder {
  order_id: number | string;
  status: string;
  order_items?: UpsertItem[];
}

// ------------------------------------------------------------------------------------------------
// reference data

/** [DOC] GET /external/shop/ (support.ecom.md "Lists of stores (branches)") */
export const storeSchema = z.looseObject({
  id: idSchema,
  lat: text,
  lon: text,
  tooltip_pin_text: text,
  email: text,
  order: z.number().nullable().optional(),
  description_ro: text,
  description_ru: text,
  description_en: text,
  description_uk: text,
  company_id: idSchema.nullable().optional(),
  is_active: z.boolean().nullable().optional(),
  phones: z.array(z.looseObject({ id: idSchema.nullable().optional(), phone: text })).nullable().optional(),
  addresses: z
    .looseObject({
      region_id: idSchema.nullable().optional(),
      locality_id: idSchema.nullable().optional(),
      sector_id: idSchema.nullable().optional(),
      address: text,
      house: text,
      entrance: text,
      apartment: text,
      zip_code: text,
    })
    .nullable()
    .optional(),
});
export type EcommdStore = z.infer<typeof storeSchema>;

/** [ASSUMED] regions, localities, sectors: `{id, name}` in the Accept-Language language */
export const placeSchema = z.looseObject({
  id: idSchema,
  name: z.string(),
  region_id: idSchema.nullable().optional(),
  zip_code: text,
});
export type EcommdPlace = z.infer<typeof placeSchema>;

/** [ASSUMED] product search results */
export const productSchema = z.looseObject({
  id: idSchema,
  code: text,
  name: text,
  price: decimalSchema.nullable().optional(),
  loyalty_price: decimalSchema.nullable().optional(),
  is_active: z.boolean().nullable().optional(),
});
export type EcommdProduct = z.infer<typeof productSchema>;

/** [ASSUMED] promo codes */
export const promoCodeSchema = z.looseObject({
  id: idSchema,
  code: z.string(),
  discount: decimalSchema.nullable().optional(),
  discount_type: text,
  date_start: text,
  date_end: text,
  is_active: z.boolean().nullable().optional(),
});
export type EcommdPromoCode = z.infer<typeof promoCodeSchema>;

/**
 * A DRF error body in one line: `{"status": ["\"x\" is not a valid choice."]}` →
 * `status: "x" is not a valid choice.`; list bodies (one entry per upserted order) and nested
 * item errors are walked with their path (`[0].order_items[1].order_status: …`).
 */
export function flattenDrfErrors(body: unknown, path = ''): string[] {
  if (typeof body === 'string') return [path ? `${path}: ${body}` : body];
  if (Array.isArray(body)) {
    if (body.every((x) => typeof x === 'string')) return body.length ? [`${path ? `${path}: ` : ''}${body.join(' ')}`] : [];
    return body.flatMap((x, i) => flattenDrfErrors(x, `${path}[${i}]`));
  }
  if (body && typeof body === 'object') {
    return Object.entries(body).flatMap(([k, v]) => {
      const p = k === 'non_field_errors' || k === 'detail' ? path : path ? `${path}.${k}` : k;
      return flattenDrfErrors(v, p);
    });
  }
  return body === undefined || body === null ? [] : [`${path || '(body)'}: ${JSON.stringify(body)}`];
}
