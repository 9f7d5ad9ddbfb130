/** Small helpers shared by the supplier and buyer sides. */
import { randomBytes } from 'node:crypto';
import { stableJson } from '../../core/stable-json.ts';
import { sha1 } from '../../core/store/orders.ts';

/** Hash of a request's content, its timestamp left out (resends differ only in the timestamp). */
export function contentHash(request: Record<string, unknown>): string {
  const { timestamp: _ts, ...content } = request;
  return sha1(stableJson(content));
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
