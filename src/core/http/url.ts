/** Request URLs: the base URL joined with a path or an absolute "next" link, and the query string. */

export type QueryValue = string | number | boolean | null | undefined;

/** null/undefined values are skipped; arrays repeat the key */
export type Query = Record<string, QueryValue | QueryValue[]>;

/** `baseUrl` may include a path prefix: 'http://h:1/api' + '/order' => 'http://h:1/api/order'. */
export function buildUrl(baseUrl: string, path: string, query?: Query): string {
  let url = /^https?:\/\//i.test(path)
    ? path
    : `${baseUrl.replace(/\/+$/, '')}${path === '' || path.startsWith('/') || path.startsWith('?') ? '' : '/'}${path}`;
  const qs = encodeQuery(query);
  if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  return url;
}

function encodeQuery(query: Query | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === null || v === undefined) continue;
      // encodeURIComponent, not URLSearchParams: a space must be %20 in a query, '+' is ambiguous
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
    }
  }
  return parts.join('&');
}

/** "/api/order?x=1" of a URL, for compact messages. */
export function pathOf(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(url);
  return m?.[1] || '/';
}
