/**
 * `orderhub dropohs …`: what a user needs to fill in a connection — the e-shops of a token (their ids
 * go into `shopIds`) and a look at a shop's catalogue as the connector joins it with order items.
 */
import type { Command } from 'commander';
import { formatTable } from '../../cli/format.ts';
import type { ChannelCliContext } from '../../core/connector.ts';
import { OrderhubError } from '../../core/errors.ts';
import type { DropohsConfig } from './config.ts';
import { createDropohsConnector } from './connector.ts';

export interface DropohsCliOutput {
  write(line: string): void;
}

const stdout: DropohsCliOutput = { write: (line) => void process.stdout.write(`${line}\n`) };

/** A table with headers, or with --json the rows as a JSON array of objects keyed by `keys`. */
function print(out: DropohsCliOutput, json: boolean | undefined, headers: string[], keys: string[], rows: Array<Array<string | number | null>>): void {
  if (json) {
    out.write(JSON.stringify(rows.map((r) => Object.fromEntries(keys.map((k, i) => [k, r[i] ?? null]))), null, 2));
    return;
  }
  for (const line of formatTable(headers, rows.map((r) => r.map((c) => (c === null ? '' : String(c))))).trimEnd().split('\n')) out.write(line);
}

export function registerDropohsCli(command: Command, ctx: ChannelCliContext, out: DropohsCliOutput = stdout): void {
  command
    .command('shops')
    .description("list the e-shops of the connection's token (ids for `shopIds`)")
    .option('-c, --connection <name>', 'the dropohs connection (default: the only one)')
    .option('--json', 'print them as JSON')
    .action(async (opts: { connection?: string; json?: boolean }) => {
      const conn = await ctx.openConnection(opts.connection);
      try {
        const config = conn.config as DropohsConfig;
        const connector = createDropohsConnector(config, conn.context);
        const shops = await connector.client.listShops(new AbortController().signal);
        const synced = new Set(config.shopIds ?? shops.map((s) => s.id));
        print(out, opts.json, ['id', 'name', 'url', 'synced'], ['id', 'name', 'url', 'synced'],
          shops.map((s) => [s.id, s.name ?? null, s.url ?? null, synced.has(s.id) ? 'synced' : 'not synced']));
      } finally {
        await conn.close();
      }
    });

  command
    .command('catalog')
    .description('print the variants of an e-shop as order items get them (variant id, sku, VAT, name)')
    .requiredOption('-s, --shop <id>', 'e-shop id')
    .option('-c, --connection <name>', 'the dropohs connection (default: the only one)')
    .option('--json', 'print them as JSON')
    .action(async (opts: { connection?: string; shop: string; json?: boolean }) => {
      const conn = await ctx.openConnection(opts.connection);
      try {
        const shopId = Number(opts.shop);
        if (!Number.isSafeInteger(shopId) || shopId <= 0) throw new OrderhubError('usage', `--shop must be an e-shop id, got "${opts.shop}"`);
        const connector = createDropohsConnector(conn.config as DropohsConfig, conn.context);
        const catalog = await connector.catalogs.refresh(shopId, new AbortController().signal);
        print(out, opts.json, ['variant', 'sku', 'vat %', 'name'], ['variantId', 'sku', 'vatRate', 'name'],
          [...catalog.variants].map(([id, v]) => [id, v.sku ?? null, v.vatRate ?? null, v.name ?? null]));
      } finally {
        await conn.close();
      }
    });
}
