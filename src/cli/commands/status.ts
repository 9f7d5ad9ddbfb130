/** `orderhub channels`, `connections`, `runs`, `failures`: what there is and how it went. */
import type { Command } from 'commander';
import { channels } from '../../channels/registry.ts';
import { listConnections } from '../../core/store/connections.ts';
import { listFailures, listRuns } from '../../core/store/runs.ts';
import { openContext, rejectUnknownNames, type GlobalOptions } from '../context.ts';
import { wholeNumber } from '../options.ts';
import { formatTable, truncate } from '../format.ts';

export function registerStatus(program: Command): void {
  program
    .command('channels')
    .description('the supported channel kinds and what each can do')
    .action(() => {
      const yes = (b: boolean) => (b ? 'yes' : '-');
      const rows = channels.all().map((c) => [
        c.kind, c.title, yes(c.capabilities.pull), yes(c.capabilities.push),
        [c.capabilities.writeBack.status && 'status', c.capabilities.writeBack.tracking && 'tracking', c.capabilities.writeBack.documents && 'documents']
          .filter(Boolean).join(', ') || '-',
        c.defaultTimeZone, yes(c.simulator !== undefined),
      ]);
      process.stdout.write(formatTable(['kind', 'channel', 'pull', 'push', 'write-back', 'time zone', 'simulator'], rows));
    });

  program
    .command('connections')
    .description('configured connections with their health, last sync and checkpoint')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const rows = await listConnections(ctx.store.db);
        const byName = new Map(rows.map((r) => [r.name, r]));
        const table = ctx.config.connections.map((c) => {
          const r = byName.get(c.name);
          return [
            c.name, c.kind, c.enabled ? (r?.health ?? 'never synced') : 'disabled', r?.last_success_at ?? '-', truncate(r?.last_error ?? r?.attention ?? '', 60),
            r?.checkpoint ? truncate(r.checkpoint, 60) : '-',
          ];
        });
        process.stdout.write(formatTable(['connection', 'kind', 'health', 'last success', 'last error', 'checkpoint'], table));
      } finally {
        await ctx.close();
      }
    });

  program
    .command('runs')
    .description('recent sync runs')
    .option('-c, --connection <name>', 'only this connection')
    .option('-n, --limit <n>', 'how many', wholeNumber(1), 20)
    .action(async (opts: { connection?: string; limit: number }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        await rejectUnknownNames(ctx, { connection: opts.connection });
        const runs = await listRuns(ctx.store.db, { connection: opts.connection, limit: opts.limit });
        process.stdout.write(
          formatTable(
            ['id', 'connection', 'mode', 'status', 'started', 'fetched', 'created', 'updated', 'unchanged', 'failed', 'error'],
            runs.map((r) => [String(r.id), r.connection, r.mode, r.status, r.started_at, String(r.fetched), String(r.created), String(r.updated), String(r.unchanged), String(r.failed), truncate(r.error, 50)]),
          ),
        );
      } finally {
        await ctx.close();
      }
    });

  program
    .command('failures')
    .description('records that could not be mapped, with the reason (raw payloads kept; --raw prints them)')
    .option('-c, --connection <name>', 'only this connection')
    .option('-n, --limit <n>', 'how many', wholeNumber(1), 50)
    .option('--raw', 'print each raw payload too')
    .action(async (opts: { connection?: string; limit: number; raw?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        await rejectUnknownNames(ctx, { connection: opts.connection });
        const rows = await listFailures(ctx.store.db, { connection: opts.connection, limit: opts.limit });
        for (const f of rows) {
          process.stdout.write(`${f.at}  ${f.connection}  ${f.external_id ?? '(no id)'}  run ${f.run_id ?? '-'}: ${f.error}\n`);
          if (opts.raw) process.stdout.write(`  ${f.payload}\n`);
        }
        if (rows.length === 0) process.stdout.write('no failed records\n');
      } finally {
        await ctx.close();
      }
    });
}
