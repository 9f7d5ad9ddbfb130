/**
 * The sync engine against the drinks2cash simulator over HTTP: exact convergence (no order missing,
 * none duplicated, every status current) under each fault knob, on SQLite and PostgreSQL.
 */
import { expect, it } from 'vitest';
import type { DrinksSimulator } from '../../src/channels/drinks2cash/simulator/index.ts';
import { getConnection, readCheckpoint } from '../../src/core/store/connections.ts';
import { findOrder, orderJournal } from '../../src/core/store/orders.ts';
import { describeEachStore, openTestStore } from '../support/stores.ts';
import { drinksConfig, expectConverged, simAndStorePerTest, startSim, sync, tableCount } from './support.ts';

const ORDERS = 1_200;

describeEachStore('sync convergence', (kind) => {
  const env = simAndStorePerTest(kind, ORDERS);

  it('stores every order once and a re-sync with no changes writes nothing', async () => {
    const first = await sync(env.t.store, drinksConfig(env.sim));
    expect(first.status).toBe('succeeded');
    expect(first.counts.created).toBe(ORDERS);
    await expectConverged(env.t.store, env.sim);
    const before = { orders: await tableCount(env.t.store, 'orders'), journal: await tableCount(env.t.store, 'order_journal'), payloads: await tableCount(env.t.store, 'order_payloads') };
    expect(before).toEqual({ orders: ORDERS, journal: ORDERS, payloads: ORDERS });

    const again = await sync(env.t.store, drinksConfig(env.sim));
    expect(again.status).toBe('succeeded');
    expect(again.counts.created + again.counts.updated).toBe(0);
    expect(again.counts.unchanged).toBe(again.counts.fetched);
    expect({ orders: await tableCount(env.t.store, 'orders'), journal: await tableCount(env.t.store, 'order_journal'), payloads: await tableCount(env.t.store, 'order_payloads') }).toEqual(before);
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
      env.sim.setFaults(faults);
      const summary = await sync(env.t.store, drinksConfig(env.sim));
      expect(summary.error).toBeNull();
      expect(summary.status).toBe('succeeded');
      await expectConverged(env.t.store, env.sim);
      expect(await tableCount(env.t.store, 'order_journal')).toBe(ORDERS);
    });
  }

  it('converges when orders are inserted while a sync pages (at most one more sync)', async () => {
    env.sim.setFaults({ insertDuringPaging: 2 });
    const first = await sync(env.t.store, drinksConfig(env.sim));
    expect(first.status).toBe('succeeded');
    env.sim.clearFaults();
    expect(env.sim.orderCount()).toBeGreaterThan(ORDERS);
    const second = await sync(env.t.store, drinksConfig(env.sim));
    expect(second.status).toBe('succeeded');
    await expectConverged(env.t.store, env.sim);
  });

  it('picks up a status change to an old order on the next sync, with a journal entry', async () => {
    await sync(env.t.store, drinksConfig(env.sim));
    // the oldest open orders: created ~20 days ago, far outside the next run's window
    const oldOpen = env.sim.allOrderNumbers().slice(0, 200).filter((n) => ['NEW', 'IN_REALIZATION', 'RECEIVED_BY_DISTRIBUTOR'].includes(env.sim.statusOf(n)!));
    expect(oldOpen.length).toBeGreaterThan(2);
    env.sim.changeStatus(oldOpen[0]!, 'REALIZED');
    env.sim.changeStatus(oldOpen[1]!, 'CANCELLED');
    const changes = env.sim.changeRandomOldOrders(5);
    const summary = await sync(env.t.store, drinksConfig(env.sim));
    expect(summary.status).toBe('succeeded');
    expect(summary.refreshed).toBeGreaterThan(0);
    expect(summary.counts.updated).toBe(2 + changes.length);
    await expectConverged(env.t.store, env.sim);
    const order = (await findOrder(env.t.store.db, `drinks:${oldOpen[0]}`))!;
    expect(order.status).toBe('shipped');
    const journal = await orderJournal(env.t.store.db, order.id);
    expect(journal.at(-1)).toMatchObject({ kind: 'status_changed', to_status: 'shipped' });
  });

  it('quarantines malformed orders with their raw payload and stores the rest', async () => {
    env.sim.setFaults({ malformedEvery: 100 });
    const summary = await sync(env.t.store, drinksConfig(env.sim));
    expect(summary.status).toBe('succeeded');
    const bad = ORDERS / 100;
    expect(summary.counts.failed).toBe(bad);
    expect(summary.counts.created).toBe(ORDERS - bad);
    const failures = await env.t.store.db.selectFrom('sync_failures').selectAll().execute();
    expect(failures.length).toBe(bad);
    expect(failures[0]!.error).toMatch(/create_time/);
    expect(JSON.parse(failures[0]!.payload).create_time).toBe('not-a-date');
  });

  it('maps unknown statuses to on_hold, keeps the channel status and reports it', async () => {
    env.sim.setFaults({ unknownStatusEvery: 50 });
    const summary = await sync(env.t.store, drinksConfig(env.sim));
    expect(summary.status).toBe('succeeded');
    expect(summary.warnings.join('\n')).toMatch(/PARTIALLY_REALIZED/);
    const held = await env.t.store.db.selectFrom('orders').select(['status']).where('channel_status', '=', 'PARTIALLY_REALIZED').execute();
    expect(held.length).toBe(ORDERS / 50);
    expect(new Set(held.map((h) => h.status))).toEqual(new Set(['on_hold']));
  });

  it('never advances the checkpoint on a failed run', async () => {
    env.sim.setFaults({ errorEvery: 1 });
    const failed = await sync(env.t.store, drinksConfig(env.sim, { http: { maxAttempts: 2, timeoutMs: 2000, deadlineMs: 5000, requestsPerSecond: 1000, concurrency: 2 } }));
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/500/);
    expect(await readCheckpoint(env.t.store.db, 'drinks')).toBeNull();
    env.sim.clearFaults();
    const ok = await sync(env.t.store, drinksConfig(env.sim));
    expect(ok.status).toBe('succeeded');
    expect((await readCheckpoint<{ watermark: string }>(env.t.store.db, 'drinks'))?.watermark).toBeTruthy();
    await expectConverged(env.t.store, env.sim);
  });

  it('fails fast on a wrong API key: few requests, a clear message, the connection needs attention', async () => {
    const before = env.sim.requests.total;
    const summary = await sync(env.t.store, drinksConfig(env.sim, { apiKey: 'wrong-key' }));
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/403/);
    expect(summary.error).toMatch(/API key/i);
    expect(env.sim.requests.total - before).toBeLessThanOrEqual(2);
    const row = await getConnection(env.t.store.db, 'drinks');
    expect(row?.health).toBe('needs_attention');
    expect(await tableCount(env.t.store, 'orders')).toBe(0);
  });

  it('refuses a second concurrent sync of the same connection', async () => {
    env.sim.setFaults({ latencyMs: 20 });
    const [a, b] = await Promise.all([sync(env.t.store, drinksConfig(env.sim)), sync(env.t.store, drinksConfig(env.sim))]);
    const outcomes = [a, b].map((s) => s.status).sort();
    expect(outcomes).toEqual(['failed', 'succeeded']);
    expect([a, b].find((s) => s.status === 'failed')!.error).toMatch(/another process/);
    await expectConverged(env.t.store, env.sim);
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
