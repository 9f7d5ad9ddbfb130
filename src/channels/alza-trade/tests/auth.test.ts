/**
 * The login against the simulated identity server, over HTTP: form encoding, invalid_client, the
 * blacklist, one refresh per 401, no retries of refused logins, bounded retries of 5xx.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryTokenCache } from '../../../core/http/auth.ts';
import { AuthError } from '../../../core/http/errors.ts';
import { testConnectorContext, type TestContext } from '../../../../test/support/connector-context.ts';
import { createAlzaAuth, requestToken, TokenRateLimitedError } from '../auth.ts';
import { alzaTradeConfigSchema } from '../config.ts';
import { createAlzaTradeConnector } from '../connector.ts';
import { startAlzaTradeSimulator, type AlzaTradeSimulator } from '../simulator/index.ts';
import { DEFAULT_CLIENT_SECRET } from '../simulator/identity.ts';

const ZONE = 'Europe/Prague';
const FAST_LOCK = { pollMs: 10 };
let sim: AlzaTradeSimulator;
const contexts: TestContext[] = [];

function ctx(opts: Parameters<typeof testConnectorContext>[0] = { timeZone: ZONE }): TestContext {
  const c = testConnectorContext(opts);
  contexts.push(c);
  return c;
}

function config(overrides: Record<string, unknown> = {}) {
  return alzaTradeConfigSchema.parse({ name: 'alza', ...sim.connection, pageSize: 10, ...overrides });
}

const windowQuery = { kind: 'window' as const, from: new Date(Date.now() - 40 * 86_400_000), to: new Date() };
const firstPage = { index: 0, offset: 0, size: 10, token: null };

beforeAll(async () => {
  sim = await startAlzaTradeSimulator({ host: '127.0.0.1', port: 0, orders: 200, seed: 11 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

describe('token request', () => {
  it('posts the documented form with the secret URL-encoded and returns the Bearer token', async () => {
    expect(DEFAULT_CLIENT_SECRET).toMatch(/[&^%=+/]/);
    const c = ctx();
    const http = c.http({ baseUrl: sim.tokenUrl });
    const t0 = Date.now();
    const token = await requestToken(http, { clientId: sim.connection.clientId, clientSecret: sim.connection.clientSecret, tokenUrl: sim.tokenUrl });
    expect(token.accessToken).toMatch(/^eyJ/);
    expect(token.expiresAt.getTime() - t0).toBeGreaterThan(3_590_000);
    expect(token.expiresAt.getTime() - t0).toBeLessThanOrEqual(3_600_000 + 1000);
    expect(sim.tokenRequests).toMatchObject({ total: 1, good: 1, bad: 0 });
  });

  it('turns invalid_client into an AuthError with a clear message, after exactly one request', async () => {
    const c = ctx();
    const http = c.http({ baseUrl: sim.tokenUrl });
    const err = await requestToken(http, { clientId: sim.connection.clientId, clientSecret: 'wrong', tokenUrl: sim.tokenUrl }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toContain(
      "Alza refused the client credentials (invalid_client) — check clientId/clientSecret; the connection is stopped to avoid Alza's blacklist",
    );
    expect((err as AuthError).status).toBe(400);
    expect(sim.tokenRequests).toMatchObject({ total: 1, bad: 1 });
    expect(c.requests()).toBe(1);
  });

  it('is refused while blacklisted, even with the right credentials, until reset', async () => {
    sim.setIdentity({ maxBadCredentialAttempts: 2 });
    const c = ctx();
    const http = c.http({ baseUrl: sim.tokenUrl });
    const creds = { clientId: sim.connection.clientId, clientSecret: sim.connection.clientSecret, tokenUrl: sim.tokenUrl };
    for (let k = 0; k < 3; k++) await expect(requestToken(http, { ...creds, clientSecret: 'bad' })).rejects.toBeInstanceOf(AuthError);
    expect(sim.blacklisted).toBe(true);
    await expect(requestToken(http, creds)).rejects.toThrow(/invalid_client.*blacklisted/);
    expect(sim.tokenRequests).toMatchObject({ bad: 3, refusedBlacklisted: 1, good: 0 });
    sim.reset();
    await expect(requestToken(http, creds)).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('blacklists a client that asks for tokens too often', async () => {
    sim.setIdentity({ maxTokenRequestsPerMinute: 3 });
    const c = ctx();
    const http = c.http({ baseUrl: sim.tokenUrl });
    const creds = { clientId: sim.connection.clientId, clientSecret: sim.connection.clientSecret, tokenUrl: sim.tokenUrl };
    for (let k = 0; k < 3; k++) await requestToken(http, creds);
    expect(sim.blacklisted).toBe(false);
    await expect(requestToken(http, creds)).rejects.toBeInstanceOf(AuthError);
    expect(sim.blacklisted).toBe(true);
  });
});

describe('token endpoint failures (a scripted identity server)', () => {
  let app: FastifyInstance;
  let url: string;
  let script: Array<{ status: number; body: string; headers?: Record<string, string> }> = [];
  let hits = 0;

  beforeAll(async () => {
    app = Fastify();
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, b, done) => done(null, b));
    app.post('/connect/token', async (_req, reply) => {
      hits++;
      const next = script.shift() ?? { status: 200, body: JSON.stringify({ access_token: 'T', expires_in: 3600, token_type: 'Bearer' }) };
      return reply.code(next.status).headers({ 'content-type': 'application/json', ...next.headers }).send(next.body);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/connect/token`;
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    hits = 0;
    script = [];
  });
  const creds = () => ({ clientId: 'id', clientSecret: 's', tokenUrl: url });

  it('retries 5xx a bounded number of times', async () => {
    script = [{ status: 503, body: '' }, { status: 502, body: '' }];
    const http = ctx().http({ baseUrl: url, maxAttempts: 3 });
    await expect(requestToken(http, creds())).resolves.toMatchObject({ accessToken: 'T' });
    expect(hits).toBe(3);
    script = [{ status: 500, body: '' }, { status: 500, body: '' }, { status: 500, body: '' }, { status: 500, body: '' }];
    await expect(requestToken(http, creds())).rejects.toThrow(/after 3 attempts/);
    expect(hits).toBe(6);
  });

  it('never retries a 4xx or a 429', async () => {
    const http = ctx().http({ baseUrl: url, maxAttempts: 3 });
    script = [{ status: 401, body: JSON.stringify({ error: 'unauthorized_client' }) }];
    await expect(requestToken(http, creds())).rejects.toThrow(/Alza refused the client credentials \(unauthorized_client\)/);
    script = [{ status: 400, body: JSON.stringify({ error: 'unsupported_grant_type' }) }];
    await expect(requestToken(http, creds())).rejects.toBeInstanceOf(AuthError);
    script = [{ status: 400, body: '<html>Bad Request</html>' }];
    await expect(requestToken(http, creds())).rejects.toThrow(/\(HTTP 400\)/);
    script = [{ status: 429, body: '', headers: { 'retry-after': '0' } }];
    await expect(requestToken(http, creds())).rejects.toBeInstanceOf(TokenRateLimitedError);
    expect(hits).toBe(4);
  });

  it('rejects a token answer that is not the documented shape, naming the field', async () => {
    const http = ctx().http({ baseUrl: url, maxAttempts: 1 });
    script = [{ status: 200, body: JSON.stringify({ access_token: '', expires_in: 3600 }) }];
    await expect(requestToken(http, creds())).rejects.toThrow(/access_token/);
    script = [{ status: 200, body: JSON.stringify({ access_token: 'x', expires_in: 3600, token_type: 'mac' }) }];
    await expect(requestToken(http, creds())).rejects.toThrow(/only Bearer/);
  });
});

describe('the connector over the simulated API', () => {
  it('asks for one token for many requests, then refreshes exactly once after the token expired', async () => {
    const c = ctx();
    const connector = createAlzaTradeConnector(config(), c, { lock: FAST_LOCK });
    const signal = new AbortController().signal;
    for (let k = 0; k < 5; k++) await connector.fetchPage(windowQuery, { ...firstPage, index: k, offset: k * 10 }, signal);
    expect(sim.tokenRequests.good).toBe(1);
    sim.expireTokens();
    // several requests in parallel all meet the 401: still one refresh
    await Promise.all([0, 1, 2, 3].map((k) => connector.fetchPage(windowQuery, { ...firstPage, index: k, offset: k * 10 }, signal)));
    expect(sim.tokenRequests.good).toBe(2);
    expect(sim.requests.unauthorized).toBeGreaterThanOrEqual(1);
    expect(connector.auth.tokenRequests).toBe(2);
  });

  it('fails with the credentials error, without calling the API and without a second login', async () => {
    const c = ctx();
    const connector = createAlzaTradeConnector(config({ clientSecret: 'nope' }), c, { lock: FAST_LOCK });
    const signal = new AbortController().signal;
    const results = await Promise.allSettled([0, 1, 2].map((k) => connector.fetchPage(windowQuery, { ...firstPage, index: k }, signal)));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AuthError);
    }
    expect(sim.tokenRequests).toMatchObject({ total: 1, bad: 1 });
    expect(sim.requests.total).toBe(0);
  });

  it('reuses a token another connector instance stored in the shared cache', async () => {
    const cache = memoryTokenCache();
    const a = createAlzaTradeConnector(config(), ctx({ timeZone: ZONE, tokenCache: cache }), { lock: FAST_LOCK });
    const b = createAlzaTradeConnector(config(), ctx({ timeZone: ZONE, tokenCache: cache }), { lock: FAST_LOCK });
    const signal = new AbortController().signal;
    await a.fetchPage(windowQuery, firstPage, signal);
    await b.fetchPage(windowQuery, firstPage, signal);
    expect(sim.tokenRequests.good).toBe(1);
    expect(b.auth.tokenRequests).toBe(0);
  });

  it('a token the API rejects is dropped and replaced once; the request then succeeds', async () => {
    const c = ctx();
    const { auth } = createAlzaAuth({ clientId: sim.connection.clientId, clientSecret: sim.connection.clientSecret, tokenUrl: sim.tokenUrl }, c, { lock: FAST_LOCK });
    const http = c.http({ baseUrl: `${sim.baseUrl}/api/v2`, auth });
    await http.getJson('/orders', { pageSize: 1 });
    const before = (await c.tokenCache.get())!.accessToken;
    sim.setFaults({ expireTokensAtRequest: 1 });
    const body = (await http.getJson('/orders', { pageSize: 1 })) as { items: unknown[] };
    expect(body.items).toHaveLength(1);
    expect(sim.requests.unauthorized).toBe(1);
    expect(sim.tokenRequests.good).toBe(2);
    const after = (await c.tokenCache.get())!.accessToken;
    expect(after).not.toBe(before);
  });
});
