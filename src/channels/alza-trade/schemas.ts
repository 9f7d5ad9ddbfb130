/**
 * THE ASSUMED WIRE CONTRACT of the AlzaTrade API v2 — the one file to correct against the real swagger
 * (https://portalapi.alza.cz/swagger/index.html, public but not in our material).
 *
 * What is DOCUMENTED (trade.alza.cz/en/info/api and the pages in README.md): the token endpoint and its
 * form fields, Bearer tokens of one hour, re-token on 401, the blacklist, and that `GET /orders` is
 * paged, filtered by date and state and sorted, and that `GET /orders/unshipped` takes an optional
 * departure-time window and returns every unshipped order.
 *
 * Everything in this file is ASSUMED [INF]: the path prefix, every query-parameter name, the paging
 * base, the sort value, the state spellings, the time format and every field of the order JSON. The
 * connector, the mapping and the simulator read these names from here only, so correcting them is a
 * one-file change (the simulator serialises through `toWireOrder`, the connector parses through
 * `parseWireOrder`; both sides move together).
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { utcToWallTime, wallTimeToUtc } from '../../core/canonical/time.ts';

// ------------------------------------------------------------------------------------------------
// endpoints and query parameters [INF]

/** Default resource prefix under the API host (`https://portalapi.alza.cz/api/v2/orders`). [INF] */
export const DEFAULT_API_PREFIX = '/api/v2';

export const PATHS = {
  orders: '/orders',
  unshipped: '/orders/unshipped',
} as const;

/** Query-parameter names. [INF] */
export const QUERY = {
  /** creation time, inclusive lower bound (ISO 8601 with the offset, see formatFilterTime) */
  dateFrom: 'dateFrom',
  /** creation time, exclusive upper bound */
  dateTo: 'dateTo',
  /** order state; repeated for several states (`state=A&state=B`, ASP.NET array binding) */
  state: 'state',
  sort: 'sort',
  page: 'page',
  pageSize: 'pageSize',
  /** /orders/unshipped: shipment departure time window (inclusive from, exclusive to) */
  departureFrom: 'departureFrom',
  departureTo: 'departureTo',
} as const;

/** Page numbers start at 1 (the engine counts pages from 0 and this is added). [INF] */
export const FIRST_PAGE = 1;

/** Sort by creation time ascending (then order number): new orders only ever append at the end. [INF] */
export const SORT_CREATED_ASC = 'created';
export const SORT_CREATED_DESC = '-created';

/** The largest pageSize the API accepts. [INF] */
export const MAX_PAGE_SIZE = 1000;

// ------------------------------------------------------------------------------------------------
// order states [DOC names from the portal UI, INF spellings]

/**
 * The portal shows "Waiting", "Awaiting label creation", "Cancelled", "Cancelled after shipment"
 * (documented, UI level) and "Shipped"/"Delivered" (cut off in the pages found). The enum spellings
 * below are assumed (PascalCase, as a .NET enum serialised by name would be).
 */
export const ALZA_STATES = {
  waiting: 'Waiting',
  awaitingLabelCreation: 'AwaitingLabelCreation',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  cancelledAfterShipment: 'CancelledAfterShipment',
} as const;
export type AlzaState = (typeof ALZA_STATES)[keyof typeof ALZA_STATES];
export const ALL_ALZA_STATES: readonly AlzaState[] = Object.values(ALZA_STATES);

/** States in which an order can still change; the `{kind:'open'}` query filters on them. */
export const OPEN_ALZA_STATES: readonly AlzaState[] = [
  ALZA_STATES.waiting,
  ALZA_STATES.awaitingLabelCreation,
  ALZA_STATES.shipped,
];

/**
 * The closed states; the `{kind:'closed'}` query filters on them. Closed is not final: a Delivered
 * order that is "initially shipped and later returned" becomes CancelledAfterShipment (Alza's guide,
 * see README.md), and the engine re-checks closed orders for such late changes.
 */
export const CLOSED_ALZA_STATES: readonly AlzaState[] = ALL_ALZA_STATES.filter((s) => !OPEN_ALZA_STATES.includes(s));

// ------------------------------------------------------------------------------------------------
// time format [INF]

/**
 * Times the API sends (order `created`, `shipmentDepartureTime`) are ASSUMED to be local Prague wall
 * time without an offset, `2025-03-30T01:15:42`, like the CET timestamps of Alza's Drop API and a .NET
 * `DateTime` serialised without a Kind. Parsing also accepts an explicit offset or `Z` and a .NET
 * 7-digit fraction, so a real API sending `2025-03-30T01:15:42+01:00` maps correctly too.
 *
 * Times orderhub SENDS (the time filters) always carry the instant's offset (formatFilterTime): how
 * the API reads an offset-less filter (Prague wall time or UTC) is not documented, and ISO 8601 with
 * an offset means one instant under either reading.
 */
const WIRE_WALL_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,7}))?$/;
const WIRE_OFFSET_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** A UTC instant → the wire text of an order time (Prague wall time, seconds), as the API sends them. */
export function formatWireTime(utc: Date, zone: string): string {
  return utcToWallTime(utc, zone).replace(' ', 'T');
}

/**
 * A UTC instant → the text of a time FILTER orderhub sends: the zone's wall time with the explicit
 * offset of that instant (`2026-09-10T08:13:00+02:00`, DST-correct; `Z` for UTC). The documents do
 * not say how the API reads an offset-less time (as Prague wall time, or as UTC, as an ASP.NET
 * `DateTime` of unspecified kind may be): with the offset, every reading is the same instant.
 */
export function formatFilterTime(utc: Date, zone: string): string {
  const text = DateTime.fromJSDate(utc, { zone }).toISO({ suppressMilliseconds: true });
  if (text === null) throw new TypeError(`cannot format ${utc.toISOString()} in time zone "${zone}"`);
  return text;
}

/** Wire text → UTC ISO (`…Z`). Throws a TypeError naming the value when it is not a time. */
export function parseWireTime(text: string, zone: string): string {
  const t = text.trim();
  const wall = WIRE_WALL_RE.exec(t);
  if (wall) {
    const fraction = wall[3] === undefined ? '' : `.${wall[3].slice(0, 3)}`;
    return wallTimeToUtc(`${wall[1]} ${wall[2]}${fraction}`, zone);
  }
  if (WIRE_OFFSET_RE.test(t)) {
    // Date.parse handles offsets; a fraction longer than milliseconds is cut to milliseconds first
    const ms = Date.parse(t.replace(/(\.\d{3})\d+/, '$1'));
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  throw new TypeError(`"${text}" is not a date-time (expected e.g. 2025-03-30T01:15:42)`);
}

// ------------------------------------------------------------------------------------------------
// the order JSON [INF]

/**
 * Assumed order JSON (field names chosen to match Alza's Drop API where the concept is the same:
 * `orderItemId`, `code`, `deliveryAddress.addressName`/`streetWithNumber`/`zip`, carrier code/delivery
 * type, `shipmentDepartureTime`):
 *
 * ```json
 * { "orderNumber": "5203698741", "created": "2025-03-30T01:15:42", "state": "AwaitingLabelCreation",
 *   "market": "CZ", "currency": "CZK", "totalPriceWithVat": 1597.0,
 *   "items": [{ "orderItemId": 91234567, "code": "SUP-1001", "alzaCode": "JBL5011", "ean": "8594…",
 *               "name": "…", "quantity": 2, "unitPriceWithVat": 499.0, "vatRate": 21 }],
 *   "customer": { "name": "Jan Novák", "email": "…", "phone": "+420…", "companyName": null,
 *                 "companyId": null, "vatId": null },
 *   "deliveryAddress": { "addressName": "Jan Novák", "companyName": null, "streetWithNumber": "…",
 *                        "city": "Praha", "zip": "12000", "country": "CZ", "phone": "…", "email": "…",
 *                        "note": null },
 *   "carrier": { "code": "PPL", "deliveryType": "PPLPARCELSHOP" },
 *   "shipmentDepartureTime": "2025-03-31T16:00:00", "trackingNumber": "40512345678" }
 * ```
 * Money is a JSON number (a .NET decimal); strings are tolerated. `customer`, `deliveryAddress`,
 * `carrier` and `shipmentDepartureTime` are null while an order is Waiting (Alza gives no recipient
 * details before confirmation [DOC]).
 */

/** Normalised shapes the mapping works on: stable names, whatever the wire calls them. */
export type WireDecimal = string | number;

export interface AlzaItem {
  lineId: string | null;
  supplierCode: string | null;
  alzaCode: string | null;
  ean: string | null;
  name: string | null;
  quantity: WireDecimal;
  unitPriceWithVat: WireDecimal | null;
  vatRate: WireDecimal | null;
}

export interface AlzaCustomer {
  name: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  companyId: string | null;
  vatId: string | null;
}

export interface AlzaAddress {
  name: string | null;
  company: string | null;
  street: string | null;
  city: string | null;
  postalCode: string | null;
  country: string | null;
  phone: string | null;
  email: string | null;
  note: string | null;
}

export interface AlzaOrder {
  orderNumber: string;
  /** wire time text (see parseWireTime) */
  created: string;
  state: string;
  /** the Alza shop the order came from (CZ, SK, HU, AT, DE) */
  market: string | null;
  currency: string | null;
  totalWithVat: WireDecimal | null;
  items: AlzaItem[];
  customer: AlzaCustomer | null;
  deliveryAddress: AlzaAddress | null;
  carrierCode: string | null;
  carrierDeliveryType: string | null;
  /** wire time text */
  departureTime: string | null;
  trackingNumber: string | null;
}

/** Text that may come as a number (ids, phones, zips); empty → null. */
const text = z
  .union([z.string(), z.number().transform((n) => String(n))])
  .nullable()
  .optional()
  .transform((v) => {
    if (v === null || v === undefined) return null;
    const t = v.trim();
    return t === '' ? null : t;
  });

const decimal = z.union([
  z.number().refine(Number.isFinite, 'must be a finite number'),
  z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number'),
]);

const wireItem = z.looseObject({
  orderItemId: text,
  code: text,
  alzaCode: text,
  ean: text,
  name: text,
  quantity: decimal,
  unitPriceWithVat: decimal.nullable().optional(),
  vatRate: decimal.nullable().optional(),
});

const wireCustomer = z.looseObject({
  name: text,
  email: text,
  phone: text,
  companyName: text,
  companyId: text,
  vatId: text,
});

const wireAddress = z.looseObject({
  addressName: text,
  companyName: text,
  streetWithNumber: text,
  city: text,
  zip: text,
  country: text,
  phone: text,
  email: text,
  note: text,
});

const wireCarrier = z.looseObject({ code: text, deliveryType: text });

/** The order number: a string (or a number) of digits/letters, as the API lists it. */
const orderNumberSchema = z.union([
  z.string().trim().regex(/^[A-Za-z0-9-]+$/, 'must be an order number such as "5203698741"'),
  z.number().int().positive().transform((n) => String(n)),
]);

export const wireOrderSchema = z
  .looseObject({
    orderNumber: orderNumberSchema,
    created: z.string().min(1, 'must not be empty'),
    state: z.string().min(1, 'must not be empty'),
    market: text,
    currency: text,
    totalPriceWithVat: decimal.nullable().optional(),
    items: z.array(wireItem),
    customer: wireCustomer.nullable().optional(),
    deliveryAddress: wireAddress.nullable().optional(),
    carrier: wireCarrier.nullable().optional(),
    shipmentDepartureTime: z.string().nullable().optional(),
    trackingNumber: text,
  })
  .transform(
    (o): AlzaOrder => ({
      orderNumber: o.orderNumber,
      created: o.created,
      state: o.state,
      market: o.market,
      currency: o.currency,
      totalWithVat: o.totalPriceWithVat ?? null,
      items: o.items.map((i) => ({
        lineId: i.orderItemId,
        supplierCode: i.code,
        alzaCode: i.alzaCode,
        ean: i.ean,
        name: i.name,
        quantity: i.quantity,
        unitPriceWithVat: i.unitPriceWithVat ?? null,
        vatRate: i.vatRate ?? null,
      })),
      customer: o.customer
        ? {
            name: o.customer.name,
            email: o.customer.email,
            phone: o.customer.phone,
            company: o.customer.companyName,
            companyId: o.customer.companyId,
            vatId: o.customer.vatId,
          }
        : null,
      deliveryAddress: o.deliveryAddress
        ? {
            name: o.deliveryAddress.addressName,
            company: o.deliveryAddress.companyName,
            street: o.deliveryAddress.streetWithNumber,
            city: o.deliveryAddress.city,
            postalCode: o.deliveryAddress.zip,
            country: o.deliveryAddress.country,
            phone: o.deliveryAddress.phone,
            email: o.deliveryAddress.email,
            note: o.deliveryAddress.note,
          }
        : null,
      carrierCode: o.carrier?.code ?? null,
      carrierDeliveryType: o.carrier?.deliveryType ?? null,
      departureTime: o.shipmentDepartureTime?.trim() || null,
      trackingNumber: o.trackingNumber,
    }),
  );

/** Parses one raw order; a ZodError names the offending field. */
export function parseWireOrder(raw: unknown): z.ZodSafeParseResult<AlzaOrder> {
  return wireOrderSchema.safeParse(raw);
}

/** The channel's id of a raw order (its order number), or null when it has none. */
export function orderIdOf(raw: unknown): string | null {
  if (raw === null || typeof raw !== 'object') return null;
  const v = (raw as Record<string, unknown>).orderNumber;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? String(v) : null;
  if (typeof v === 'string') {
    const t = v.trim();
    return /^[A-Za-z0-9-]+$/.test(t) ? t : null;
  }
  return null;
}

/** The state text of a raw order (for the simulator's and the tests' bookkeeping). */
export function stateOf(raw: unknown): string | null {
  const v = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).state : undefined;
  return typeof v === 'string' ? v : null;
}

/** The simulator's side: a normalised order → the wire JSON object (numbers for money). */
export function toWireOrder(o: {
  orderNumber: string;
  created: string;
  state: string;
  market: string | null;
  currency: string | null;
  totalWithVat: number | null;
  items: Array<{ lineId: number; supplierCode: string; alzaCode: string; ean: string | null; name: string; quantity: number; unitPriceWithVat: number; vatRate: number }>;
  customer: AlzaCustomer | null;
  deliveryAddress: AlzaAddress | null;
  carrierCode: string | null;
  carrierDeliveryType: string | null;
  departureTime: string | null;
  trackingNumber: string | null;
}): Record<string, unknown> {
  return {
    orderNumber: o.orderNumber,
    created: o.created,
    state: o.state,
    market: o.market,
    currency: o.currency,
    totalPriceWithVat: o.totalWithVat,
    items: o.items.map((i) => ({
      orderItemId: i.lineId,
      code: i.supplierCode,
      alzaCode: i.alzaCode,
      ean: i.ean,
      name: i.name,
      quantity: i.quantity,
      unitPriceWithVat: i.unitPriceWithVat,
      vatRate: i.vatRate,
    })),
    customer: o.customer && {
      name: o.customer.name,
      email: o.customer.email,
      phone: o.customer.phone,
      companyName: o.customer.company,
      companyId: o.customer.companyId,
      vatId: o.customer.vatId,
    },
    deliveryAddress: o.deliveryAddress && {
      addressName: o.deliveryAddress.name,
      companyName: o.deliveryAddress.company,
      streetWithNumber: o.deliveryAddress.street,
      city: o.deliveryAddress.city,
      zip: o.deliveryAddress.postalCode,
      country: o.deliveryAddress.country,
      phone: o.deliveryAddress.phone,
      email: o.deliveryAddress.email,
      note: o.deliveryAddress.note,
    },
    carrier: o.carrierCode === null && o.carrierDeliveryType === null ? null : { code: o.carrierCode, deliveryType: o.carrierDeliveryType },
    shipmentDepartureTime: o.departureTime,
    trackingNumber: o.trackingNumber,
  };
}

/** A malformed variant for fault injection: `created` in a format the API never uses. */
export function malformWireOrder(wire: Record<string, unknown>): Record<string, unknown> {
  return { ...wire, created: '31.12.2024 25:61' };
}

// ------------------------------------------------------------------------------------------------
// list answers [INF]

/** `GET /orders` → `{items, totalCount, page, pageSize}`. Items are judged one by one by the mapping. */
export const orderPageSchema = z.looseObject({
  items: z.array(z.unknown()),
  totalCount: z.number().int().nonnegative(),
  page: z.number().int().optional(),
  pageSize: z.number().int().optional(),
});
export type OrderPage = z.infer<typeof orderPageSchema>;

export function toWirePage(items: unknown[], totalCount: number, page: number, pageSize: number): Record<string, unknown> {
  return { items, totalCount, page, pageSize };
}

/** `GET /orders/unshipped` → a bare array of orders. */
export const unshippedSchema = z.array(z.unknown());

/** Builds the /orders query. */
export function ordersQuery(p: {
  dateFrom?: string | undefined;
  dateTo?: string | undefined;
  states?: readonly string[] | undefined;
  page: number;
  pageSize: number;
}): Record<string, string | number | string[] | undefined> {
  return {
    [QUERY.dateFrom]: p.dateFrom,
    [QUERY.dateTo]: p.dateTo,
    [QUERY.state]: p.states && p.states.length > 0 ? [...p.states] : undefined,
    [QUERY.sort]: SORT_CREATED_ASC,
    [QUERY.page]: p.page,
    [QUERY.pageSize]: p.pageSize,
  };
}

export function unshippedQuery(p: { departureFrom?: string | undefined; departureTo?: string | undefined }): Record<string, string | undefined> {
  return { [QUERY.departureFrom]: p.departureFrom, [QUERY.departureTo]: p.departureTo };
}

// ------------------------------------------------------------------------------------------------
// the token endpoint [DOC]

export const DEFAULT_TOKEN_URL = 'https://identity.alza.cz/connect/token';
export const DEFAULT_BASE_URL = 'https://portalapi.alza.cz';

/** `{access_token, expires_in, token_type}` (IdentityServer; shape [INF] from Alza's AlzaBox API). */
export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1, 'must not be empty'),
  expires_in: z.union([z.number().positive(), z.string().regex(/^\d+$/).transform(Number)]),
  token_type: z.string().optional(),
  scope: z.string().optional(),
});

/** OAuth2 error body `{"error":"invalid_client", "error_description": …}`. */
export const tokenErrorSchema = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
});
