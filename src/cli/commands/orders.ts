/** `orderhub orders list|show|export|set-status|attach-document`. */
// CSV_COLUMNS, csvRow and exportOrders live in src/core/export.ts (shared with the REST API).
export { CSV_COLUMNS, csvRow, exportOrders } from '../../core/export.ts';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { CanonicalOrder } from '../../core/canonical/order.ts';
import { exportOrders } from '../../core/export.ts';
import { CANONICAL_STATUSES } from '../../core/canonical/status.ts';
import { findOrder, latestOrders, orderJournal, orderPayloads, streamOrders, type OrderFilter } from '../../core/store/orders.ts';
import { uploadDocument, writeBackStatus } from '../../core/sync/write-back.ts';
import { openContext, selectConnections, UsageError, type CliContext, type GlobalOptions } from '../context.ts';
import { channels } from '../../channels/registry.ts';
import { formatTable, truncate } from '../format.ts';

interface FilterOptions {
  connection?: string;
  status?: string;
  since?: string;
}

function toFilter(opts: FilterOptions): OrderFilter {
  if (opts.status !== undefined && !(CANONICAL_STATUSES as readonly string[]).includes(opts.status)) {
    throw new UsageError(`--status must be one of ${CANONICAL_STATUSES.join(', ')}`);
  }
  let since: string | undefined;
  if (opts.since !== undefined) {
    const d = new Date(opts.since);
    if (Number.isNaN(d.getTime())) throw new UsageError(`--since must be a date or date-time, got "${opts.since}"`);
    since = d.toISOString();
  }
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
    .option('-n, --limit <n>', 'how many', '50')
    .action(async (opts: FilterOptions & { limit: string }, cmd: Command) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const rows: string[][] = [];
        // The list shows the latest orders: stream the filter and keep the last `limit`.
        const recent = await latestOrders(ctx.store.db, toFilter(opts), limit);
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
    .action(async (opts: FilterOptions & { format: string; out?: string }, cmd: Command) => {
      if (!['ndjson', 'csv', 'json'].includes(opts.format)) throw new UsageError('--format must be ndjson, csv or json');
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      const out = opts.out ? createWriteStream(opts.out) : process.stdout;
      try {
        const n = await exportOrders(streamOrders(ctx.store.db, toFilter(opts)), opts.format as 'ndjson', out);
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
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const order = await findOrder(ctx.store.db, ref);
        if (!order) throw new UsageError(`no order "${ref}"`);
        const data = await readFile(file);
        await uploadDocument(writeBackDeps(ctx, order), order, { fileName: basename(file), contentType: opts.contentType, data, type: opts.type, informClient: opts.informClient === true });
        process.stdout.write(`uploaded ${basename(file)} (${data.length} bytes) as ${opts.type} to ${order.connection}:${order.externalId}\n`);
      } finally {
        await ctx.close();
      }
    });
}

function writeBackDeps(ctx: CliContext, order: CanonicalOrder) {
  const [config] = selectConnections(ctx.config, order.connection);
  return { store: ctx.store, logger: ctx.logger, channel: channels.get(config!.kind), config: config! };
}
