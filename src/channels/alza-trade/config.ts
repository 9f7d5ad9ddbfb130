/** The connection entry of an AlzaTrade supplier account (an API client approved in the portal). */
import { z } from 'zod';
import { baseConnectionSchema, httpUrl } from '../../core/config.ts';
import { DEFAULT_API_PREFIX, DEFAULT_BASE_URL, DEFAULT_TOKEN_URL, MAX_PAGE_SIZE } from './schemas.ts';

export const ALZA_DEFAULT_PAGE_SIZE = 100;

export const alzaTradeConfigSchema = baseConnectionSchema.extend({
  kind: z.literal('alza-trade'),
  /** API host; the resource prefix (apiPrefix) is added to it */
  baseUrl: httpUrl().default(DEFAULT_BASE_URL),
  /** "Client ID" shown in the Alza Trade portal (Shop settings → User administration) */
  clientId: z.string().trim().min(1, 'the Alza Trade API client id is required'),
  /** "Secret Key" of the API client; sent URL-encoded in the token request */
  clientSecret: z.string().min(1, 'the Alza Trade API client secret is required'),
  /** OAuth2 token endpoint (client-credentials grant) */
  tokenUrl: httpUrl().default(DEFAULT_TOKEN_URL),
  /** resource prefix, e.g. /api/v2 (assumed, see schemas.ts); '' for none */
  apiPrefix: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)*\/?$/, 'must be a path such as /api/v2')
    .transform((p) => p.replace(/\/+$/, ''))
    .default(DEFAULT_API_PREFIX),
  /** orders per page */
  pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(ALZA_DEFAULT_PAGE_SIZE),
});

export type AlzaTradeConfig = z.infer<typeof alzaTradeConfigSchema>;
