/**
 * Webhook signatures, Stripe-style: `Orderhub-Signature: t=<unix seconds>,v1=<hex>` where
 * v1 = HMAC-SHA256(secret, "<t>.<raw body>"). Receivers verify over the raw bytes and refuse old
 * timestamps (replays); verifyWebhookSignature is the reference implementation (docs/api.md).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'orderhub-signature';
export const EVENT_ID_HEADER = 'orderhub-event-id';
export const EVENT_TYPE_HEADER = 'orderhub-event-type';
export const DELIVERY_ID_HEADER = 'orderhub-delivery-id';

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

export function signPayload(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export function signatureHeader(secret: string, body: string | Buffer, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  return `t=${t},v1=${signPayload(secret, t, body)}`;
}

/**
 * True when `header` carries a valid v1 signature of `rawBody` made within `toleranceSeconds` of now.
 * Never throws on malformed input (wrong length, missing parts): it answers false.
 */
export function verifyWebhookSignature(
  secret: string,
  rawBody: string | Buffer,
  header: string | undefined,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  if (!header) return false;
  let t: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && v) candidates.push(v);
  }
  if (t === null || candidates.length === 0) return false;
  const tolerance = options.toleranceSeconds ?? 300;
  const nowS = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowS - t) > tolerance) return false;
  const expected = Buffer.from(signPayload(secret, t, rawBody), 'hex');
  return candidates.some((c) => {
    if (!/^[0-9a-f]{64}$/i.test(c)) return false;
    return timingSafeEqual(Buffer.from(c, 'hex'), expected);
  });
}
