/**
 * Issue 19, defect 9, on the channel: a 100 000-deep JSON body is refused by its depth with a clear
 * 400 (it answered "Maximum call stack size exceeded"), and replacing the stock with an empty list,
 * which sets every product to 0, needs to be asked for (`--yes`, `force=true`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../../../../test/api/helpers.ts';
import { tempDir } from '../../../../test/support/pg.ts';
import { registerStockCommands, type DropshipCliEnv } from '../cli.ts';
import type { AlzaDropshipConfig } from '../config.ts';
import { computeToken, signatureMessage } from '../hmac.ts';
import { MAX_JSON_DEPTH } from '../json.ts';
import { formatTimestamp } from '../protocol.ts';
import { listStock, setStock } from '../stock.ts';
import { DropshipProjections } from '../projection.ts';
import { startServeWithConnection } from './helpers.ts';

describe('small defects of the alza-dropship APIs [sqlite]', () => {
  let api: TestApi;
  let config: AlzaDropshipConfig;
  const dir = tempDir('alza-dropship-small-');
  const base = '/v1/alza-dropship/alza-drop';

  beforeAll(async () => {
    ({ api, config } = await startServeWithConnection('small-secret'));
  });
  afterAll(async () => {
    await api?.close();
    dir.cleanup();
  });

  const stocked = async () => {
    await setStock(api.t.store, config, [
      { code: 'A', ean: null, name: 'a', quantity: 5, price: null },
      { code: 'B', ean: null, name: 'b', quantity: 7, price: null },
    ]);
  };
  const onHand = async () => (await listStock(api.t.store, config)).map((p) => [p.code, p.onHand]);

  it(`refuses a JSON body nested deeper than ${MAX_JSON_DEPTH} levels with 400 + -2`, async () => {
    const timestamp = formatTimestamp(new Date());
    const path = '/dropship/alza/v1/order/DD95000001';
    const token = computeToken(config.secret, signatureMessage({ client: 1, method: 'POST', path, timestamp }));
    for (const depth of [100_000, MAX_JSON_DEPTH + 1]) {
      const body = `{"timestamp":"${timestamp}","customerId":1,"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const res = await request(`${api.url}${path}?token=${encodeURIComponent(token)}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      expect(res.statusCode, String(depth)).toBe(400);
      expect(await res.body.json(), String(depth)).toEqual({ errorCode: -2, errorMessage: `the body nests deeper than ${MAX_JSON_DEPTH} levels` });
    }
  });

  it('refuses to replace the stock with an empty list unless forced (API)', async () => {
    await stocked();
    const refused = await api.call('PUT', `${base}/stock?replace=true`, { body: [] });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/an empty list would set every product of branch 1 to 0 .*force=true/);
    expect(await onHand()).toEqual([['A', 5], ['B', 7]]);
    // an empty CSV (the header only) is an empty list too
    const csv = await api.call('PUT', `${base}/stock?replace=true`, { body: 'code,ean,name,quantity,price\n', headers: { 'content-type': 'text/csv' } });
    expect(csv.status).toBe(422);
    expect(await onHand()).toEqual([['A', 5], ['B', 7]]);
    const forced = await api.call('PUT', `${base}/stock?replace=true&force=true`, { body: [] });
    expect(forced.status).toBe(200);
    expect(forced.body).toEqual({ rows: 0, created: 0, updated: 0, zeroed: 2 });
    expect(await onHand()).toEqual([['A', 0], ['B', 0]]);
  });

  it('refuses to replace the stock with an empty file unless --yes (CLI)', async () => {
    await stocked();
    const file = join(dir.path, 'empty.csv');
    writeFileSync(file, 'code,ean,name,quantity,price\n');
    let out = '';
    const env: DropshipCliEnv = {
      out: (t) => {
        out += t;
      },
      open: async () => ({ store: api.t.store, projections: new DropshipProjections(api.t.store), config, client: undefined as never, close: async () => undefined }),
    };
    const run = async (args: string[]) => {
      const program = new Command().exitOverride();
      registerStockCommands(program.command('stock'), env);
      return program.parseAsync(['node', 'orderhub', 'stock', ...args]).then(() => null, (err: unknown) => err);
    };
    const refused = await run(['import', file, '--replace']);
    expect(refused).toMatchObject({ code: 'usage', message: expect.stringMatching(/an empty list would set every product of branch 1 to 0 .*--yes/) });
    expect(await onHand()).toEqual([['A', 5], ['B', 7]]);
    expect(await run(['import', file, '--replace', '--yes'])).toBeNull();
    expect(out).toBe('0 product(s) read: 0 new, 0 updated, 2 set to 0 (branch 1)\n');
    expect(await onHand()).toEqual([['A', 0], ['B', 0]]);
  });
});
