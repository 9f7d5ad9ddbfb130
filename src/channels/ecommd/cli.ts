/**
 * `orderhub ecommd stores|regions|localities --region ID|sectors|products --search TEXT|promocodes
 * [--connection NAME] [--json]` — reference-data lookups against a configured ecom.md connection:
 * the ids an ERP needs to fill an upsert (shop, region_id, locality_id, sector, product, promocode).
 */
import type { Command } from 'commander';
import { formatTable, truncate } from '../../cli/format.ts';
import type { ChannelCliContext } from '../../core/connector.ts';
import { OrderhubError } from '../../core/errors.ts';
import { ecommdConfigSchema } from './config.ts';
import { createEcommdClient } from './connector.ts';
import { EcommdReference } from './reference.ts';

export interface CliIo {
  out(text: string): void;
}

const stdoutIo: CliIo = { out: (text) => void process.stdout.write(text) };

interface CommonOptions {
  connection?: string;
  json?: boolean;
}

interface Listing<R> {
  headers: string[];
  cells(row: R): string[];
}

const yesNo = (b: boolean | null) => (b === null ? '' : b ? 'yes' : 'no');

async function run<R>(
  ctx: ChannelCliContext,
  io: CliIo,
  opts: CommonOptions,
  fetch: (ref: EcommdReference) => Promise<R[]>,
  listing: Listing<R>,
): Promise<void> {
  const conn = await ctx.openConnection(opts.connection);
  try {
    // the registry parsed the entry with this very schema; parse again for the ecom.md fields' types
    const config = ecommdConfigSchema.parse(conn.config);
    const ref = new EcommdReference(createEcommdClient(config, conn.context), config);
    const rows = await fetch(ref);
    if (opts.json) io.out(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0) io.out('(none)\n');
    else io.out(formatTable(listing.headers, rows.map((r) => listing.cells(r))));
  } finally {
    await conn.close();
  }
}

function common(cmd: Command): Command {
  return cmd.option('-c, --connection <name>', 'the ecom.md connection (needed when several are configured)').option('--json', 'print JSON instead of a table');
}

export function registerEcommdCli(command: Command, ctx: ChannelCliContext, io: CliIo = stdoutIo): void {
  common(command.command('stores').description('stores (branches) of the site: ids for `shop` and pickup'))
    .action((opts: CommonOptions) =>
      run(ctx, io, opts, (r) => r.stores(), {
        headers: ['ID', 'ACTIVE', 'NAME', 'ADDRESS', 'ZIP', 'PHONES', 'EMAIL'],
        cells: (s) => [s.id, yesNo(s.active), truncate(s.name, 40), truncate(s.address, 50), s.zipCode ?? '', s.phones.join(', '), s.email ?? ''],
      }),
    );

  common(command.command('regions').description('regions (municipalities and raions): ids for `region_id`'))
    .action((opts: CommonOptions) =>
      run(ctx, io, opts, (r) => r.regions(), { headers: ['ID', 'NAME'], cells: (p) => [p.id, p.name] }),
    );

  common(command.command('localities').description('localities (settlements) of one region: ids for `locality_id`'))
    .requiredOption('--region <id>', 'region id (see `orderhub ecommd regions`)')
    .action((opts: CommonOptions & { region: string }) =>
      run(ctx, io, opts, (r) => r.localities(opts.region), {
        headers: ['ID', 'NAME', 'ZIP'],
        cells: (p) => [p.id, p.name, p.zipCode ?? ''],
      }),
    );

  common(command.command('sectors').description('Chișinău sectors: ids for `sector`'))
    .action((opts: CommonOptions) =>
      run(ctx, io, opts, (r) => r.sectors(), { headers: ['ID', 'NAME'], cells: (p) => [p.id, p.name] }),
    );

  common(command.command('products').description('search products by id, code or name: ids for `product`'))
    .requiredOption('--search <text>', 'an id, a code or (part of) a name')
    .option('--limit <n>', 'at most this many rows', '50')
    .action((opts: CommonOptions & { search: string; limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new OrderhubError('usage', `--limit must be a positive integer, got "${opts.limit}"`);
      return run(ctx, io, opts, (r) => r.products(opts.search, limit), {
        headers: ['ID', 'CODE', 'NAME', 'PRICE', 'LOYALTY', 'ACTIVE'],
        cells: (p) => [p.id, p.code ?? '', truncate(p.name, 60), p.price ?? '', p.loyaltyPrice ?? '', yesNo(p.active)],
      });
    });

  common(command.command('promocodes').description('promo codes: ids for `promocode`'))
    .action((opts: CommonOptions) =>
      run(ctx, io, opts, (r) => r.promoCodes(), {
        headers: ['ID', 'CODE', 'DISCOUNT', 'TYPE', 'FROM', 'TO', 'ACTIVE'],
        cells: (p) => [p.id, p.code, p.discount ?? '', p.discountType ?? '', p.validFrom ?? '', p.validTo ?? '', yesNo(p.active)],
      }),
    );
}
