/**
 * Webhook signatures, one of two schemes per subscription (docs/api.md):
 *
 * - `orderhub` (the default), Stripe-style: `Orderhub-Signature: t=<unix seconds>,v1=<hex>` where
 *   v1 = HMAC-SHA256(secret, "<t>.<raw body>"). verifyWebhookSignature is the reference verifier.
 * - `standard`, the Standard Webhooks specification (standardwebhooks.com), which receivers verify
 *   with an existing library in their language: `webhook-id`, `webhook-timestamp` (unix seconds) and
 *   `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")>`, where the key
 *   is the base64-decoded part of a `whsec_<base64>` secret. The id is the event's id, the same on
 *   every attempt, so receivers can drop repeats.
 *
 * Both sign the raw bytes with a timestamp, so receivers refuse replays of old deliveries.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'orderhub-signature';
export const EVENT_ID_HEADER = 'orderhub-event-id';
export const EVENT_TYPE_HEADER = 'orderhub-event-type';
export const DELIVERY_ID_HEADER = 'orderhub-delivery-id';

export const SIGNING_SCHEMES = ['orderhub', 'standard'] as const;
export type SigningScheme = (typeof SIGNING_SCHEMES)[number];

export const STANDARD_ID_HEADER = 'webhook-id';
export const STANDARD_TIMESTAMP_HEADER = 'webhook-timestamp';
export const STANDARD_SIGNATURE_HEADER = 'webhook-signature';

/**
 * A generated secret. Both schemes start with whsec_; a standard one is base64 (the specification's
 * alphabet, which its libraries decode), an orderhub one base64url (used as it is, as the HMAC key).
 */
export function newWebhookSecret(scheme: SigningScheme = 'orderhub'): string {
  return scheme === 'standard' ? `whsec_${randomBytes(32).toString('base64')}` : `whsec_${randomBytes(24).toString('base64url')}`;
}

/** Why `secret` cannot sign with `scheme`, or null. The specification asks for a key of 24 to 64 bytes. */
export function secretProblem(scheme: SigningScheme, secret: string): string | null {
  if (scheme === 'orderhub') return secret.length >= 16 ? null : 'the secret must have at least 16 characters';
  const b64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : null;
  const key = b64 !== null && /^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? Buffer.from(b64, 'base64') : null;
  // a round trip refuses what decoders disagree on (missing padding, stray bits)
  if (key === null || key.toString('base64') !== b64) return 'a standard secret is whsec_ followed by base64 (e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw)';
  if (key.length < 24 || key.length > 64) return `a standard secret's key must be 24 to 64 bytes (this one has ${key.length})`;
  return null;
}

/** The Standard Webhooks HMAC key of a `whsec_<base64>` secret. */
export function standardKey(secret: string): Buffer {
  return Buffer.from(secret.slice('whsec_'.length), 'base64');
}

/** The Standard Webhooks headers of one attempt. */
export function standardHeaders(key: Buffer, id: string, body: string | Buffer, now = Date.now()): Record<string, string> {
  const t = Math.floor(now / 1000);
  const mac = createHmac('sha256', key).update(`${id}.${t}.`).update(body).digest('base64');
  return { [STANDARD_ID_HEADER]: id, [STANDARD_TIMESTAMP_HEADER]: String(t), [STANDARD_SIGNATURE_HEADER]: `v1,${mac}` };
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

/** What signs one subscription's deliveries (the standard key decoded once). */
export type Signer = { scheme: 'orderhub'; secret: string } | { scheme: 'standard'; key: Buffer };

export function signerFor(scheme: SigningScheme, secret: string): Signer {
  return scheme === 'standard' ? { scheme, key: standardKey(secret) } : { scheme, secret };
}

/** The signature headers of one attempt, in the subscription's scheme. */
export function signatureHeaders(signer: Signer, eventId: string, body: string | Buffer, now = Date.now()): Record<string, string> {
  return signer.scheme === 'standard' ? standardHeaders(signer.key, eventId, body, now) : { [SIGNATURE_HEADER]: signatureHeader(signer.secret, body, now) };
}
