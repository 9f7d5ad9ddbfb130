/**
 * `orderhub orders export` for spreadsheet users, as a user runs it (a child process) on the store
 * that `orderhub serve` filled with dropship orders the simulated Alza confirmed: formulas neutralised
 * (=HYPERLINK, +cmd|…), `--bom`, `--layout items`, the same bytes as the API's export, and one clear
 * line (exit 2) for CSV options given to another format.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CSV_ITEM_COLUMNS } from '../../src/core/export-csv.ts';
import { tempDir } from '../support/pg.ts';
import { ACCENTED, DDE, DROPSHIP_ORDERS, HYPERLINK, liveFormulas, REFUND, startExportFixture, type ExportFixture } from '../api/export-orders.ts';
import { orderhub } from './run-cli.ts';

type Row = Record<string, string>;

describe('orderhub orders export for spreadsheets', () => {
  let fx: ExportFixture;
  let dir: ReturnType<typeof tempDir>;
  let config: string;
  beforeAll(async () => {
    fx = await startExportFixture('sqlite');
    dir = tempDir('orderhub-export-');
    config = join(dir.path, 'orderhub.yaml');
    writeFileSync(config, stringify({ database: fx.api.t.database, connections: [] }));
  }, 60_000);
  afterAll(async () => {
    await fx?.close();
    dir?.cleanup();
  });

  it('writes CSV with every formula neutralised and negative money as numbers', async () => {
    const r = await orderhub(['--config', config, 'orders', 'export', '--format', 'csv']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(liveFormulas(parseCsv(r.stdout) as string[][])).toEqual([]);
    const rows = parseCsv(r.stdout, { columns: true }) as Row[];
    expect(rows.length).toBe(DROPSHIP_ORDERS.length + 2);
    const byNumber = new Map(rows.map((row) => [row.externalId, row]));
    expect(byNumber.get('DD81000001')!.customerName).toBe(`'${HYPERLINK}`);
    expect(byNumber.get('DD81000002')!.customerName).toBe(`'${DDE}`);
    expect(byNumber.get(REFUND.externalId)).toMatchObject({ total: '-12.50', customerName: "'  @SUM(A1:A9)" });
    // the same bytes as GET /v1/orders/export
    expect(r.stdout).toBe((await fx.bytes('/v1/orders/export?format=csv')).body.toString('utf8'));
  });

  it('--bom --layout items -o FILE: EF BB BF, one row per item, "Šťastná Łucja" intact, as the API writes it', async () => {
    const file = join(dir.path, 'items.csv');
    const r = await orderhub(['--config', config, 'orders', 'export', '--format', 'csv', '--layout', 'items', '--bom', '--out', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`exported ${DROPSHIP_ORDERS.length + 2} orders to ${file}\n`);
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.equals((await fx.bytes('/v1/orders/export?format=csv&layout=items&bom=true')).body)).toBe(true);
    const records = parseCsv(bytes, { bom: true }) as string[][];
    expect(records[0]).toEqual([...CSV_ITEM_COLUMNS]);
    expect(liveFormulas(records)).toEqual([]);
    const rows = parseCsv(bytes, { bom: true, columns: true }) as Row[];
    const items = (n: string) => rows.filter((row) => row.externalId === n);
    expect(items('DD81000001').map((row) => [row.customerName, row.itemPosition])).toEqual([[`'${HYPERLINK}`, '1'], [`'${HYPERLINK}`, '2']]);
    expect(items('DD81000002').map((row) => row.customerName)).toEqual([`'${DDE}`]);
    expect(items('DD81000003').map((row) => row.customerName)).toEqual([ACCENTED, ACCENTED, ACCENTED]);
    expect(bytes.includes(Buffer.from(ACCENTED, 'utf8'))).toBe(true);
  });

  it('keeps NDJSON and JSON the canonical orders, unchanged', async () => {
    const nd = await orderhub(['--config', config, 'orders', 'export']);
    expect(nd.code).toBe(0);
    const names = nd.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { customer: { name: string } }).customer.name);
    expect(names).toEqual(expect.arrayContaining([HYPERLINK, DDE, ACCENTED]));
    expect(nd.stdout.charCodeAt(0)).toBe('{'.charCodeAt(0));
    const json = await orderhub(['--config', config, 'orders', 'export', '--format', 'json']);
    expect((JSON.parse(json.stdout) as unknown[]).length).toBe(DROPSHIP_ORDERS.length + 2);
  });

  it('refuses --bom and --layout without --format csv, and an unknown layout, in one line with exit code 2', async () => {
    for (const [args, message] of [
      [['--bom'], 'error: --bom applies to CSV exports only, not to ndjson\n'],
      [['--format', 'json', '--layout', 'items', '--bom'], 'error: --layout and --bom apply to CSV exports only, not to json\n'],
    ] as const) {
      const r = await orderhub(['--config', config, 'orders', 'export', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(message);
      expect(r.stdout).toBe('');
    }
    const bad = await orderhub(['--config', config, 'orders', 'export', '--format', 'csv', '--layout', 'pallets']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--layout.*pallets.*orders, items/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const help = await orderhub(['orders', 'export', '--help']);
    expect(help.stdout).toMatch(/--layout <layout>/);
    expect(help.stdout).toMatch(/--bom/);
  });
});
