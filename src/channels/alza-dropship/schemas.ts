/**
 * zod schemas of the Supplier API requests (Alza → us) and of the Buyer API answers (Alza → us).
 *
 * The same schema reads the JSON and the XML form of a request: XML gives every scalar as a string,
 * JSON gives numbers and booleans, so scalars accept both and normalise (ids and money to exact
 * decimal strings, never through a double). Empty XML elements and nil count as absent. Unknown
 * fields are kept: the doc announces "upcoming" fields, and a stored order should not lose them.
 */
import { z } from 'zod';
import { compareDecimals, decimalFromJsonNumber, normalizeDecimal, plainDecimal } from '../../core/canonical/money.ts';
import { issuePath } from '../kit/issues.ts';
import {
  PACKAGE_SORTING_GROUPS, PARCEL_SHOP_IDENTIFICATIONS, SHIPMENT_DELIVERY_TYPES, SHIPMENT_SHIPPING_MODES, isDate,
  isTimestamp, parseErrorCode,
} from './protocol.ts';

const INT32_MAX = 2_147_483_647;

/**
 * Limits of our own [ASSUMED: the doc gives none] (README "Limits"): a list longer than this is
 * refused by its length, before any of its items is looked at, so a body of 150 000 empty items
 * costs as little as a short one.
 */
export const MAX_ORDER_ITEMS = 1_000;
const MAX_LIST = 100;
const list = <T extends z.ZodType>(item: T, max = MAX_LIST) => z.array(item).max(max, `must contain at most ${max} items`);
const ID64_MAX = 9_223_372_036_854_775_807n;
const MONEY_MAX = '9999999999.99';

/** '' and null (an empty or nil XML element) mean "not given". */
const absent = (v: unknown) => (v === '' || v === null ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(absent, schema.optional());

export const int32 = (min: number, max = INT32_MAX) =>
  z
    .union([z.number(), z.string().trim().regex(/^-?\d+$/, 'must be a whole number').transform(Number)])
    .pipe(z.number().int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** Id64: 1 … 2^63-1, kept as a digit string (a double cannot hold it). */
export const id64 = z
  .union([
    z.number().refine((n) => Number.isSafeInteger(n), 'must be a whole number').transform((n) => String(n)),
    z.string().trim().regex(/^\d{1,19}$/, 'must be a whole number'),
  ])
  .transform((s) => BigInt(s))
  .refine((n) => n >= 1n && n <= ID64_MAX, 'must be between 1 and 9223372036854775807')
  .transform((n) => n.toString());

/** Money: decimal(15,2), 0 – 9999999999.99, as an exact decimal string. */
export const money = z
  .union([
    z.number().refine(Number.isFinite, 'must be a number').transform((n) => decimalFromJsonNumber(n)),
    z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number'),
  ])
  .refine((s) => {
    const plain = plainDecimal(s); // a tiny JSON number arrives in big.js's exponent form ("1e-8")
    return compareDecimals(plain, '0') >= 0 && compareDecimals(plain, MONEY_MAX) <= 0;
  }, 'must be between 0 and 9999999999.99')
  .transform((s) => normalizeDecimal(s));

export const bool = z.union([
  z.boolean(),
  z.enum(['true', 'false', 'True', 'False', '1', '0']).transform((s) => s === 'true' || s === 'True' || s === '1'),
]);

export const str = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must have at most ${max} characters`);
export const currency = z.string().trim().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as CZK');
export const country = z.string().trim().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as CZ');
export const timestamp = z.string().trim().refine(isTimestamp, 'must be a Timestamp YYYY-MM-DDThh:mm:ss.nnn (Prague time, no offset)');
export const date = z.string().trim().refine(isDate, 'must be a date YYYY-MM-DD');

/** SupplierProductCode [DOC]: ≤ 50, alphanumerics with diacritics and _ - : / . # , ( ) + *; outer spaces ignored. */
export const productCode = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(50, 'must have at most 50 characters')
  .regex(/^[\p{L}\p{M}\p{N}_\-:/.#,()+*]+$/u, 'may contain letters, digits and _ - : / . # , ( ) + * only');

/** The key a product is found by: codes are case-insensitive and outer whitespace is ignored [DOC]. */
export function productKey(code: string): string {
  return code.trim().normalize('NFC').toLowerCase();
}

const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().trim().refine((v): v is T[number] => (values as readonly string[]).includes(v), `must be one of ${values.join(', ')}`);

/** An enumeration value that grows with Alza's carriers: format-checked only (see README). */
const openEnum = z.string().trim().regex(/^[A-Za-z0-9_]{1,50}$/, 'must be a carrier name such as PPL');

const requestBase = {
  timestamp,
  customerId: int32(0),
  supplierId: opt(int32(1)),
  regNo: opt(str(30)),
  vatNo: opt(str(30)),
};

export const orderItemSchema = z.looseObject({
  orderItemId: id64,
  code: productCode,
  quantity: int32(1),
  // Required by Alza's doc, but K2's WCF contract omits zero values (EmitDefaultValue=false).
  purchasePriceWithoutFees: opt(money),
  fees: opt(z.looseObject({ copyright: opt(money), recycling: opt(money) })),
  /** deprecated [DOC] */
  unitPrice: opt(money),
  alzaBarCodes: opt(list(str(30))),
  serialNumbersExpected: opt(bool),
  serialNumbersRequired: opt(bool),
});

/** K2 spells it `ItemsPriceCountry`; Alza's doc `itemsPriceCountry`. Both are read. */
function foldItemsPriceCountry(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const o = raw as Record<string, unknown>;
  if (!Object.hasOwn(o, 'ItemsPriceCountry')) return raw;
  const { ItemsPriceCountry: k2, ...rest } = o;
  if (rest.itemsPriceCountry !== undefined && rest.itemsPriceCountry !== k2) return { ...rest, itemsPriceCountry: [k2, rest.itemsPriceCountry] };
  return { ...rest, itemsPriceCountry: k2 };
}

export const insertRequestSchema = z.preprocess(
  foldItemsPriceCountry,
  z
    .looseObject({
      ...requestBase,
      supplierBranchId: int32(1),
      itemsPriceCurrency: currency,
      itemsPriceCountry: opt(country),
      orderItems: list(orderItemSchema, MAX_ORDER_ITEMS).min(1, 'must contain at least one item'),
    })
    .superRefine((o, ctx) => {
      const seen = new Set<string>();
      o.orderItems.forEach((item, i) => {
        if (seen.has(item.orderItemId)) ctx.addIssue({ code: 'custom', path: ['orderItems', i, 'orderItemId'], message: `${item.orderItemId} is used by two items` });
        seen.add(item.orderItemId);
      });
    }),
);

const addressSchema = z.looseObject({
  companyName: opt(str(100)),
  addressName: opt(str(100)),
  streetWithNumber: str(100),
  city: str(100),
  country,
  zip: str(10),
  phone: str(30),
  email: str(100),
  note: opt(str(500)),
});

export const confirmRequestSchema = z
  .looseObject({
    ...requestBase,
    supplierBranchId: opt(int32(1)),
    taxNo: opt(str(30)),
    shippingCarrier: z.looseObject({
      shippingCarrierCode: opt(openEnum),
      shippingCarrierDeliveryType: openEnum,
    }),
    parcelShop: opt(z.looseObject({
      parcelShopIdentification: enumOf(PARCEL_SHOP_IDENTIFICATIONS),
      parcelShopBranchCode: str(50),
    })),
    route: opt(z.looseObject({
      routeName: opt(str(100)),
      routeStops: opt(list(z.looseObject({ branchName: opt(str(100)), ramp: opt(str(50)) }))),
      routeDeliveryOrder: opt(int32(0, 32_767)),
    })),
    shipmentDeliveryType: enumOf(SHIPMENT_DELIVERY_TYPES),
    shipmentShippingMode: enumOf(SHIPMENT_SHIPPING_MODES),
    shipmentDeliveryServices: opt(z.looseObject({ oldApplianceRemoval: opt(bool), carryIn: opt(bool), basicInstallation: opt(bool) })),
    shipmentValue: opt(money),
    shipmentValueCurrency: opt(currency),
    packageSorting: opt(z.looseObject({ packageSortingGroup: enumOf(PACKAGE_SORTING_GROUPS), packageSortingPrint: opt(str(10)) })),
    demandedExpeditionDate: opt(date),
    shipmentDepartureTime: timestamp,
    // Required [DOC] ("0 when prepaid"); WCF omits zero values, so a missing value reads as 0.
    cashOnDeliveryValue: opt(money),
    cashOnDeliveryValueCurrency: opt(currency),
    paymentVS: str(30),
    deliveryBranchId: opt(int32(1)),
    shipmentExternalOrderNumber: opt(str(50)),
    deliveryAddress: addressSchema,
  })
  .superRefine((o, ctx) => {
    if (o.shipmentDeliveryType === 'ParcelShop' && !o.parcelShop) {
      ctx.addIssue({ code: 'custom', path: ['parcelShop'], message: 'is required when shipmentDeliveryType is ParcelShop' });
    }
    if (!o.deliveryAddress.companyName && !o.deliveryAddress.addressName) {
      ctx.addIssue({ code: 'custom', path: ['deliveryAddress', 'addressName'], message: 'companyName or addressName is required' });
    }
    if (o.cashOnDeliveryValue !== undefined && compareDecimals(plainDecimal(o.cashOnDeliveryValue), '0') > 0 && !o.cashOnDeliveryValueCurrency) {
      ctx.addIssue({ code: 'custom', path: ['cashOnDeliveryValueCurrency'], message: 'is required when cashOnDeliveryValue is not 0' });
    }
    if (o.shipmentValue !== undefined && !o.shipmentValueCurrency) {
      ctx.addIssue({ code: 'custom', path: ['shipmentValueCurrency'], message: 'is required with shipmentValue' });
    }
  });

export const cancelRequestSchema = z.looseObject({ ...requestBase, supplierBranchId: opt(int32(1)) });

export const extendRequestSchema = z.looseObject({
  ...requestBase,
  supplierBranchId: opt(int32(1)),
  validUntil: opt(timestamp),
});

export type InsertRequest = z.infer<typeof insertRequestSchema>;
export type InsertItem = z.infer<typeof orderItemSchema>;
export type ConfirmRequest = z.infer<typeof confirmRequestSchema>;
export type CancelRequest = z.infer<typeof cancelRequestSchema>;
export type ExtendRequest = z.infer<typeof extendRequestSchema>;

/** Problems an answer names; the rest are counted ("… and 41 more"). */
const LISTED_ISSUES = 3;
const MAX_ISSUE_MESSAGE = 200;

/** The problems in an answer to Alza ("orderItems[0].code: must not be empty"): the first three, naming the field, and how many more (the channel kit's describeIssues is for quarantined records). */
export function answerIssues(error: z.ZodError): string {
  const listed = error.issues
    .slice(0, LISTED_ISSUES)
    .map((issue) => {
      const path = issuePath(issue.path);
      const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
      return `${path || '(body)'}: ${message.length > MAX_ISSUE_MESSAGE ? `${message.slice(0, MAX_ISSUE_MESSAGE - 1)}…` : message}`;
    })
    .join('; ');
  const more = error.issues.length - LISTED_ISSUES;
  return more > 0 ? `${listed}; … and ${more} more` : listed;
}

// Buyer API answers (what Alza sends back to our calls).

const errorCode = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const code = parseErrorCode(v);
  if (code === null) {
    ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not an errorCode` });
    return z.NEVER;
  }
  return code;
});

export const generalResponseSchema = z.looseObject({
  errorCode,
  errorMessage: z.string().nullish(),
});

export const shipmentCreateResponseSchema = generalResponseSchema.extend({
  shipment: z
    .looseObject({
      shipmentNumber: z.union([z.string(), z.number()]).transform(String),
      packages: z
        .array(z.looseObject({
          packageId: id64,
          number: z.union([z.string(), z.number()]).transform(String),
          fullNumber: z.string().nullish(),
          pdf: z.string().nullish(),
        }))
        .default([]),
      pdf: z.string().nullish(),
    })
    .nullish(),
});

export const departureResponseSchema = generalResponseSchema.extend({
  shipment: z
    .looseObject({
      departureTime: z.string().nullish(),
      shippingList: z.looseObject({ shippingListId: z.union([z.string(), z.number()]).nullish(), pdf: z.string().nullish() }).nullish(),
    })
    .nullish(),
});

export type GeneralResponse = z.infer<typeof generalResponseSchema>;
export type ShipmentCreateResponse = z.infer<typeof shipmentCreateResponseSchema>;
export type DepartureResponse = z.infer<typeof departureResponseSchema>;
