/** `orderhub orders list|show|export|set-status|attach-document`. */
// CSV_COLUMNS, csvRow and exportOrders live in src/core/export.ts (shared with the REST API).
export { CSV_COLUMNS, csvRow, exportOrders } from '../../core/export.ts';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import type { CanonicalOrder } from '../../core/canonical/order.ts';
import { csvOptionsProblem, exportOrders, type CsvOptions, type ExportFormat } from '../../core/export.ts';
import { CSV_LAYOUTS, type CsvLayout } from '../../core/export-csv.ts';
import { CANONICAL_STATUSES } from '../../core/canonical/status.ts';
import { findOrder, latestOrders, orderJournal, orderPayloads, streamOrders, type OrderFilter } from '../../core/store/orders.ts';
import { uploadDocument, writeBackStatus } from '../../core/sync/write-back.ts';
import { openContext, rejectUnknownNames, selectConnections, UsageError, type CliContext, type GlobalOptions } from '../context.ts';
import { wholeNumber } from '../options.ts';
import { channels } from '../../channels/registry.ts';
import { formatTable, truncate } from '../format.ts';

interface FilterOptions {
  connection?: string;
  status?: string;
  since?: string;
}

/** The options' filter; a connection or status that does not exist is a usage error (known-names.ts). */
async function toFilter(ctx: CliContext, opts: FilterOptions): Promise<OrderFilter> {
  let since: string | undefined;
  if (opts.since !== undefined) {
    const d = new Date(opts.since);
    if (Number.isNaN(d.getTime())) throw new UsageError(`--since must be a date or date-time, got "${opts.since}"`);
    since = d.toISOString();
  }
  await rejectUnknownNames(ctx, { connection: opts.connection, status: opts.status });
  return { connection: opts.connection, status: opts.status, since };
}

function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('-c, --connection <name>', 'only orders of this connection')
    .option('-s, --status <status>', `only this canonical status (${CANONICAL_STATUSES.join(', ')})`)
    .option('--since <date>', 'only orders created at or after this date/date-time (UTC unless an offset is given)');
}

export function registerOrders(program: Command): void {
  const orders = program.command('orders').description('read, export and write back orders in the store');

  addFilterOptions(orders.command('list').description('list orders, newest first within the limit'))
    .option('-n, --limit <n>', 'how many', wholeNumber(1), 50)
    .action(async (opts: FilterOptions & { limit: number }, cmd: Command) => {
      const limit = opts.limit;
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const rows: string[][] = [];
        // The list shows the latest orders: stream the filter and keep the last `limit`.
        const recent = await latestOrders(ctx.store.db, await toFilter(ctx, opts), limit);
        for (const o of recent) {
          rows.push([
            o.connection, o.externalId, o.createdAt.slice(0, 19).replace('T', ' '), o.status, o.channelStatus,
            `${o.totals.total ?? ''} ${o.currency ?? ''}`.trim(), truncate(o.customer.company ?? o.customer.name, 28), String(o.items.length),
          ]);
        }
        process.stdout.write(formatTable(['connection', 'order', 'created (UTC)', 'status', 'channel status', 'total', 'customer', 'items'], rows));
      } finally {
        await ctx.close();
      }
    });

  orders
    .command('show <order>')
    .description('one canonical order (by hub id, connection:externalId, or external id) with its journal')
    .option('--raw', 'include every raw payload version fetched from the channel')
    .action(async (ref: string, opts: { raw?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const order = await findOrder(ctx.store.db, ref);
        if (!order) throw new UsageError(`no order "${ref}" (use the hub id, connection:externalId, or a unique external id)`);
        const journal = (await orderJournal(ctx.store.db, order.id)).map((j) => ({
          seq: j.seq, at: j.at, kind: j.kind, fromStatus: j.from_status, toStatus: j.to_status, diff: j.diff ? JSON.parse(j.diff) : null,
        }));
        const out: Record<string, unknown> = { order, journal };
        if (opts.raw) {
          out.payloads = (await orderPayloads(ctx.store.db, order.id)).map((p) => ({ fetchedAt: p.fetched_at, payload: JSON.parse(p.payload) }));
        }
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } finally {
        await ctx.close();
      }
    });

  addFilterOptions(orders.command('export').description('stream canonical orders: one per line (ndjson), CSV rows, or a JSON array'))
    .option('-f, --format <format>', 'ndjson | csv | json', 'ndjson')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .addOption(new Option('--layout <layout>', 'CSV only: one row per order (orders, the default) or per order item (items)').choices(CSV_LAYOUTS))
    .option('--bom', 'CSV only: start with a UTF-8 byte order mark, so Excel shows accented letters')
    .action(async (opts: FilterOptions & { format: string; out?: string; layout?: CsvLayout; bom?: true }, cmd: Command) => {
      if (!['ndjson', 'csv', 'json'].includes(opts.format)) throw new UsageError('--format must be ndjson, csv or json');
      const csv: CsvOptions = { layout: opts.layout, bom: opts.bom };
      const problem = csvOptionsProblem(opts.format as ExportFormat, csv, (name) => `--${name}`);
      if (problem) throw new UsageError(problem);
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const filter = await toFilter(ctx, opts);
        const out = opts.out ? await openForWriting(opts.out) : process.stdout;
        const n = await exportOrders(streamOrders(ctx.store.db, filter), opts.format as ExportFormat, out, csv);
        if (opts.out) {
          await new Promise<void>((resolve, reject) => (out as ReturnType<typeof createWriteStream>).end((err?: Error | null) => (err ? reject(err) : resolve())));
          process.stderr.write(`exported ${n} orders to ${opts.out}\n`);
        }
      } finally {
        await ctx.close();
      }
    });

  orders
    .command('set-status <order> <status>')
    .description("change an order's status at its channel (in the channel's own status names), then read it back")
    .action(async (ref: string, status: string, _opts: unknown, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const order = await findOrder(ctx.store.db, ref);
        if (!order) throw new UsageError(`no order "${ref}"`);
        const after = await writeBackStatus(writeBackDeps(ctx, order), order, status);
        process.stdout.write(`${order.connection}:${order.externalId} is now ${after.channelStatus} (${after.status})\n`);
      } finally {
        await ctx.close();
      }
    });

  orders
    .command('attach-document <order> <file>')
    .description('upload a document (e.g. an invoice) to the order at its channel')
    .requiredOption('-t, --type <type>', 'channel document type, e.g. INVOICE')
    .option('--inform-client', 'ask the channel to notify the customer')
    .option('--content-type <mime>', 'MIME type of the file', 'application/pdf')
    .action(async (ref: string, file: string, opts: { type: string; informClient?: boolean; contentType: string }, cmd: Command) => {
      // the file first: a wrong path is the user's to fix before anything is opened or sent
      const data = await readFile(file);
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const order = await findOrder(ctx.store.db, ref);
        if (!order) throw new UsageError(`no order "${ref}"`);
        await uploadDocument(writeBackDeps(ctx, order), order, { fileName: basename(file), contentType: opts.contentType, data, type: opts.type, informClient: opts.informClient === true });
        process.stdout.write(`uploaded ${basename(file)} (${data.length} bytes) as ${opts.type} to ${order.connection}:${order.externalId}\n`);
      } finally {
        await ctx.close();
      }
    });
}

/** The file opened (or its error thrown, e.g. ENOENT for a missing folder) before any row is written. */
async function openForWriting(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path);
  await once(stream, 'open');
  return stream;
}

function writeBackDeps(ctx: CliContext, order: CanonicalOrder) {
  const [config] = selectConnections(ctx.config, order.connection);
  return { store: ctx.store, logger: ctx.logger, channel: channels.get(config!.kind), config: config! };
}
