/**
 * System events over the API, on both stores: a write-back that ends failed or refused is
 * write_back.failed (about its order), a dead-lettered delivery is webhook.dead_lettered; both are
 * in GET /v1/events in the one sequence with the order events and go to the subscriptions that name
 * them, while order-only consumers (a types filter, a subscription with the default events) see
 * none of them and keep their cursors.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachStore } from '../support/stores.ts';
import { mapped, putOrders, startFakeShop, startReceiver, startTestApi, waitFor, type FakeShop, type Receiver, type TestApi } from '../api/helpers.ts';

const SECRET = 'whsec_alerts_test_secret_1';

describeEachStore('system events over the API', (kind) => {
  let shop: FakeShop;
  let api: TestApi;
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const r = await startReceiver(() => SECRET);
    receivers.push(r);
    return r;
  };
  const subscribe = async (url: string, events?: string[]) =>
    (await api.call('POST', '/v1/webhooks', { body: { url, secret: SECRET, ...(events ? { events } : {}) } })).body as { id: string; events: string[] };
  const feed = async (query: string) => (await api.call('GET', `/v1/events?limit=1000${query}`, { key: api.readKey })).body as { data: Array<Record<string, any>>; next: string };

  beforeAll(async () => {
    shop = await startFakeShop(5);
    api = await startTestApi(kind, {
      connections: [{ name: 'shop', kind: 'testshop', baseUrl: shop.url, apiKey: 'shop-api-key', schedule: '10m' }],
      server: { webhooks: { retrySchedule: [20, 20] }, writeBacks: { retrySchedule: [20, 20] } },
    });
    expect((await api.call('POST', '/v1/connections/shop/sync?wait=true')).body).toMatchObject({ status: 'succeeded', counts: { created: 5 } });
  });
  afterAll(async () => {
    await api?.close();
    await shop?.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('makes a write-back that fails or is refused a write_back.failed about its order, in the feed and to its subscriber', async () => {
    const hub = await receiver();
    const sub = await subscribe(hub.url, ['write_back.failed']);
    expect(sub.events).toEqual(['write_back.failed']);
    const orderId = (await api.call('GET', '/v1/orders/shop:1')).body.order.id as string;

    shop.failWrites = 100; // every attempt answers 503: retried twice, then failed
    const failing = (await api.call('POST', `/v1/orders/${orderId}/status`, { body: { status: 'PROCESSING' } })).body;
    await waitFor('write-back failed', async () => (await api.call('GET', `/v1/write-backs/${failing.id}`)).body.state === 'failed');
    shop.failWrites = 0;
    // the fake shop refuses to ship an order without a tracking number (400): refused, not retried
    const refused = (await api.call('POST', `/v1/orders/${orderId}/status`, { body: { status: 'SHIPPED' } })).body;
    await waitFor('write-back refused', async () => (await api.call('GET', `/v1/write-backs/${refused.id}`)).body.state === 'refused');

    const events = (await feed('&types=write_back.failed')).data;
    expect(events).toEqual([
      {
        id: expect.stringMatching(/^evt_\d+$/), seq: expect.any(Number), type: 'write_back.failed', occurredAt: expect.any(String), orderId, connection: 'shop', actor: 'api:writer',
        data: { writeBackId: failing.id, kind: 'status', request: { status: 'PROCESSING' }, state: 'failed', error: { code: 'http_status', message: expect.stringMatching(/503/) }, attempts: 3 },
      },
      expect.objectContaining({ type: 'write_back.failed', orderId, data: expect.objectContaining({ writeBackId: refused.id, state: 'refused', error: expect.objectContaining({ code: 'channel_refused', message: expect.stringMatching(/tracking number/) }) }) }),
    ]);
    // the order's own events show it too; order-only filters do not
    expect((await feed(`&orderId=${orderId}`)).data.map((e) => e.type)).toEqual(['order.created', 'write_back.failed', 'write_back.failed']);
    expect((await feed(`&orderId=${orderId}&types=order.created,order.changed,order.status_changed`)).data.map((e) => e.type)).toEqual(['order.created']);
    const detail = (await api.call('GET', `/v1/orders/${orderId}`)).body;
    expect(detail.journal.map((e: { type: string }) => e.type)).toEqual(['order.created', 'write_back.failed', 'write_back.failed']);
    // the subscriber gets exactly what the feed shows
    await waitFor('both delivered', () => hub.received.length === 2);
    expect(hub.received.map((r) => r.event)).toEqual(events);
    expect(hub.received[0]!.headers['orderhub-event-type']).toBe('write_back.failed');
  });

  it('makes each dead-lettered delivery one webhook.dead_lettered, without a chain, and keeps them from order-only consumers', async () => {
    const before = (await feed('')).next; // an existing consumer's cursor
    const down = await receiver();
    down.failWith = 503;
    const watcher = await receiver();
    const orders = await receiver();
    // the dead receiver also asks for dead-letter events: its own are dead-lettered in turn, without new events
    const dead = await subscribe(down.url, ['order.created', 'webhook.dead_lettered']);
    await subscribe(watcher.url, ['webhook.dead_lettered']);
    const plain = await subscribe(orders.url);
    expect(plain.events).toEqual(['order.created', 'order.changed', 'order.status_changed']);

    await putOrders(api.t.store, 'shop', [mapped('D1'), mapped('D2')]);
    await waitFor('order and dead-letter deliveries dead-lettered', async () =>
      (await api.call('GET', `/v1/webhooks/${dead.id}/deliveries?state=dead`)).body.data.length === 4);
    const letters = (await feed('&types=webhook.dead_lettered')).data;
    expect(letters).toHaveLength(2);
    for (const e of letters) {
      expect(e).toMatchObject({
        type: 'webhook.dead_lettered', orderId: null, connection: 'shop', actor: 'webhooks',
        data: { subscriptionId: dead.id, url: down.url, eventType: 'order.created', attempts: 3, lastStatus: 503, lastError: expect.stringMatching(/^HTTP 503/) },
      });
    }
    expect(new Set(letters.map((e) => e.data.orderId)).size).toBe(2);
    const deadTypes = (await api.call('GET', `/v1/webhooks/${dead.id}/deliveries?state=dead`)).body.data.map((d: { eventType: string; orderId: string | null }) => [d.eventType, d.orderId === null]);
    expect(deadTypes.sort()).toEqual([['order.created', false], ['order.created', false], ['webhook.dead_lettered', true], ['webhook.dead_lettered', true]]);

    await waitFor('the watcher told', () => watcher.received.length === 2);
    expect(watcher.received.map((r) => r.event)).toEqual(letters);
    await waitFor('order events delivered', () => orders.received.length === 2);
    // the default subscription was owed order events only
    const owed = (await api.call('GET', `/v1/webhooks/${plain.id}/deliveries`)).body.data.map((d: { eventType: string }) => d.eventType);
    expect(owed).toEqual(['order.created', 'order.created']);
    // an existing cursor goes on in the one sequence: the order events, then the system events of this test
    const after = (await feed(`&after=${before}`)).data;
    expect(after.map((e) => e.type).sort()).toEqual(['order.created', 'order.created', 'webhook.dead_lettered', 'webhook.dead_lettered']);
    expect(after.map((e) => e.seq)).toEqual([...after.map((e) => e.seq)].sort((a, b) => a - b));
    expect((await feed(`&after=${before}&types=order.created`)).data.map((e) => e.type)).toEqual(['order.created', 'order.created']);
    // the feed refuses a type it does not know, naming it
    const bad = await api.call('GET', '/v1/events?types=sync.failed,sync.broken', { key: api.readKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('sync.broken');
  });
});
