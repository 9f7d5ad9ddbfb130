/**
 * Order exports shared by the CLI (`orderhub orders export`) and the REST API
 * (`GET /v1/orders/export`): NDJSON (one canonical order per line), CSV, or a JSON array, written with
 * back-pressure so a million-order export streams in constant memory. The CSV layouts, the UTF-8 BOM
 * and formula neutralising are in export-csv.ts.
 */
import type { Writable } from 'node:stream';
import type { CanonicalOrder } from './canonical/order.ts';
import { csvHeader, csvRecords, UTF8_BOM, type CsvLayout } from './export-csv.ts';

// (kept here too: the CLI re-exports them from this module)
export { CSV_COLUMNS, csvRow } from './export-csv.ts';

export type ExportFormat = 'ndjson' | 'csv' | 'json';

/** CSV-only choices; NDJSON and JSON exports have none. */
export interface CsvOptions {
  /** one row per order (default) or one per order item (export-csv.ts) */
  layout?: CsvLayout;
  /** start with a UTF-8 byte order mark, for Excel */
  bom?: boolean;
}

/**
 * Why these options do not fit the format (they are CSV options, and NDJSON/JSON stay as they are),
 * or null when they do; `spell` writes an option's name as the caller's users know it (`--bom`).
 */
export function csvOptionsProblem(format: ExportFormat, options: CsvOptions, spell = (name: string) => name): string | null {
  if (format === 'csv') return null;
  const given = (['layout', 'bom'] as const).filter((k) => options[k] !== undefined).map(spell);
  if (given.length === 0) return null;
  return `${given.join(' and ')} ${given.length === 1 ? 'applies' : 'apply'} to CSV exports only, not to ${format}`;
}

export class OutputClosedError extends Error {
  constructor() {
    super('the output was closed before the export ended');
  }
}

/** Writes respecting back-pressure; stops (OutputClosedError) when the reader went away. */
async function write(out: Writable, chunk: string): Promise<void> {
  if (out.destroyed) throw new OutputClosedError();
  if (out.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new OutputClosedError());
    };
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onClose);
  });
}

/** Writes every order in the format; answers how many orders (not rows) were written. */
export async function exportOrders(orders: AsyncIterable<CanonicalOrder>, format: ExportFormat, out: Writable, csv: CsvOptions = {}): Promise<number> {
  const layout = csv.layout ?? 'orders';
  let n = 0;
  if (format === 'csv') await write(out, `${csv.bom === true ? UTF8_BOM : ''}${csvHeader(layout)}`);
  if (format === 'json') await write(out, '[');
  for await (const o of orders) {
    if (format === 'ndjson') await write(out, `${JSON.stringify(o)}\n`);
    else if (format === 'csv') await write(out, csvRecords(o, layout));
    else await write(out, `${n === 0 ? '\n' : ',\n'}${JSON.stringify(o)}`);
    n++;
  }
  if (format === 'json') await write(out, n === 0 ? ']\n' : '\n]\n');
  return n;
}
