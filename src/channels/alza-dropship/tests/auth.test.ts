/**
 * `?token=` on the Supplier API: both URL encodings pass, every wrong, missing or foreign token is
 * refused with 401 and no effect, and no log line carries the token.
 */
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOrders } from '../../../core/store/orders.ts';
import { REDACT_PATHS } from '../../../core/log.ts';
import { alzaDropshipConfigSchema, type AlzaDropshipConfig } from '../config.ts';
import { computeToken, signatureMessage } from '../hmac.ts';
import { formatTimestamp } from '../protocol.ts';
import { registerAlzaDropshipRoutes, startDropshipServer, type DropshipServer } from '../routes.ts';
import { AlzaDriver } from '../simulator/driver.ts';
import { catalogCsv, catalog } from '../simulator/generator.ts';
import { importStockFile } from '../stock.ts';
import type { TestStore } from '../../../../test/support/stores.ts';
import { HTTP_SETTINGS, dropshipRow, openDropshipStore, product } from './helpers.ts';

const SECRET_A = 'first-secret-A';
const SECRET_B = 'second-secret-B';
let ts: TestStore;
let server: DropshipServer;
let a: AlzaDropshipConfig;
let b: AlzaDropshipConfig;
let driverA: AlzaDriver;
const logLines: string[] = [];

function config(name: string, customerId: number, secret: string, extra: Record<string, unknown> = {}): AlzaDropshipConfig {
  return alzaDropshipConfigSchema.parse({
    name, kind: 'alza-dropship', customerId, supplierId: 4242, supplierBranchId: 1, secret, buyerApiUrl: 'http://127.0.0.1:9/api/v1', http: HTTP_SETTINGS, ...extra,
  });
}

beforeAll(async () => {
  ts = await openDropshipStore('sqlite');
  a = config('alza-a', 1, SECRET_A);
  b = config('alza-b', 2, SECRET_B, { supplierBranchId: 2 });
  const logger = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }));
  server = await startDropshipServer({ store: ts.store, connections: [a, b], logger, sweepIntervalMs: 0 });
  await importStockFile(ts.store, a, catalogCsv(catalog(3, 20)));
  driverA = new AlzaDriver({ customerId: 1, supplierId: 4242, supplierBranchId: 1, secret: SECRET_A, seed: 3, products: 20, supplierUrl: server.supplierApiUrl, resendDelayMs: 5, maxResends: 0 });
});
afterAll(async () => {
  await driverA.close();
  await server.close();
  await ts.cleanup();
});

describe('token verification', () => {
  it('accepts the Base64 token URL-encoded (…%3D) and as is (…=)', async () => {
    const encoded = await driverA.placeOrder({ index: 0, tokenEncoding: 'encoded' });
    expect(encoded.status).toBe(201);
    const raw = await driverA.placeOrder({ index: 1, tokenEncoding: 'raw' });
    expect(raw.status).toBe(201);
  });

  it('refuses a missing, wrong, foreign or replayed token with 401 and changes nothing', async () => {
    await server.projections.flush();
    const before = await countOrders(ts.store.db);
    const gen = driverA.generated(2);
    const code = gen.items[0]!.code;
    const reserved = (await product(ts.store, code)).reserved;
    const attempts = [
      await driverA.placeOrder({ index: 2, token: null }),
      await driverA.placeOrder({ index: 2, token: 'jDGARg+SaXMa8Ib++O92+ZX3ITQ=' }),
      await driverA.placeOrder({ index: 2, token: 'short' }),
      await driverA.placeOrder({ index: 2, secret: SECRET_B }), // another connection's secret, customerId of A
    ];
    expect(attempts.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(attempts.map((r) => r.body)).toEqual([
      { errorCode: -1, errorMessage: 'Missing token' },
      { errorCode: -1, errorMessage: 'Invalid token' },
      { errorCode: -1, errorMessage: 'Invalid token' },
      { errorCode: -1, errorMessage: 'Invalid token' },
    ]);
    expect(await dropshipRow(ts.store, gen.orderNumber)).toBeUndefined();
    expect((await product(ts.store, code)).reserved).toBe(reserved);
    await server.projections.flush();
    expect(await countOrders(ts.store.db)).toBe(before);
  });

  it('refuses a token signed for another operation, method or timestamp', async () => {
    const placed = await driverA.placeOrder({ index: 3 });
    expect(placed.status).toBe(201);
    const timestamp = formatTimestamp(new Date());
    // signed for the Insert path but sent to Cancel (DELETE)
    const insertToken = computeToken(SECRET_A, signatureMessage({ client: 1, method: 'POST', path: new URL(`${server.supplierApiUrl}/order/${placed.orderNumber}`).pathname, timestamp }));
    const cancel = await driverA.cancel(placed.orderNumber, { token: insertToken, timestamp });
    expect(cancel.status).toBe(401);
    // a token for one timestamp with another timestamp in the body
    const stale = await driverA.cancel(placed.orderNumber, { token: computeToken(SECRET_A, signatureMessage({ client: 1, method: 'DELETE', path: new URL(`${server.supplierApiUrl}/order/${placed.orderNumber}`).pathname, timestamp: '2025-01-01T00:00:00.000' })), timestamp });
    expect(stale.status).toBe(401);
    expect((await dropshipRow(ts.store, placed.orderNumber))!.state).toBe('reserved');
  });

  it('refuses an unknown customerId and a correctly signed but old timestamp', async () => {
    const stranger = new AlzaDriver({ customerId: 99, supplierId: 4242, supplierBranchId: 1, secret: SECRET_A, seed: 3, products: 20, supplierUrl: server.supplierApiUrl, maxResends: 0 });
    try {
      const r = await stranger.placeOrder({ index: 4 });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ errorCode: -1, errorMessage: 'Unknown customerId 99' });
    } finally {
      await stranger.close();
    }
    const old = await driverA.placeOrder({ index: 5, timestamp: formatTimestamp(new Date(Date.now() - 3 * 86_400_000)) });
    expect(old.status).toBe(401);
    expect(old.body!.errorMessage).toMatch(/more than 1440 minutes from our clock/);
  });

  it('routes by customerId: connection B takes only its own token', async () => {
    const driverB = new AlzaDriver({ customerId: 2, supplierId: 4242, supplierBranchId: 2, secret: SECRET_B, seed: 3, products: 20, supplierUrl: server.supplierApiUrl, maxResends: 0 });
    try {
      const r = await driverB.placeOrder({ index: 6 });
      // B's branch has no stock imported: authenticated, then answered by B's catalog
      expect(r.status).toBe(400);
      expect(r.body!.errorMessage).toMatch(/^Unknown product /);
      const wrong = await driverB.placeOrder({ index: 7, secret: SECRET_A });
      expect(wrong.status).toBe(401);
    } finally {
      await driverB.close();
    }
  });

  it('signs the path Alza sees when a proxy rewrites it (apiPath)', async () => {
    const store = await openDropshipStore('sqlite');
    const cfg = config('alza-proxy', 1, SECRET_A, { apiPath: '/Dropship/alza/v1' });
    const srv = await startDropshipServer({ store: store.store, connections: [cfg], logger: pino({ level: 'silent' }), sweepIntervalMs: 0 });
    await importStockFile(store.store, cfg, catalogCsv(catalog(3, 20)));
    const d = new AlzaDriver({ customerId: 1, supplierId: 4242, supplierBranchId: 1, secret: SECRET_A, seed: 3, products: 20, supplierUrl: srv.supplierApiUrl, maxResends: 0 });
    try {
      const gen = d.generated(0);
      const timestamp = formatTimestamp(new Date());
      const token = computeToken(SECRET_A, signatureMessage({ client: 1, method: 'POST', path: `/Dropship/alza/v1/order/${gen.orderNumber}`, timestamp }));
      expect((await d.placeOrder({ index: 0, token, timestamp })).status).toBe(201);
      expect((await d.placeOrder({ index: 1 })).status).toBe(401); // signed over the internal path
    } finally {
      await d.close();
      await srv.close();
      await store.cleanup();
    }
  });
});

describe('logging', () => {
  it('never writes the token, in request lines or refusals', async () => {
    const r = await driverA.placeOrder({ index: 8 });
    expect(r.status).toBe(201);
    await driverA.placeOrder({ index: 9, token: 'WRONG+TOKEN=' });
    await fetch(`${server.supplierApiUrl}/nowhere?token=SHOULD-NOT-APPEAR`, { method: 'POST' });
    const text = logLines.join('');
    expect(text).toContain('token=[redacted]');
    expect(text).toContain('incoming request');
    for (const line of logLines) {
      expect(line).not.toMatch(/token=(?!\[redacted\])/);
      expect(line).not.toContain('SHOULD-NOT-APPEAR');
      expect(line).not.toContain('WRONG');
      expect(line).not.toContain(SECRET_A);
    }
  });

  it('redacts inside a host app that keeps Fastify request logging on (the plugin alone)', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write(chunk: Buffer, _e, done) { lines.push(chunk.toString()); done(); } }));
    const app = Fastify({ loggerInstance: logger });
    registerAlzaDropshipRoutes(app, { store: ts.store, connections: [a], logger, sweepIntervalMs: 0 });
    await app.ready();
    const gen = driverA.generated(10);
    const res = await app.inject({ method: 'POST', url: `/dropship/alza/v1/order/${gen.orderNumber}?token=PLUGIN-ONLY-TOKEN`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ customerId: 1, timestamp: formatTimestamp(new Date()) }) });
    expect(res.statusCode).toBe(401);
    await app.close();
    expect(lines.join('')).toContain('token=[redacted]');
    expect(lines.join('')).not.toContain('PLUGIN-ONLY-TOKEN');
  });
});
