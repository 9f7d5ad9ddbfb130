/**
 * End to end: the real engine, a real SQLite store, the simulator over HTTP. Convergence with the
 * simulator's truth under every fault knob, state changes of older orders, and the token discipline
 * Alza's blacklist demands (one token per connection, shared by processes; one refresh per expiry;
 * bad credentials stop the connection after one request per attempt).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalOrder } from '../../../core/canonical/order.ts';
import { silentLogger } from '../../../core/log.ts';
import { ChannelRegistry } from '../../../core/registry.ts';
import { getConnection } from '../../../core/store/connections.ts';
import type { StoreHandle } from '../../../core/store/db.ts';
import { openHubStore } from '../../../store-modules.ts';
import { countOrders, findOrder, streamOrders } from '../../../core/store/orders.ts';
import { syncConnection, type SyncSummary } from '../../../core/sync/engine.ts';
import { createConnectorRuntime } from '../../../core/sync/runtime.ts';
import { Scheduler } from '../../../scheduler/scheduler.ts';
import { openTestStore, type TestStore } from '../../../../test/support/stores.ts';
import { ALZA_STATES, parseWireTime } from '../schemas.ts';
import { alzaTradeChannel } from '../index.ts';
import { startAlzaTradeSimulator, type AlzaFaults, type AlzaTradeSimulator } from '../simulator/index.ts';

const ZONE = 'Europe/Prague';
const SINCE = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
const HTTP = { maxAttempts: 6, requestsPerSecond: 1000, concurrency: 4, timeoutMs: 5000, deadlineMs: 60000 };
const logger = silentLogger();

let sim: AlzaTradeSimulator;
let ts: TestStore;
const extraStores: StoreHandle[] = [];

function config(overrides: Record<string, unknown> = {}) {
  return alzaTradeChannel.configSchema.parse({ name: 'x', ...sim.connection, since: SINCE, pageSize: 20, http: HTTP, ...overrides });
}

function sync(store: StoreHandle = ts.store, cfg = config()): Promise<SyncSummary> {
  return syncConnection({ store, channel: alzaTradeChannel, config: cfg, logger });
}

async function stored(store: StoreHandle = ts.store): Promise<Map<string, CanonicalOrder>> {
  const map = new Map<string, CanonicalOrder>();
  for await (const o of streamOrders(store.db, { connection: 'x' })) {
    expect(map.has(o.externalId), `order ${o.externalId} stored twice`).toBe(false);
    map.set(o.externalId, o);
  }
  return map;
}

/** Every order of the simulator is stored once, in the state the API shows now; nothing else is. */
async function expectConverged(excluded: ReadonlySet<string> = new Set()): Promise<void> {
  const orders = await stored();
  const truth = sim.allOrderIds().filter((id) => !excluded.has(id));
  const missing = truth.filter((id) => !orders.has(id));
  expect(missing, 'orders missing from the store').toEqual([]);
  expect(orders.size).toBe(truth.length);
  expect(await countOrders(ts.store.db, 'x')).toBe(truth.length);
  const wrong = truth.filter((id) => orders.get(id)!.channelStatus !== sim.getOrder(id)!.state);
  expect(wrong, 'orders whose state differs from the channel').toEqual([]);
}

beforeAll(async () => {
  sim = await startAlzaTradeSimulator({ host: '127.0.0.1', port: 0, orders: 500, seed: 42, since: SINCE });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  sim.reset();
  ts = await openTestStore('sqlite');
});
afterEach(async () => {
  await Promise.all(extraStores.splice(0).map((s) => s.close()));
  await ts.cleanup();
});

describe('alza-trade sync (engine + SQLite + simulator)', () => {
  it('one token request serves a whole multi-page sync, and the next sync too', async () => {
    const s = await sync();
    expect(s.status).toBe('succeeded');
    expect(s.counts.pages).toBeGreaterThanOrEqual(25);
    expect(s.counts).toMatchObject({ fetched: 500, created: 500, failed: 0 });
    expect(sim.tokenRequests).toMatchObject({ total: 1, good: 1 });
    await expectConverged();
    const again = await sync();
    expect(again.status).toBe('succeeded');
    expect(sim.tokenRequests.total).toBe(1);
    expect(sim.requests.unauthorized).toBe(0);
  });

  it('maps stored orders exactly as the API sent them (spot check)', async () => {
    await sync();
    const id = sim.allOrderIds().find((n) => sim.stateOf(n) === ALZA_STATES.shipped)!;
    const wire = sim.getOrder(id)!;
    const order = (await findOrder(ts.store.db, `x:${id}`))!;
    expect(order.createdAt).toBe(parseWireTime(wire.created as string, ZONE));
    expect(order.status).toBe('shipped');
    expect(order.trackingNumbers).toEqual([wire.trackingNumber]);
    expect(order.totals.total).toMatch(/^\d+\.\d{2}$/);
    expect(order.shippingAddress?.country).toMatch(/^(CZ|SK)$/);
  });

  it('an expiry mid-sync costs exactly one refresh', async () => {
    sim.setFaults({ expireTokensAtRequest: 10 });
    const s = await sync();
    expect(s.status).toBe('succeeded');
    expect(sim.requests.unauthorized).toBeGreaterThanOrEqual(1);
    expect(sim.tokenRequests).toMatchObject({ total: 2, good: 2 });
    await expectConverged();
  });

  it('state changes of earlier orders arrive on the next sync; a Waiting order fills in when confirmed', async () => {
    const first = await sync();
    expect(first.status).toBe('succeeded');
    const hourAgo = new Date(Date.now() - 3_600_000);
    const waiting = sim
      .allOrderIds()
      .find((id) => sim.stateOf(id) === ALZA_STATES.waiting && Date.parse(parseWireTime(sim.getOrder(id)!.created as string, ZONE)) < hourAgo.getTime())!;
    expect(waiting).toBeDefined();
    const before = (await findOrder(ts.store.db, `x:${waiting}`))!;
    expect(before.status).toBe('new');
    expect(before.shippingAddress).toBeNull();
    expect(before.customer.name).toBeNull();

    sim.changeStatus(waiting, ALZA_STATES.awaitingLabelCreation);
    const changed = sim.changeRandomOldOrders(25, hourAgo);
    expect(changed.length).toBe(25);
    // some leave the open states (Delivered, Cancelled …), some stay open: both must arrive
    expect(changed.some((c) => c.to === ALZA_STATES.delivered || c.to.startsWith('Cancelled'))).toBe(true);

    const second = await sync();
    expect(second.status).toBe('succeeded');
    expect(second.refreshed).toBeGreaterThan(0);
    expect(second.counts.updated).toBeGreaterThanOrEqual(26);
    await expectConverged();
    const after = (await findOrder(ts.store.db, `x:${waiting}`))!;
    expect(after.status).toBe('confirmed');
    expect(after.shippingAddress).not.toBeNull();
    expect(after.customer.name).not.toBeNull();
    expect(after.shippingMethod).not.toBeNull();
    expect(sim.tokenRequests.total).toBe(1);
  });

  const knobs: Array<[string, Partial<AlzaFaults>]> = [
    ['errorEvery (500)', { errorEvery: 5 }],
    ['rateLimitEvery (429 + Retry-After)', { rateLimitEvery: 4, retryAfterSeconds: 0 }],
    ['truncateEvery (cut JSON)', { truncateEvery: 6 }],
    ['pageCap (silent)', { pageCap: 7 }],
    ['insertDuringPaging', { insertDuringPaging: 2 }],
    ['latencyMs', { latencyMs: 3 }],
    ['malformedEvery', { malformedEvery: 40 }],
    ['unknownStateEvery', { unknownStateEvery: 25 }],
    ['all at once', { errorEvery: 11, rateLimitEvery: 7, truncateEvery: 13, pageCap: 9, insertDuringPaging: 1, malformedEvery: 60, unknownStateEvery: 45 }],
  ];

  it.each(knobs)('converges exactly under %s', async (_name, faults) => {
    sim.setFaults(faults);
    const s1 = await sync();
    expect(s1.status, s1.error ?? '').toBe('succeeded');
    // a second sync picks up what was inserted while the first one paged
    const s2 = await sync();
    expect(s2.status, s2.error ?? '').toBe('succeeded');
    let failed = s1.counts.failed + s2.counts.failed;
    if (faults.insertDuringPaging) {
      // orders keep arriving while the second sync pages too; once they stop, one more sync catches up
      sim.setFaults({ insertDuringPaging: 0 });
      const s3 = await sync();
      expect(s3.status, s3.error ?? '').toBe('succeeded');
      failed += s3.counts.failed;
    }
    const malformed = new Set(sim.malformedIds());
    if (faults.malformedEvery) {
      expect(malformed.size).toBeGreaterThan(0);
      // every malformed order was fetched and quarantined (some more than once, by overlapping windows)
      expect(failed).toBeGreaterThanOrEqual(malformed.size);
    }
    if (faults.unknownStateEvery) {
      expect(s1.warnings.some((w) => w.includes('unknown state "ReturnedToSupplierWarehouse"'))).toBe(true);
      const orders = await stored();
      const odd = [...orders.values()].filter((o) => o.channelStatus === 'ReturnedToSupplierWarehouse');
      expect(odd.length).toBeGreaterThan(0);
      for (const o of odd) expect(o.status).toBe('on_hold');
    }
    if (faults.insertDuringPaging) expect(sim.orderCount()).toBeGreaterThan(500);
    await expectConverged(malformed);
    // faults never cost a login
    expect(sim.tokenRequests.total).toBe(1);
  });
});

describe('alza-trade token sharing between processes', () => {
  it('a second process (its own store handle on the same file) uses the stored token', async () => {
    const first = await sync(ts.store);
    expect(first.status).toBe('succeeded');
    const other = await openHubStore(ts.database);
    extraStores.push(other);
    sim.insertOrders(3);
    const second = await sync(other);
    expect(second.status).toBe('succeeded');
    expect(second.counts.created).toBe(3);
    expect(sim.tokenRequests.total).toBe(1);
  });

  it('two processes syncing at once: the lease admits one, and they never log in twice', async () => {
    const other = await openHubStore(ts.database);
    extraStores.push(other);
    const [a, b] = await Promise.all([sync(ts.store), sync(other)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toContain('succeeded');
    const refused = [a, b].find((s) => s.status === 'failed');
    if (refused) expect(refused.error).toMatch(/being synced by another process/);
    expect(sim.tokenRequests.total).toBe(1);
  });

  it('connectors of several processes fetching at once over the store-backed cache ask for one token', async () => {
    const other = await openHubStore(ts.database);
    extraStores.push(other);
    const cfg = config();
    const runtimes = [ts.store, other, ts.store, other].map((s) => createConnectorRuntime(s, alzaTradeChannel, cfg, logger));
    try {
      const signal = new AbortController().signal;
      const query = { kind: 'window' as const, from: new Date(Date.parse(SINCE)), to: new Date() };
      const pages = await Promise.all(runtimes.map((r) => r.connector.fetchPage(query, { index: 0, offset: 0, size: 20, token: null }, signal)));
      for (const p of pages) expect(p.records).toHaveLength(20);
      expect(sim.tokenRequests.total).toBe(1);
    } finally {
      await Promise.all(runtimes.map((r) => r.close()));
    }
  });
});

describe('alza-trade bad credentials', () => {
  it('one token request per attempt, then the connection stops; the scheduler leaves it alone; no blacklist', async () => {
    const bad = config({ clientSecret: 'not-the-secret' });
    const s = await sync(ts.store, bad);
    expect(s.status).toBe('failed');
    expect(s.error).toContain(
      "Alza refused the client credentials (invalid_client) — check clientId/clientSecret; the connection is stopped to avoid Alza's blacklist",
    );
    expect(sim.tokenRequests).toMatchObject({ total: 1, bad: 1, good: 0 });
    expect(sim.requests.total).toBe(0);
    const row = await getConnection(ts.store.db, 'x');
    expect(row?.health).toBe('needs_attention');
    expect(row?.attention).toContain('invalid_client');

    // the scheduler skips a connection that needs attention: no token request, however often it fires
    const scheduler = new Scheduler({ store: ts.store, registry: new ChannelRegistry([alzaTradeChannel]), connections: [bad], logger, runAtStart: false });
    for (let k = 0; k < 5; k++) await scheduler.trigger(bad);
    await scheduler.stop(1000);
    expect(sim.tokenRequests.total).toBe(1);

    // manual retries (a human running `orderhub sync`) cost exactly one request each
    for (let k = 0; k < 3; k++) {
      const again = await sync(ts.store, bad);
      expect(again.status).toBe('failed');
    }
    expect(sim.tokenRequests).toMatchObject({ total: 4, bad: 4 });
    expect(sim.blacklisted).toBe(false);
    expect(await countOrders(ts.store.db, 'x')).toBe(0);
  });
});
