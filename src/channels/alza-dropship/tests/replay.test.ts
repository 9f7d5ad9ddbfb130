/**
 * Issue 19, defect 6. The token signs the client, method, path and timestamp, not the body: whoever
 * sees one request could send another body with its token while the timestamp is accepted (24 h by
 * default). A token is remembered with its body's hash in the store for that time, so every server
 * process on the store refuses it with another body (a resend with the same body still passes). And
 * Extend grants at most what the reservation policy allows (reservationDays from now), answering what
 * it granted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/log.ts';
import { formatTimestamp, parseTimestamp } from '../protocol.ts';
import { startDropshipServer, type DropshipServer } from '../routes.ts';
import { setStock } from '../stock.ts';
import { dropshipRow, startHarness, type Harness } from './helpers.ts';

let h: Harness;
let other: DropshipServer;
let seq = 0;
const num = () => `DR${String(80_000_000 + seq++)}`;
const DAY = 86_400_000;

beforeAll(async () => {
  h = await startHarness();
  // a second server process on the same store (memory of one process would not reach it)
  other = await startDropshipServer({ store: h.store, connections: [h.config], logger: silentLogger(), sweepIntervalMs: 0, checkpointer: false });
  await setStock(h.store, h.config, [{ code: 'MANY', ean: '8590000000028', name: 'Hodně kusů', quantity: 1000, price: '50.50' }]);
});
afterAll(async () => {
  await other?.close();
  await h?.close();
});

const driver = () => h.sim.driver;
const grantedAt = (validUntil: unknown) => Date.parse(parseTimestamp(validUntil as string));

describe('a token replayed with another body', () => {
  it('is refused (401, no effect) on any server of the store; the same body again is answered as before', async () => {
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: 'MANY', quantity: 1 }] });
    expect(r.status).toBe(201);
    const timestamp = formatTimestamp(new Date());
    const first = await driver().extend(r.orderNumber, new Date(Date.now() + 5 * DAY), { timestamp, noResend: true });
    expect(first.status).toBe(200);
    const validUntil = (await dropshipRow(h.store, r.orderNumber))!.valid_until;

    // the same token (same timestamp, path and method) with another validUntil, here and on the other server
    const replayed = await driver().extend(r.orderNumber, new Date(Date.now() + 20 * DAY), { timestamp, noResend: true });
    driver().setSupplierUrl(other.supplierApiUrl);
    try {
      const elsewhere = await driver().extend(r.orderNumber, new Date(Date.now() + 25 * DAY), { timestamp, noResend: true });
      for (const refused of [replayed, elsewhere]) {
        expect(refused.status).toBe(401);
        expect(refused.body).toEqual({ errorCode: -1, errorMessage: 'Token already used with another body' });
      }
      expect((await dropshipRow(h.store, r.orderNumber))!.valid_until).toBe(validUntil);
      // a resend of the very same request (same token, same body) is answered as the first time
      const again = await driver().extend(r.orderNumber, new Date(grantedAt(first.body!.validUntil)), { timestamp, noResend: true });
      expect(again.status).toBe(200);
    } finally {
      driver().setSupplierUrl(h.server.supplierApiUrl);
    }
  });

  it('is refused for an Insert too, before anything is reserved', async () => {
    const timestamp = formatTimestamp(new Date());
    const orderNumber = num();
    const r = await driver().placeOrder({ orderNumber, items: [{ code: 'MANY', quantity: 1 }], timestamp, noResend: true });
    expect(r.status).toBe(201);
    const replay = await driver().placeOrder({ orderNumber, items: [{ code: 'MANY', quantity: 7 }], timestamp, noResend: true });
    expect(replay.status).toBe(401);
    expect(JSON.parse((await dropshipRow(h.store, orderNumber))!.record).insert.orderItems[0].quantity).toBe(1);
  });
});

describe('Extend within the reservation policy', () => {
  it('grants at most reservationDays from now and answers what it granted (9999-01-01 asked)', async () => {
    const r = await driver().placeOrder({ orderNumber: num(), items: [{ code: 'MANY', quantity: 1 }] });
    for (const asked of [new Date('9999-01-01T00:00:00Z'), new Date(Date.now() + 45 * DAY)]) {
      const before = Date.now();
      const e = await driver().extend(r.orderNumber, asked);
      expect(e.status).toBe(200);
      expect(e.errorCode).toBe(0);
      const granted = grantedAt(e.body!.validUntil);
      expect(granted).toBeLessThanOrEqual(Date.now() + h.config.reservationDays * DAY);
      expect(granted).toBeGreaterThanOrEqual(before + h.config.reservationDays * DAY - 1_000);
      expect((await dropshipRow(h.store, r.orderNumber))!.valid_until).toBe(new Date(granted).toISOString());
    }
    // a confirmed order is answered within the policy too
    await driver().confirm(r.orderNumber);
    const confirmed = await driver().extend(r.orderNumber, new Date('9999-01-01T00:00:00Z'));
    expect(confirmed.errorCode).toBe(0);
    expect(grantedAt(confirmed.body!.validUntil)).toBeLessThanOrEqual(Date.now() + h.config.reservationDays * DAY);
  });
});
