/**
 * The API routes the console uses, over HTTP on both stores: sessions (cookie attributes, CSRF on
 * cookie writes, scopes, expiry, revocation, sign-out), quarantined records (list, dismiss), the
 * overview counts, the feed head, and exporting a selection.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { revokeApiKey, createApiKey } from '../../src/api/store/api-keys.ts';
import { describeEachStore } from '../support/stores.ts';
import { mapped, putOrders, startTestApi, type TestApi } from './helpers.ts';

describeEachStore('console routes', (kind) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi(kind, { server: { workers: false } });
    const recent = Date.now() - 2 * 86_400_000;
    await putOrders(api.t.store, 'shop-a', Array.from({ length: 12 }, (_, i) => mapped(String(i + 1), {
      createdAt: new Date(recent + i * 60_000).toISOString(), ...(i % 4 === 0 ? { status: 'processing', channelStatus: 'PROCESSING' } : {}),
    })));
  });
  afterAll(async () => {
    await api?.close();
  });

  async function signIn(key: string) {
    const res = await api.call('POST', '/v1/session', { key: null, body: { apiKey: key } });
    expect(res.status).toBe(201);
    const cookie = String(res.headers['set-cookie']);
    return { cookie: cookie.split(';')[0]!, setCookie: cookie, csrf: res.body.csrfToken as string, body: res.body };
  }
  const withCookie = (cookie: string, csrf?: string) => ({ key: null, headers: { cookie, ...(csrf ? { 'x-orderhub-csrf': csrf } : {}) } });

  it('exchanges a key for an HttpOnly SameSite=Strict cookie; a wrong key is 401; GET /v1/session never is', async () => {
    expect((await api.call('POST', '/v1/session', { key: null, body: { apiKey: 'ohk_not-a-key-of-this-hub' } })).status).toBe(401);
    expect((await api.call('POST', '/v1/session', { key: null, body: {} })).status).toBe(400);
    const s = await signIn(api.readKey);
    expect(s.setCookie).toMatch(/^orderhub_session=ohs_[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/); // no Secure over plain HTTP
    expect(s.body.key).toMatchObject({ name: 'reader', scope: 'read' });
    const tls = await api.call('POST', '/v1/session', { key: null, headers: { 'x-forwarded-proto': 'https' }, body: { apiKey: api.readKey } });
    expect(String(tls.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure$/); // behind a TLS proxy
    expect((await api.call('GET', '/v1/session', { key: null })).body).toEqual({ session: null });
    const now = await api.call('GET', '/v1/session', withCookie(s.cookie));
    expect(now.body.session).toMatchObject({ key: { scope: 'read' }, csrfToken: s.csrf, expiresAt: s.body.expiresAt });
    expect((await api.call('GET', '/v1/orders?limit=1', withCookie(s.cookie))).status).toBe(200);
    expect((await api.call('GET', '/v1/orders?limit=1', withCookie('orderhub_session=ohs_forged-token-value'))).status).toBe(401);
  });

  it('needs the CSRF token on cookie writes and keeps the key\'s scope', async () => {
    const reader = await signIn(api.readKey);
    const writer = await signIn(api.writeKey);
    const [order] = (await api.call('GET', '/v1/orders?limit=1')).body.data;
    // a read key may export a selection (it changes nothing) but not retry a failure
    expect((await api.call('POST', '/v1/orders/export', { ...withCookie(reader.cookie, reader.csrf), body: { ids: [order.id] } })).status).toBe(200);
    expect((await api.call('POST', '/v1/failures/999/retry', withCookie(reader.cookie, reader.csrf))).status).toBe(403);
    expect((await api.call('POST', '/v1/failures/999/retry', withCookie(writer.cookie))).status).toBe(403);
    expect((await api.call('POST', '/v1/failures/999/retry', withCookie(writer.cookie, 'not-the-token'))).status).toBe(403);
    expect((await api.call('POST', '/v1/failures/999/retry', withCookie(writer.cookie, reader.csrf))).status).toBe(403);
    expect((await api.call('POST', '/v1/failures/999/retry', withCookie(writer.cookie, writer.csrf))).status).toBe(404);
    // a Bearer key is authenticated by itself, cookie or not
    expect((await api.call('POST', '/v1/failures/999/retry', { headers: { cookie: reader.cookie } })).status).toBe(404);
  });

  it('ends sessions when they expire, when their key is revoked, and on sign-out', async () => {
    const { key } = await createApiKey(api.t.store.db, { name: 'short', scope: 'write' });
    const s = await signIn(key);
    await api.t.store.db.withTables<{ console_sessions: { expires_at: string } }>().updateTable('console_sessions').set({ expires_at: '2000-01-01T00:00:00.000Z' }).execute();
    expect((await api.call('GET', '/v1/orders?limit=1', withCookie(s.cookie))).status).toBe(401);
    expect((await api.call('GET', '/v1/session', withCookie(s.cookie))).body).toEqual({ session: null });

    const r = await signIn(key);
    await revokeApiKey(api.t.store.db, 'short');
    expect((await api.call('GET', '/v1/orders?limit=1', withCookie(r.cookie))).status).toBe(401);

    const o = await signIn(api.readKey);
    expect((await api.call('DELETE', '/v1/session', withCookie(o.cookie))).status).toBe(403); // without its CSRF token
    const out = await api.call('DELETE', '/v1/session', withCookie(o.cookie, o.csrf));
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^orderhub_session=; .*Max-Age=0/);
    expect((await api.call('GET', '/v1/orders?limit=1', withCookie(o.cookie))).status).toBe(401);
  });

  it('lists quarantined records with their payload, newest first, and dismisses one', async () => {
    const db = api.t.store.db;
    for (const n of [1, 2, 3]) {
      await db.insertInto('sync_failures').values({ run_id: null, connection: 'shop-a', external_id: `bad-${n}`, at: new Date().toISOString(), error: `broken ${n}`, payload: JSON.stringify({ id: `bad-${n}` }) }).execute();
    }
    const page = await api.call('GET', '/v1/failures?connection=shop-a&limit=2', { key: api.readKey });
    expect(page.status).toBe(200);
    expect(page.body.data.map((f: { externalId: string }) => f.externalId)).toEqual(['bad-3', 'bad-2']);
    expect(page.body.data[0]).toMatchObject({ connection: 'shop-a', error: 'broken 3', payload: { id: 'bad-3' } });
    const rest = await api.call('GET', `/v1/failures?connection=shop-a&before=${page.body.next}`, { key: api.readKey });
    expect(rest.body.data.map((f: { externalId: string }) => f.externalId)).toEqual(['bad-1']);
    expect((await api.call('GET', '/v1/failures?connection=nope', { key: api.readKey })).status).toBe(400);
    expect((await api.call('DELETE', `/v1/failures/${page.body.data[0].id}`, { key: api.readKey })).status).toBe(403);
    expect((await api.call('DELETE', `/v1/failures/${page.body.data[0].id}`)).status).toBe(204);
    expect((await api.call('DELETE', `/v1/failures/${page.body.data[0].id}`)).status).toBe(404);
    expect((await api.call('GET', '/v1/failures?connection=shop-a')).body.data).toHaveLength(2);
  });

  it('counts the overview, gives the feed head, and exports a selection in the order asked', async () => {
    const overview = (await api.call('GET', '/v1/overview', { key: api.readKey })).body;
    expect(overview.perDay.reduce((a: number, r: { orders: number }) => a + r.orders, 0)).toBe(12);
    expect(overview.byStatus).toEqual([{ status: 'new', orders: 9 }, { status: 'processing', orders: 3 }]);

    const head = (await api.call('GET', '/v1/events/head', { key: api.readKey })).body;
    expect(head.seq).toBeGreaterThanOrEqual(12);
    expect((await api.call('GET', `/v1/events?after=${head.next}`, { key: api.readKey })).body.data).toEqual([]);

    const ids = (await api.call('GET', '/v1/orders?limit=3')).body.data.map((o: { id: string }) => o.id).reverse();
    const ndjson = await api.call('POST', '/v1/orders/export', { key: api.readKey, body: { ids } });
    expect(ndjson.headers['content-type']).toMatch(/ndjson/);
    expect(ndjson.text.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(ids);
    const csv = await api.call('POST', '/v1/orders/export', { key: api.readKey, body: { ids, format: 'csv', layout: 'items' } });
    expect(csv.headers['content-disposition']).toMatch(/filename="order-items-.*\.csv"/);
    expect(csv.text.split(/\r?\n/).filter(Boolean)).toHaveLength(4); // the header and one item each
    expect((await api.call('POST', '/v1/orders/export', { key: api.readKey, body: { ids: ['nope'] } })).status).toBe(404);
    expect((await api.call('POST', '/v1/orders/export', { key: api.readKey, body: { ids, format: 'ndjson', bom: true } })).status).toBe(400);
  });
});
