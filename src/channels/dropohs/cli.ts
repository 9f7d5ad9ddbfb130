/**
 * `orderhub dropohs …`: what a user needs to fill in a connection — the e-shops of a token (their ids
 * go into `shopIds`) and a look at a shop's catalogue as the connector joins it with order items.
 */
import type { Command } from 'commander';
import type { ChannelCliContext } from '../../core/connector.ts';
import type { DropohsConfig } from './config.ts';
import { createDropohsConnector } from './connector.ts';

export interface DropohsCliOutput {
  write(line: string): void;
}

const stdout: DropohsCliOutput = { write: (line) => void process.stdout.write(`${line}\n`) };

export function registerDropohsCli(command: Command, ctx: ChannelCliContext, out: DropohsCliOutput = stdout): void {
  command
    .command('shops')
    .description("list the e-shops of the connection's token (ids for `shopIds`)")
    .option('-c, --connection <name>', 'the dropohs connection (default: the only one)')
    .action(async (opts: { connection?: string }) => {
      const conn = await ctx.openConnection(opts.connection);
      try {
        const config = conn.config as DropohsConfig;
        const connector = createDropohsConnector(config, conn.context);
        const shops = await connector.client.listShops(new AbortController().signal);
        const synced = new Set(config.shopIds ?? shops.map((s) => s.id));
        for (const s of shops) {
          out.write(`${s.id}\t${s.name ?? ''}\t${s.url ?? ''}\t${synced.has(s.id) ? 'synced' : 'not synced'}`);
        }
      } finally {
        await conn.close();
      }
    });

  command
    .command('catalog')
    .description('print the variants of an e-shop as order items get them (variant id, sku, VAT, name)')
    .requiredOption('-s, --shop <id>', 'e-shop id')
    .option('-c, --connection <name>', 'the dropohs connection (default: the only one)')
    .action(async (opts: { connection?: string; shop: string }) => {
      const conn = await ctx.openConnection(opts.connection);
      try {
        const shopId = Number(opts.shop);
        if (!Number.isSafeInteger(shopId) || shopId <= 0) throw new Error(`--shop must be an e-shop id, got "${opts.shop}"`);
        const connector = createDropohsConnector(conn.config as DropohsConfig, conn.context);
        const catalog = await connector.catalogs.refresh(shopId, new AbortController().signal);
        for (const [id, v] of catalog.variants) out.write(`${id}\t${v.sku ?? ''}\t${v.vatRate ?? ''}\t${v.name ?? ''}`);
      } finally {
        await conn.close();
      }
    });
}
