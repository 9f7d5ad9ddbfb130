/** Small helpers shared by the supplier and buyer sides. */
import { randomBytes } from 'node:crypto';
import { sha1 } from '../../core/store/orders.ts';

/** JSON with object keys sorted at every level: the same content always gives the same text. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
    .join(',')}}`;
}

/** Hash of a request's content, its timestamp left out (resends differ only in the timestamp). */
export function contentHash(request: Record<string, unknown>): string {
  const { timestamp: _ts, ...content } = request;
  return sha1(stableStringify(content));
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U

/** Our order number for Alza (String30): prefix + YYMMDD + 8 random characters, e.g. OH250601K7Q2M9XA. */
export function newSupplierOrder(prefix: string, now: Date): string {
  const d = now.toISOString();
  const bytes = randomBytes(8);
  let tail = '';
  for (const b of bytes) tail += ALPHABET[b & 31];
  return `${prefix}${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)}${tail}`;
}

export function addHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * 3_600_000);
}
