import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '../support/stores.ts';
import { outboxTables } from '../../src/outbox/tables.ts';
import { mapped, putOrders, startFakeShop, startTestApi, waitFor, type FakeShop, type TestApi } from './helpers.ts';

describeEachStore('write-back through the API', (kind) => {
  let shop: FakeShop;
  let api: TestApi;
  let orderId: (externalId: string) => Promise<string>;

  beforeAll(async () => {
    shop = await startFakeShop(30);
    api = await startTestApi(kind, {
      connections: [{ name: 'shop', kind: 'testshop', baseUrl: shop.url, apiKey: 'sekrit-api-key', schedule: '10m' }],
    });
    orderId = async (externalId) => (await api.call('GET', `/v1/orders/shop:${externalId}`)).body.order.id as string;
  });
  afterAll(async () => {
    await api?.close();
    await shop?.close();
  });

  it('triggers a sync and reports connection health without credentials', async () => {
    expect((await api.call('POST', '/v1/connections/nope/sync')).status).toBe(404);
    const res = await api.call('POST', '/v1/connections/shop/sync?wait=true');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', counts: { created: 30 } });
    const bg = await api.call('POST', '/v1/connections/shop/sync');
    expect(bg.status).toBe(202);
    expect(bg.body.runId).toEqual(expect.any(Number));
    await waitFor('background sync', async () => (await api.call('GET', '/v1/sync-runs?connection=shop')).body.data.every((r: { status: string }) => r.status !== 'running'));
    const runs = await api.call('GET', '/v1/sync-runs?limit=1', { key: api.readKey });
    expect(runs.body.data[0]).toMatchObject({ connection: 'shop', status: 'succeeded', counts: { unchanged: 30 } });
    const conns = await api.call('GET', '/v1/connections', { key: api.readKey });
    expect(conns.body.data[0]).toMatchObject({ name: 'shop', health: 'ok', counts: { orders: 30, open: 30 }, lastError: null, nextSyncAt: expect.any(String) });
    expect(JSON.stringify(conns.body)).not.toContain('sekrit-api-key');
    expect(conns.body.data[0].settings).not.toHaveProperty('apiKey');
    // the test shop is a full-scan channel: its checkpoint says when the last complete scan started
    expect(conns.body.data[0].checkpoint).toEqual({ version: 1, lastFullScanAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
  });

  it('accepts a status change into the outbox, delivers it, and shows the result on the order', async () => {
    const id = await orderId('1');
    const ro = await api.call('POST', `/v1/orders/${id}/status`, { key: api.readKey, body: { status: 'PROCESSING' } });
    expect(ro.status).toBe(403);
    const res = await api.call('POST', `/v1/orders/${id}/status`, { body: { status: 'PROCESSING' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ orderId: id, kind: 'status', state: 'accepted', request: { status: 'PROCESSING' } });
    expect(res.headers.location).toBe(`/v1/write-backs/${res.body.id}`);
    const done = await waitFor('delivered', async () => {
      const wb = await api.call('GET', `/v1/write-backs/${res.body.id}`, { key: api.readKey });
      return wb.body.state === 'delivered' ? wb.body : null;
    });
    expect(done.result).toMatchObject({ status: 'processing', channelStatus: 'PROCESSING' });
    expect(shop.orders.get('1')!.status).toBe('PROCESSING');
    const order = await api.call('GET', `/v1/orders/${id}`);
    expect(order.body.order).toMatchObject({ status: 'processing', channelStatus: 'PROCESSING' });
    expect(order.body.writeBacks).toEqual([expect.objectContaining({ id: res.body.id, state: 'delivered' })]);
    expect(order.body.journal.map((e: { type: string }) => e.type)).toEqual(['order.created', 'order.status_changed']);
  });

  it('honours Idempotency-Key: same body replays, different body is 422, scoped per API key', async () => {
    const id = await orderId('2');
    const headers = { 'idempotency-key': 'order-2-processing' };
    const first = await api.call('POST', `/v1/orders/${id}/status`, { body: { status: 'PROCESSING' }, headers });
    expect(first.status).toBe(202);
    const again = await api.call('POST', `/v1/orders/${id}/status`, { body: { status: 'PROCESSING' }, headers });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await api.call('POST', `/v1/orders/${id}/status`, { body: { status: 'NEW' }, headers });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_conflict');
    const { createApiKey } = await import('../../src/api/store/api-keys.ts');
    const otherKey = (await createApiKey(api.t.store.db, { scope: 'write' })).key;
    const fresh = await api.call('POST', `/v1/orders/${id}/status`, { key: otherKey, body: { status: 'NEW' }, headers });
    expect(fresh.status).toBe(202);
    expect(fresh.body.id).not.toBe(first.body.id);
    // concurrent requests with one key: one write-back, every answer the same
    const id3 = await orderId('3');
    const burst = await Promise.all(Array.from({ length: 5 }, () =>
      api.call('POST', `/v1/orders/${id3}/status`, { body: { status: 'PROCESSING' }, headers: { 'idempotency-key': 'burst' } })));
    expect(new Set(burst.map((r) => r.status))).toEqual(new Set([202]));
    expect(new Set(burst.map((r) => r.body.id)).size).toBe(1);
    const rows = await outboxTables(api.t.store.db).selectFrom('write_backs').select('id').where('order_id', '=', id3).execute();
    expect(rows.length).toBe(1);
    // a refused request is stored under its key too
    const bad1 = await api.call('POST', `/v1/orders/${id3}/status`, { body: { status: 'BOGUS' }, headers: { 'idempotency-key': 'bogus' } });
    const bad2 = await api.call('POST', `/v1/orders/${id3}/status`, { body: { status: 'BOGUS' }, headers: { 'idempotency-key': 'bogus' } });
    expect([bad1.status, bad2.status]).toEqual([422, 422]);
    expect(bad2.body).toEqual(bad1.body);
  });

  it('refuses locally what the channel can never take (422), and records the channel refusing', async () => {
    const id = await orderId('4');
    const rule = await api.call('POST', `/v1/orders/${id}/status`, { body: { status: 'TELEPORTED' } });
    expect(rule.status).toBe(422);
    expect(rule.body.error).toMatchObject({ code: 'write_back_rule', message: expect.stringContaining('TELEPORTED') });
    const badBody = await api.call('POST', `/v1/orders/${id}/status`, { body: { status: 'NEW', force: true } });
    expect(badBody.status).toBe(400);
    const missing = await api.call('POST', '/v1/orders/nope/status', { body: { status: 'NEW' } });
    expect(missing.status).toBe(404);
    // the channel itself says no (shipping without tracking): refused, not retried
    const res = await api.call('POST', `/v1/orders/${id}/status`, { body: { status: 'SHIPPED' } });
    expect(res.status).toBe(202);
    const wb = await waitFor('refused', async () => {
      const r = await api.call('GET', `/v1/write-backs/${res.body.id}`);
      return r.body.state !== 'accepted' ? r.body : null;
    });
    expect(wb).toMatchObject({ state: 'refused', attempts: 1, error: { code: 'channel_refused', message: 'cannot ship an order without a tracking number' } });
    // an order of a connection this server has no configuration for
    await putOrders(api.t.store, 'ghost', [mapped('G1')]);
    const ghost = await api.call('POST', '/v1/orders/ghost:G1/status', { body: { status: 'NEW' } });
    expect(ghost.status).toBe(422);
    expect(ghost.body.error.code).toBe('write_back_unsupported');
  });

  it('retries network/5xx failures with backoff, bounded, then fails', async () => {
    const id = await orderId('5');
    shop.failWrites = 2;
    const ok = await api.call('POST', `/v1/orders/${id}/tracking`, { body: { trackingNumber: 'PL123', carrier: 'InPost' } });
    expect(ok.status).toBe(202);
    const delivered = await waitFor('delivered after retries', async () => {
      const r = await api.call('GET', `/v1/write-backs/${ok.body.id}`);
      return r.body.state === 'delivered' ? r.body : null;
    });
    expect(delivered.attempts).toBe(3);
    expect(delivered.result.trackingNumbers).toEqual(['PL123']);
    expect((await api.call('GET', `/v1/orders/${id}`)).body.order.trackingNumbers).toEqual(['PL123']);
    // then shipping is allowed by the channel, and a later change of the same order waits its turn
    const ship = await api.call('POST', `/v1/orders/${id}/status`, { body: { status: 'SHIPPED' } });
    await waitFor('shipped', async () => (await api.call('GET', `/v1/write-backs/${ship.body.id}`)).body.state === 'delivered');

    const id6 = await orderId('6');
    shop.failWrites = 100;
    const doomed = await api.call('POST', `/v1/orders/${id6}/status`, { body: { status: 'PROCESSING' } });
    const failed = await waitFor('failed', async () => {
      const r = await api.call('GET', `/v1/write-backs/${doomed.body.id}`);
      return r.body.state === 'failed' ? r.body : null;
    });
    expect(failed.attempts).toBe(4); // first try + 3 retries of the test schedule
    expect(failed.error.code).toBe('http_status');
    shop.failWrites = 0;
  });
});
