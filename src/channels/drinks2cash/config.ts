/** The connection entry of a drinks2cash account. */
import { z } from 'zod';
import { baseConnectionSchema, httpUrl } from '../../core/config.ts';

export const DRINKS_DEFAULT_BASE_URL = 'https://drinks2cash.com';
export const DRINKS_DEFAULT_PAGE_SIZE = 500;

export const drinksConfigSchema = baseConnectionSchema.extend({
  kind: z.literal('drinks2cash'),
  /** site root; the client adds /api/… (a trailing /api is tolerated) */
  baseUrl: httpUrl().default(DRINKS_DEFAULT_BASE_URL),
  /** the distributor's key from https://drinks2cash.com/order/admin-importer, sent raw in Authorization */
  apiKey: z.string().min(1, 'the drinks2cash API key is required'),
  /** orders per page (the API documents no maximum) */
  pageSize: z.number().int().min(1).max(5000).default(DRINKS_DEFAULT_PAGE_SIZE),
});

export type DrinksConfig = z.infer<typeof drinksConfigSchema>;
