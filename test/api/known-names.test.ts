/**
 * A filter naming a connection, channel or status that does not exist answers 400 with the API's
 * error envelope, naming the unknown value and the known ones, on every route that takes such a
 * filter, instead of an empty list. Names the store knows (a connection removed from the config
 * keeps its orders) stay valid.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '../support/stores.ts';
import { mapped, putOrders, startTestApi, type TestApi } from './helpers.ts';

describeEachStore('unknown names in filters', (kind) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi(kind, {
      server: { workers: false },
      connections: [{ name: 'drinks-pl', kind: 'testshop', baseUrl: 'http://127.0.0.1:9', apiKey: 'k', enabled: false }],
    });
    await putOrders(api.t.store, 'drinks-pl', [mapped('1'), mapped('2', { status: 'shipped', channelStatus: 'SHIPPED' })]);
    // a connection no longer in the config: its orders are still in the store, and still filterable
    await putOrders(api.t.store, 'old-shop', [mapped('3')]);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 400 naming the unknown connection, a near name and the known ones, on every route with a connection filter', async () => {
    for (const path of [
      '/v1/orders?connection=drinks',
      '/v1/orders?connection=drinks-pl,drinks',
      '/v1/orders/export?connection=drinks',
      '/v1/events?connection=drinks',
      '/v1/sync-runs?connection=drinks',
    ]) {
      const res = await api.call('GET', path, { key: api.readKey });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe('validation_failed');
      expect(res.body.error.message, path).toBe('unknown connection "drinks" (did you mean "drinks-pl"?); known: drinks-pl, old-shop');
      expect(res.body.error.details.issues, path).toEqual([
        { in: 'querystring', path: 'connection', message: res.body.error.message, unknown: ['drinks'], known: ['drinks-pl', 'old-shop'] },
      ]);
    }
  });

  it('answers 400 for an unknown channel or status, with every unknown field in one answer', async () => {
    const channel = await api.call('GET', '/v1/orders?channel=testshp', { key: api.readKey });
    expect(channel.status).toBe(400);
    expect(channel.body.error.message).toBe('unknown channel "testshp" (did you mean "testshop"?); known: testshop');
    const status = await api.call('GET', '/v1/orders/export?status=shiped', { key: api.readKey });
    expect(status.status).toBe(400);
    expect(status.body.error.message).toMatch(/^unknown status "shiped" \(did you mean "shipped"\?\); known: new, confirmed, .*on_hold/);
    const all = await api.call('GET', '/v1/orders?connection=nope&channel=nope&status=nope', { key: api.readKey });
    expect(all.status).toBe(400);
    expect(all.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['connection', 'channel', 'status']);
  });

  it('still serves known names: configured, or only in the store', async () => {
    const configured = await api.call('GET', '/v1/orders?connection=drinks-pl&status=shipped', { key: api.readKey });
    expect(configured.status).toBe(200);
    expect(configured.body.data.map((o: { externalId: string }) => o.externalId)).toEqual(['2']);
    const stored = await api.call('GET', '/v1/orders?connection=old-shop&channel=testshop', { key: api.readKey });
    expect(stored.status).toBe(200);
    expect(stored.body.data.map((o: { externalId: string }) => o.externalId)).toEqual(['3']);
    expect((await api.call('GET', '/v1/events?connection=old-shop', { key: api.readKey })).status).toBe(200);
    // a comma list, as on every other route: the events of both connections
    const both = await api.call('GET', '/v1/events?connection=drinks-pl,old-shop', { key: api.readKey });
    expect(both.status).toBe(200);
    expect(new Set(both.body.data.map((e: { connection: string }) => e.connection))).toEqual(new Set(['drinks-pl', 'old-shop']));
    expect((await api.call('GET', '/v1/sync-runs?connection=drinks-pl', { key: api.readKey })).body.data).toEqual([]);
  });

  it('names the configured connections when a sync is asked for one that does not exist', async () => {
    const res = await api.call('POST', '/v1/connections/drinks/sync');
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'not_found', message: 'no connection named drinks (did you mean "drinks-pl"?); configured: drinks-pl' });
  });
});
