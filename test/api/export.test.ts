/**
 * GET /v1/orders/export for spreadsheet users, over HTTP against dropship orders the simulated Alza
 * confirmed: no cell a spreadsheet would run as a formula (CSV injection; negative money stays a
 * number), an optional UTF-8 byte order mark that keeps Czech and Polish letters, and the one row per
 * order item layout. NDJSON stays the canonical orders, unchanged.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CSV_COLUMNS, CSV_ITEM_COLUMNS } from '../../src/core/export-csv.ts';
import { describeEachStore } from '../support/stores.ts';
import { ACCENTED, DDE, DROPSHIP_ORDERS, HYPERLINK, liveFormulas, NO_ITEMS, REFUND, startExportFixture, type ExportFixture } from './export-orders.ts';

type Row = Record<string, string>;
const records = (csv: string | Buffer, bom = false) => parseCsv(csv, { bom }) as string[][];
const objects = (csv: string | Buffer, bom = false) => parseCsv(csv, { columns: true, bom }) as Row[];

describeEachStore('CSV exports for spreadsheets', (kind) => {
  let fx: ExportFixture;
  beforeAll(async () => {
    fx = await startExportFixture(kind);
  }, 60_000);
  afterAll(async () => {
    await fx?.close();
  });

  it('neutralises formulas in every text cell with a leading apostrophe, and leaves numbers alone (orders layout)', async () => {
    const res = await fx.api.call('GET', '/v1/orders/export?format=csv', { key: fx.api.readKey });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.text.charCodeAt(0)).not.toBe(0xfeff); // no BOM unless asked
    expect(records(res.text)[0]).toEqual([...CSV_COLUMNS]);
    const rows = objects(res.text);
    expect(rows.length).toBe(DROPSHIP_ORDERS.length + 2);
    expect(liveFormulas(records(res.text))).toEqual([]);
    const byNumber = new Map(rows.map((r) => [r.externalId, r]));
    expect(byNumber.get('DD81000001')).toMatchObject({ customerName: `'${HYPERLINK}`, shippingName: `'${HYPERLINK}` });
    expect(byNumber.get('DD81000002')).toMatchObject({ customerName: `'${DDE}`, shippingName: `'${DDE}` });
    expect(byNumber.get('DD81000003')!.customerName).toBe(ACCENTED);
    const refund = byNumber.get(REFUND.externalId)!;
    expect(refund).toMatchObject({
      totalItems: '-12.50', total: '-12.50', // money: numbers, never escaped
      customerName: "'  @SUM(A1:A9)", customerPhone: "'+48600100200", customerCompany: "'-2+3", note: "'\r=cmd",
    });
    // the items column is JSON and starts with "[": the canonical items, unchanged
    expect(JSON.parse(refund.items!)).toEqual(REFUND.items);
    for (const r of rows) expect(r.total).toBe(fx.orders.get(r.id!)!.totals.total ?? '');
  });

  it('NDJSON carries the canonical orders unchanged', async () => {
    const names = [...fx.orders.values()].map((o) => o.customer.name);
    expect(names).toEqual(expect.arrayContaining([HYPERLINK, DDE, ACCENTED, REFUND.customer.name]));
  });

  it('bom=true starts the CSV with EF BB BF, and "Šťastná Łucja" survives the round trip', async () => {
    const res = await fx.bytes('/v1/orders/export?format=csv&bom=true');
    expect(res.status).toBe(200);
    expect([...res.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.body.subarray(3, 3 + 'id,'.length).toString()).toBe('id,');
    const rows = objects(res.body, true);
    expect(rows.find((r) => r.externalId === 'DD81000003')!.customerName).toBe(ACCENTED);
    expect(Object.keys(rows[0]!)[0]).toBe('id'); // the BOM is not part of the first column name
    const without = await fx.bytes('/v1/orders/export?format=csv&bom=false');
    expect(without.body.subarray(0, 3).toString()).toBe('id,');
  });

  it('layout=items: one row per order item, the order key columns repeated, formulas neutralised', async () => {
    const res = await fx.bytes('/v1/orders/export?format=csv&layout=items&bom=true');
    expect(res.status).toBe(200);
    expect(String(res.headers['content-disposition'])).toMatch(/^attachment; filename="order-items-[\d-]+\.csv"$/);
    expect([...res.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(records(res.body, true)[0]).toEqual([...CSV_ITEM_COLUMNS]);
    expect(liveFormulas(records(res.body, true))).toEqual([]);
    const rows = objects(res.body, true);
    const orders = [...fx.orders.values()];
    // every item once, and the order without items once (empty item columns)
    expect(rows.length).toBe(orders.reduce((n, o) => n + Math.max(1, o.items.length), 0));
    for (const o of orders) {
      const mine = rows.filter((r) => r.id === o.id);
      expect(mine.length, o.externalId).toBe(Math.max(1, o.items.length));
      for (const r of mine) {
        expect(r).toMatchObject({ connection: o.connection, channel: o.channel, externalId: o.externalId, number: o.number ?? '', createdAt: o.createdAt, status: o.status, currency: o.currency ?? '', total: o.totals.total ?? '' });
      }
      mine.forEach((r, i) => {
        const item = o.items[i];
        if (!item) return;
        expect(r).toMatchObject({
          itemPosition: String(i + 1), itemLineId: item.lineId ?? '', itemEan: item.ean ?? '', itemQuantity: item.quantity,
          itemUnitPriceNet: item.unitPriceNet ?? '', itemUnitPriceGross: item.unitPriceGross ?? '', itemVatRate: item.vatRate ?? '',
          itemTotalNet: item.totalNet ?? '', itemTotalGross: item.totalGross ?? '',
        });
      });
    }
    const byOrder = (externalId: string) => rows.filter((r) => r.externalId === externalId);
    expect(byOrder('DD81000001').map((r) => r.customerName)).toEqual([`'${HYPERLINK}`, `'${HYPERLINK}`]);
    expect(byOrder('DD81000002').map((r) => r.customerName)).toEqual([`'${DDE}`]);
    expect(byOrder('DD81000003').map((r) => [r.customerName, r.itemPosition])).toEqual([[ACCENTED, '1'], [ACCENTED, '2'], [ACCENTED, '3']]);
    expect(byOrder(REFUND.externalId)).toEqual([expect.objectContaining({
      itemSku: "'-SKU", itemName: "'\t=1+1", itemQuantity: '-1', itemTotalGross: '-12.50', total: '-12.50', customerName: "'  @SUM(A1:A9)",
    })]);
    expect(byOrder(NO_ITEMS.externalId)).toEqual([expect.objectContaining({ customerName: "'-", itemPosition: '', itemSku: '', itemQuantity: '' })]);
  });

  it('refuses CSV options with NDJSON and an unknown layout (400), and lists both in /openapi.json', async () => {
    for (const [path, message] of [
      ['/v1/orders/export?format=ndjson&bom=true', /bom applies to CSV exports only, not to ndjson/],
      ['/v1/orders/export?layout=items', /layout applies to CSV exports only, not to ndjson/],
      ['/v1/orders/export?format=csv&layout=pallets', /layout/],
      ['/v1/orders/export?format=csv&bom=yes', /bom/],
    ] as const) {
      const res = await fx.api.call('GET', path, { key: fx.api.readKey });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe('validation_failed');
      expect(res.body.error.message, path).toMatch(message);
    }
    const spec = await fx.api.call('GET', '/openapi.json', { key: null });
    const names = spec.body.paths['/v1/orders/export'].get.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['format', 'layout', 'bom']));
  });
});
