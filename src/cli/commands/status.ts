/**
 * `orderhub channels`, `connections`, `runs`, `failures`: what there is and how it went. Error texts
 * are shown whole (wrapped on a terminal); `--json` prints what the REST API answers, by its names.
 */
import type { Command } from 'commander';
import { channels } from '../../channels/registry.ts';
import { describeConnections, listSyncRuns, runInfo } from '../../api/routes/connections.ts';
import { toFailureInfo } from '../../api/routes/failures.ts';
import { listFailures } from '../../core/store/runs.ts';
import { openContext, rejectUnknownNames, type GlobalOptions } from '../context.ts';
import { nameList, wholeNumber } from '../options.ts';
import { formatTable, printJson, truncate, withoutOwnName } from '../format.ts';

export function registerStatus(program: Command): void {
  program
    .command('channels')
    .description('the supported channel kinds and what each can do')
    .option('--json', 'print them as JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) {
        printJson(channels.all().map((c) => ({
          kind: c.kind, title: c.title, capabilities: c.capabilities, defaultTimeZone: c.defaultTimeZone, simulator: c.simulator !== undefined,
        })));
        return;
      }
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
    .description('configured connections with their health, last sync, checkpoint and last error (in full)')
    .option('--json', 'print them as GET /v1/connections does (its `data`)')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        const connections = await describeConnections({ store: ctx.store, config: ctx.config, registry: channels });
        if (opts.json) return printJson(connections);
        const rows = await ctx.store.db.selectFrom('connections').select(['name', 'checkpoint']).execute();
        const checkpoints = new Map(rows.map((r) => [r.name, r.checkpoint]));
        const table = connections.map((c) => [
          c.name, c.kind, c.health.replace(/_/g, ' '), c.lastSuccessAt ?? '-', truncate(checkpoints.get(c.name) ?? '-', 60),
          withoutOwnName(c.name, c.lastError ?? c.attention ?? ''),
        ]);
        process.stdout.write(formatTable(['connection', 'kind', 'health', 'last success', 'checkpoint', 'last error'], table, { wrap: [5] }));
      } finally {
        await ctx.close();
      }
    });

  program
    .command('runs')
    .description('recent sync runs, newest first, with their errors in full')
    .option('-c, --connection <names>', 'only these connections (comma-separated, or the option repeated)', nameList)
    .option('-n, --limit <n>', 'how many', wholeNumber(1), 20)
    .option('--json', 'print them as GET /v1/sync-runs does (its `data`)')
    .action(async (opts: { connection?: string[]; limit: number; json?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        await rejectUnknownNames(ctx, { connection: opts.connection });
        const runs = await listSyncRuns(ctx.store.db, { connection: opts.connection, limit: opts.limit });
        if (opts.json) return printJson(runs.map(runInfo));
        process.stdout.write(
          formatTable(
            ['id', 'connection', 'mode', 'status', 'started', 'fetched', 'created', 'updated', 'unchanged', 'failed', 'error'],
            runs.map((r) => [String(r.id), r.connection, r.mode, r.status, r.started_at, String(r.fetched), String(r.created), String(r.updated), String(r.unchanged), String(r.failed), withoutOwnName(r.connection, r.error ?? '')]),
            { wrap: [10] },
          ),
        );
      } finally {
        await ctx.close();
      }
    });

  program
    .command('failures')
    .description('records that could not be mapped, with the reason (raw payloads kept; --raw prints them)')
    .option('-c, --connection <names>', 'only these connections (comma-separated, or the option repeated)', nameList)
    .option('-n, --limit <n>', 'how many', wholeNumber(1), 50)
    .option('--raw', 'print each raw payload too')
    .option('--json', 'print them as GET /v1/failures does (its `data`, with the raw payloads)')
    .action(async (opts: { connection?: string[]; limit: number; raw?: boolean; json?: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      try {
        await rejectUnknownNames(ctx, { connection: opts.connection });
        // one query per connection asked for, newest first overall
        const lists = await Promise.all((opts.connection?.length ? opts.connection : [undefined]).map((connection) => listFailures(ctx.store.db, { connection, limit: opts.limit })));
        const rows = lists.flat().sort((a, b) => Number(b.id) - Number(a.id)).slice(0, opts.limit);
        if (opts.json) return printJson(rows.map(toFailureInfo));
        if (rows.length === 0) {
          process.stdout.write('no failed records\n');
          return;
        }
        process.stdout.write(formatTable(
          ['at', 'connection', 'order', 'run', 'reason'],
          rows.map((f) => [f.at, f.connection, f.external_id ?? '(no id)', f.run_id === null ? '-' : String(f.run_id), f.error]),
          { wrap: [4] },
        ));
        if (opts.raw) for (const f of rows) process.stdout.write(`\n${f.connection} ${f.external_id ?? '(no id)'} (run ${f.run_id ?? '-'}):\n${f.payload}\n`);
      } finally {
        await ctx.close();
      }
    });
}
