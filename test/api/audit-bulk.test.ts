/**
 * Issue 17, items 6 and 7, over HTTP against a test channel's server (both stores):
 * - the audit trail: every journal entry says who made the change — the sync (`sync:<run id>`), the
 *   API key that asked for a write-back (`api:<key name>`, also on its read-back's journal entry and
 *   in the change feed);
 * - bulk status changes: POST /v1/orders/bulk/status queues one write-back per matching order through
 *   the outbox, pages through more matches than one page, says in a dry run how many orders per
 *   connection and how many would be skipped and why, reports a connection whose channel cannot take
 *   the status, refuses a filter that matches more than maxOrders, and queues nothing twice (an
 *   Idempotency-Key replays; re-sending skips the orders with a waiting write-back).
 * The write-back worker is driven by hand (the server runs none), so what is pending is known.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/log.ts';
import { outboxTables } from '../../src/outbox/tables.ts';
import { WriteBackWorker } from '../../src/outbox/worker.ts';
import { describeEachStore } from '../support/stores.ts';
import { mapped, putOrders, startFakeShop, startTestApi, testRegistry, type FakeShop, type TestApi } from './helpers.ts';

/** more than one page of the bulk walk (500) */
const ORDERS = 1_050;

describeEachStore('audit trail and bulk status changes over the API', (kind) => {
  let shop: FakeShop;
  let api: TestApi;
  let worker: WriteBackWorker;
  let runId: number;
  const orderOf = async (externalId: string) => (await api.call('GET', `/v1/orders/shop:${externalId}`)).body;
  /** delivers every due write-back, as the server's worker would */
  const deliverAll = async () => {
    while ((await worker.runOnce()) > 0);
  };
  const bulk = (body: Record<string, unknown>, headers?: Record<string, string>) => api.call('POST', '/v1/orders/bulk/status', { body, headers });
  const queuedRows = async () => Number((await outboxTables(api.t.store.db).selectFrom('write_backs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    shop = await startFakeShop(ORDERS);
    const connections = [{ name: 'shop', kind: 'testshop', baseUrl: shop.url, apiKey: 'k', schedule: '10m' }];
    api = await startTestApi(kind, { connections, server: { workers: false } });
    const config = parseConfig({ database: api.t.database, connections }, testRegistry, 'test');
    worker = new WriteBackWorker({ store: api.t.store, registry: testRegistry, connections: config.connections, logger: silentLogger(), retrySchedule: [] });
    const synced = await api.call('POST', '/v1/connections/shop/sync?wait=true');
    expect(synced.body).toMatchObject({ status: 'succeeded', counts: { created: ORDERS } });
    runId = (await api.call('GET', '/v1/sync-runs?connection=shop&limit=1')).body.data[0].id as number;
    // orders of a connection this server has no configuration for (written before the audit trail)
    await putOrders(api.t.store, 'legacy', [mapped('L1'), mapped('L2')]);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await shop?.close();
  });

  it('re-syncs one order from its channel on request, journalled as the API key that asked', async () => {
    const before = await orderOf('7');
    shop.orders.get('7')!.status = 'SHIPPED';
    const res = await api.call('POST', `/v1/orders/${before.order.id}/resync`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ changed: true, order: { status: 'shipped', channelStatus: 'SHIPPED' } });
    const after = await orderOf('7');
    expect(after.journal.at(-1)).toMatchObject({ type: 'order.status_changed', actor: 'api:writer' });
    const again = await api.call('POST', `/v1/orders/${before.order.id}/resync`);
    expect(again.body).toMatchObject({ changed: false });
  });

  it('journals who made each change: the sync run, the API key that asked for a write-back (on its read-back too), in the order and the feed', async () => {
    const before = await orderOf('1');
    expect(before.journal).toEqual([expect.objectContaining({ type: 'order.created', actor: `sync:${runId}` })]);
    const legacy = (await api.call('GET', '/v1/orders/legacy:L1')).body;
    expect(legacy.journal[0].actor).toBeNull();

    const accepted = await api.call('POST', `/v1/orders/${before.order.id}/status`, { body: { status: 'PROCESSING' } });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ actor: 'api:writer', bulkId: null, state: 'accepted' });
    const tracking = await api.call('POST', `/v1/orders/${before.order.id}/tracking`, { body: { trackingNumber: 'PL123' } });
    expect(tracking.body.actor).toBe('api:writer');
    await deliverAll();

    const after = await orderOf('1');
    expect(after.order).toMatchObject({ status: 'processing', trackingNumbers: ['PL123'] });
    expect(after.writeBacks.map((w: { kind: string; state: string; actor: string }) => [w.kind, w.state, w.actor])).toEqual([
      ['status', 'delivered', 'api:writer'],
      ['tracking', 'delivered', 'api:writer'],
    ]);
    expect(after.journal.map((e: { type: string; actor: string }) => [e.type, e.actor])).toEqual([
      ['order.created', `sync:${runId}`],
      ['order.status_changed', 'api:writer'],
      ['order.changed', 'api:writer'],
    ]);
    const feed = await api.call('GET', `/v1/events?orderId=${before.order.id}`, { key: api.readKey });
    expect(feed.body.data).toEqual(after.journal);
  });

  it('dry run: how many orders per connection would get a write-back, how many are skipped and why, over more than one page; nothing queued', async () => {
    const queued = await queuedRows();
    const dry = await bulk({ filter: { connection: 'shop,legacy' }, status: 'PROCESSING', dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({
      dryRun: true, bulkId: null, status: 'PROCESSING', matched: ORDERS + 2, queued: ORDERS - 1,
      skipped: { alreadyInStatus: 1, pending: 0, unsupported: 2 },
      byConnection: [
        {
          connection: 'legacy', channel: 'testshop', matched: 2, channelStatus: null, queued: 0,
          skipped: { alreadyInStatus: 0, pending: 0, unsupported: 2 },
          problem: 'connection "legacy" is not configured on this server, so nothing can be written back to it',
        },
        { connection: 'shop', channel: 'testshop', matched: ORDERS, channelStatus: 'PROCESSING', queued: ORDERS - 1, skipped: { alreadyInStatus: 1, pending: 0, unsupported: 0 }, problem: null },
      ],
    });
    expect(await queuedRows()).toBe(queued);
    // the channel takes its own names only: a canonical status is reported, not failed silently
    const canonical = await bulk({ filter: { connection: 'shop' }, status: 'processing', dryRun: true });
    expect(canonical.body).toMatchObject({ queued: 0, skipped: { alreadyInStatus: 1, unsupported: ORDERS - 1 } });
    expect(canonical.body.byConnection[0].problem).toMatch(/^Test shop takes its own status names only, not canonical ones like "processing"; settable Test shop statuses: NEW, PROCESSING, SHIPPED$/);
  });

  it('refuses an empty filter, more matches than maxOrders, an unknown name, and a status no channel knows', async () => {
    const empty = await bulk({ filter: {}, status: 'PROCESSING' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/needs a filter .*an empty one would change every order/);
    const many = await bulk({ filter: { connection: 'shop' }, status: 'PROCESSING', maxOrders: 100 });
    expect(many.status).toBe(400);
    expect(many.body.error).toMatchObject({ code: 'validation_failed', details: { matched: ORDERS, maxOrders: 100 } });
    expect(many.body.error.message).toBe(`${ORDERS} orders match this filter (shop ${ORDERS}), more than maxOrders 100: narrow the filter (e.g. by createdFrom/createdTo) and send one request per part`);
    expect((await bulk({ filter: { connection: 'shop' }, status: 'PROCESSING', maxOrders: 10_001 })).status).toBe(400);
    const unknown = await bulk({ filter: { connection: 'shopp' }, status: 'PROCESSING' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/unknown connection "shopp"/);
    const typo = await bulk({ filter: { connection: 'shop' }, status: 'PROCESING' });
    expect(typo.status).toBe(422);
    expect(typo.body.error).toMatchObject({ code: 'write_back_rule' });
    expect(typo.body.error.message).toMatch(/"PROCESING" is not a settable Test shop status \(did you mean "PROCESSING"\?\)/);
    expect((await bulk({ filter: { connection: 'shop' }, status: 'PROCESSING', dryRun: true }, { 'idempotency-key': 'x' })).status).toBe(200);
    expect((await api.call('POST', '/v1/orders/bulk/status', { key: api.readKey, body: { filter: { connection: 'shop' }, status: 'NEW' } })).status).toBe(403);
  });

  it('queues one write-back per order through the outbox, idempotently, and reports how they fared', async () => {
    // the 30 oldest orders; one is processing already (the first test)
    const createdTo = shop.orders.get('31')!.createdAt;
    const request = { filter: { connection: 'shop,legacy', createdTo }, status: 'PROCESSING' };
    const key = { 'idempotency-key': `bulk-${kind}` };
    const first = await bulk(request, key);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ dryRun: false, matched: 32, queued: 29, skipped: { alreadyInStatus: 1, pending: 0, unsupported: 2 } });
    const bulkId = first.body.bulkId as string;
    expect(bulkId).toMatch(/^bulk_[0-9a-f]{32}$/);
    expect(first.headers.location).toBe(`/v1/orders/bulk/${bulkId}`);
    const rows = async () => Number((await outboxTables(api.t.store.db).selectFrom('write_backs').select((eb) => eb.fn.countAll<number>().as('n')).where('bulk_id', '=', bulkId).executeTakeFirstOrThrow()).n);
    expect(await rows()).toBe(29);

    // the same key: the same answer, nothing queued again
    const replay = await bulk(request, key);
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await rows()).toBe(29);
    // the same request without a key: every order has its write-back waiting, so none is queued
    const again = await bulk(request);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ bulkId: null, matched: 32, queued: 0, skipped: { alreadyInStatus: 1, pending: 29, unsupported: 2 } });
    expect((await api.call('GET', '/v1/orders/bulk/bulk_0')).status).toBe(404);

    const pending = await api.call('GET', `/v1/orders/bulk/${bulkId}`, { key: api.readKey });
    expect(pending.body).toEqual({ bulkId, states: { accepted: 29, delivered: 0, refused: 0, failed: 0 }, byConnection: [{ connection: 'shop', states: { accepted: 29, delivered: 0, refused: 0, failed: 0 } }], problems: [] });

    // the channel no longer has order 30: that write-back is refused, the rest delivered
    const gone = await orderOf('30');
    shop.orders.delete('30');
    await deliverAll();
    const fared = await api.call('GET', `/v1/orders/bulk/${bulkId}`);
    expect(fared.body.states).toEqual({ accepted: 0, delivered: 28, refused: 1, failed: 0 });
    expect(fared.body.problems).toEqual([expect.objectContaining({ orderId: gone.order.id, state: 'refused', actor: 'api:writer', bulkId, error: expect.objectContaining({ code: 'channel_refused' }) })]);
    expect((await api.call('GET', `/v1/orders?connection=shop&status=processing&limit=100`)).body.data).toHaveLength(29);
    expect(shop.orders.get('2')!.status).toBe('PROCESSING');
    const changed = await orderOf('2');
    expect(changed.writeBacks).toEqual([expect.objectContaining({ kind: 'status', state: 'delivered', actor: 'api:writer', bulkId, request: { status: 'PROCESSING' } })]);
    expect(changed.journal.at(-1)).toMatchObject({ type: 'order.status_changed', actor: 'api:writer' });
  });
});
