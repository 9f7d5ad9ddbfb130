/**
 * The simulated identity server (https://identity.alza.cz/connect/token): client-credentials tokens,
 * OAuth2 error bodies, and Alza's documented blacklist — too many token requests, or repeated wrong
 * credentials, and the client is blacklisted until a human removes it (here: reset()). While
 * blacklisted, every token request is refused, even with the right credentials.
 */
import { randomBytes } from 'node:crypto';

export interface IdentitySettings {
  clientId: string;
  clientSecret: string;
  /** lifetime of issued tokens (Alza: 3600) */
  tokenLifetimeSec: number;
  /** more token requests than this within 60 s blacklist the client (0 = never) */
  maxTokenRequestsPerMinute: number;
  /** more bad-credential attempts than this (since the last reset) blacklist the client (0 = never) */
  maxBadCredentialAttempts: number;
}

export const DEFAULT_CLIENT_ID = 'alza-trade-sandbox-client';
/** with characters that must be URL-encoded in the form body (Alza warns about & ^ %) */
export const DEFAULT_CLIENT_SECRET = 'sandbox&secret^with%special=chars+/';

export const DEFAULT_IDENTITY: Readonly<IdentitySettings> = Object.freeze({
  clientId: DEFAULT_CLIENT_ID,
  clientSecret: DEFAULT_CLIENT_SECRET,
  tokenLifetimeSec: 3600,
  maxTokenRequestsPerMinute: 10,
  maxBadCredentialAttempts: 5,
});

export interface TokenCounters {
  /** every POST to the token endpoint */
  total: number;
  /** tokens issued */
  good: number;
  /** refused for wrong/missing credentials */
  bad: number;
  /** refused because the client is blacklisted */
  refusedBlacklisted: number;
  /** other refusals (grant type, content type) */
  invalid: number;
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

export class Identity {
  settings: IdentitySettings;
  counters: TokenCounters = { total: 0, good: 0, bad: 0, refusedBlacklisted: 0, invalid: 0 };
  blacklisted = false;
  blacklistReason: string | null = null;
  private recent: number[] = [];
  private badAttempts = 0;
  /** token → expiry (ms) */
  private tokens = new Map<string, number>();

  constructor(settings: Partial<IdentitySettings> = {}) {
    this.settings = { ...DEFAULT_IDENTITY, ...settings };
  }

  /** Merges settings after checking every one: a known name, a value of the setting's type. */
  update(settings: Partial<IdentitySettings> | Record<string, unknown>): IdentitySettings {
    const next = { ...this.settings };
    for (const [k, v] of Object.entries(settings)) {
      if (!(k in next)) throw new RangeError(`unknown identity setting "${k}"; known: ${Object.keys(next).join(', ')}`);
      const current = (next as Record<string, unknown>)[k];
      if (typeof v !== typeof current) throw new TypeError(`identity setting "${k}" must be a ${typeof current}`);
      (next as Record<string, unknown>)[k] = v;
    }
    this.settings = next;
    return next;
  }

  /** A POST to /connect/token with its form fields (null when the body was not a form). */
  token(form: Record<string, string> | null, now = Date.now()): TokenAnswer {
    this.counters.total++;
    this.recent = this.recent.filter((t) => now - t < 60_000);
    this.recent.push(now);
    const s = this.settings;
    if (!this.blacklisted && s.maxTokenRequestsPerMinute > 0 && this.recent.length > s.maxTokenRequestsPerMinute) {
      this.blacklist(`more than ${s.maxTokenRequestsPerMinute} token requests within a minute`);
    }
    if (this.blacklisted) {
      this.counters.refusedBlacklisted++;
      return { status: 400, body: { error: 'invalid_client', error_description: 'The client is blacklisted. Contact Alza to remove it.' } };
    }
    if (form === null) {
      this.counters.invalid++;
      return { status: 400, body: { error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded' } };
    }
    if (form.grant_type !== 'client_credentials') {
      this.counters.invalid++;
      return { status: 400, body: { error: form.grant_type ? 'unsupported_grant_type' : 'invalid_request' } };
    }
    if (form.client_id !== s.clientId || form.client_secret !== s.clientSecret) {
      this.counters.bad++;
      this.badAttempts++;
      if (s.maxBadCredentialAttempts > 0 && this.badAttempts > s.maxBadCredentialAttempts) {
        this.blacklist(`more than ${s.maxBadCredentialAttempts} attempts with wrong credentials`);
      }
      return { status: 400, body: { error: 'invalid_client' } };
    }
    this.counters.good++;
    const token = `eyJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, now + s.tokenLifetimeSec * 1000);
    return {
      status: 200,
      body: { access_token: token, expires_in: s.tokenLifetimeSec, token_type: 'Bearer', scope: 'alzatrade_api' },
    };
  }

  private blacklist(reason: string): void {
    this.blacklisted = true;
    this.blacklistReason = reason;
  }

  /** true when the bearer token is one we issued and it has not expired */
  valid(token: string | null, now = Date.now()): boolean {
    if (token === null) return false;
    const until = this.tokens.get(token);
    return until !== undefined && until > now;
  }

  /** every issued token expires now (tests of the refresh path) */
  expireAll(): void {
    for (const k of this.tokens.keys()) this.tokens.set(k, 0);
  }

  /** clears the blacklist, the request history and the counters (issued tokens stay valid) */
  reset(): void {
    this.blacklisted = false;
    this.blacklistReason = null;
    this.recent = [];
    this.badAttempts = 0;
    this.counters = { total: 0, good: 0, bad: 0, refusedBlacklisted: 0, invalid: 0 };
  }
}
