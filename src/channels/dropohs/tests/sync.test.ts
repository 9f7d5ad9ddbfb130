/**
 * End-to-end: the real sync engine against the Dropohs simulator over HTTP, into a SQLite store.
 * The stored set must equal the simulator's truth — none missing, none duplicated — under every
 * fault knob, with orders inserted mid-paging at either end, and a silent page cap.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOrder } from '../../../core/store/orders.ts';
import { getConnection } from '../../../core/store/connections.ts';
import { openTestStore, type TestStore } from '../../../../test/support/stores.ts';
import type { DropohsSimulator } from '../simulator/index.ts';
import { ChannelRegistry } from '../../../core/registry.ts';
import { startSandbox } from '../../../sandbox/sandbox.ts';
import { dropohsChannel } from '../index.ts';
import { CONNECTION, configFor, expectedCreatedAt, inRepeatedHour, sorted, startSim, storedOrders, storedSet, sync, tableCounts } from './helpers.ts';

let ts: TestStore;
let sim: DropohsSimulator;

beforeEach(async () => {
  ts = await openTestStore('sqlite');
});
afterEach(async () => {
  await sim?.close();
  await ts.cleanup();
});

describe('dropohs sync: convergence', () => {
  it('brings every order of every e-shop, items named and priced, then a no-change re-sync writes nothing', async () => {
    sim = await startSim({ orders: 600, shops: 3 });
    const config = configFor(sim, { pageSize: 50 });
    const first = await sync(ts.store, config);
    expect(first.error).toBeNull();
    expect(first.status).toBe('succeeded');
    expect(first.counts.created).toBe(600);

    const set = await storedSet(ts.store);
    expect(set.ids).toEqual(sorted(sim.allOrderIds()));
    expect(set.count).toBe(600);
    expect(set.distinct).toBe(600);

    // items carry the catalogue's code, name and VAT, the basket's gross prices
    const orders = await storedOrders(ts.store);
    let items = 0;
    for (const o of orders) {
      const raw = sim.getOrder(o.externalId)!;
      const basket = raw.basket as Array<{ id: number; quantity: number }>;
      expect(o.items).toHaveLength(basket.length);
      o.items.forEach((item, i) => {
        const v = sim.variantInfo(basket[i]!.id)!;
        expect(item.sku).toBe(v.code);
        expect(item.name).toBe(v.value ? `${v.productName} (${v.parameter}: ${v.value})` : v.productName);
        expect(item.vatRate).toBe(String(v.vat));
        expect(item.unitPriceGross).toMatch(/^\d+\.\d{2}$/);
        expect(item.quantity).toBe(String(basket[i]!.quantity));
        items++;
      });
      expect(o.currency).toBe('CZK');
      expect(o.totals.taxIncluded).toBe(true);
      expect(o.createdAt).toBe(expectedCreatedAt(sim.createdAtUtc(o.externalId)!));
    }
    expect(items).toBeGreaterThan(600);
    expect(first.warnings).toEqual([]);

    const before = await tableCounts(ts.store);
    const second = await sync(ts.store, config);
    expect(second.status).toBe('succeeded');
    expect(second.counts).toMatchObject({ created: 0, updated: 0, unchanged: 600, failed: 0 });
    expect(await tableCounts(ts.store)).toEqual(before);
  });

  it('syncs only the configured shopIds', async () => {
    sim = await startSim({ orders: 300, shops: 3 });
    const [a, , c] = sim.shopIds;
    const summary = await sync(ts.store, configFor(sim, { shopIds: [a, c] }));
    expect(summary.status).toBe('succeeded');
    const expected = sim.allOrderIds().filter((id) => sim.shopOf(id) !== sim.shopIds[1]);
    expect((await storedSet(ts.store)).ids).toEqual(sorted(expected));
  });

  it('fails clearly on a configured shopId the token does not have, storing nothing', async () => {
    sim = await startSim({ orders: 50 });
    const summary = await sync(ts.store, configFor(sim, { shopIds: [sim.shopIds[0], 999] }));
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain('shopIds: 999 is not an e-shop of this token');
    expect(summary.error).toContain(String(sim.shopIds[0]));
    expect((await storedSet(ts.store)).count).toBe(0);
  });
});

describe('dropohs sync: orders inserted while paging (record offsets)', () => {
  for (const position of ['start', 'end', 'alternate'] as const) {
    it(`converges exactly within two syncs with inserts at the ${position} of the listing`, async () => {
      sim = await startSim({ orders: 400, shops: 2 });
      const base = new Set(sim.allOrderIds());
      sim.setFaults({ insertDuringPaging: 2, insertPosition: position, insertMax: 30 });
      const config = configFor(sim, { pageSize: 25 });

      const first = await sync(ts.store, config);
      expect(first.error).toBeNull();
      const afterFirst = await storedSet(ts.store);
      expect(afterFirst.distinct).toBe(afterFirst.count);
      // nothing that existed when the sync started was skipped: shifting pages only repeat records
      for (const id of base) expect(afterFirst.ids).toContain(id);
      const truth = sorted(sim.allOrderIds());
      expect(truth.length).toBe(430);
      for (const id of afterFirst.ids) expect(truth).toContain(id);
      if (position === 'start') {
        // the ones put in front of pages already read wait for the next sync, they are not lost
        expect(afterFirst.count).toBeLessThan(truth.length);
        expect(first.counts.fetched).toBeGreaterThan(afterFirst.count); // re-read records at page edges
      }
      if (position === 'end') expect(afterFirst.ids).toEqual(truth);

      sim.clearFaults();
      const second = await sync(ts.store, config);
      expect(second.status).toBe('succeeded');
      const afterSecond = await storedSet(ts.store);
      expect(afterSecond.ids).toEqual(truth);
      expect(afterSecond.count).toBe(truth.length);
      expect(afterSecond.distinct).toBe(truth.length);
    });
  }

  it('keeps converging when inserts at the start never stop (each sync catches up on the previous ones)', async () => {
    sim = await startSim({ orders: 200, shops: 1 });
    const config = configFor(sim, { pageSize: 20 });
    sim.setFaults({ insertDuringPaging: 1, insertPosition: 'start' });
    const first = await sync(ts.store, config);
    expect(first.error).toBeNull();
    const snapshot = new Set(sim.allOrderIds());
    const second = await sync(ts.store, config);
    expect(second.error).toBeNull();
    // everything that existed before the second sync started is stored after it
    const stored = new Set((await storedSet(ts.store)).ids);
    for (const id of snapshot) expect(stored.has(id)).toBe(true);
  });
});

describe('dropohs sync: faults', () => {
  it('does not skip records under a silent page cap (offset advances by what was received)', async () => {
    sim = await startSim({ orders: 500, shops: 2 });
    sim.setFaults({ pageCap: 7 });
    const summary = await sync(ts.store, configFor(sim, { pageSize: 50 }));
    expect(summary.status).toBe('succeeded');
    expect((await storedSet(ts.store)).ids).toEqual(sorted(sim.allOrderIds()));
    // the catalogue was paged under the cap too: every item is named
    const orders = await storedOrders(ts.store);
    expect(orders.every((o) => o.items.every((i) => i.name !== null && i.sku !== null))).toBe(true);
  });

  it('converges with page cap AND inserts at the start together', async () => {
    sim = await startSim({ orders: 300, shops: 2 });
    sim.setFaults({ pageCap: 9, insertDuringPaging: 1, insertPosition: 'start', insertMax: 15 });
    const config = configFor(sim, { pageSize: 40 });
    expect((await sync(ts.store, config)).status).toBe('succeeded');
    sim.clearFaults();
    expect((await sync(ts.store, config)).status).toBe('succeeded');
    const set = await storedSet(ts.store);
    expect(set.ids).toEqual(sorted(sim.allOrderIds()));
    expect(set.distinct).toBe(set.count);
  });

  const knobs: Array<[string, Record<string, number>]> = [
    ['rate limiting (429 + Retry-After)', { rateLimitEvery: 4, retryAfterSeconds: 0 }],
    ['HTTP 500s', { errorEvery: 5 }],
    ['error envelopes on HTTP 200', { envelopeErrorEvery: 6 }],
    ['truncated bodies', { truncateEvery: 4 }],
    ['latency', { latencyMs: 15 }],
  ];
  for (const [name, faults] of knobs) {
    it(`converges under ${name}`, async () => {
      sim = await startSim({ orders: 250, shops: 2 });
      sim.setFaults(faults);
      const summary = await sync(ts.store, configFor(sim, { pageSize: 30 }));
      expect(summary.error).toBeNull();
      expect(summary.status).toBe('succeeded');
      const set = await storedSet(ts.store);
      expect(set.ids).toEqual(sorted(sim.allOrderIds()));
      expect(set.distinct).toBe(set.count);
      expect(Object.values(sim.requests.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    });
  }

  it('quarantines malformed orders with their payload and stores all the others', async () => {
    sim = await startSim({ orders: 200, shops: 2 });
    sim.setFaults({ malformedEvery: 25 });
    const summary = await sync(ts.store, configFor(sim, { pageSize: 40 }));
    expect(summary.status).toBe('succeeded');
    const malformed = sim.malformedOrderIds();
    expect(malformed).toHaveLength(8);
    expect(summary.counts.failed).toBe(8);
    const expected = sim.allOrderIds().filter((id) => !malformed.includes(id));
    expect((await storedSet(ts.store)).ids).toEqual(sorted(expected));
    const failures = await ts.store.db.selectFrom('sync_failures').selectAll().execute();
    expect(sorted(failures.map((f) => f.external_id!))).toEqual(sorted(malformed));
    expect(failures[0]!.error).toContain('created');
    expect(JSON.parse(failures[0]!.payload).created).toBe('0000-00-00 00:00:00');
  });

  it('maps an unknown state to on_hold and reports it', async () => {
    sim = await startSim({ orders: 100, shops: 1 });
    sim.setFaults({ unknownStateEvery: 20 });
    const summary = await sync(ts.store, configFor(sim));
    expect(summary.status).toBe('succeeded');
    expect(summary.warnings.some((w) => w.includes('unknown state_text "Čeká na naskladnění"') && w.includes('(5 orders'))).toBe(true);
    const held = (await storedOrders(ts.store)).filter((o) => o.channelStatus === 'Čeká na naskladnění');
    expect(held).toHaveLength(5);
    expect(held.every((o) => o.status === 'on_hold')).toBe(true);
  });
});

describe('dropohs sync: changes', () => {
  it('a state change of an old order and a new complaint arrive on the next sync; nothing else is written', async () => {
    sim = await startSim({ orders: 300, shops: 2 });
    const config = configFor(sim);
    await sync(ts.store, config);
    const orders = await storedOrders(ts.store);
    const oldest = orders.find((o) => o.channelStatus === 'Vyřízená')!;
    const shipped = orders.find((o) => o.status === 'processing' || o.status === 'shipped' || o.status === 'confirmed')!;
    sim.changeStatus(oldest.externalId, { stateText: 'Vyřízená', customerStateId: 1, customerStateText: 'Reklamace přijata' });
    sim.changeStatus(shipped.externalId, 'Stornováno');

    const before = await tableCounts(ts.store);
    const summary = await sync(ts.store, config);
    expect(summary.counts).toMatchObject({ created: 0, updated: 2, unchanged: 298 });
    const disputed = (await findOrder(ts.store.db, `${CONNECTION}:${oldest.externalId}`))!;
    expect(disputed.status).toBe('disputed');
    expect(disputed.channelStatus).toBe('Vyřízená');
    const cancelled = (await findOrder(ts.store.db, `${CONNECTION}:${shipped.externalId}`))!;
    expect(cancelled.status).toBe('cancelled');
    const after = await tableCounts(ts.store);
    expect(after.orders).toBe(before.orders);
    expect(after.journal).toBe(before.journal + 2);
    const journal = await ts.store.db.selectFrom('order_journal').selectAll().where('kind', '=', 'status_changed').execute();
    expect(journal.map((j) => j.to_status).sort()).toEqual(['cancelled', 'disputed']);
  });

  it('names the items of an order with a product added after the catalogue was cached (one re-read)', async () => {
    sim = await startSim({ orders: 120, shops: 2 });
    const config = configFor(sim, { pageSize: 20 });
    await sync(ts.store, config);
    const productsBefore = sim.requests.catalogueReads;
    expect(productsBefore).toBe(2); // one catalogue per shop, then cached in the connection state

    await sync(ts.store, config);
    expect(sim.requests.catalogueReads).toBe(productsBefore); // from the state

    const shopId = sim.shopIds[1]!;
    const added = sim.addProduct({ shopIds: [shopId], name: 'Lampa Novinka' });
    const [id] = sim.insertOrders(1, { shopId, variants: [added.variantIds[0]!] });
    const summary = await sync(ts.store, config);
    expect(summary.counts.created).toBe(1);
    expect(sim.requests.catalogueReads).toBe(productsBefore + 1); // exactly one re-read
    const order = (await findOrder(ts.store.db, `${CONNECTION}:${id}`))!;
    expect(order.items[0]!.sku).toBe(added.product.variants[0]!.code);
    expect(order.items[0]!.name).toContain('Lampa Novinka');
    expect(summary.warnings).toEqual([]);
  });

  it('maps a variant the catalogue no longer has with empty sku/name and a warning, re-reading only once', async () => {
    sim = await startSim({ orders: 60, shops: 1 });
    const config = configFor(sim, { pageSize: 10 });
    const gone = sim.addProduct({ name: 'Vyprodaný kousek' });
    sim.delistProduct(gone.productId);
    const ids = sim.insertOrders(3, { variants: [gone.variantIds[0]!] });
    const summary = await sync(ts.store, config);
    expect(summary.status).toBe('succeeded');
    // the first catalogue read, then one re-read for the unknown variant; remembered as missing after that
    expect(sim.requests.catalogueReads).toBe(2);
    expect(summary.warnings.some((w) => w.includes(`variant ${gone.variantIds[0]} is not in the product catalog`) && w.includes('(3 orders'))).toBe(true);
    for (const id of ids) {
      const o = (await findOrder(ts.store.db, `${CONNECTION}:${id}`))!;
      expect(o.items[0]).toMatchObject({ sku: null, name: null, vatRate: null, lineId: String(gone.variantIds[0]) });
      expect(o.items[0]!.unitPriceGross).toMatch(/^\d+\.\d{2}$/);
    }
    await sync(ts.store, config);
    expect(sim.requests.catalogueReads).toBe(2); // missing is remembered in the state
  });
});

describe('dropohs sync: time', () => {
  for (const [label, since, now] of [
    ['the autumn switch (repeated hour)', '2024-10-26', '2024-10-28T00:00:00Z'],
    ['the spring switch (missing hour)', '2025-03-29', '2025-03-31T00:00:00Z'],
  ] as const) {
    it(`converts Prague wall times to UTC across ${label}`, async () => {
      sim = await startSim({ orders: 1500, shops: 1, since, now: Date.parse(now) });
      const summary = await sync(ts.store, configFor(sim, { pageSize: 200 }));
      expect(summary.status).toBe('succeeded');
      const orders = await storedOrders(ts.store);
      expect(orders).toHaveLength(1500);
      let exact = 0;
      let repeated = 0;
      const offsets = new Set<number>();
      for (const o of orders) {
        const truth = sim.createdAtUtc(o.externalId)!;
        expect(o.createdAt).toBe(expectedCreatedAt(truth));
        if (inRepeatedHour(truth)) repeated++;
        else exact++;
        const wall = (sim.getOrder(o.externalId)!.created as string).replace(' ', 'T');
        offsets.add(Math.round((Date.parse(`${wall}Z`) - Date.parse(o.createdAt)) / 3_600_000));
      }
      expect(offsets).toEqual(new Set([1, 2])); // both CET and CEST orders in the set
      expect(exact).toBeGreaterThan(1300);
      if (label.startsWith('the autumn')) expect(repeated).toBeGreaterThan(20);
      else expect(repeated).toBe(0);
    });
  }
});

describe('dropohs sync: sandbox', () => {
  it('a sandbox sync brings Dropohs orders with items named and priced', async () => {
    const sandbox = await startSandbox(new ChannelRegistry([dropohsChannel]), { orders: 200, seed: 3, days: 30 });
    try {
      const entry = sandbox.config.connections[0]!;
      expect(entry).toMatchObject({ name: 'dropohs-sandbox', kind: 'dropohs', token: 'dropohs-sandbox-token' });
      const config = dropohsChannel.configSchema.parse({ ...entry, name: CONNECTION });
      const summary = await sync(ts.store, config);
      expect(summary.status).toBe('succeeded');
      expect(summary.counts.created).toBe(200);
      const orders = await storedOrders(ts.store);
      expect(orders.every((o) => o.items.length > 0 && o.items.every((i) => i.name !== null && i.sku !== null && /^\d+\.\d{2}$/.test(i.unitPriceGross!)))).toBe(true);
      sandbox.tick();
      const next = await sync(ts.store, config);
      expect(next.counts.created).toBeGreaterThan(0);
    } finally {
      await sandbox.close();
    }
  });
});

describe('dropohs sync: auth', () => {
  it('fails fast on a wrong token, marks the connection as needing attention', async () => {
    sim = await startSim({ orders: 20 });
    const summary = await sync(ts.store, configFor(sim, { token: 'wrong-token' }));
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain('Neplatný token');
    expect(summary.error).toContain('token');
    expect(sim.requests.total).toBe(1); // no retries of a refused token
    const conn = await getConnection(ts.store.db, CONNECTION);
    expect(conn?.health).toBe('needs_attention');
  });
});
