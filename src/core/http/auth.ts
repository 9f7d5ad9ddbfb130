/**
 * How a connector proves who it is. The client calls apply() before every attempt and, after a 401,
 * onUnauthorized() once; a strategy never retries on its own.
 */

export interface AuthStrategy {
  /** add credentials to outgoing headers (lower-case names) */
  apply(headers: Record<string, string>, signal?: AbortSignal): Promise<void>;
  /** after a 401: drop the cached credential; resolve true if ONE retry with fresh credentials makes sense */
  onUnauthorized?(usedHeaders: Record<string, string>, signal?: AbortSignal): Promise<boolean>;
  /** lower-case header names to redact in logs */
  readonly secretHeaders: readonly string[];
}

/** A fixed key in a header, sent as is (no scheme): `Authorization: <key>`, `API-Token: <t>`. */
export function headerAuth(header: string, value: string): AuthStrategy {
  const name = header.toLowerCase();
  return {
    secretHeaders: [name],
    async apply(headers) {
      headers[name] = value;
    },
  };
}

export interface CachedToken {
  accessToken: string;
  expiresAt: Date;
}

/** One per connection. The store provides a persistent one shared by all processes on it. */
export interface TokenCache {
  get(): Promise<CachedToken | null>;
  set(token: CachedToken | null): Promise<void>;
}

export function memoryTokenCache(): TokenCache {
  let token: CachedToken | null = null;
  return {
    async get() {
      return token;
    },
    async set(t) {
      token = t;
    },
  };
}

export interface BearerAuth extends AuthStrategy {
  /** forget the cached token (e.g. after credentials changed) */
  invalidate(): Promise<void>;
  /** how many times fetchToken was called by this instance */
  readonly tokenRequests: number;
}

export interface BearerAuthOptions {
  fetchToken(signal?: AbortSignal): Promise<CachedToken>;
  cache: TokenCache;
  /** a token expiring sooner than this is replaced before use; default 5 minutes */
  refreshBeforeMs?: number;
}

/**
 * OAuth-style bearer tokens, fetched as rarely as possible: some channels (Alza) blacklist clients
 * that ask for tokens too often. So: the cache is the source of truth (shared by processes), there
 * is at most one fetchToken in flight per instance, a 401 clears only the token that failed, and a
 * failing fetchToken is reported, never retried here.
 */
export function bearerAuth(opts: BearerAuthOptions): BearerAuth {
  let refreshBeforeMs = opts.refreshBeforeMs ?? 300_000;
  let tokenRequests = 0;
  /** the token a 401 was answered to: never handed out again, whatever the cache says */
  let rejected: string | null = null;
  let flight: Flight | null = null;

  interface Flight {
    promise: Promise<CachedToken>;
    controller: AbortController;
    waiters: number;
  }

  function startFlight(): Flight {
    const controller = new AbortController();
    tokenRequests++;
    const promise = (async () => {
      const token = await opts.fetchToken(controller.signal);
      const lifetime = token.expiresAt.getTime() - Date.now();
      if (lifetime <= refreshBeforeMs) {
        // The channel issues tokens shorter-lived than our refresh margin: without this every
        // apply() would fetch a new one. Learn a margin that lets a token live half its life.
        refreshBeforeMs = Math.max(0, Math.floor(lifetime / 2));
      }
      await opts.cache.set(token);
      return token;
    })();
    const f: Flight = { promise, controller, waiters: 0 };
    // clear the slot however it ends, so the next stale token starts a new fetch
    promise.then(
      () => void (flight === f && (flight = null)),
      () => void (flight === f && (flight = null)),
    );
    return f;
  }

  /** Shares the one in-flight fetch; it is aborted only when every caller waiting on it gave up. */
  async function freshToken(signal?: AbortSignal): Promise<CachedToken> {
    signal?.throwIfAborted();
    const f = (flight ??= startFlight());
    f.waiters++;
    if (!signal) {
      try {
        return await f.promise;
      } finally {
        f.waiters--;
      }
    }
    return new Promise<CachedToken>((resolve, reject) => {
      const onAbort = () => {
        f.waiters--;
        if (f.waiters === 0) f.controller.abort(signal.reason);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      f.promise.then(
        (t) => {
          signal.removeEventListener('abort', onAbort);
          f.waiters--;
          resolve(t);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          f.waiters--;
          reject(e);
        },
      );
    });
  }

  function usable(t: CachedToken | null): t is CachedToken {
    return t !== null && t.accessToken !== rejected && t.expiresAt.getTime() - Date.now() > refreshBeforeMs;
  }

  return {
    secretHeaders: ['authorization'],
    get tokenRequests() {
      return tokenRequests;
    },
    async apply(headers, signal) {
      let token = await opts.cache.get();
      if (!usable(token)) token = await freshToken(signal);
      headers.authorization = `Bearer ${token.accessToken}`;
    },
    async onUnauthorized(usedHeaders) {
      const used = bearerOf(usedHeaders);
      if (used !== null && used !== rejected) {
        rejected = used;
        // compare-and-clear: if another process already stored a newer token, keep it
        const cached = await opts.cache.get();
        if (cached?.accessToken === used) await opts.cache.set(null);
      }
      return true;
    },
    async invalidate() {
      const cached = await opts.cache.get();
      if (cached) rejected = cached.accessToken;
      await opts.cache.set(null);
    },
  };
}

function bearerOf(headers: Record<string, string>): string | null {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'authorization') continue;
    const m = /^Bearer\s+(.+)$/i.exec(value);
    return m ? m[1]!.trim() : null;
  }
  return null;
}
