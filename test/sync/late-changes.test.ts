/**
 * Closed orders change too (a return after delivery, a complaint, a re-opened order): ordinary syncs
 * re-check closed orders for `refreshClosedDays` after they last changed, once per
 * `refreshClosedEvery`, spread over that period, and a re-check that finds nothing new writes nothing.
 */
import { expect, it } from 'vitest';
import { findOrder, orderJournal } from '../../src/core/store/orders.ts';
import { describeEachStore } from '../support/stores.ts';
import { drinksConfig, expectConverged, simAndStorePerTest, storedStatuses, sync, tableCount } from './support.ts';

const ORDERS = 1_200;
const CLOSED = ['CANCELLED', 'RETURN'];
const HOUR_MS = 3_600_000;

describeEachStore('late changes to closed orders', (kind) => {
  const env = simAndStorePerTest(kind, ORDERS);

  /** The oldest closed orders: created ~20 days ago, far outside the next run's windows. */
  const oldClosed = () => env.sim.allOrderNumbers().slice(0, 300).filter((n) => CLOSED.includes(env.sim.statusOf(n)!));

  // Open orders are not re-polled in these tests (refreshOpenDays: 0): re-reading their windows
  // would re-read closed orders created in the same hours too, and hide what the closed re-check does.
  const onlyClosed = { refreshOpenDays: 0 };

  it('picks up a closed order that changed later on the next ordinary sync, with a journal entry', async () => {
    await sync(env.t.store, drinksConfig(env.sim, { ...onlyClosed, refreshClosedEvery: 0 }));
    const [returned, cancelled] = [oldClosed().find((n) => env.sim.statusOf(n) === 'RETURN')!, oldClosed().find((n) => env.sim.statusOf(n) === 'CANCELLED')!];
    expect(returned && cancelled).toBeTruthy();
    env.sim.changeStatus(returned, 'COMPLAIN'); // a complaint after the return
    env.sim.changeStatus(cancelled, 'NEW'); // re-opened

    const summary = await sync(env.t.store, drinksConfig(env.sim, { ...onlyClosed, refreshClosedEvery: 0 }));
    expect(summary.status).toBe('succeeded');
    expect(summary.rechecked).toBeGreaterThan(0);
    expect(summary.counts.updated).toBe(2);
    await expectConverged(env.t.store, env.sim);
    const order = (await findOrder(env.t.store.db, `drinks:${returned}`))!;
    expect(order.status).toBe('disputed');
    expect((await orderJournal(env.t.store.db, order.id)).at(-1)).toMatchObject({ kind: 'status_changed', from_status: 'returned', to_status: 'disputed' });
    expect((await findOrder(env.t.store.db, `drinks:${cancelled}`))!.status).toBe('new');
  });

  it('misses such a change when closed orders are not re-checked (refreshClosedDays: 0): the setting is what finds it', async () => {
    await sync(env.t.store, drinksConfig(env.sim, { ...onlyClosed, refreshClosedDays: 0 }));
    const returned = oldClosed().find((n) => env.sim.statusOf(n) === 'RETURN')!;
    env.sim.changeStatus(returned, 'COMPLAIN');
    const summary = await sync(env.t.store, drinksConfig(env.sim, { ...onlyClosed, refreshClosedDays: 0 }));
    expect(summary.rechecked).toBe(0);
    expect((await storedStatuses(env.t.store)).get(String(returned))).toBe('RETURN');
  });

  it('spreads the re-checks over refreshClosedEvery: each closed order once per period, none twice, nothing written when nothing changed', async () => {
    const config = drinksConfig(env.sim, { ...onlyClosed, refreshClosedEvery: '1d' });
    const t0 = Date.now();
    const at = (ms: number) => () => new Date(t0 + ms);
    const first = await sync(env.t.store, config, { now: at(0) });
    // the first run only starts the clock: no spike of re-reads after an upgrade
    expect(first.rechecked).toBe(0);
    const rows = { orders: await tableCount(env.t.store, 'orders'), journal: await tableCount(env.t.store, 'order_journal'), payloads: await tableCount(env.t.store, 'order_payloads') };
    const closed = (await storedStatuses(env.t.store)).size - (await env.t.store.db.selectFrom('orders').select('id').where('open', '=', 1).execute()).length;

    const runs = [];
    for (let k = 1; k <= 4; k++) runs.push(await sync(env.t.store, config, { now: at(k * 6 * HOUR_MS) }));
    for (const r of runs) {
      expect(r.status).toBe('succeeded');
      expect(r.counts.created + r.counts.updated).toBe(0);
      // spread: no run re-reads (nearly) all of them
      expect(r.rechecked).toBeLessThan(closed);
    }
    // over one whole period, every closed order (created before the windows) came round exactly once
    const total = runs.reduce((n, r) => n + r.rechecked, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(closed);
    const windowed = await env.t.store.db.selectFrom('orders').select('id').where('open', '=', 0).execute();
    expect(total).toBe(windowed.length - (await closedInsideWindows()));
    expect({ orders: await tableCount(env.t.store, 'orders'), journal: await tableCount(env.t.store, 'order_journal'), payloads: await tableCount(env.t.store, 'order_payloads') }).toEqual(rows);

    /** Closed orders created within the windows' overlap of the runs: the windows re-read those anyway. */
    async function closedInsideWindows(): Promise<number> {
      const r = await env.t.store.db.selectFrom('orders').select('id').where('open', '=', 0).where('created_at', '>=', new Date(t0 - 15 * 60_000).toISOString()).execute();
      return r.length;
    }
  });
});
