/**
 * The connection entry of one Alza Dropshipment buyer relationship (orderhub.yaml):
 *
 *   - name: alza-drop
 *     kind: alza-dropship
 *     customerId: 1            # the Buyer ID we assigned to Alza (the HMAC `client` of its calls)
 *     supplierId: 12345        # assigned to us by Alza (the HMAC `client` of our calls)
 *     supplierBranchId: 1
 *     secret: ${ALZA_DROP_SECRET}
 *     buyerApiUrl: https://…/api/v1
 */
import { z } from 'zod';
import { baseConnectionSchema, httpSettingsSchema, httpUrl } from '../../core/config.ts';

const id = (what: string) =>
  z.number({ error: `${what} must be a whole number` }).int(`${what} must be a whole number`).min(1, `${what} must be at least 1`).max(2_147_483_647);

export const availabilitySettingsSchema = z
  .object({
    /** queue Availability messages by itself while the server runs */
    auto: z.boolean().default(true),
    /** collect stock changes at least this long before an `Update` ([DOC] ≥ 10 min, ≤ 1 h) */
    updateMinutes: z.number().int().min(10).max(60).default(10),
    /** send a `PartialFull` snapshot every night between 00:00 and 06:00 Prague time [DOC] */
    nightlyPartialFull: z.boolean().default(true),
  })
  .strict();

const dropshipFields = baseConnectionSchema.extend({
  kind: z.literal('alza-dropship'),
  customerId: id('customerId'),
  supplierId: id('supplierId'),
  supplierBranchId: id('supplierBranchId'),
  /** the shared HMAC secret agreed with Alza */
  secret: z.string().min(1, 'the shared HMAC secret is required'),
  /** Alza's Buyer API base, e.g. https://services.example/api/v1 (the signed `api` part is its path) */
  buyerApiUrl: httpUrl(),
  /**
   * The `api` part Alza signs, when a proxy serves our Supplier API under another path than orderhub
   * does (e.g. public /Dropship/alza/v1 → /dropship/alza/v1). Default: the path the request arrived on.
   */
  apiPath: z.string().regex(/^(\/[^/?#\s]+)+$/, 'must be a path such as /Dropship/alza/v1').optional(),
  /** validUntil of a new reservation ([DOC] default 30 days, at least 1 day) */
  reservationDays: z.number().int().min(1).max(365).default(30),
  /** after Confirm, before departure, the doc lets the supplier refuse a Cancel with -5 */
  cancelAfterConfirm: z.enum(['accept', 'reject']).default('accept'),
  /** answer -4 Invalid price when an item's purchase price is below the catalog's price */
  checkPrices: z.boolean().default(false),
  /** refuse signed requests whose timestamp is further than this from our clock; 0 = no check */
  timestampToleranceMinutes: z.number().int().min(0).max(7 * 24 * 60).default(24 * 60),
  /** Availability: the price currency and country, and the VAT rate sent with purchase prices */
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CZK').default('CZK'),
  priceCountry: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 code such as CZ').default('CZ'),
  vatRate: z.string().regex(/^\d{1,2}(\.\d{1,2})?$/, 'must be a percentage such as "21"').default('21'),
  availability: availabilitySettingsSchema.default(availabilitySettingsSchema.parse({})),
  /** Buyer API messages are given up (state failed, shown by `outbox`) after this many attempts */
  outboxMaxAttempts: z.number().int().min(1).max(1000).default(50),
  /**
   * Alza may take up to 280 s to answer an Availability and 60 s the other messages [DOC "Timeouts"];
   * giving up sooner only makes us resend what Alza is still processing.
   */
  http: httpSettingsSchema.default(httpSettingsSchema.parse({ timeoutMs: 300_000, deadlineMs: 310_000 })),
  /** prefix of the supplierOrder numbers we hand out */
  supplierOrderPrefix: z.string().regex(/^[A-Z0-9]{0,8}$/, 'up to 8 capital letters or digits').default('OH'),
});

/** `baseUrl` (required of every connection) defaults to the Buyer API URL: it is the URL we call. */
export const alzaDropshipConfigSchema = z.preprocess((raw) => {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    if (o.baseUrl === undefined && typeof o.buyerApiUrl === 'string') return { ...o, baseUrl: o.buyerApiUrl };
  }
  return raw;
}, dropshipFields);

export type AlzaDropshipConfig = z.infer<typeof dropshipFields>;

/** The `api` part of the Buyer API's signature: the path of buyerApiUrl ("/api/v1"). */
export function buyerApiPath(config: Pick<AlzaDropshipConfig, 'buyerApiUrl'>): string {
  return new URL(config.buyerApiUrl).pathname.replace(/\/+$/, '');
}
