/**
 * Where the ecom.md Order Sync API lives and how each endpoint wants the token: the ONE place these
 * choices are made. Marked [DOC] where a public ecom.md page states it, [ASSUMED] where our copy of the
 * Order Sync API page lost the URL (it had lost every link) and the value is our best reading.
 */
import type { AuthStrategy } from '../../core/http/auth.ts';

/** [DOC] support.ecom.md: `{domain}=admin.ecom.md` */
export const ECOMMD_DEFAULT_BASE_URL = 'https://admin.ecom.md';

/** [DOC] Order Sync API page #8/#13: list (GET, filters, page/page_size) and bulk upsert (POST, JSON array) */
export const ORDER_LIST_PATH = '/external/external-order/';

/** [ASSUMED] Order Sync API page #10 "Receive one order" lost its URL; DRF detail route of the list above */
export function orderPath(id: string | number): string {
  return `${ORDER_LIST_PATH}${encodeURIComponent(String(id))}/`;
}

/** [DOC] content API rules: `page_size` default 100, maximum 5000 (larger values are capped silently) */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 5000;

export const REFERENCE_KINDS = ['stores', 'regions', 'localities', 'sectors', 'products', 'promocodes'] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

/**
 * Reference-data paths. `stores` is [DOC] (support.ecom.md "Lists of stores (branches)"); the others
 * are [ASSUMED] (the Order Sync API page lists them without URLs) and can be overridden per connection in
 * `referencePaths`. `{region}` / `{search}` are replaced by the (URL-encoded) argument; a path without
 * the placeholder gets it as `?region=` / `?search=`.
 */
export const DEFAULT_REFERENCE_PATHS: Readonly<Record<ReferenceKind, string>> = {
  stores: '/external/shop/',
  regions: '/external/region/',
  localities: '/external/locality/?region={region}',
  sectors: '/external/sector/',
  products: '/external/product/?search={search}',
  promocodes: '/external/promocode/',
};

export type EcommdEndpoint = 'orders' | ReferenceKind;

/**
 * Which header(s) carry the token. The Order Sync API page shows `API-Token:` on the order endpoints
 * and on promo codes, but a lower-case `token:` on the reference endpoints 1–5 (stores, regions,
 * localities, sectors, product search); the general content-API rules say `API-Token` is "required on
 * every request". The two sources disagree, so those five get both headers: whichever the server
 * checks, it finds. Both are secrets (redacted from logs).
 */
export const TOKEN_HEADERS: Readonly<Record<EcommdEndpoint, readonly string[]>> = {
  orders: ['API-Token'],
  promocodes: ['API-Token'],
  stores: ['token', 'API-Token'],
  regions: ['token', 'API-Token'],
  localities: ['token', 'API-Token'],
  sectors: ['token', 'API-Token'],
  products: ['token', 'API-Token'],
};

/** The token in every header of `names` (sent as is, no scheme). */
export function tokenHeadersAuth(names: readonly string[], token: string): AuthStrategy {
  const lower = names.map((n) => n.toLowerCase());
  return {
    secretHeaders: lower,
    async apply(headers) {
      for (const n of lower) headers[n] = token;
    },
  };
}

/**
 * A DRF `next` link → the absolute URL to request. DRF builds links from the Host header it saw, so
 * behind a proxy they may name an internal host or http://. Only the path and query are taken; the
 * scheme, host and port are always the configured baseUrl's, so the token is never sent elsewhere.
 * A relative link is resolved against the baseUrl.
 */
export function resolveNextLink(next: string, baseUrl: string): string {
  const base = new URL(baseUrl);
  let link: URL;
  try {
    link = new URL(next, base);
  } catch {
    throw new TypeError(`ecom.md sent a "next" link that is not a URL: ${JSON.stringify(next).slice(0, 200)}`);
  }
  return `${base.origin}${link.pathname}${link.search}`;
}

/** A reference path with its argument filled in (see DEFAULT_REFERENCE_PATHS). */
export function fillReferencePath(template: string, placeholder: 'region' | 'search' | null, value: string | null): string {
  if (placeholder === null || value === null) return template.replace(/[?&][A-Za-z_]+=\{(region|search)\}/g, '');
  const token = `{${placeholder}}`;
  const encoded = encodeURIComponent(value);
  if (template.includes(token)) return template.split(token).join(encoded);
  return `${template}${template.includes('?') ? '&' : '?'}${placeholder}=${encoded}`;
}
