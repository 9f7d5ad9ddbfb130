/**
 * The Drop API's request signature [DOC "Authentication"]:
 *
 *   token = base64( HMAC-SHA1( secret, "{client}+{METHOD}+{api}{resource}+{timestamp}" ) )
 *
 * sent URL-encoded as `?token=`. `client` is the Buyer ID (customerId) when Alza calls the supplier
 * and the supplierId when the supplier calls Alza; `timestamp` is the body's, upper-cased; the path is
 * taken in the casing of the URL; the host is not signed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signatureMessage(parts: { client: string | number; method: string; path: string; timestamp: string }): string {
  return `${parts.client}+${parts.method.toUpperCase()}+${parts.path}+${parts.timestamp.toUpperCase()}`;
}

export function computeToken(secret: string, message: string): string {
  return createHmac('sha1', secret).update(message, 'utf8').digest('base64');
}

/** `?token=` value for a request: the Base64 token percent-encoded (`=` → `%3D`, `+` → `%2B`). */
export function tokenQuery(secret: string, parts: Parameters<typeof signatureMessage>[0]): string {
  return encodeURIComponent(computeToken(secret, signatureMessage(parts)));
}

/**
 * The `token` query value exactly as sent, decoded: from the raw URL, because a query parser turns a
 * literal `+` of the Base64 alphabet into a space. Returns null when absent, repeated or malformed.
 */
export function rawTokenFromUrl(rawUrl: string): string | null {
  const q = rawUrl.indexOf('?');
  if (q < 0) return null;
  let found: string | null = null;
  for (const pair of rawUrl.slice(q + 1).split('#')[0]!.split('&')) {
    const eq = pair.indexOf('=');
    const name = eq >= 0 ? pair.slice(0, eq) : pair;
    if (name.toLowerCase() !== 'token') continue;
    if (found !== null) return null; // two tokens: refuse rather than pick one
    let value: string;
    try {
      value = decodeURIComponent(eq >= 0 ? pair.slice(eq + 1) : '');
    } catch {
      return null;
    }
    // Both `...ITQ=` and `...ITQ%3D` must be accepted [DOC]; a `+` that some stack turned into a
    // space (form decoding) is put back, since spaces are not in the Base64 alphabet.
    found = value.replace(/ /g, '+');
  }
  return found === '' ? null : found;
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length) {
    // compare anyway so that the time taken does not depend on where the difference is
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}

export function verifyToken(secret: string, message: string, presented: string | null): boolean {
  if (presented === null) return false;
  return tokensEqual(presented, computeToken(secret, message));
}

/** The path part of a raw request URL (no query, no fragment), as received. */
export function rawPath(rawUrl: string): string {
  const end = rawUrl.search(/[?#]/);
  return end < 0 ? rawUrl : rawUrl.slice(0, end);
}
