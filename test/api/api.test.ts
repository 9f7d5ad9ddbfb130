import { afterAll, beforeAll, expect, it } from 'vitest';
import { revokeApiKey, createApiKey } from '../../src/api/store/api-keys.ts';
import { describeEachStore } from '../support/stores.ts';
import { mapped, putOrders, startTestApi, type TestApi } from './helpers.ts';

describeEachStore('REST API', (kind) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi(kind, { server: { workers: false } });
    const a = Array.from({ length: 90 }, (_, i) => mapped(String(i + 1), i % 3 === 0 ? { status: 'processing', channelStatus: 'PROCESSING' } : {}));
    const b = Array.from({ length: 30 }, (_, i) => mapped(String(1000 + i), { customer: { name: 'Zofia Łukasiewicz', email: 'zofia@example.pl', phone: null, company: null, companyId: null, vatId: null } }));
    await putOrders(api.t.store, 'shop-a', a, new Date('2026-03-10T00:00:00.000Z'));
    await putOrders(api.t.store, 'shop-b', b, new Date('2026-03-11T00:00:00.000Z'));
  });
  afterAll(async () => {
    await api?.close();
  });

  it('refuses requests without a valid key (401) and writes with a read-only key (403)', async () => {
    const none = await api.call('GET', '/v1/orders', { key: null });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect((await api.call('GET', '/v1/orders', { key: 'ohk_not-a-real-key-at-all' })).status).toBe(401);
    expect((await api.call('GET', '/v1/orders', { key: null, headers: { authorization: 'Basic abc' } })).status).toBe(401);
    const ro = await api.call('POST', '/v1/webhooks', { key: api.readKey, body: { url: 'http://127.0.0.1:9/x' } });
    expect(ro.status).toBe(403);
    expect(ro.body.error.code).toBe('forbidden');
    expect((await api.call('GET', '/v1/webhooks', { key: api.readKey })).status).toBe(403);
    expect((await api.call('POST', '/v1/connections/x/sync', { key: api.readKey })).status).toBe(403);
    expect((await api.call('GET', '/v1/orders', { key: api.readKey })).status).toBe(200);
    for (const sneaky of ['/%761/orders', '/v1//orders', '/v1/orders/', '/v1/%6Frders?limit=1', '/V1/orders']) {
      const res = await api.call('GET', sneaky, { key: null });
      expect([401, 404], sneaky).toContain(res.status);
    }
    expect((await api.call('GET', '/v1/webhooks/', { key: api.readKey })).status).not.toBe(200);
    const { key } = await createApiKey(api.t.store.db, { name: 'temp', scope: 'read' });
    await revokeApiKey(api.t.store.db, 'temp');
    expect((await api.call('GET', '/v1/orders', { key })).status).toBe(401);
  });

  it('lists orders newest first with keyset pagination that neither repeats nor skips', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Awaited<ReturnType<TestApi['call']>> = await api.call('GET', `/v1/orders?limit=50${cursor ? `&cursor=${cursor}` : ''}`, { key: api.readKey });
      expect(res.status).toBe(200);
      for (const o of res.body.data) seen.push(o.id);
      cursor = res.body.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.length).toBe(120);
    expect(new Set(seen).size).toBe(120);
    const first = await api.call('GET', '/v1/orders?limit=2', { key: api.readKey });
    expect(first.body.data[0].createdAt >= first.body.data[1].createdAt).toBe(true);
  });

  it('filters by connection, status, time ranges and a search term', async () => {
    const byConn = await api.call('GET', '/v1/orders?connection=shop-b&limit=500');
    expect(byConn.body.data.length).toBe(30);
    const byStatus = await api.call('GET', '/v1/orders?status=processing&connection=shop-a&limit=500');
    expect(byStatus.body.data.length).toBe(30);
    expect(byStatus.body.data.every((o: { status: string }) => o.status === 'processing')).toBe(true);
    const multi = await api.call('GET', '/v1/orders?status=processing,new&limit=500');
    expect(multi.body.data.length).toBe(120);
    const range = await api.call('GET', `/v1/orders?createdFrom=${encodeURIComponent(mapped('10').createdAt)}&createdTo=${encodeURIComponent(mapped('20').createdAt)}&sort=createdAt`);
    expect(range.body.data.map((o: { externalId: string }) => o.externalId)).toEqual(Array.from({ length: 10 }, (_, i) => String(10 + i)));
    const updated = await api.call('GET', '/v1/orders?updatedFrom=2026-03-11&limit=500');
    expect(updated.body.data.length).toBe(30);
    expect((await api.call('GET', '/v1/orders?q=SKU-42')).body.data.map((o: { externalId: string }) => o.externalId)).toEqual(['42']);
    expect((await api.call('GET', '/v1/orders?q=zofia%40EXAMPLE&limit=500')).body.data.length).toBe(30);
    expect((await api.call('GET', '/v1/orders?q=NO-1001')).body.data.length).toBe(1);
    expect((await api.call('GET', '/v1/orders?q=100%25')).body.data.length).toBe(0);
    // case-insensitive; the order number, external id, customer and SKUs only (not every JSON field)
    expect((await api.call('GET', '/v1/orders?q=no-1001')).body.data.map((o: { number: string }) => o.number)).toEqual(['NO-1001']);
    expect((await api.call('GET', '/v1/orders?q=processing')).body.data).toEqual([]);
    expect((await api.call('GET', `/v1/orders?q=${encodeURIComponent('Łukasiewicz')}&limit=500`)).body.data.length).toBe(30);
    // every letter folds on SQLite (PostgreSQL folds as its LC_CTYPE does; the test cluster's is C)
    if (kind === 'sqlite') expect((await api.call('GET', `/v1/orders?q=${encodeURIComponent('łUKASIEWICZ')}&limit=500`)).body.data.length).toBe(30);
    // wildcard characters and terms too short for trigrams are matched literally, without the index
    expect((await api.call('GET', '/v1/orders?q=SKU_42')).body.data).toEqual([]);
    expect((await api.call('GET', '/v1/orders?q=42&connection=shop-a&limit=500')).body.data.map((o: { externalId: string }) => o.externalId)).toEqual(['42']);
  });

  it('answers bad queries with 400 validation_failed, never 500', async () => {
    for (const path of [
      '/v1/orders?limit=100000',
      '/v1/orders?limit=abc',
      '/v1/orders?unknownParam=1',
      '/v1/orders?status=shipping',
      '/v1/orders?createdFrom=yesterday',
      '/v1/orders?cursor=garbage',
      `/v1/orders?cursor=${'x'.repeat(600)}`,
      '/v1/orders?sort=price',
      '/v1/events?after=nonsense',
      '/v1/events?limit=0',
      '/v1/events?types=order.deleted',
    ]) {
      const res = await api.call('GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe('validation_failed');
    }
    const cursor = (await api.call('GET', '/v1/orders?limit=1')).body.next;
    const other = await api.call('GET', `/v1/orders?limit=1&sort=updatedAt&cursor=${cursor}`);
    expect(other.status).toBe(400);
    expect((await api.call('GET', '/v1/nothing-here')).body.error.code).toBe('not_found');
  });

  it('maps body problems to clear 4xx codes', async () => {
    const big = await api.call('POST', '/v1/webhooks', { body: JSON.stringify({ url: 'http://127.0.0.1:1/x', description: 'x'.repeat(1_100_000) }) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const badJson = await api.call('POST', '/v1/webhooks', { body: '{"url": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('invalid_json');
    const extra = await api.call('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:1/x', admin: true } });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('validation_failed');
    const badUrl = await api.call('POST', '/v1/webhooks', { body: { url: 'ftp://x/y' } });
    expect(badUrl.status).toBe(400);
    const proto = await api.call('POST', '/v1/webhooks', { body: '{"url":"http://127.0.0.1:1/x","__proto__":{"a":1}}' });
    expect(proto.status).toBe(400);
    const text = await api.call('POST', '/v1/webhooks', { body: '<url/>', headers: { 'content-type': 'application/xml' } });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported_media_type');
  });

  it('shows one order with its journal and raw payloads', async () => {
    const list = await api.call('GET', '/v1/orders?connection=shop-a&q=SKU-7&limit=50');
    const id = list.body.data.find((o: { externalId: string }) => o.externalId === '7').id as string;
    const res = await api.call('GET', `/v1/orders/${id}?include=raw`, { key: api.readKey });
    expect(res.status).toBe(200);
    expect(res.body.order.externalId).toBe('7');
    expect(res.body.journal).toEqual([expect.objectContaining({ type: 'order.created', orderId: id, id: expect.stringMatching(/^evt_\d+$/) })]);
    expect(res.body.writeBacks).toEqual([]);
    expect(res.body.raw[0].payload).toEqual({ id: '7', status: 'PROCESSING' });
    const byRef = await api.call('GET', '/v1/orders/shop-a:7');
    expect(byRef.body.order.id).toBe(id);
    const missing = await api.call('GET', '/v1/orders/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('serves the change feed in commit order and resumes from a kept cursor without gaps', async () => {
    const all: Array<{ seq: number; type: string }> = [];
    let after = '';
    for (;;) {
      const res = await api.call('GET', `/v1/events?limit=17${after ? `&after=${after}` : ''}`, { key: api.readKey });
      expect(res.status).toBe(200);
      all.push(...res.body.data);
      if (res.body.data.length === 0) break;
      after = res.body.next;
    }
    expect(all.length).toBe(120);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => all[0]!.seq + i));
    // more changes after the consumer's last poll: resuming from its cursor gives exactly those
    await putOrders(api.t.store, 'shop-a', [mapped('5', { status: 'shipped', channelStatus: 'SHIPPED', trackingNumbers: ['T1'] }), mapped('6', { note: 'hello' })], new Date('2026-03-12T00:00:00.000Z'));
    const more = await api.call('GET', `/v1/events?after=${after}&include=order`);
    expect(more.body.data.map((e: { type: string }) => e.type)).toEqual(['order.status_changed', 'order.changed']);
    const [status, changed] = more.body.data;
    expect(status).toMatchObject({ fromStatus: 'new', toStatus: 'shipped', connection: 'shop-a', order: { externalId: '5', status: 'shipped' } });
    expect(status.diff).toEqual(expect.arrayContaining([{ path: 'status', from: 'new', to: 'shipped' }]));
    expect(changed.diff).toEqual([{ path: 'note', from: null, to: 'hello' }]);
    expect(changed.seq).toBe(status.seq + 1);
    const again = await api.call('GET', `/v1/events?after=${more.body.next}`);
    expect(again.body).toEqual({ data: [], next: more.body.next });
    const byId = await api.call('GET', `/v1/events?after=${status.id}`);
    expect(byId.body.data.map((e: { id: string }) => e.id)).toEqual([changed.id]);
    const onlyStatus = await api.call('GET', '/v1/events?types=order.status_changed');
    expect(onlyStatus.body.data.length).toBe(1);
  });

  it('exports with the same filters as NDJSON and CSV', async () => {
    const nd = await api.call('GET', '/v1/orders/export?connection=shop-b&format=ndjson');
    expect(nd.status).toBe(200);
    expect(nd.headers['content-type']).toContain('ndjson');
    const lines = nd.text.trim().split('\n').map((l) => JSON.parse(l) as { connection: string });
    expect(lines.length).toBe(30);
    expect(lines.every((o) => o.connection === 'shop-b')).toBe(true);
    const csv = await api.call('GET', '/v1/orders/export?status=processing&format=csv');
    const rows = csv.text.trim().split('\n');
    expect(rows[0]!.startsWith('id,connection,channel')).toBe(true);
    expect(rows.length).toBe(31);
  });

  it('publishes OpenAPI, docs, health, readiness and metrics without a key', async () => {
    const spec = await api.call('GET', '/openapi.json', { key: null });
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    for (const p of ['/v1/orders', '/v1/orders/{id}', '/v1/events', '/v1/webhooks', '/v1/connections', '/v1/orders/{id}/status', '/v1/write-backs/{id}']) {
      expect(spec.body.paths[p], p).toBeDefined();
    }
    expect(spec.body.paths['/v1/orders'].get.parameters.some((p: { name: string }) => p.name === 'createdFrom')).toBe(true);
    const docs = await api.call('GET', '/docs/', { key: null });
    expect(docs.status).toBe(200);
    expect((await api.call('GET', '/healthz', { key: null })).body).toEqual({ status: 'ok' });
    expect((await api.call('GET', '/readyz', { key: null })).body).toEqual({ status: 'ready' });
    const metrics = await api.call('GET', '/metrics', { key: null });
    expect(metrics.text).toContain('orderhub_http_request_duration_seconds_bucket');
    expect(metrics.text).toMatch(/orderhub_orders\{connection="shop-b"\} 30/);
    expect(metrics.text).toContain('orderhub_webhook_backlog{state="pending"}');
  });
  // Runs last: it adds orders of its own connection. Pages are cut in the database (on SQLite, one
  // aggregate query per page): ties in the sort key, page sizes that divide the total exactly, and
  // every sort must still give each order once, in order, with `next` null on the last page only.
  it('pages through ties and exact multiples in every sort without repeating or skipping', async () => {
    const tied = Array.from({ length: 25 }, (_, i) =>
      mapped(`T${i + 1}`, { createdAt: new Date(Date.UTC(2026, 4, 1) + Math.floor(i / 5) * 60_000).toISOString() }));
    await putOrders(api.t.store, 'shop-tie', tied.slice(0, 10), new Date('2026-05-02T00:00:00.000Z'));
    await putOrders(api.t.store, 'shop-tie', tied.slice(10), new Date('2026-05-03T00:00:00.000Z'));
    const all = (await api.call('GET', '/v1/orders?connection=shop-tie&limit=500')).body.data as Array<{ id: string; createdAt: string; updatedAt: string }>;
    expect(all.length).toBe(25);
    for (const sort of ['-createdAt', 'createdAt', '-updatedAt', 'updatedAt'] as const) {
      const field = sort.endsWith('createdAt') ? 'createdAt' : 'updatedAt';
      const sign = sort.startsWith('-') ? -1 : 1;
      const expected = [...all]
        .sort((a, b) => sign * (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((o) => o.id);
      for (const limit of [1, 4, 5, 7, 25]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res: Awaited<ReturnType<TestApi['call']>> = await api.call('GET', `/v1/orders?connection=shop-tie&sort=${sort}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
          expect(res.status).toBe(200);
          cursor = res.body.next;
          pages++;
          if (cursor) expect(res.body.data.length, `${sort} limit ${limit} page ${pages}`).toBe(limit);
          seen.push(...res.body.data.map((o: { id: string }) => o.id));
        } while (cursor && pages < 100);
        expect(seen, `${sort} limit ${limit}`).toEqual(expected);
        expect(pages, `${sort} limit ${limit}`).toBe(Math.ceil(25 / limit));
      }
    }
  });
});
