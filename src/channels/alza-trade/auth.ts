/**
 * Alza's OAuth2 client-credentials login, as Alza documents it: POST form `client_id`,
 * `client_secret`, `grant_type=client_credentials` to https://identity.alza.cz/connect/token, a Bearer
 * token of one hour, a new token only after it expired or a 401.
 *
 * Alza blacklists clients that ask for tokens too often or keep sending wrong credentials, so:
 * - the token lives in the store-backed cache shared by every process (ctx.tokenCache) and is fetched
 *   single-flight within a process (bearerAuth) and across processes (token-lock.ts);
 * - a 401 on the API clears that one token and retries the request once (HttpClient + bearerAuth);
 * - a refusal of the credentials (400/401 invalid_client, unauthorized_client, any other 4xx) is an
 *   AuthError: never retried, the engine marks the connection "needs attention" and the scheduler
 *   stops syncing it until a human looks;
 * - the token request is retried only on network errors, timeouts and 5xx, at most TOKEN_MAX_ATTEMPTS
 *   times; a 429 from the token endpoint is not retried either (it says "ask less").
 */
import { randomUUID } from 'node:crypto';
import type { ConnectorContext } from '../../core/connector.ts';
import { OrderhubError } from '../../core/errors.ts';
import { bearerAuth, type AuthStrategy, type CachedToken } from '../../core/http/auth.ts';
import type { HttpClient, HttpResponse } from '../../core/http/client.ts';
import { AuthError, InvalidResponseError } from '../../core/http/errors.ts';
import { snippet } from '../../core/http/snippet.ts';
import { firstIssue } from '../kit/issues.ts';
import { tokenErrorSchema, tokenResponseSchema } from './schemas.ts';
import { sharedTokenFetch } from './token-lock.ts';

/** Attempts of one token request (network errors/5xx only). */
export const TOKEN_MAX_ATTEMPTS = 3;
/** A token expiring sooner than this is replaced before use (bearerAuth's default). */
export const REFRESH_BEFORE_MS = 300_000;

/** The token endpoint answered 429: not retried, the next sync tries again. */
export class TokenRateLimitedError extends OrderhubError {
  constructor(message: string) {
    super('token_rate_limited', message);
  }
}

export interface AlzaCredentials {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
}

/** The sentence users see when Alza refuses the credentials. */
export function credentialsRefusedMessage(code: string): string {
  return (
    `Alza refused the client credentials (${code}) — check clientId/clientSecret; ` +
    "the connection is stopped to avoid Alza's blacklist"
  );
}

/** One token request. Exported for tests and the CLI; connectors go through createAlzaAuth. */
export async function requestToken(http: HttpClient, creds: AlzaCredentials, signal?: AbortSignal): Promise<CachedToken> {
  let res: HttpResponse;
  try {
    res = await http.request({
      method: 'POST',
      path: '',
      // the client URL-encodes the form, so secrets with & ^ % travel intact (Alza's own warning)
      form: { client_id: creds.clientId, client_secret: creds.clientSecret, grant_type: 'client_credentials' },
      signal,
      // network errors, timeouts and 5xx only: every 4xx is accepted below and never repeated
      retry: true,
      acceptStatuses: [400, 401, 403, 404, 405, 415, 429],
    });
  } catch (err) {
    if (err instanceof AuthError) throw new AuthError(credentialsRefusedMessage(`HTTP ${err.status}`), { status: err.status, body: err.body, cause: err });
    throw err;
  }
  const where = `POST ${res.url}`;
  if (res.status === 429) {
    throw new TokenRateLimitedError(
      `Alza's token endpoint answered 429 Too Many Requests (${where}); not retried to stay off Alza's blacklist — the next sync tries again`,
    );
  }
  if (res.status >= 400) {
    let code = `HTTP ${res.status}`;
    let description = '';
    try {
      const body = tokenErrorSchema.safeParse(JSON.parse(res.text));
      if (body.success) {
        code = body.data.error;
        description = body.data.error_description ?? '';
      }
    } catch {
      // not JSON: the status is all we know
    }
    const detail = ` (${where} → HTTP ${res.status}${description ? `: ${description}` : ''})`;
    if (code === 'invalid_client' || code === 'unauthorized_client' || res.status === 401 || res.status === 403) {
      throw new AuthError(credentialsRefusedMessage(code) + detail, { status: res.status, body: res.text });
    }
    // invalid_request, unsupported_grant_type, a wrong tokenUrl …: a human must fix it; repeating the
    // same request would only count against the blacklist.
    throw new AuthError(
      `Alza's token endpoint refused the token request (${code}) — check tokenUrl and the API client's settings; ` +
        `the connection is stopped to avoid Alza's blacklist${detail}`,
      { status: res.status, body: res.text },
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    throw new InvalidResponseError(`Alza's token endpoint answered HTTP ${res.status} without JSON (${where}): ${snippet(res.text)}`, {
      snippet: res.text.slice(0, 200),
    });
  }
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) {
    throw new InvalidResponseError(
      `Alza's token answer is not {access_token, expires_in, token_type} (${firstIssue(parsed.error)}) from ${where}`,
    );
  }
  const type = parsed.data.token_type;
  if (type !== undefined && type.toLowerCase() !== 'bearer') {
    throw new InvalidResponseError(`Alza's token endpoint issued a "${type}" token; only Bearer tokens are supported (${where})`);
  }
  return { accessToken: parsed.data.access_token, expiresAt: new Date(Date.now() + parsed.data.expires_in * 1000) };
}

export interface AlzaAuth extends AuthStrategy {
  /** token requests this instance actually sent to Alza */
  readonly tokenRequests: number;
}

export interface AlzaAuthOptions {
  /** timings of the cross-process lock (tests shorten them) */
  lock?: { pollMs?: number; lockTtlMs?: number; maxWaitMs?: number };
  maxAttempts?: number;
}

/** The Bearer strategy of one connection: store-shared token, one refresh per 401, no login loops. */
export function createAlzaAuth(creds: AlzaCredentials, ctx: ConnectorContext, options: AlzaAuthOptions = {}): { auth: AlzaAuth; tokenHttp: HttpClient } {
  const tokenHttp = ctx.http({ baseUrl: creds.tokenUrl, maxAttempts: options.maxAttempts ?? TOKEN_MAX_ATTEMPTS });
  /** tokens the API answered 401 to: never taken from the cache again by the re-check */
  const rejected = new Set<string>();
  let margin = REFRESH_BEFORE_MS;
  let requests = 0;

  const fetchShared = sharedTokenFetch({
    cache: ctx.tokenCache,
    state: ctx.state,
    owner: `${process.pid}:${randomUUID()}`,
    ...options.lock,
    usable: (t) => !rejected.has(t.accessToken) && t.expiresAt.getTime() - Date.now() > margin,
    async fetch(signal) {
      requests++;
      ctx.logger.info({ tokenUrl: creds.tokenUrl }, 'requesting an Alza access token');
      const token = await requestToken(tokenHttp, creds, signal);
      // mirror bearerAuth: a token living shorter than the margin teaches a smaller margin
      const lifetime = token.expiresAt.getTime() - Date.now();
      if (lifetime <= margin) margin = Math.max(0, Math.floor(lifetime / 2));
      return token;
    },
  });

  const bearer = bearerAuth({ fetchToken: fetchShared, cache: ctx.tokenCache, refreshBeforeMs: REFRESH_BEFORE_MS });
  const auth: AlzaAuth = {
    secretHeaders: bearer.secretHeaders,
    get tokenRequests() {
      return requests;
    },
    apply: (headers, signal) => bearer.apply(headers, signal),
    async onUnauthorized(usedHeaders, signal) {
      const m = /^Bearer\s+(.+)$/i.exec(usedHeaders.authorization ?? '');
      if (m) rejected.add(m[1]!.trim());
      return bearer.onUnauthorized!(usedHeaders, signal);
    },
  };
  return { auth, tokenHttp };
}
