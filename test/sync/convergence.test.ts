/**
 * The sync engine against the drinks2cash simulator over HTTP: exact convergence (no order missing,
 * none duplicated, every status current) under each fault knob, on SQLite and PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { DrinksSimulator } from '../../src/channels/drinks2cash/simulator/index.ts';
import { getConnection, readCheckpoint } from '../../src/core/store/connections.ts';
import { findOrder, orderJournal } from '../../src/core/store/orders.ts';
import { describeEachStore, openTestStore, type TestStore } from '../support/stores.ts';
import { drinksConfig, expectConverged, startSim, sync, tableCount } from './support.ts';

const ORDERS = 1_200;

describeEachStore('sync convergence', (kind) => {
  let sim: DrinksSimulator;
  let t: TestStore;
  beforeAll(async () => {
    sim = await startSim(ORDERS);
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    sim.reset();
    t = await openTestStore(kind);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('stores every order once and a re-sync with no changes writes nothing', async () => {
    const first = await sync(t.store, drinksConfig(sim));
    expect(first.status).toBe('succeeded');
    expect(first.counts.created).toBe(ORDERS);
    await expectConverged(t.store, sim);
    const before = { orders: await tableCount(t.store, 'orders'), journal: await tableCount(t.store, 'order_journal'), payloads: await tableCount(t.store, 'order_payloads') };
    expect(before).toEqual({ orders: ORDERS, journal: ORDERS, payloads: ORDERS });

    const again = await sync(t.store, drinksConfig(sim));
    expect(again.status).toBe('succeeded');
    expect(again.counts.created + again.counts.updated).toBe(0);
    expect(again.counts.unchanged).toBe(again.counts.fetched);
    expect({ orders: await tableCount(t.store, 'orders'), journal: await tableCount(t.store, 'order_journal'), payloads: await tableCount(t.store, 'order_payloads') }).toEqual(before);
  });

  const knobs: Array<[string, Parameters<DrinksSimulator['setFaults']>[0]]> = [
    ['429 with Retry-After', { rateLimitEvery: 3, retryAfterSeconds: 0 }],
    ['500 errors', { errorEvery: 4 }],
    ['truncated JSON bodies', { truncateEvery: 5 }],
    ['a silent page-size cap', { pageCap: 37 }],
    ['latency', { latencyMs: 15 }],
  ];
  for (const [name, faults] of knobs) {
    it(`converges exactly under ${name}`, async () => {
      sim.setFaults(faults);
      const summary = await sync(t.store, drinksConfig(sim));
      expect(summary.error).toBeNull();
      expect(summary.status).toBe('succeeded');
      await expectConverged(t.store, sim);
      expect(await tableCount(t.store, 'order_journal')).toBe(ORDERS);
    });
  }

  it('converges when orders are inserted while a sync pages (at most one more sync)', async () => {
    sim.setFaults({ insertDuringPaging: 2 });
    const first = await sync(t.store, drinksConfig(sim));
    expect(first.status).toBe('succeeded');
    sim.clearFaults();
    expect(sim.orderCount()).toBeGreaterThan(ORDERS);
    const second = await sync(t.store, drinksConfig(sim));
    expect(second.status).toBe('succeeded');
    await expectConverged(t.store, sim);
  });

  it('picks up a status change to an old order on the next sync, with a journal entry', async () => {
    await sync(t.store, drinksConfig(sim));
    // the oldest open orders: created ~20 days ago, far outside the next run's window
    const oldOpen = sim.allOrderNumbers().slice(0, 200).filter((n) => ['NEW', 'IN_REALIZATION', 'RECEIVED_BY_DISTRIBUTOR'].includes(sim.statusOf(n)!));
    expect(oldOpen.length).toBeGreaterThan(2);
    sim.changeStatus(oldOpen[0]!, 'REALIZED');
    sim.changeStatus(oldOpen[1]!, 'CANCELLED');
    const changes = sim.changeRandomOldOrders(5);
    const summary = await sync(t.store, drinksConfig(sim));
    expect(summary.status).toBe('succeeded');
    expect(summary.refreshed).toBeGreaterThan(0);
    expect(summary.counts.updated).toBe(2 + changes.length);
    await expectConverged(t.store, sim);
    const order = (await findOrder(t.store.db, `drinks:${oldOpen[0]}`))!;
    expect(order.status).toBe('shipped');
    const journal = await orderJournal(t.store.db, order.id);
    expect(journal.at(-1)).toMatchObject({ kind: 'status_changed', to_status: 'shipped' });
  });

  it('quarantines malformed orders with their raw payload and stores the rest', async () => {
    sim.setFaults({ malformedEvery: 100 });
    const summary = await sync(t.store, drinksConfig(sim));
    expect(summary.status).toBe('succeeded');
    const bad = ORDERS / 100;
    expect(summary.counts.failed).toBe(bad);
    expect(summary.counts.created).toBe(ORDERS - bad);
    const failures = await t.store.db.selectFrom('sync_failures').selectAll().execute();
    expect(failures.length).toBe(bad);
    expect(failures[0]!.error).toMatch(/create_time/);
    expect(JSON.parse(failures[0]!.payload).create_time).toBe('not-a-date');
  });

  it('maps unknown statuses to on_hold, keeps the channel status and reports it', async () => {
    sim.setFaults({ unknownStatusEvery: 50 });
    const summary = await sync(t.store, drinksConfig(sim));
    expect(summary.status).toBe('succeeded');
    expect(summary.warnings.join('\n')).toMatch(/PARTIALLY_REALIZED/);
    const held = await t.store.db.selectFrom('orders').select(['status']).where('channel_status', '=', 'PARTIALLY_REALIZED').execute();
    expect(held.length).toBe(ORDERS / 50);
    expect(new Set(held.map((h) => h.status))).toEqual(new Set(['on_hold']));
  });

  it('never advances the checkpoint on a failed run', async () => {
    sim.setFaults({ errorEvery: 1 });
    const failed = await sync(t.store, drinksConfig(sim, { http: { maxAttempts: 2, timeoutMs: 2000, deadlineMs: 5000, requestsPerSecond: 1000, concurrency: 2 } }));
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/500/);
    expect(await readCheckpoint(t.store.db, 'drinks')).toBeNull();
    sim.clearFaults();
    const ok = await sync(t.store, drinksConfig(sim));
    expect(ok.status).toBe('succeeded');
    expect((await readCheckpoint<{ watermark: string }>(t.store.db, 'drinks'))?.watermark).toBeTruthy();
    await expectConverged(t.store, sim);
  });

  it('fails fast on a wrong API key: few requests, a clear message, the connection needs attention', async () => {
    const before = sim.requests.total;
    const summary = await sync(t.store, drinksConfig(sim, { apiKey: 'wrong-key' }));
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/403/);
    expect(summary.error).toMatch(/API key/i);
    expect(sim.requests.total - before).toBeLessThanOrEqual(2);
    const row = await getConnection(t.store.db, 'drinks');
    expect(row?.health).toBe('needs_attention');
    expect(await tableCount(t.store, 'orders')).toBe(0);
  });

  it('refuses a second concurrent sync of the same connection', async () => {
    sim.setFaults({ latencyMs: 20 });
    const [a, b] = await Promise.all([sync(t.store, drinksConfig(sim)), sync(t.store, drinksConfig(sim))]);
    const outcomes = [a, b].map((s) => s.status).sort();
    expect(outcomes).toEqual(['failed', 'succeeded']);
    expect([a, b].find((s) => s.status === 'failed')!.error).toMatch(/another process/);
    await expectConverged(t.store, sim);
  });
});

describeEachStore('re-polling a few open orders', (kind) => {
  it('asks the channel for each of them by id', async () => {
    const sim = await startSim(30, 5);
    const t = await openTestStore(kind);
    try {
      expect((await sync(t.store, drinksConfig(sim))).status).toBe('succeeded');
      const open = sim.allOrderNumbers().filter((n) => ['NEW', 'IN_REALIZATION'].includes(sim.statusOf(n)!));
      sim.changeStatus(open[0]!, 'CANCELLED');
      const before = sim.requests.byEndpoint['GET /api/order/:id'] ?? 0;
      const again = await sync(t.store, drinksConfig(sim));
      expect(again.status).toBe('succeeded');
      expect(again.refreshed).toBeGreaterThan(0);
      expect((sim.requests.byEndpoint['GET /api/order/:id'] ?? 0) - before).toBe(again.refreshed);
      expect(again.counts.updated).toBe(1);
      await expectConverged(t.store, sim);
    } finally {
      await t.cleanup();
      await sim.close();
    }
  });
});
