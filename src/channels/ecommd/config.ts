/** The connection entry of an ecom.md site (one API token = one group of shops). */
import { z } from 'zod';
import { baseConnectionSchema, httpUrl } from '../../core/config.ts';
import { DEFAULT_PAGE_SIZE, DEFAULT_REFERENCE_PATHS, ECOMMD_DEFAULT_BASE_URL, MAX_PAGE_SIZE, type ReferenceKind } from './endpoints.ts';

export const ECOMMD_LANGUAGES = ['ro', 'ru', 'en', 'uk'] as const;

const referencePath = z
  .string()
  .regex(/^\/\S*$/, 'must be a path starting with "/" such as /external/region/');

export const ecommdConfigSchema = baseConnectionSchema.extend({
  kind: z.literal('ecommd'),
  /** `{domain}` issued by the site manager; the docs name admin.ecom.md */
  baseUrl: httpUrl().default(ECOMMD_DEFAULT_BASE_URL),
  /** the site's API token (from the ecom.md manager), sent in `API-Token` (and `token`, see endpoints.ts) */
  apiToken: z.string().min(1, 'the ecom.md API token is required'),
  /** Accept-Language: the language of product, region and locality names */
  language: z.enum(ECOMMD_LANGUAGES).default('ro'),
  /** orders per page; the API caps page_size at 5000 */
  pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  /** overrides of the assumed reference-data paths (see endpoints.ts DEFAULT_REFERENCE_PATHS) */
  referencePaths: z
    .object({
      stores: referencePath,
      regions: referencePath,
      localities: referencePath,
      sectors: referencePath,
      products: referencePath,
      promocodes: referencePath,
    })
    .partial()
    .strict()
    .default({}),
});

export type EcommdConfig = z.infer<typeof ecommdConfigSchema>;

export function referencePathOf(config: Pick<EcommdConfig, 'referencePaths'>, kind: ReferenceKind): string {
  return config.referencePaths[kind] ?? DEFAULT_REFERENCE_PATHS[kind];
}
