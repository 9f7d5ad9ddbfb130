import { describe, it, expect, afterEach } from 'vitest';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient, type HttpClientOptions } from '../client.ts';
import { bearerAuth, headerAuth, memoryTokenCache, type CachedToken, type TokenCache } from '../auth.ts';
import { AuthError } from '../errors.ts';
import { silentLogger } from '../../log.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => unknown;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A scripted local server that records the headers of every request. */
async function serve(handler: Handler) {
  const seen: IncomingMessage['headers'][] = [];
  const server = createServer(async (req, res) => {
    for await (const _ of req) void _;
    seen.push(req.headers);
    await handler(req, res, seen.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${port}`, seen };
}

function client(baseUrl: string, over: Partial<HttpClientOptions> = {}): HttpClient {
  const c = new HttpClient({
    baseUrl,
    connection: 'alza1',
    logger: silentLogger(),
    timeoutMs: 2000,
    deadlineMs: 5000,
    maxAttempts: 3,
    requestsPerSecond: 1000,
    concurrency: 4,
    baseDelayMs: 5,
    maxDelayMs: 20,
    ...over,
  });
  cleanups.push(() => c.close());
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const inMs = (ms: number) => new Date(Date.now() + ms);
const HOUR = 3_600_000;

/** A token endpoint stand-in handing out T1, T2, … each valid for an hour. */
function tokenSource(delayMs = 20) {
  let n = 0;
  return {
    get calls() {
      return n;
    },
    async fetchToken(): Promise<CachedToken> {
      n++;
      const token = `T${n}`;
      await sleep(delayMs);
      return { accessToken: token, expiresAt: inMs(HOUR) };
    },
  };
}

/** The server accepts exactly the bearer tokens in `valid` (mutable). */
function bearerServer(valid: Set<string>) {
  return serve((req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token && valid.has(token)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token }));
    } else {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"invalid_token"}');
    }
  });
}

describe('headerAuth', () => {
  it('sends the raw value in the named header', async () => {
    const srv = await serve((_req, res) => res.end('{}'));
    const c = client(srv.url, { auth: headerAuth('API-Token', 'k-123') });
    await c.getJson('/x');
    expect(srv.seen[0]!['api-token']).toBe('k-123');

    const c2 = client(srv.url, { auth: headerAuth('Authorization', 'raw-key') });
    await c2.getJson('/x');
    expect(srv.seen[1]!.authorization).toBe('raw-key');
    expect(headerAuth('API-Token', 'x').secretHeaders).toEqual(['api-token']);
  });
});

describe('bearerAuth', () => {
  it('fetches one token for 10 parallel requests', async () => {
    const srv = await bearerServer(new Set(['T1']));
    const src = tokenSource();
    const auth = bearerAuth({ fetchToken: () => src.fetchToken(), cache: memoryTokenCache() });
    const c = client(srv.url, { auth });
    const results = await Promise.all(Array.from({ length: 10 }, () => c.getJson('/orders')));
    expect(results.every((r) => (r as { token: string }).token === 'T1')).toBe(true);
    expect(src.calls).toBe(1);
    expect(auth.tokenRequests).toBe(1);
    expect(srv.seen.every((h) => h.authorization === 'Bearer T1')).toBe(true);
  });

  it('refreshes exactly once when the token is revoked mid-run, and the requests succeed', async () => {
    const valid = new Set(['T1']);
    const srv = await bearerServer(valid);
    const src = tokenSource();
    const auth = bearerAuth({ fetchToken: () => src.fetchToken(), cache: memoryTokenCache() });
    // maxAttempts 1: the auth retry must not count against the attempt budget
    const c = client(srv.url, { auth, maxAttempts: 1 });
    for (let i = 0; i < 3; i++) await c.getJson('/orders');
    valid.clear();
    valid.add('T2');
    const after = await Promise.all(Array.from({ length: 6 }, () => c.getJson('/orders')));
    expect(after.every((r) => (r as { token: string }).token === 'T2')).toBe(true);
    expect(src.calls).toBe(2);
    expect(c.stats.tokenRetries).toBeGreaterThanOrEqual(1);
  });

  it('a second 401 with a fresh token is an AuthError, not a loop', async () => {
    const srv = await bearerServer(new Set());
    const src = tokenSource(1);
    const auth = bearerAuth({ fetchToken: () => src.fetchToken(), cache: memoryTokenCache() });
    const c = client(srv.url, { auth });
    const err = await c.getJson('/orders').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).status).toBe(401);
    expect(srv.seen.length).toBe(2);
    expect(src.calls).toBe(2);
  });

  it('a failing token endpoint fails the request without retrying', async () => {
    const srv = await bearerServer(new Set(['T1']));
    let calls = 0;
    const auth = bearerAuth({
      cache: memoryTokenCache(),
      async fetchToken() {
        calls++;
        throw new AuthError('alza1: token endpoint refused the client: invalid_client', { status: 400 });
      },
    });
    const c = client(srv.url, { auth });
    await expect(c.getJson('/orders')).rejects.toThrow(/invalid_client/);
    expect(calls).toBe(1);
    expect(srv.seen.length).toBe(0);
    expect(c.stats.requests).toBe(0);
  });

  it('replaces a token that expires within refreshBeforeMs', async () => {
    const srv = await bearerServer(new Set(['T1']));
    const cache = memoryTokenCache();
    await cache.set({ accessToken: 'OLD', expiresAt: inMs(60_000) });
    const src = tokenSource(1);
    const auth = bearerAuth({ fetchToken: () => src.fetchToken(), cache, refreshBeforeMs: 300_000 });
    const c = client(srv.url, { auth });
    expect(await c.getJson('/orders')).toEqual({ token: 'T1' });
    expect(src.calls).toBe(1);
    expect((await cache.get())?.accessToken).toBe('T1');
  });

  it('uses a cached token that is valid long enough without fetching', async () => {
    const srv = await bearerServer(new Set(['CACHED']));
    const cache = memoryTokenCache();
    await cache.set({ accessToken: 'CACHED', expiresAt: inMs(HOUR) });
    const src = tokenSource(1);
    const c = client(srv.url, { auth: bearerAuth({ fetchToken: () => src.fetchToken(), cache }) });
    await c.getJson('/orders');
    expect(src.calls).toBe(0);
  });

  it('a second process sharing the cache reuses the token', async () => {
    const srv = await bearerServer(new Set(['T1']));
    const shared = memoryTokenCache();
    const src = tokenSource(5);
    const a = bearerAuth({ fetchToken: () => src.fetchToken(), cache: shared });
    const b = bearerAuth({ fetchToken: () => src.fetchToken(), cache: shared });
    await client(srv.url, { auth: a }).getJson('/orders');
    await client(srv.url, { auth: b }).getJson('/orders');
    expect(a.tokenRequests).toBe(1);
    expect(b.tokenRequests).toBe(0);
    expect(src.calls).toBe(1);
  });

  it('after a 401 keeps a newer token another process already stored', async () => {
    const cache: TokenCache = memoryTokenCache();
    const auth = bearerAuth({ fetchToken: () => tokenSource().fetchToken(), cache });
    await cache.set({ accessToken: 'T2', expiresAt: inMs(HOUR) });
    expect(await auth.onUnauthorized!({ authorization: 'Bearer T1' })).toBe(true);
    expect((await cache.get())?.accessToken).toBe('T2');
    expect(await auth.onUnauthorized!({ authorization: 'Bearer T2' })).toBe(true);
    expect(await cache.get()).toBeNull();
  });

  it('does not fetch on every call when the channel issues tokens shorter than the margin', async () => {
    let calls = 0;
    const auth = bearerAuth({
      cache: memoryTokenCache(),
      refreshBeforeMs: 300_000,
      async fetchToken() {
        calls++;
        return { accessToken: `S${calls}`, expiresAt: inMs(120_000) };
      },
    });
    const h: Record<string, string> = {};
    for (let i = 0; i < 5; i++) await auth.apply(h);
    expect(calls).toBe(1);
    expect(h.authorization).toBe('Bearer S1');
  });

  it('one caller aborting does not break the shared token fetch for the others', async () => {
    const src = tokenSource(40);
    const auth = bearerAuth({ fetchToken: () => src.fetchToken(), cache: memoryTokenCache() });
    const ac = new AbortController();
    const h1: Record<string, string> = {};
    const h2: Record<string, string> = {};
    const p1 = auth.apply(h1, ac.signal);
    const p2 = auth.apply(h2);
    ac.abort(new Error('cancelled'));
    await expect(p1).rejects.toThrow('cancelled');
    await p2;
    expect(h2.authorization).toBe('Bearer T1');
    expect(src.calls).toBe(1);
  });

  it('invalidate() forces a new token', async () => {
    const src = tokenSource(1);
    const auth = bearerAuth({ fetchToken: () => src.fetchToken(), cache: memoryTokenCache() });
    const h: Record<string, string> = {};
    await auth.apply(h);
    await auth.invalidate();
    await auth.apply(h);
    expect(h.authorization).toBe('Bearer T2');
    expect(auth.tokenRequests).toBe(2);
  });
});
