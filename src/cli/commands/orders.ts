/** `orderhub orders list|show|export|set-status|add-tracking|attach-document`. */
// CSV_COLUMNS, csvRow and exportOrders live in src/core/export.ts (shared with the REST API).
export { CSV_COLUMNS, csvRow, exportOrders } from '../../core/export.ts';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import type { CanonicalOrder } from '../../core/canonical/order.ts';
import { csvOptionsProblem, exportOrders, type CsvOptions, type ExportFormat } from '../../core/export.ts';
import { CSV_LAYOUTS, type CsvLayout } from '../../core/export-csv.ts';
import { CANONICAL_STATUSES } from '../../core/canonical/status.ts';
import { findOrder, orderJournal, orderPayloads } from '../../core/store/orders.ts';
import { OrderhubError } from '../../core/errors.ts';
import { toEvent } from '../../api/events.ts';
import { listOrders, ORDER_SORTS, streamFilteredOrders, type OrderListFilter, type OrderSort } from '../../api/orders-query.ts';
import { isoInstant, toUtcIso } from '../../api/schemas.ts';
import { BULK_MAX_ORDERS, BulkRequestError, planBulkStatus, runBulkStatus, type BulkStatusSummary } from '../../outbox/bulk.ts';
import type { DocumentRequest } from '../../outbox/channel.ts';
import { deliverBulk, writeBackNow, type DeliveredNow } from '../../outbox/deliver.ts';
import { toWriteBackInfo, writeBacksOfOrder } from '../../outbox/store.ts';
import { openContext, rejectUnknownNames, UsageError, type CliContext, type GlobalOptions } from '../context.ts';
import { EXIT } from '../errors.ts';
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

  addFilterOptions(orders.command('set-status [order] [status]'))
    .usage('<order> <status>  |  --where <filters> <status>')
    .description("change the status of an order, or of every order matching --where's filters, at its channel (through the write-back outbox)")
    .option('--where', 'change every order matching the filter options (-c, --channel, -s, -q, --created-from …) instead of one')
    .option('--dry-run', 'with --where: change nothing, say how many orders would get a write-back, per connection, and how many would be skipped and why')
    .option('--max <n>', `with --where: refuse when more orders than this match (default and most: ${BULK_MAX_ORDERS})`, wholeNumber(1, BULK_MAX_ORDERS))
    .option('--no-wait', "with --where: queue the write-backs and return; the workers of 'orderhub run' or 'orderhub serve' deliver them")
    .option('--json', 'with --where: print the summary as POST /v1/orders/bulk/status answers it')
    .addHelpText('after', `
STATUS may be the channel's own name (drinks2cash IN_REALIZATION) or a canonical status
(${CANONICAL_STATUSES.join(', ')}), which is set as the one settable channel status that maps to it.
A canonical status that no settable status, or several, map to is refused, naming the channel's
settable statuses with their canonical meaning (POST /v1/orders/{id}/status takes the same names).

Every change is a write-back in the outbox, recorded as the CLI's (actor "cli") and listed on the
order (orders show, GET /v1/orders/{id}). One order's write-back is delivered at once; when another
write-back of the order is still waiting, it is queued behind it. A failed attempt is retried by
'orderhub run' / 'orderhub serve' on the outbox's schedule.

With --where, every order matching the filters (those of 'orders list'; at least one) gets a
write-back, at most ${BULK_MAX_ORDERS} orders per command (POST /v1/orders/bulk/status): orders that have the
status already, or a waiting write-back to it, are skipped, so running the command again queues
nothing twice; orders whose channel cannot take the status are reported per connection. The
write-backs are then delivered from this process (unless --no-wait); exit code 1 when the channel
refused any, or any failed.

Examples:
  orderhub orders set-status drinks-pl:1042 processing
  orderhub orders set-status --where -c drinks-pl -s new --created-to 2026-03-01 processing --dry-run`)
    .action(async (first: string | undefined, second: string | undefined, opts: BulkOptions, cmd: Command) => {
      if (opts.where) return bulkSetStatus(cmd, first, second, opts);
      if (hasFilter(opts) || opts.dryRun || opts.max !== undefined || opts.json || opts.wait === false) {
        throw new UsageError('the filters, --dry-run, --max, --no-wait and --json go with --where (to change every matching order); for one order give the order and the status');
      }
      if (first === undefined || second === undefined) throw new UsageError('give an order and a status (or --where, filters and a status); see --help');
      await withOrder(cmd, first, async (ctx, order) => {
        const after = delivered(await writeBackNow(writeBackEnv(ctx), order, { kind: 'status', request: { status: second } }, CLI_ACTOR));
        if (after) process.stdout.write(`${order.connection}:${order.externalId} is now ${after.channelStatus} (${after.status})\n`);
      });
    });

  orders
    .command('add-tracking <order> <trackingNumber>')
    .description('add a tracking number to the order at its channel (through the write-back outbox, as POST /v1/orders/{id}/tracking)')
    .option('--carrier <name>', 'the carrier, e.g. DPD')
    .action(async (ref: string, trackingNumber: string, opts: { carrier?: string }, cmd: Command) => {
      await withOrder(cmd, ref, async (ctx, order) => {
        const request = { trackingNumber, carrier: opts.carrier ?? null };
        const after = delivered(await writeBackNow(writeBackEnv(ctx), order, { kind: 'tracking', request }, CLI_ACTOR));
        if (after) process.stdout.write(`${order.connection}:${order.externalId} has tracking numbers ${after.trackingNumbers.join(', ') || '(none listed by the channel)'}\n`);
      });
    });

  orders
    .command('attach-document <order> <file>')
    .description('upload a document (e.g. an invoice) to the order at its channel; recorded on the order as a write-back (the file itself is not kept)')
    .requiredOption('-t, --type <type>', 'channel document type, e.g. INVOICE')
    .option('--inform-client', 'ask the channel to notify the customer')
    .option('--content-type <mime>', 'MIME type of the file', 'application/pdf')
    .action(async (ref: string, file: string, opts: { type: string; informClient?: boolean; contentType: string }, cmd: Command) => {
      // the file first: a wrong path is the user's to fix before anything is opened or sent
      const data = await readFile(file);
      await withOrder(cmd, ref, async (ctx, order) => {
        const request: DocumentRequest = {
          fileName: basename(file), contentType: opts.contentType, type: opts.type, informClient: opts.informClient === true,
          bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'),
        };
        delivered(await writeBackNow(writeBackEnv(ctx), order, { kind: 'document', request, data }, CLI_ACTOR));
        process.stdout.write(`uploaded ${basename(file)} (${data.length} bytes) as ${opts.type} to ${order.connection}:${order.externalId}\n`);
      });
    });
}

/** Who the journal and the outbox say made a change from the command line. */
const CLI_ACTOR = 'cli';

type BulkOptions = FilterOptions & { where?: boolean; dryRun?: boolean; max?: number; wait?: boolean; json?: boolean };

function hasFilter(opts: FilterOptions): boolean {
  return [opts.connection, opts.channel, opts.status, opts.search, opts.createdFrom, opts.createdTo, opts.updatedFrom, opts.updatedTo, opts.since]
    .some((v) => v !== undefined);
}

function writeBackEnv(ctx: CliContext) {
  return { store: ctx.store, registry: channels, connections: ctx.config.connections, logger: ctx.logger };
}

async function withOrder(cmd: Command, ref: string, fn: (ctx: CliContext, order: CanonicalOrder) => Promise<void>): Promise<void> {
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
  try {
    const order = await findOrder(ctx.store.db, ref);
    if (!order) throw new UsageError(`no order "${ref}" (use the hub id, connection:externalId, or a unique external id)`);
    await fn(ctx, order);
  } finally {
    await ctx.close();
  }
}

/**
 * The order after a write-back delivered now, or null when it was queued behind another write-back
 * of the order (said on stdout: the request stands, exit 0). The channel's refusal, or the failure,
 * is thrown as it came, so the command ends with its message and exit code; one left for a retry
 * says so.
 */
function delivered(result: DeliveredNow): CanonicalOrder | null {
  const wb = result.writeBack;
  if ('queuedBehind' in result) {
    const before = result.queuedBehind;
    process.stdout.write(
      `queued as ${wb.id} behind ${before.id} (${before.kind}, waiting since ${before.createdAt}): ` +
        `'orderhub run' or 'orderhub serve' delivers them in order ('orderhub orders show ${wb.orderId}' follows them)\n`,
    );
    return null;
  }
  const { outcome } = result;
  if (outcome.state === 'delivered') return result.order;
  if (outcome.state === 'retrying') {
    throw new OrderhubError(outcome.verdict.code, `${outcome.verdict.message}; ${wb.id} stays in the outbox: 'orderhub run' or 'orderhub serve' tries again from ${outcome.nextAttemptAt!.toISOString()}`);
  }
  throw outcome.error;
}

async function bulkSetStatus(cmd: Command, first: string | undefined, second: string | undefined, opts: BulkOptions): Promise<void> {
  if (first === undefined) throw new UsageError('--where needs the status to set, after the filters: orderhub orders set-status --where -c NAME -s new processing');
  if (second !== undefined) throw new UsageError(`--where takes the orders from the filters, so give only the status (got "${first}" and "${second}")`);
  if (!hasFilter(opts)) throw new UsageError('--where needs at least one filter (-c, --channel, -s, -q, --created-from …): without one it would change every order');
  const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
  try {
    const filter = await toFilter(ctx, opts);
    const env = writeBackEnv(ctx);
    let summary: BulkStatusSummary;
    try {
      const plan = await planBulkStatus(env, { filter, status: first, maxOrders: opts.max, dryRun: opts.dryRun === true });
      summary = plan.request.dryRun
        ? await runBulkStatus(ctx.store.db, plan, { actor: CLI_ACTOR, apiKeyId: null })
        : await ctx.store.db.transaction().execute((trx) => runBulkStatus(trx, plan, { actor: CLI_ACTOR, apiKeyId: null }));
    } catch (err) {
      throw err instanceof BulkRequestError ? new UsageError(err.message) : err;
    }
    if (opts.json) printJson(summary);
    else process.stdout.write(describeBulk(summary));
    if (summary.bulkId === null || summary.queued === 0 || opts.wait === false) return;
    const done = await deliverBulk(env, summary.bulkId);
    const line = `delivered ${done.delivered}, refused ${done.refused}, failed ${done.failed}` +
      (done.waiting > 0 ? `, ${done.waiting} waiting (for a retry, or behind another write-back of their order): 'orderhub run' or 'orderhub serve' delivers them` : '') +
      ` (write-backs of ${summary.bulkId}: GET /v1/orders/bulk/${summary.bulkId})\n`;
    (opts.json ? process.stderr : process.stdout).write(line);
    if (done.refused + done.failed > 0) process.exitCode = EXIT.failed;
  } finally {
    await ctx.close();
  }
}

/** The bulk summary as a table per connection, with the reason for each connection that cannot take the status. */
function describeBulk(s: BulkStatusSummary): string {
  const rows = s.byConnection.map((g) => [
    g.connection, g.channel, String(g.matched), g.channelStatus ?? '-', String(g.queued),
    String(g.skipped.alreadyInStatus), String(g.skipped.pending), String(g.skipped.unsupported), g.problem ?? '',
  ]);
  const table = rows.length === 0 ? '' : formatTable(['connection', 'channel', 'matched', 'sets', s.dryRun ? 'would queue' : 'queued', 'already', 'pending', 'unsupported', 'problem'], rows, { wrap: [8] });
  const skipped = s.skipped.alreadyInStatus + s.skipped.pending + s.skipped.unsupported;
  const why = [
    s.skipped.alreadyInStatus ? `${s.skipped.alreadyInStatus} have the status already` : '',
    s.skipped.pending ? `${s.skipped.pending} have a write-back to it waiting` : '',
    s.skipped.unsupported ? `${s.skipped.unsupported} are on channels that cannot take it` : '',
  ].filter(Boolean).join(', ');
  const tail = skipped > 0 ? `; ${skipped} skipped: ${why}` : '';
  const head = s.dryRun
    ? `dry run: ${s.matched} orders match; ${s.queued} would get a write-back to ${s.status}${tail}. Nothing was changed.`
    : `${s.matched} orders match; queued ${s.queued} write-backs to ${s.status}${s.bulkId ? ` (${s.bulkId})` : ''}${tail}.`;
  return `${table}${head}\n`;
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
