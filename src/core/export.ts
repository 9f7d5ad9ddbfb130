/**
 * Order exports shared by the CLI (`orderhub orders export`) and the REST API
 * (`GET /v1/orders/export`): NDJSON (one canonical order per line), CSV, or a JSON array, written with
 * back-pressure so a million-order export streams in constant memory.
 */
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { CanonicalOrder } from './canonical/order.ts';

export type ExportFormat = 'ndjson' | 'csv' | 'json';

export const CSV_COLUMNS = [
  'id', 'connection', 'channel', 'externalId', 'number', 'createdAt', 'updatedAt', 'status', 'channelStatus', 'currency',
  'totalItems', 'totalShipping', 'total', 'taxIncluded', 'paid', 'paymentMethod', 'shippingMethod', 'trackingNumbers',
  'customerName', 'customerEmail', 'customerPhone', 'customerCompany', 'customerCompanyId', 'customerVatId',
  'shippingName', 'shippingCompany', 'shippingStreet', 'shippingCity', 'shippingPostalCode', 'shippingCountry',
  'billingName', 'billingCompany', 'billingStreet', 'billingCity', 'billingPostalCode', 'billingCountry',
  'itemCount', 'items', 'note',
] as const;

/** One CSV row per order; the items travel as a JSON array in one column so nothing is lost. */
export function csvRow(o: CanonicalOrder): Array<string | null> {
  const b = (v: boolean | null) => (v === null ? null : String(v));
  return [
    o.id, o.connection, o.channel, o.externalId, o.number, o.createdAt, o.updatedAt, o.status, o.channelStatus, o.currency,
    o.totals.items, o.totals.shipping, o.totals.total, b(o.totals.taxIncluded), b(o.paid), o.paymentMethod, o.shippingMethod,
    o.trackingNumbers.join(' '),
    o.customer.name, o.customer.email, o.customer.phone, o.customer.company, o.customer.companyId, o.customer.vatId,
    o.shippingAddress?.name ?? null, o.shippingAddress?.company ?? null, o.shippingAddress?.street ?? null,
    o.shippingAddress?.city ?? null, o.shippingAddress?.postalCode ?? null, o.shippingAddress?.country ?? null,
    o.billingAddress?.name ?? null, o.billingAddress?.company ?? null, o.billingAddress?.street ?? null,
    o.billingAddress?.city ?? null, o.billingAddress?.postalCode ?? null, o.billingAddress?.country ?? null,
    String(o.items.length), JSON.stringify(o.items), o.note,
  ];
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

export async function exportOrders(orders: AsyncIterable<CanonicalOrder>, format: ExportFormat, out: Writable): Promise<number> {
  let n = 0;
  if (format === 'csv') await write(out, stringify([CSV_COLUMNS as unknown as string[]]));
  if (format === 'json') await write(out, '[');
  for await (const o of orders) {
    if (format === 'ndjson') await write(out, `${JSON.stringify(o)}\n`);
    else if (format === 'csv') await write(out, stringify([csvRow(o)]));
    else await write(out, `${n === 0 ? '\n' : ',\n'}${JSON.stringify(o)}`);
    n++;
  }
  if (format === 'json') await write(out, n === 0 ? ']\n' : '\n]\n');
  return n;
}
