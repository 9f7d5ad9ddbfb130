/**
 * Issue 19, defect 7, on the channel's APIs: bad input costs little. Item counts are bounded by the
 * schemas and documented (README "Limits"), so a huge list is refused by its length instead of being
 * validated item by item; error lists are bounded; a body that arrives too slowly gets its 408 within
 * the request timeout, while it is still being sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dripBody } from '../../../../test/api/raw-client.ts';
import type { TestApi } from '../../../../test/api/helpers.ts';
import { silentLogger } from '../../../core/log.ts';
import type { AlzaDropshipConfig } from '../config.ts';
import { computeToken, signatureMessage } from '../hmac.ts';
import { formatTimestamp } from '../protocol.ts';
import { startDropshipServer } from '../routes.ts';
import { MAX_ORDER_ITEMS } from '../schemas.ts';
import { MAX_STOCK_ROWS } from '../stock.ts';
import { startServeWithConnection } from './helpers.ts';

describe('limits of the alza-dropship APIs [sqlite]', () => {
  let api: TestApi;
  let config: AlzaDropshipConfig;
  const base = '/v1/alza-dropship/alza-drop';

  beforeAll(async () => {
    ({ api, config } = await startServeWithConnection('limits-secret'));
  });
  afterAll(async () => {
    await api?.close();
  });

  /** A signed Insert of `orderItems` to order `order` on `supplierApiUrl`. */
  function signedInsert(supplierApiUrl: string, order: string, orderItems: unknown[]) {
    const timestamp = formatTimestamp(new Date());
    const url = new URL(`${supplierApiUrl}/order/${order}`);
    const token = computeToken(config.secret, signatureMessage({ client: config.customerId, method: 'POST', path: url.pathname, timestamp }));
    const body = JSON.stringify({ timestamp, customerId: 1, supplierId: 4242, supplierBranchId: 1, itemsPriceCurrency: 'CZK', orderItems });
    return { path: `${url.pathname}?token=${encodeURIComponent(token)}`, url: `${url.href}?token=${encodeURIComponent(token)}`, body };
  }

  it(`refuses an Insert of more than ${MAX_ORDER_ITEMS} items by its length (150 000 empty items)`, async () => {
    const insert = signedInsert(`${api.url}/dropship/alza/v1`, 'DD90000001', Array.from({ length: 150_000 }, () => ({})));
    const res = await api.call('POST', insert.path, { key: null, body: insert.body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errorCode: -2, errorMessage: `orderItems: must contain at most ${MAX_ORDER_ITEMS} items` });
  });

  it(`refuses a stock PUT of more than ${MAX_STOCK_ROWS} rows by its length, JSON and CSV`, async () => {
    const json = await api.call('PUT', `${base}/stock`, { body: Array.from({ length: 200_000 }, () => ({})) });
    expect(json.status).toBe(400);
    expect(json.body.error).toMatchObject({ code: 'validation_failed', message: `invalid body: Too big: expected array to have <=${MAX_STOCK_ROWS} items` });
    const csv = `code,ean,name,quantity,price\n${'x,,,oops,\n'.repeat(MAX_STOCK_ROWS + 1)}`;
    const text = await api.call('PUT', `${base}/stock`, { body: csv, headers: { 'content-type': 'text/csv' } });
    expect(text.status).toBe(422);
    expect(text.body.error.message).toContain(`the stock file has ${MAX_STOCK_ROWS + 1} rows; at most ${MAX_STOCK_ROWS} are taken at once (import larger files with orderhub stock import)`);
  });

  it('lists the first 20 problems of a stock PUT and how many there were', async () => {
    const res = await api.call('PUT', `${base}/stock`, { body: Array.from({ length: 5_000 }, () => ({ quantity: 1 })) });
    expect(res.status).toBe(400);
    expect(res.text.length).toBeLessThan(5_000);
    expect(res.body.error.details.issues).toHaveLength(20);
    expect(res.body.error.details.issueCount).toBe(5_000);
    expect(res.body.error.details.issues[0]).toMatchObject({ in: 'body', path: '0.code' });
  });

  it('answers a dripped Supplier API body 408 within the request timeout, also on the standalone server', async () => {
    const standalone = await startDropshipServer({ store: api.t.store, connections: [config], logger: silentLogger(), sweepIntervalMs: 0, checkpointer: false, requestTimeoutMs: 1_000 });
    try {
      const insert = signedInsert(standalone.supplierApiUrl, 'DD90000002', []);
      const res = await dripBody(insert.url, { length: 120, intervalMs: 250 });
      expect(res.status).toBe(408);
      expect(res.bodyBytesSent).toBeLessThan(120);
    } finally {
      await standalone.close();
    }
  });
});
