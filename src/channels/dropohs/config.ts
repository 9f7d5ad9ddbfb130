/** The connection entry of a Dropohs API token (one token, one or more e-shops). */
import { z } from 'zod';
import { parseDuration } from '../../core/canonical/time.ts';
import { baseConnectionSchema, httpUrl } from '../../core/config.ts';

export const DROPOHS_DEFAULT_PAGE_SIZE = 100;
export const DROPOHS_DEFAULT_CURRENCY = 'CZK';
export const DROPOHS_DEFAULT_CATALOG_MAX_AGE = '1d';

/** An e-shop id: YAML gives a number; a digit string (e.g. from an env variable) is accepted too. */
const shopId = z.union([
  z.number().int('must be an integer').positive('must be positive'),
  z
    .string()
    .regex(/^\s*\d+\s*$/, 'must be an e-shop id (digits)')
    .transform((s) => Number(s.trim())),
]);

export const dropohsConfigSchema = baseConnectionSchema.extend({
  kind: z.literal('dropohs'),
  /**
   * The API root the documented paths (/shops, /orders, /products) hang off. Required: the manual
   * does not name the host, and guessing one would send the token to a server nobody checked.
   */
  baseUrl: httpUrl('must be an http(s) URL (the Dropohs API root; the manual does not name the host)'),
  /** the API token from the e-shop administration, sent raw in `Authorization` */
  token: z.string().min(1, 'the Dropohs API token is required'),
  /** sync only these e-shops (ids from GET /shops); default: every e-shop of the token */
  shopIds: z.array(shopId).min(1, 'list at least one e-shop id, or leave shopIds out to sync all').optional(),
  /** orders (and products) per page; the API documents no maximum */
  pageSize: z.number().int().min(1).max(1000).default(DROPOHS_DEFAULT_PAGE_SIZE),
  /**
   * The API sends no currency. Dropohs e-shops sell in CZK, hence the default [assumed]; set the
   * shop's currency here (EUR for a Slovak shop), or null to leave it empty.
   */
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code such as CZK')
    .transform((c) => c.toUpperCase())
    .nullable()
    .default(DROPOHS_DEFAULT_CURRENCY),
  /** the cached product catalog of a shop is re-read when older than this (and on unknown variants) */
  catalogMaxAge: z
    .string()
    .refine((s) => parseDuration(s) !== null, 'must be a duration such as 6h or 1d')
    .default(DROPOHS_DEFAULT_CATALOG_MAX_AGE),
});

export type DropohsConfig = z.infer<typeof dropohsConfigSchema>;
