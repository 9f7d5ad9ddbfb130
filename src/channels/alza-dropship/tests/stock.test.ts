/** Stock files and the catalog: CSV/JSON import, validation, replace mode, listing with reservations. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStore } from '../../../../test/support/stores.ts';
import { StockFileError, importStockFile, listStock, parseStockFile, setStock } from '../stock.ts';
import { dropshipDb } from '../store.ts';
import { openDropshipStore } from './helpers.ts';

const branch = { supplierId: 4242, supplierBranchId: 1 };
let ts: TestStore;
beforeAll(async () => {
  ts = await openDropshipStore('sqlite');
});
afterAll(async () => {
  await ts.cleanup();
});

describe('stock files', () => {
  it('reads CSV with the header code,ean,name,quantity,price (quotes, BOM, empty fields)', () => {
    const rows = parseStockFile('\uFEFFcode,ean,name,quantity,price\nNTB-1,8590000000011,"Notebook, 15""",3,19999.90\n 0012 ,,Kabel,0,\n');
    expect(rows).toEqual([
      { code: 'NTB-1', ean: '8590000000011', name: 'Notebook, 15"', quantity: 3, price: '19999.9' },
      { code: '0012', ean: null, name: 'Kabel', quantity: 0, price: null },
    ]);
  });

  it('reads a JSON array', () => {
    expect(parseStockFile('[{"code":"A","ean":"1","name":"x","quantity":2,"price":0.1},{"code":"B","quantity":"5","price":"12.00"}]')).toEqual([
      { code: 'A', ean: '1', name: 'x', quantity: 2, price: '0.1' },
      { code: 'B', ean: null, name: null, quantity: 5, price: '12' },
    ]);
  });

  it('reports every problem with its line', () => {
    const bad = 'code,ean,name,quantity,price\nA,1,x,-1,1\nB,1,x,2,"1,50"\na,1,x,1,1\n,1,x,1,1\nC D,1,x,1,1\n';
    let problems: string[] = [];
    try {
      parseStockFile(bad);
    } catch (err) {
      expect(err).toBeInstanceOf(StockFileError);
      problems = (err as StockFileError).problems;
    }
    expect(problems).toEqual([
      'line 2: quantity "-1" must be a whole number from 0',
      'line 3: price "1,50" must be a decimal number such as 199.90 (a dot, no thousands separators)',
      'line 5: code must not be empty',
      'line 6: code may contain letters, digits and _ - : / . # , ( ) + * only',
    ]);
    expect(() => parseStockFile('code,ean,name,quantity,price\nA,1,x,1,1\na,2,y,1,1\n')).toThrow(/code a is already listed \(line 2\); codes are case-insensitive/);
    expect(() => parseStockFile('sku,qty\nA,1\n')).toThrow(/the first line must be the header code,ean,name,quantity,price/);
    expect(() => parseStockFile('[{"code":"A"')).toThrow(/not valid JSON/);
  });
});

describe('catalog', () => {
  it('imports, updates on-hand only, keeps reservations, and zeroes the missing with replace', async () => {
    const first = await importStockFile(ts.store, branch, 'code,ean,name,quantity,price\nA,1,Alpha,5,10.00\nB,2,Beta,7,20.00\n');
    expect(first).toEqual({ rows: 2, created: 2, updated: 0, zeroed: 0 });
    const db = dropshipDb(ts.store);
    await db.updateTable('dropship_products').set({ reserved: 2 }).where('code_key', '=', 'a').execute();
    await db.insertInto('dropship_reservations').values({ connection: 'c', order_number: 'DD1', supplier_id: '4242', branch_id: '1', code_key: 'a', quantity: 2 }).execute();
    const second = await importStockFile(ts.store, branch, 'code,ean,name,quantity,price\na,1,Alpha 2,9,11.00\n', { replace: true });
    expect(second).toEqual({ rows: 1, created: 0, updated: 1, zeroed: 1 });
    const list = await listStock(ts.store, branch);
    expect(list).toEqual([
      { code: 'a', ean: '1', name: 'Alpha 2', onHand: 9, reserved: 2, available: 7, price: '11', reservations: [{ orderNumber: 'DD1', quantity: 2, connection: 'c' }] },
      { code: 'B', ean: '2', name: 'Beta', onHand: 0, reserved: 0, available: 0, price: '20', reservations: [] },
    ]);
    expect(await listStock(ts.store, branch, { code: ' A ' })).toHaveLength(1);
    // another branch is another catalog
    await setStock(ts.store, { supplierId: 4242, supplierBranchId: 2 }, [{ code: 'A', ean: null, name: null, quantity: 1, price: null }]);
    expect((await listStock(ts.store, { supplierId: 4242, supplierBranchId: 2 })).map((p) => p.onHand)).toEqual([1]);
    // on hand below reserved (goods lost) shows 0 available, never negative
    await importStockFile(ts.store, branch, 'code,ean,name,quantity,price\nA,1,Alpha,1,11.00\n');
    expect((await listStock(ts.store, branch, { code: 'a' }))[0]!.available).toBe(0);
  });
});
