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
import { findOrder, orderJournal, orderPayloads } from '../../core/store/orders.ts';
import { uploadDocument, writeBackStatus } from '../../core/sync/write-back.ts';
import { toEvent } from '../../api/events.ts';
import { listOrders, ORDER_SORTS, streamFilteredOrders, type OrderListFilter, type OrderSort } from '../../api/orders-query.ts';
import { isoInstant, toUtcIso } from '../../api/schemas.ts';
import { channelStatusOf } from '../../outbox/channel.ts';
import { toWriteBackInfo, writeBacksOfOrder } from '../../outbox/store.ts';
import { openContext, rejectUnknownNames, selectConnections, UsageError, type CliContext, type GlobalOptions } from '../context.ts';
import { nameList, wholeNumber } from '../options.ts';
import { channels } from '../../channels/registry.ts';
import { formatTable, printJson, truncate } from '../format.ts';

/** The filters of `orders list` and `orders export`: those of GET /v1/orders, by the same names. */
interface FilterOptions {
  connection?: string[];
  channel?: string[];
  status?: string[];
  search?: string;
  createdFrom?: string;
  createdTo?: string;
  updatedFrom?: string;
  updatedTo?: string;
  /** the older name of --created-from */
  since?: string;
}

/** An instant as the API's filters take it (isoInstant): a usage error naming the option otherwise. */
function instant(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const checked = isoInstant.safeParse(value);
  if (!checked.success) throw new UsageError(`${option} ${checked.error.issues[0]?.message ?? 'is not a date'}, got "${value}"`);
  return toUtcIso(value);
}

/** The options' filter; a connection, channel or status that does not exist is a usage error (known-names.ts). */
async function toFilter(ctx: CliContext, opts: FilterOptions): Promise<OrderListFilter> {
  if (opts.since !== undefined && opts.createdFrom !== undefined) throw new UsageError('--since is another name of --created-from: give one of them');
  const names = { connection: opts.connection, channel: opts.channel, status: opts.status };
  await rejectUnknownNames(ctx, names);
  if (opts.search !== undefined && opts.search.trim() === '') throw new UsageError('--search needs some text to look for');
  return {
    ...names,
    createdFrom: instant(opts.since !== undefined ? '--since' : '--created-from', opts.since ?? opts.createdFrom),
    createdTo: instant('--created-to', opts.createdTo),
    updatedFrom: instant('--updated-from', opts.updatedFrom),
    updatedTo: instant('--updated-to', opts.updatedTo),
    q: opts.search,
  };
}

const SEVERAL = 'comma-separated, or the option repeated';

function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('-c, --connection <names>', `only orders of these connections (${SEVERAL})`, nameList)
    .option('--channel <kinds>', `only orders of these channel kinds (${SEVERAL})`, nameList)
    .option('-s, --status <statuses>', `only these canonical statuses (${SEVERAL}): ${CANONICAL_STATUSES.join(', ')}`, nameList)
    .option('-q, --search <text>', "only orders with this text in the order number, external id, customer's name or e-mail, or a SKU (the API's q)")
    .option('--created-from <when>', 'created at or after (YYYY-MM-DD or an ISO date-time; UTC unless it has an offset)')
    .option('--created-to <when>', 'created before')
    .option('--updated-from <when>', 'last changed at or after')
    .option('--updated-to <when>', 'last changed before')
    .option('--since <when>', 'the same as --created-from');
}

export function registerOrders(program: Command): void {
  const orders = program.command('orders').description('read, export and write back orders in the store');

  addFilterOptions(orders.command('list').description('list orders, newest first (the filters, search and names of GET /v1/orders)'))
    .option('-n, --limit <n>', 'how many', wholeNumber(1), 50)
    .addOption(new Option('--sort <sort>', 'sort key, "-" = descending').choices(ORDER_SORTS).default('-createdAt'))
    .option('--json', 'print the orders as JSON: the canonical orders GET /v1/orders answers (its `data`)')
    .action(async (opts: FilterOptions & { limit: number; sort: OrderSort; json?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const filter = await toFilter(ctx, opts);
        const page = await listOrders(ctx.store.db, ctx.store.dialect, { filter, sort: opts.sort, limit: opts.limit });
        const found = page.rows.map((r) => JSON.parse(typeof r === 'string' ? r : r.toString('utf8')) as CanonicalOrder);
        if (opts.json) return printJson(found);
        const rows = found.map((o) => [
          o.connection, o.externalId, o.createdAt.slice(0, 19).replace('T', ' '), o.status, o.channelStatus,
          `${o.totals.total ?? ''} ${o.currency ?? ''}`.trim(), truncate(o.customer.company ?? o.customer.name, 28), String(o.items.length),
        ]);
        process.stdout.write(formatTable(['connection', 'order', 'created (UTC)', 'status', 'channel status', 'total', 'customer', 'items'], rows));
      } finally {
        await ctx.close();
      }
    });

  orders
    .command('show <order>')
    .description('one order as JSON, as GET /v1/orders/{id} answers it: the canonical order, its journal (events), its write-backs')
    .option('--raw', 'add every raw payload version fetched from the channel (`raw`, as ?include=raw)')
    .action(async (ref: string, opts: { raw?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const order = await findOrder(ctx.store.db, ref);
        if (!order) throw new UsageError(`no order "${ref}" (use the hub id, connection:externalId, or a unique external id)`);
        const [journal, writeBacks] = await Promise.all([orderJournal(ctx.store.db, order.id), writeBacksOfOrder(ctx.store.db, order.id)]);
        const out: Record<string, unknown> = { order, journal: journal.map((j) => toEvent(j)), writeBacks: writeBacks.map(toWriteBackInfo) };
        if (opts.raw) {
          out.raw = (await orderPayloads(ctx.store.db, order.id)).map((p) => ({ fetchedAt: p.fetched_at, payload: JSON.parse(p.payload) as unknown }));
        }
        printJson(out);
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
        const n = await exportOrders(parsed(streamFilteredOrders(ctx.store.db, ctx.store.dialect, filter)), opts.format as ExportFormat, out, csv);
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
    .description("change an order's status at its channel, then read it back; STATUS is the channel's own name or a canonical one")
    .addHelpText('after', `
STATUS may be the channel's own name (drinks2cash IN_REALIZATION) or a canonical status
(${CANONICAL_STATUSES.join(', ')}), which is set as the one settable channel status that maps to it.
A canonical status that no settable status, or several, map to is refused, naming the channel's
settable statuses with their canonical meaning (POST /v1/orders/{id}/status takes the same names).`)
    .action(async (ref: string, status: string, _opts: unknown, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const order = await findOrder(ctx.store.db, ref);
        if (!order) throw new UsageError(`no order "${ref}"`);
        const env = { store: ctx.store, registry: channels, connections: ctx.config.connections, logger: ctx.logger };
        const channelStatus = await channelStatusOf(env, order, status);
        const after = await writeBackStatus(writeBackDeps(ctx, order), order, channelStatus);
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

async function* parsed(texts: AsyncIterable<string>): AsyncGenerator<CanonicalOrder> {
  for await (const text of texts) yield JSON.parse(text) as CanonicalOrder;
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
