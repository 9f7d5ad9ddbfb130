/** The silence rule itself (silenceOf): usual gaps by hour of the day, the minimum, "usually brings orders". */
import { describe, expect, it } from 'vitest';
import { MIN_ORDERS, silenceOf, type OrderHistory } from '../silence.ts';

const HOUR = 3_600_000;
const settings = { silentAfter: 3, minimumMs: HOUR, historyMs: 14 * 24 * HOUR };

/** 14 days of history: `perHour[h]` orders in UTC hour h of each day; the newest at `last`. */
function history(perDay: (hour: number) => number, last: string): OrderHistory {
  const lastMs = Date.parse(last);
  return {
    lastOrderAt: last,
    perHour: Array.from({ length: 24 }, (_, h) => perDay(h) * 14),
    firstOrderAt: new Date(lastMs - 14 * 24 * HOUR).toISOString(),
  };
}

describe('silenceOf', () => {
  it('is silent after three usual gaps of a steady connection, not before', () => {
    const h = history(() => 2, '2026-03-10T12:00:00.000Z'); // two an hour: a 30-minute gap
    expect(silenceOf(h, new Date('2026-03-10T13:20:00.000Z'), settings)).toBeNull(); // 80 min: 2.7 expected
    const s = silenceOf(h, new Date('2026-03-10T13:40:00.000Z'), settings); // 100 min: 3.3 expected
    expect(s).not.toBeNull();
    expect(s!.expectedOrders).toBeCloseTo(3.33, 1);
    expect(s!.usualGapMs / 60_000).toBeCloseTo(30, 0);
  });

  it('learns the quiet hours: a night without orders is not a silence, the same hours by day are', () => {
    // ten an hour from 06:00 to 22:00 UTC, none at night
    const h = history((hour) => (hour >= 6 && hour < 22 ? 10 : 0), '2026-03-10T21:55:00.000Z');
    expect(silenceOf(h, new Date('2026-03-11T05:59:00.000Z'), settings)).toBeNull(); // 8 quiet hours, 0.5 expected
    expect(silenceOf(h, new Date('2026-03-11T06:30:00.000Z'), settings)).not.toBeNull(); // + half an hour of business: 5.8 expected
  });

  it('waits at least the minimum, however busy the connection', () => {
    const h = history(() => 600, '2026-03-10T12:00:00.000Z'); // ten a minute
    expect(silenceOf(h, new Date('2026-03-10T12:30:00.000Z'), settings)).toBeNull();
    expect(silenceOf(h, new Date('2026-03-10T13:00:00.000Z'), settings)).not.toBeNull();
  });

  it('never calls a connection silent that does not usually bring orders', () => {
    const few: OrderHistory = { lastOrderAt: '2026-03-10T12:00:00.000Z', perHour: [MIN_ORDERS - 1, ...Array.from({ length: 23 }, () => 0)], firstOrderAt: '2026-03-01T00:00:00.000Z' };
    expect(silenceOf(few, new Date('2026-04-10T12:00:00.000Z'), settings)).toBeNull();
  });

  it('takes a younger connection’s history over the days it has', () => {
    // 48 orders in two days (one an hour): 3 h without one is silent, as for a connection with 14 days of it
    const young: OrderHistory = { lastOrderAt: '2026-03-10T12:00:00.000Z', perHour: Array.from({ length: 24 }, () => 2), firstOrderAt: '2026-03-08T12:00:00.000Z' };
    expect(silenceOf(young, new Date('2026-03-10T14:50:00.000Z'), settings)).toBeNull();
    expect(silenceOf(young, new Date('2026-03-10T15:10:00.000Z'), settings)).not.toBeNull();
  });
});
