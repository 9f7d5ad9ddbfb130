import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompiledQuery } from 'kysely';
import type { MappedOrder } from '../../canonical/order.ts';
import { describeEachStore, openTestStore, type TestStore } from '../../../../test/support/stores.ts';
import { acquireLease, ensureConnection, releaseLease, storeTokenCache } from '../connections.ts';
import { afterKey, countOrders, findOrder, orderIdFor, orderJournal, orderPayloads, sha1, streamOrders, upsertOrders, type IncomingOrder } from '../orders.ts';
import { openStore } from '../db.ts';

function mapped(externalId: string, overrides: Partial<MappedOrder> = {}): MappedOrder {
  return {
    externalId,
    number: null,
    createdAt: `2026-03-${String(1 + (Number(externalId) % 27)).padStart(2, '0')}T10:00:00.000Z`,
    status: 'new',
    channelStatus: 'NEW',
    currency: 'PLN',
    totals: { items: '10.00', shipping: '0.00', total: '10.00', taxIncluded: false },
    paid: null,
    paymentMethod: null,
    shippingMethod: null,
    trackingNumbers: [],
    customer: { name: 'Jan', email: null, phone: null, company: null, companyId: null, vatId: null },
    billingAddress: null,
    shippingAddress: null,
    items: [{ lineId: '1', sku: 'A', ean: null, name: 'Wódka', quantity: '1.00', unitPriceNet: '10.00', unitPriceGross: null, vatRate: '23', totalNet: '10.00', totalGross: null }],
    note: null,
    ...overrides,
  };
}

function incoming(m: MappedOrder, raw: unknown = { id: m.externalId, status: m.channelStatus }): IncomingOrder {
  const rawJson = JSON.stringify(raw);
  return { mapped: m, rawJson, rawHash: sha1(rawJson), contentHash: sha1(JSON.stringify(m)) };
}

async function rowCounts(t: TestStore) {
  const n = async (table: 'orders' | 'order_journal' | 'order_payloads') =>
    Number((await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { orders: await n('orders'), journal: await n('order_journal'), payloads: await n('order_payloads') };
}

describeEachStore('store', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(kind);
    await ensureConnection(t.store.db, 'shop', 'drinks2cash');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const upsert = (orders: IncomingOrder[], now = '2026-03-10T00:00:00.000Z') =>
    t.store.db.transaction().execute((trx) => upsertOrders(trx, { connection: 'shop', channel: 'drinks2cash', runId: null, now, orders }));

  it('migrates idempotently when opened again', async () => {
    const again = await openStore(t.database);
    await again.close();
    expect(await countOrders(t.store.db)).toBe(0);
  });

  it('creates orders once and writes nothing for an unchanged re-delivery', async () => {
    const first = await upsert([incoming(mapped('1')), incoming(mapped('2'))]);
    expect(first).toEqual({ created: 2, updated: 0, unchanged: 0 });
    const before = await rowCounts(t);
    expect(before).toEqual({ orders: 2, journal: 2, payloads: 2 });
    const again = await upsert([incoming(mapped('1')), incoming(mapped('2'))], '2026-03-11T00:00:00.000Z');
    expect(again).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect(await rowCounts(t)).toEqual(before);
    const o = await findOrder(t.store.db, 'shop:1');
    expect(o?.updatedAt).toBe('2026-03-10T00:00:00.000Z');
  });

  it('journals a status change with a field-level diff and keeps every raw version', async () => {
    await upsert([incoming(mapped('7'))]);
    const changed = mapped('7', { status: 'processing', channelStatus: 'IN_REALIZATION', trackingNumbers: ['TRK1'] });
    const r = await upsert([incoming(changed)], '2026-03-12T00:00:00.000Z');
    expect(r.updated).toBe(1);
    const order = (await findOrder(t.store.db, 'shop:7'))!;
    expect(order.status).toBe('processing');
    expect(order.updatedAt).toBe('2026-03-12T00:00:00.000Z');
    const journal = await orderJournal(t.store.db, order.id);
    expect(journal.map((j) => j.kind)).toEqual(['created', 'status_changed']);
    expect(journal[1]!.from_status).toBe('new');
    expect(journal[1]!.to_status).toBe('processing');
    const diff = JSON.parse(journal[1]!.diff!) as Array<{ path: string; from: unknown; to: unknown }>;
    expect(diff).toEqual(
      expect.arrayContaining([
        { path: 'status', from: 'new', to: 'processing' },
        { path: 'channelStatus', from: 'NEW', to: 'IN_REALIZATION' },
        { path: 'trackingNumbers.0', from: null, to: 'TRK1' },
      ]),
    );
    expect(diff.some((d) => d.path === 'updatedAt')).toBe(false);
    expect((await orderPayloads(t.store.db, order.id)).length).toBe(2);
  });

  it('keeps a new raw version whose canonical content is unchanged without a journal entry', async () => {
    await upsert([incoming(mapped('3'), { id: '3', unmapped: 'a' })]);
    const r = await upsert([incoming(mapped('3'), { id: '3', unmapped: 'b' })]);
    expect(r.unchanged).toBe(1);
    const order = (await findOrder(t.store.db, 'shop:3'))!;
    expect((await orderJournal(t.store.db, order.id)).length).toBe(1);
    expect((await orderPayloads(t.store.db, order.id)).map((p) => JSON.parse(p.payload).unmapped)).toEqual(['a', 'b']);
  });

  it('gives the same order the same hub id in every store', async () => {
    await upsert([incoming(mapped('42'))]);
    const order = (await findOrder(t.store.db, 'shop:42'))!;
    expect(order.id).toMatch(/^[0-9a-f-]{36}$/);
    const other = await openTestStore('sqlite');
    try {
      await ensureConnection(other.store.db, 'shop', 'drinks2cash');
      await other.store.db.transaction().execute((trx) => upsertOrders(trx, { connection: 'shop', channel: 'drinks2cash', runId: null, now: '2026-01-01T00:00:00.000Z', orders: [incoming(mapped('42'))] }));
      expect((await findOrder(other.store.db, 'shop:42'))!.id).toBe(order.id);
    } finally {
      await other.cleanup();
    }
  });

  it('streams every order exactly once in creation order across batches', async () => {
    const orders = Array.from({ length: 250 }, (_, i) => incoming(mapped(String(i + 1))));
    await upsert(orders);
    const seen: string[] = [];
    let previous = '';
    for await (const o of streamOrders(t.store.db, { connection: 'shop' }, 40)) {
      expect(o.createdAt >= previous).toBe(true);
      previous = o.createdAt;
      seen.push(o.externalId);
    }
    expect(seen.length).toBe(250);
    expect(new Set(seen).size).toBe(250);
  });

  it('gives the sync lease to one owner at a time and lets an expired lease be taken over', async () => {
    const now = new Date('2026-03-10T00:00:00Z');
    expect((await acquireLease(t.store.db, 'shop', 'a', 60_000, now)).acquired).toBe(true);
    const denied = await acquireLease(t.store.db, 'shop', 'b', 60_000, now);
    expect(denied).toMatchObject({ acquired: false, holder: 'a' });
    const later = new Date(now.getTime() + 61_000);
    expect((await acquireLease(t.store.db, 'shop', 'b', 60_000, later)).acquired).toBe(true);
    await releaseLease(t.store.db, 'shop', 'a'); // not the holder any more: no effect
    expect((await acquireLease(t.store.db, 'shop', 'c', 60_000, later)).acquired).toBe(false);
    await releaseLease(t.store.db, 'shop', 'b');
    expect((await acquireLease(t.store.db, 'shop', 'c', 60_000, later)).acquired).toBe(true);
  });

  it('shares one cached token per connection between store handles', async () => {
    const a = storeTokenCache(t.store.db, 'shop');
    const expiresAt = new Date('2030-01-01T00:00:00.000Z');
    await a.set({ accessToken: 'tok-1', expiresAt });
    const other = await openStore(t.database);
    try {
      const b = storeTokenCache(other.db, 'shop');
      expect(await b.get()).toEqual({ accessToken: 'tok-1', expiresAt });
      await b.set(null);
      expect(await a.get()).toBeNull();
    } finally {
      await other.close();
    }
  });
});

describe('hub order ids', () => {
  it('are UUIDv7s of the creation time: deterministic, distinct per connection and order, ordered like the orders', () => {
    const a = orderIdFor('shop', '1001', '2026-03-01T10:00:00.000Z');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.replace(/-/g, '').slice(0, 12)).toBe(Date.parse('2026-03-01T10:00:00.000Z').toString(16).padStart(12, '0'));
    expect(orderIdFor('shop', '1001', '2026-03-01T10:00:00.000Z')).toBe(a);
    expect(orderIdFor('other', '1001', '2026-03-01T10:00:00.000Z')).not.toBe(a);
    expect(orderIdFor('shop', '1002', '2026-03-01T10:00:00.000Z')).not.toBe(a);
    const times = ['2025-12-31T23:59:59.999Z', '2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.001Z', '2027-01-01T00:00:00.000Z'];
    const ids = times.map((t, i) => orderIdFor('shop', String(9 - i), t));
    expect([...ids].sort()).toEqual(ids);
    // out-of-range times keep a valid id (they only lose the ordering)
    expect(orderIdFor('shop', '1', '1969-12-31T00:00:00.000Z')).toMatch(/^00000000-0000-7/);
  });
});

describe('keyset pagination', () => {
  // The query plan, not a timing: with the cursor condition as a bare OR, SQLite scanned the index
  // from the start of the range on every page, and a million-order export grew quadratically.
  it('seeks to the cursor in every sort instead of scanning from the start of the index', async () => {
    const t = await openTestStore('sqlite');
    try {
      for (const [col, direction] of [['created_at', 'asc'], ['created_at', 'desc'], ['updated_at', 'asc'], ['updated_at', 'desc']] as const) {
        const page = t.store.db
          .selectFrom('orders')
          .select(['id', col])
          .where((eb) => afterKey(eb, col, direction, { k: '2026-03-01T00:00:00.000Z', id: 'x' }))
          .orderBy(col, direction)
          .orderBy('id', direction)
          .limit(50)
          .compile();
        const plan = await t.store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${page.sql}`, [...page.parameters]));
        const details = plan.rows.map((r) => r.detail).join(' | ');
        expect(details, `${col} ${direction}`).toMatch(new RegExp(`SEARCH orders USING (COVERING )?INDEX \\w+ \\(${col}${direction === 'asc' ? '>' : '<'}`));
      }
    } finally {
      await t.cleanup();
    }
  });
});
