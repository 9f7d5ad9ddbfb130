/** Reservations end at validUntil by themselves: on the next request about the product or order, and by the sweeper. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseTimestamp } from '../protocol.ts';
import { setStock } from '../stock.ts';
import { releaseExpiredReservations } from '../expiry.ts';
import { TestClock, canonical, dropshipRow, journalOf, product, startHarness, type Harness } from './helpers.ts';

const T0 = Date.parse('2025-03-28T09:00:00.000Z');
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function harness(clock: TestClock, sweepIntervalMs = 0): Promise<Harness> {
  h = await startHarness({ now: clock.now, config: { reservationDays: 1 }, server: { sweepIntervalMs } });
  await setStock(h.store, h.config, [{ code: 'ONE', ean: '8590000000011', name: 'Jediný kus', quantity: 1, price: '100.00' }]);
  return h;
}

describe('reservation expiry', () => {
  it('validUntil is now + reservationDays, in Prague time across the DST change', async () => {
    const clock = new TestClock(T0);
    const hh = await harness(clock);
    const r = await hh.sim.driver.placeOrder({ orderNumber: 'DD90000001', items: [{ code: 'ONE', quantity: 1 }] });
    // 28 March 10:00 CET + 24 h = 29 March 10:00 CET (the switch to CEST is on the 30th)
    expect(r.body!.validUntil).toBe('2025-03-29T10:00:00.000');
    expect(parseTimestamp(r.body!.validUntil as string)).toBe('2025-03-29T09:00:00.000Z');
  });

  it('a request for the product releases an expired reservation first', async () => {
    const clock = new TestClock(T0);
    const hh = await harness(clock);
    const first = await hh.sim.driver.placeOrder({ orderNumber: 'DD90000002', items: [{ code: 'ONE', quantity: 1 }] });
    expect(first.status).toBe(201);
    clock.advance(23 * 60);
    expect((await hh.sim.driver.placeOrder({ orderNumber: 'DD90000003', items: [{ code: 'ONE', quantity: 1 }] })).errorCode).toBe(-3);
    clock.advance(2 * 60);
    const second = await hh.sim.driver.placeOrder({ orderNumber: 'DD90000004', items: [{ code: 'ONE', quantity: 1 }] });
    expect(second.status).toBe(201);
    expect((await dropshipRow(hh.store, 'DD90000002'))!.state).toBe('expired');
    expect(await canonical(hh, 'DD90000002')).toMatchObject({ status: 'cancelled', channelStatus: 'expired' });
    expect((await journalOf(hh, 'DD90000002')).map((j) => [j.kind, j.to_status])).toEqual([['created', 'new'], ['status_changed', 'cancelled']]);
    expect((await product(hh.store, 'ONE')).reserved).toBe(1);
  });

  it('releaseExpiredReservations(store, now) releases every expired one and is idempotent', async () => {
    const clock = new TestClock(T0);
    const hh = await harness(clock);
    await setStock(hh.store, hh.config, [{ code: 'ONE', ean: '8590000000011', name: 'Jediný kus', quantity: 5, price: '100.00' }]);
    for (const n of ['DD90000010', 'DD90000011', 'DD90000012']) await hh.sim.driver.placeOrder({ orderNumber: n, items: [{ code: 'ONE', quantity: 1 }] });
    await hh.sim.driver.confirm('DD90000012'); // confirmed orders do not expire
    expect(await releaseExpiredReservations(hh.store, new Date(T0 + 23 * 3_600_000), { projections: hh.projections })).toBe(0);
    expect(await releaseExpiredReservations(hh.store, new Date(T0 + 25 * 3_600_000), { projections: hh.projections })).toBe(2);
    expect(await releaseExpiredReservations(hh.store, new Date(T0 + 26 * 3_600_000), { projections: hh.projections })).toBe(0);
    expect((await product(hh.store, 'ONE')).reserved).toBe(1);
    expect((await canonical(hh, 'DD90000012'))!.status).toBe('confirmed');
  });

  it('the plugin\'s sweeper releases them without any request', async () => {
    const clock = new TestClock(T0);
    const hh = await harness(clock, 20);
    await hh.sim.driver.placeOrder({ orderNumber: 'DD90000020', items: [{ code: 'ONE', quantity: 1 }] });
    clock.advance(25 * 60);
    const deadline = Date.now() + 5000;
    while ((await dropshipRow(hh.store, 'DD90000020'))!.state !== 'expired' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await dropshipRow(hh.store, 'DD90000020'))!.state).toBe('expired');
    expect((await product(hh.store, 'ONE')).reserved).toBe(0);
    expect((await canonical(hh, 'DD90000020'))!.status).toBe('cancelled');
  });

  it('Confirm and Extend after expiry reserve again when the stock is still there, else refuse', async () => {
    const clock = new TestClock(T0);
    const hh = await harness(clock);
    await hh.sim.driver.placeOrder({ orderNumber: 'DD90000030', items: [{ code: 'ONE', quantity: 1 }] });
    clock.advance(25 * 60);
    const confirmed = await hh.sim.driver.confirm('DD90000030');
    expect(confirmed.body).toEqual({ errorCode: 0, errorMessage: '' });
    expect((await product(hh.store, 'ONE')).reserved).toBe(1);
    expect((await journalOf(hh, 'DD90000030')).map((j) => j.to_status)).toEqual(['new', 'cancelled', 'confirmed']);

    await setStock(hh.store, hh.config, [{ code: 'ONE', ean: '8590000000011', name: 'Jediný kus', quantity: 2, price: '100.00' }]);
    await hh.sim.driver.placeOrder({ orderNumber: 'DD90000031', items: [{ code: 'ONE', quantity: 1 }] });
    clock.advance(25 * 60);
    await releaseExpiredReservations(hh.store, clock.now(), { projections: hh.projections });
    // someone else takes the unit meanwhile
    expect((await hh.sim.driver.placeOrder({ orderNumber: 'DD90000032', items: [{ code: 'ONE', quantity: 1 }] })).status).toBe(201);
    const extend = await hh.sim.driver.extend('DD90000031');
    expect(extend.status).toBe(200);
    expect(extend.errorCode).toBe(-5);
    const confirm = await hh.sim.driver.confirm('DD90000031');
    expect(confirm.status).toBe(400);
    expect(confirm.errorCode).toBe(-3);
    // an extension in time keeps the reservation past its first validUntil
    clock.advance(20 * 60);
    const e = await hh.sim.driver.extend('DD90000032', new Date(clock.ms + 3 * 86_400_000));
    expect(e.errorCode).toBe(0);
    clock.advance(10 * 60);
    expect(await releaseExpiredReservations(hh.store, clock.now(), { projections: hh.projections })).toBe(0);
    expect((await dropshipRow(hh.store, 'DD90000032'))!.state).toBe('reserved');
  });
});
