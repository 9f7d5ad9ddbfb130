import { describe, expect, it } from 'vitest';
import { mappedOrderSchema } from '../../../core/canonical/order.ts';
import { mapDrinksOrder } from '../mapping.ts';
import { drinksOrderSchema } from '../schemas.ts';
import { WallClock } from '../../kit/simulator/wall-clock.ts';
import { ByteSink, ORDER_NUMBER_BASE } from '../simulator/generator.ts';
import { DrinksStore } from '../simulator/store.ts';

const clock = new WallClock('Europe/Warsaw');
const SINCE = clock.startOfDay('2025-01-01');
const UNTIL = Math.floor(Date.UTC(2025, 3, 1, 10, 0, 0) / 1000); // 2025-04-01 12:00 Warsaw

function store(seed: number, orders: number): DrinksStore {
  return new DrinksStore({ seed, orders, sinceSec: SINCE, untilSec: UNTIL, now: () => UNTIL + 60 });
}

function orderAt(s: DrinksStore, i: number): Record<string, unknown> {
  return s.getOrder(s.numberOf(i))!;
}

describe('generator', () => {
  it('is deterministic: same seed → same orders, another seed → other orders', () => {
    const a = store(42, 10_000);
    const b = store(42, 10_000);
    const c = store(43, 10_000);
    for (const i of [0, 1, 17, 4999, 9999]) {
      expect(JSON.stringify(orderAt(a, i))).toBe(JSON.stringify(orderAt(b, i)));
    }
    // a fresh store gives the same text as one that generated other orders in between
    orderAt(b, 123);
    expect(JSON.stringify(orderAt(a, 77))).toBe(JSON.stringify(orderAt(b, 77)));
    const differs = [0, 1, 2, 3, 4].some((i) => JSON.stringify(orderAt(a, i)) !== JSON.stringify(orderAt(c, i)));
    expect(differs).toBe(true);
  });

  it('produces valid, realistic orders that map without warnings', () => {
    const s = store(7, 5000);
    const statuses = new Set<string>();
    for (let i = 0; i < 5000; i += 5) {
      const raw = orderAt(s, i);
      drinksOrderSchema.parse(raw);
      const { order, warnings } = mapDrinksOrder(raw, 'Europe/Warsaw');
      expect(warnings).toEqual([]);
      mappedOrderSchema.parse(order);
      expect(order.currency).toBe('PLN');
      expect(order.billingAddress?.postalCode).toMatch(/^\d{2}-\d{3}$/);
      expect(order.customer.vatId).toMatch(/^\d{3}-?\d{3}-?\d{2}-?\d{2}$/);
      for (const item of order.items) {
        expect(item.quantity).toMatch(/^\d{1,3}\.00$/);
        expect(item.unitPriceNet).toMatch(/^\d+\.\d{2}$/);
        expect(['23', '8']).toContain(item.vatRate);
        expect(item.ean).toMatch(/^\d{13}$/);
      }
      statuses.add(order.channelStatus);
    }
    expect([...statuses].sort()).toEqual([
      'CANCELLED', 'COMPLAIN', 'IN_REALIZATION', 'NEW', 'REALIZED', 'RECEIVED_BY_DISTRIBUTOR', 'RETURN',
      'WAITING_FOR_CLIENT_CONFIRMATION',
    ]);
  });

  it('numbers orders strictly increasing with gaps, and finds an index from a number', () => {
    const s = store(1, 100_000);
    let prev = 0;
    for (let i = 0; i < 1000; i++) {
      const n = s.numberOf(i);
      expect(n).toBeGreaterThan(prev);
      expect(s.indexOf(n)).toBe(i);
      if (i > 0 && n - 1 !== prev) expect(s.indexOf(n - 1)).toBe(-1);
      prev = n;
    }
    expect(s.indexOf(ORDER_NUMBER_BASE - 1)).toBe(-1);
    expect(s.indexOf(s.numberOf(99_999) + 7)).toBe(-1);
  });

  it('finds a window in the middle of 1,000,000 orders arithmetically (no full generation)', () => {
    // how fast: bench/simulators.ts
    const s = store(2024, 1_000_000);
    const from = clock.startOfDay('2025-02-10');
    const toExcl = clock.startOfDay('2025-02-12');
    const [first, end] = s.range(from, toExcl);
    // ~2 of 90 days
    expect(end - first).toBeGreaterThan(20_000);
    expect(end - first).toBeLessThan(25_000);
    expect(s.timeOf(first)).toBeGreaterThanOrEqual(from);
    expect(s.timeOf(first - 1)).toBeLessThan(from);
    expect(s.timeOf(end - 1)).toBeLessThan(toExcl);
    expect(s.timeOf(end)).toBeGreaterThanOrEqual(toExcl);
    // the served orders: ascending create_time, then order_number, inside the local dates
    const sink = new ByteSink();
    sink.ascii('[');
    for (let i = first; i < first + 1000; i++) {
      if (i > first) sink.byte(44);
      s.writeOrder(sink, i);
    }
    sink.ascii(']');
    const page = JSON.parse(sink.toString()) as { order_number: number; create_time: string }[];
    expect(page[0]!.create_time.startsWith('2025-02-10 00:0')).toBe(true);
    for (let k = 1; k < page.length; k++) {
      const a = page[k - 1]!;
      const b = page[k]!;
      expect(a.create_time <= b.create_time).toBe(true);
      expect(a.order_number).toBeLessThan(b.order_number);
    }
    const last = JSON.parse(s.gen.orderJson(end - 1, s.timeOf(end - 1), 'NEW')) as { create_time: string };
    expect(last.create_time.startsWith('2025-02-11 23:5')).toBe(true);
    const lastIndex = s.count() - 1;
    expect(s.timeOf(lastIndex)).toBeLessThan(UNTIL);
  });

  it('crosses the spring DST switch with continuous wall times', () => {
    const s = store(5, 1_000_000);
    const [first, end] = s.range(clock.startOfDay('2025-03-30'), clock.startOfDay('2025-03-31'));
    const times = [] as string[];
    for (let i = first; i < end; i += 50) times.push(clock.format(s.timeOf(i)));
    expect(times.every((t) => t.startsWith('2025-03-30 '))).toBe(true);
    expect(times.some((t) => t.startsWith('2025-03-30 02:'))).toBe(false); // the hour that does not exist
    // 23 hours on that day
    const perHour = (end - first) / 23;
    expect(Math.abs(perHour - 1_000_000 / (90 * 24 + 12 - 1))).toBeLessThan(20);
  });

  it('keeps mutations in small overlays', () => {
    const s = store(9, 1_000_000);
    const inserted = s.insertOrders(3);
    expect(s.count()).toBe(1_000_003);
    expect(inserted[0]).toBe(s.numberOf(1_000_000));
    expect(s.timeOf(1_000_000)).toBe(UNTIL + 60);
    expect(s.getOrder(inserted[2]!)!.status).toBe('NEW');
    const changes = s.changeRandomOldOrders(10);
    expect(changes).toHaveLength(10);
    for (const c of changes) {
      expect(c.from).not.toBe(c.to);
      expect(s.getOrder(c.orderNumber)!.status).toBe(c.to);
    }
    s.reset();
    expect(s.count()).toBe(1_000_000);
    expect(s.statusChanges).toBe(0);
  });
});
