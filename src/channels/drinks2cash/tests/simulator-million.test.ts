/**
 * A 1,000,000-order simulator: a window in the middle is found arithmetically (nothing is generated
 * up front) and served in order. How fast it starts and serves pages: bench/simulators.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerAuth } from '../../../core/http/auth.ts';
import { DrinksClient } from '../client.ts';
import { startDrinksSimulator, type DrinksSimulator } from '../simulator/index.ts';
import { testContext, type TestContext } from './helpers.ts';

const NOW = Date.UTC(2025, 9, 1, 10, 0, 0); // 2025-10-01 12:00 Warsaw
let sim: DrinksSimulator;
let ctx: TestContext;
let client: DrinksClient;

beforeAll(async () => {
  sim = await startDrinksSimulator({ host: '127.0.0.1', port: 0, orders: 1_000_000, seed: 99, since: '2025-07-03', now: NOW });
  ctx = testContext();
  client = new DrinksClient(ctx.http({ baseUrl: sim.baseUrl, auth: headerAuth('Authorization', sim.apiKey) }));
});

afterAll(async () => {
  await Promise.all(ctx?.clients.map((c) => c.close()) ?? []);
  await sim?.close();
});

describe('1,000,000 orders', () => {
  it('starts without generating the orders', () => {
    expect(sim.orderCount()).toBe(1_000_000);
  });

  it('serves a window in the middle, in order and within bounds', async () => {
    const w = sim.windowOrderNumbers('2025-08-20', '2025-08-20');
    // 90 days → ~11,100 orders a day
    expect(w.count).toBeGreaterThan(10_000);
    expect(w.count).toBeLessThan(12_500);
    const first = (await client.listOrders({ from: '2025-08-20', to: '2025-08-20', limit: 1000, offset: 0 })) as {
      order_number: number;
      create_time: string;
    }[];
    const lastPageIndex = Math.floor((w.count - 1) / 1000);
    const last = (await client.listOrders({ from: '2025-08-20', to: '2025-08-20', limit: 1000, offset: lastPageIndex })) as typeof first;
    const after = await client.listOrders({ from: '2025-08-20', to: '2025-08-20', limit: 1000, offset: lastPageIndex + 1 });
    expect(first).toHaveLength(1000);
    expect(last).toHaveLength(w.count - lastPageIndex * 1000);
    expect(after).toEqual([]);
    expect(first[0]!.order_number).toBe(w.first);
    expect(last.at(-1)!.order_number).toBe(w.last);
    expect(first[0]!.create_time.startsWith('2025-08-20 00:00')).toBe(true);
    expect(last.at(-1)!.create_time.startsWith('2025-08-20 23:59')).toBe(true);
    for (const page of [first, last]) {
      for (let k = 1; k < page.length; k++) {
        expect(page[k - 1]!.create_time <= page[k]!.create_time).toBe(true);
        expect(page[k - 1]!.order_number).toBeLessThan(page[k]!.order_number);
      }
    }
    // the day before ends right before the window
    const before = sim.windowOrderNumbers('2025-08-19', '2025-08-19');
    expect(before.last).toBeLessThan(w.first!);
    // a single order from the middle
    const one = (await client.getOrder(w.first! )) as { order_number: number };
    expect(one.order_number).toBe(w.first);
    expect(sim.requests.ordersServed).toBe(1000 + last.length + 1);
  });
});
