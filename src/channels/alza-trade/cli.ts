/**
 * `orderhub alza-trade unshipped` — what must leave today: GET /orders/unshipped, optionally by
 * shipment departure window (Prague dates or date-times). Uses the connection's shared token like a
 * sync does (no extra login when a valid token is cached).
 */
import type { Command } from 'commander';
import { startOfLocalDay, addDays } from '../../core/canonical/time.ts';
import type { ChannelDefinition } from '../../core/connector.ts';
import { formatTable } from '../../cli/format.ts';
import type { AlzaTradeConfig } from './config.ts';
import { createAlzaTradeConnector } from './connector.ts';
import { fromBound, toBound } from './filters.ts';
import { mapAlzaOrder } from './mapping.ts';

/** "2025-03-31" → that local day's start; a date-time is read by parseWireTime rules via Date */
function parseWhen(text: string, zone: string, end: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return startOfLocalDay(end ? addDays(text, 1) : text, zone);
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new Error(`"${text}" is not a date (YYYY-MM-DD) or an ISO date-time`);
  return d;
}

export const alzaTradeCli: NonNullable<ChannelDefinition<AlzaTradeConfig>['cli']> = {
  description: 'Alza Trade tools (unshipped orders by departure time)',
  register(command: Command, ctx) {
    command
      .command('unshipped')
      .description('list unshipped orders (Awaiting label creation), optionally by departure window')
      .option('-c, --connection <name>', 'the alza-trade connection (when several are configured)')
      .option('--from <when>', 'departure at or after (YYYY-MM-DD in Prague time, or an ISO date-time)')
      .option('--to <when>', 'departure before (a date includes that whole day)')
      .option('--json', 'print the raw orders as JSON lines')
      .action(async (opts: { connection?: string; from?: string; to?: string; json?: boolean }) => {
        const opened = await ctx.openConnection(opts.connection);
        try {
          const config = opened.config as AlzaTradeConfig;
          const zone = opened.context.timeZone;
          const connector = createAlzaTradeConnector(config, opened.context);
          const records = await connector.client.listUnshipped({
            departureFrom: opts.from ? fromBound(parseWhen(opts.from, zone, false), zone) : undefined,
            departureTo: opts.to ? toBound(parseWhen(opts.to, zone, true), zone) : undefined,
          });
          if (opts.json) {
            for (const r of records) process.stdout.write(`${JSON.stringify(r)}\n`);
            return;
          }
          const rows = records.map((r) => {
            const raw = r as { shipmentDepartureTime?: unknown };
            try {
              const o = mapAlzaOrder(r, zone).order;
              return [o.externalId, String(raw.shipmentDepartureTime ?? ''), o.shippingMethod ?? '', String(o.items.length), `${o.totals.total ?? ''} ${o.currency ?? ''}`.trim(), o.shippingAddress?.name ?? ''];
            } catch (err) {
              return [String((r as { orderNumber?: unknown }).orderNumber ?? '?'), '', '', '', '', `(malformed: ${(err as Error).message.slice(0, 60)})`];
            }
          });
          process.stdout.write(formatTable(['order', 'departure (Prague)', 'carrier', 'lines', 'total', 'recipient'], rows));
          process.stdout.write(`${records.length} unshipped order(s)\n`);
        } finally {
          await opened.close();
        }
      });
  },
};
