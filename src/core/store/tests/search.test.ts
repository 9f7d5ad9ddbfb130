import { expect, it } from 'vitest';
import { CompiledQuery, sql } from 'kysely';
import type { MappedOrder } from '../../canonical/order.ts';
import { describeEachStore, storePerTest } from '../../../../test/support/stores.ts';
import { ensureConnection } from '../connections.ts';
import { migrate } from '../db.ts';
import { sha1, upsertOrders, type IncomingOrder } from '../orders.ts';
import { searchCondition, searchMode, type SearchMode } from '../search.ts';

function order(externalId: string, name: string, email: string | null, skus: string[]): IncomingOrder {
  const m: MappedOrder = {
    externalId, number: `ZAM/${externalId}`, createdAt: `2026-03-${String(1 + (Number(externalId) % 27)).padStart(2, '0')}T10:00:00.000Z`,
    status: 'new', channelStatus: 'NEW', currency: 'PLN', totals: { items: '10.00', shipping: '0.00', total: '10.00', taxIncluded: false },
    paid: null, paymentMethod: null, shippingMethod: null, trackingNumbers: [],
    customer: { name, email, phone: null, company: null, companyId: null, vatId: null },
    billingAddress: null,
    shippingAddress: { name, company: null, street: 'ul. Kwiatowa 5', city: 'Kraków', postalCode: '30-001', country: 'PL', phone: null, email: null },
    items: skus.map((sku, i) => ({ lineId: String(i + 1), sku, ean: null, name: 'Wódka Żubrówka', quantity: '1', unitPriceNet: null, unitPriceGross: '10.00', vatRate: '23', totalNet: null, totalGross: '10.00' })),
    note: 'zostawić u sąsiada',
  };
  const rawJson = JSON.stringify({ id: externalId });
  return { mapped: m, rawJson, rawHash: sha1(rawJson), contentHash: sha1(JSON.stringify(m)) };
}

describeEachStore('order search', (kind) => {
  const per = storePerTest(kind, (t) => ensureConnection(t.store.db, 'shop', 'drinks2cash'));

  const upsert = (orders: IncomingOrder[]) =>
    per.t.store.db.transaction().execute((trx) => upsertOrders(trx, { connection: 'shop', channel: 'drinks2cash', runId: null, now: '2026-03-28T00:00:00.000Z', orders }));
  const find = async (q: string, mode?: SearchMode) =>
    (await per.t.store.db.selectFrom('orders').select('external_id').where(searchCondition(per.t.store.dialect, q, mode)).orderBy('external_id').execute()).map((r) => r.external_id);

  const orders = [
    order('101', 'Katarzyna Wiśniewska', 'kasia_w@example.pl', ['SKU-1', 'GIFT-BOX']),
    order('102', 'Jan Nowak', 'jan.nowak@example.com', ['SKU-10']),
    order('103', 'Anna Nowakowska', null, ['SKU-100', 'SKU-1']),
    order('1104', 'Piotr Zieliński', '100%real@example.com', []),
    order('207', 'Łukasz Černý', 'LUKAS@EXAMPLE.CZ', ['ŽUB-5']),
  ];

  it('finds orders by number, external id, customer name or e-mail and SKU, whichever plan runs', async () => {
    await upsert(orders);
    const cases: Array<[string, string[]]> = [
      ['ZAM/102', ['102']], // order number
      ['1104', ['1104']], // external id
      ['nowak', ['102', '103']], // customer name, any case
      ['JAN.NOWAK@', ['102']], // e-mail
      ['gift-box', ['101']], // SKU
      ['SKU-1', ['101', '102', '103']], // substring of SKUs
      ['Wiśniewska', ['101']], // non-ASCII
      ['kasia_w', ['101']], // LIKE wildcard matched literally
      ['kasiaxw', []],
      ['100%', ['1104']],
      ['10', ['101', '102', '103', '1104']], // shorter than a trigram
      ['Kraków', []], // addresses, item names and notes are not searched
      ['Żubrówka', []],
      ['sąsiada', []],
      ['processing', []],
      ['lukas@example', ['207']], // stored upper-case
    ];
    // Non-ASCII letters in the other case than stored. SQLite folds them (search.ts); PostgreSQL's
    // ILIKE folds by the database's LC_CTYPE, and the test cluster runs in the C locale (ASCII only).
    if (kind === 'sqlite') cases.push(['łukasz', ['207']], ['černý', ['207']], ['ŁUKASZ ČERNÝ', ['207']], ['žub-5', ['207']], ['šťastný', []]);
    for (const [q, expected] of cases) {
      expect(await find(q), `q=${q}`).toEqual(expected);
      if (kind === 'sqlite') expect(await find(q, 'scan'), `q=${q}, scanning`).toEqual(expected);
    }
  });

  it.runIf(kind === 'sqlite')('folds the index of a store made before folding (migration 0006)', async () => {
    await upsert(orders);
    const db = per.t.store.db;
    // the state 0005 left: the text as stored, not folded
    await sql`update order_search set text = (select json_extract(data, '$.customer.name') from orders where orders.rowid = order_search.rowid)`.execute(db);
    expect(await find('łukasz')).toEqual([]);
    await sql`delete from kysely_migration where name = '0006_order_search_fold'`.execute(db);
    await migrate(per.t.store);
    expect(await find('łukasz')).toEqual(['207']);
    expect(await find('lukas@example')).toEqual(['207']);
    // and the triggers it recreated keep folding new orders
    await upsert([order('106', 'Šárka Řeháková', null, [])]);
    expect(await find('šárka')).toEqual(['106']);
  });

  it('follows changes: a changed e-mail is found by the new one only', async () => {
    await upsert(orders);
    const changed = order('102', 'Jan Nowak', 'j.nowak@firma.pl', ['SKU-10']);
    await upsert([changed]);
    expect(await find('firma.pl')).toEqual(['102']);
    expect(await find('jan.nowak@example')).toEqual([]);
  });

  it.runIf(kind === 'sqlite')('picks the index for rare terms and a scan in sort order for common ones', async () => {
    const all = async <R>(q: { compile(): { sql: string; parameters: readonly unknown[] } }) =>
      (await per.t.store.db.executeQuery<R>(q.compile() as never)).rows;
    await upsert(orders);
    expect(await searchMode(per.t.store.db, all, 'nowak')).toBe('index');
    expect(await searchMode(per.t.store.db, all, 'ab')).toBe('index');
    // 5 000 orders sharing a term make it common
    const many = Array.from({ length: 5_000 }, (_, i) => order(String(20_000 + i), 'Zofia Kowalczyk', null, []));
    for (let i = 0; i < many.length; i += 1_000) await upsert(many.slice(i, i + 1_000));
    expect(await searchMode(per.t.store.db, all, 'kowalczyk')).toBe('scan');
    expect((await find('kowalczyk', 'scan')).length).toBe(5_000);
  }, 60_000);

  it.runIf(kind === 'postgres')('is served by the trigram index on PostgreSQL (the condition matches the indexed expression)', async () => {
    await upsert(orders);
    const plan = await per.t.store.db.transaction().execute(async (trx) => {
      // (a handful of rows: without this the planner rightly prefers reading the table)
      await sql`set local enable_seqscan = off`.execute(trx);
      const q = trx.selectFrom('orders').select('id').where(searchCondition('postgres', 'nowak'));
      const { sql: text, parameters } = q.compile();
      return (await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${text}`, [...parameters]))).rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('orders_search_trgm_idx');
  });
});
