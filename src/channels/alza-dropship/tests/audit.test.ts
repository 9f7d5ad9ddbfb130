/**
 * The audit trail of dropship orders (issue 17 item 6): what the partner changes through the
 * Supplier API (over HTTP, sent by the simulated Alza) is journalled as `alza-dropship:partner`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setStock } from '../stock.ts';
import { PARTNER_ACTOR } from '../projection.ts';
import { journalOf, startHarness, type Harness } from './helpers.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await setStock(h.store, h.config, [{ code: 'MANY', ean: '8590000000028', name: 'Hodně kusů', quantity: 100, price: '50.50' }]);
});
afterAll(async () => {
  await h.close();
});

it('journals the orders the partner places and confirms as alza-dropship:partner', async () => {
  const order = 'DD80000001';
  expect((await h.sim.driver.placeOrder({ orderNumber: order, items: [{ code: 'MANY', quantity: 2, price: '50.50' }] })).status).toBe(201);
  expect((await h.sim.driver.confirm(order)).body).toMatchObject({ errorCode: 0 });
  const journal = await journalOf(h, order);
  expect(journal.map((j) => [j.kind, j.to_status, j.actor])).toEqual([
    ['created', 'new', PARTNER_ACTOR],
    ['status_changed', 'confirmed', PARTNER_ACTOR],
  ]);
  expect(PARTNER_ACTOR).toBe('alza-dropship:partner');
});
