/** `orderhub sync`: one pass over the configured connections, with a progress bar on a terminal. */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { channels } from '../../channels/registry.ts';
import { syncConnection, type SyncProgress, type SyncSummary } from '../../core/sync/engine.ts';
import { openContext, routeTerminalLog, selectConnections, UsageError, type GlobalOptions } from '../context.ts';
import { formatTable, withoutOwnName } from '../format.ts';

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('fetch new and changed orders from every configured connection (one pass)')
    .option('-c, --connection <name>', 'only this connection')
    .option('--since <date>', 'backfill from this day (YYYY-MM-DD, channel time zone) instead of the checkpoint')
    .option('--full', 'fetch and map everything again from the configured `since` (unchanged orders still write nothing)')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { connection?: string; since?: string; full?: boolean; json?: boolean }, cmd: Command) => {
      if (opts.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.since)) throw new UsageError(`--since must be a date YYYY-MM-DD, got "${opts.since}"`);
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      const controller = new AbortController();
      const stop = () => controller.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const summaries = await runSyncs(ctx, opts, controller.signal);
        if (opts.json) process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
        else printSummaries(summaries);
        const failed = summaries.filter((s) => s.status === 'failed');
        if (failed.length > 0) {
          for (const f of failed) process.stderr.write(`error: ${f.connection}: ${withoutOwnName(f.connection, f.error ?? 'failed')}\n`);
          process.exitCode = 1;
        }
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await ctx.close();
      }
    });
}

async function runSyncs(
  ctx: Awaited<ReturnType<typeof openContext>>,
  opts: { connection?: string; since?: string; full?: boolean },
  signal: AbortSignal,
): Promise<SyncSummary[]> {
  const selected = channels.pulled(selectConnections(ctx.config, opts.connection).map((c) => (opts.connection ? { ...c, enabled: true } : c)));
  if (opts.connection && selected.length === 0) {
    throw new UsageError(`${opts.connection} is a push channel: its orders arrive through \`orderhub serve\`, there is nothing to sync`);
  }
  const tty = process.stderr.isTTY === true;
  const bars = tty
    ? new cliProgress.MultiBar(
        { format: ' {connection} |{bar}| {state}', barsize: 24, hideCursor: true, clearOnComplete: false, linewrap: true, forceRedraw: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  // (ESC[J first: a log line longer than the bars it is written over leaves none of them behind;
  // forceRedraw: then every bar is drawn again, changed or not)
  if (bars) routeTerminalLog((text) => bars.log(`\x1b[J${text}`));
  try {
    const width = Math.max(...selected.map((c) => c.name.length));
    // Connections are independent: sync them concurrently, each behind its own rate limit.
    return await Promise.all(
      selected.map(async (config) => {
        const bar = bars?.create(1, 0, { connection: config.name.padEnd(width), state: 'starting' });
        let last: SyncProgress | undefined;
        const summary = await syncConnection(
          { store: ctx.store, channel: channels.get(config.kind), config, logger: ctx.logger },
          {
            since: opts.since,
            full: opts.full,
            signal,
            onProgress: (p) => {
              last = p;
              bar?.setTotal(Math.max(1, p.windows));
              bar?.update(p.window, { state: progressText(p) });
            },
          },
        );
        // a failed run keeps its bar where it stopped and says so; the error itself follows the bars
        if (summary.status === 'failed') bar?.update({ state: `FAILED${last ? ` at ${phaseText(last)}` : ''} (error below)` });
        else bar?.update(bar.getTotal(), { state: `done · ${countsText(summary.counts)}` });
        return summary;
      }),
    );
  } finally {
    routeTerminalLog(null);
    bars?.update(); // writes the log lines still waiting above the bars
    bars?.stop();
  }
}

function phaseText(p: SyncProgress): string {
  if (p.phase === 'refresh') return 're-reading open orders';
  // p.window counts the windows (parts) done: the one being fetched is the next
  return `${p.phase === 'windows' ? 'window' : 'part'} ${Math.min(p.window + 1, p.windows)}/${p.windows}`;
}

function countsText(c: SyncSummary['counts']): string {
  return `${c.fetched} fetched · ${c.created} new · ${c.updated} changed`;
}

function progressText(p: SyncProgress): string {
  return `${phaseText(p)} · ${countsText(p.counts)}`;
}

export function printSummaries(summaries: SyncSummary[]): void {
  const rows = summaries.map((s) => [
    s.connection, s.status === 'succeeded' ? 'ok' : 'FAILED', s.mode, String(s.counts.fetched), String(s.counts.created),
    String(s.counts.updated), String(s.counts.unchanged), String(s.counts.failed), String(s.refreshed), String(s.rechecked),
    `${(s.durationMs / 1000).toFixed(1)}s`,
  ]);
  process.stdout.write(
    formatTable(['connection', 'result', 'mode', 'fetched', 'created', 'updated', 'unchanged', 'failed', 're-polled', 're-checked', 'time'], rows),
  );
  for (const s of summaries) {
    for (const w of s.warnings) process.stdout.write(`warning: ${s.connection}: ${w}\n`);
    if (s.counts.failed > 0) process.stdout.write(`note: ${s.connection}: ${s.counts.failed} record(s) could not be mapped; their raw payloads are kept (orderhub failures -c ${s.connection})\n`);
  }
}
