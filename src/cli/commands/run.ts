/** `orderhub run`: the scheduler, until SIGINT/SIGTERM, then drain. */
import type { Command } from 'commander';
import { channels } from '../../channels/registry.ts';
import { Scheduler } from '../../scheduler/scheduler.ts';
import { openContext, type GlobalOptions } from '../context.ts';
import { printSummaries } from './sync.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('keep every enabled connection synced on its schedule until SIGINT/SIGTERM, then let running syncs finish')
    .option('--grace <seconds>', 'how long to wait for running syncs on shutdown before aborting them', '30')
    .action(async (opts: { grace: string }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      const scheduler = new Scheduler({
        store: ctx.store, registry: channels, connections: ctx.config.connections, logger: ctx.logger,
        onSummary: (s) => printSummaries([s]),
      });
      scheduler.start();
      process.stderr.write(`scheduler running for ${ctx.config.connections.filter((c) => c.enabled).map((c) => `${c.name} (${c.schedule})`).join(', ')}; Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stderr.write('stopping: waiting for running syncs…\n');
      await scheduler.stop(Number(opts.grace) * 1000);
      await ctx.close();
    });
}
