/** `orderhub run`: the scheduler, until SIGINT/SIGTERM, then drain. */
import type { Command } from 'commander';
import { channels } from '../../channels/registry.ts';
import { Scheduler } from '../../scheduler/scheduler.ts';
import { WebhookDispatcher } from '../../webhooks/dispatcher.ts';
import { WriteBackWorker } from '../../outbox/worker.ts';
import { AlertWorker } from '../../alerts/worker.ts';
import { logFileLine, openContext, type GlobalOptions } from '../context.ts';
import { wholeNumber } from '../options.ts';
import { withoutOwnName } from '../format.ts';
import { printSummaries } from './sync.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('keep every enabled connection synced on its schedule, and deliver webhooks, write-backs and alerts, until SIGINT/SIGTERM; then let running work finish')
    .option('--grace <seconds>', 'how long to wait for running syncs on shutdown before aborting them', wholeNumber(0), 30)
    .option('--no-workers', 'only sync: leave webhook, write-back and alert delivery to `orderhub serve`')
    .action(async (opts: { grace: number; workers: boolean }, cmd: Command) => {
      const ctx = await openContext(cmd.optsWithGlobals<GlobalOptions>());
      const scheduler = new Scheduler({
        store: ctx.store, registry: channels, connections: ctx.config.connections, logger: ctx.logger,
        onSummary: (s) => {
          printSummaries([s]);
          // the reason too: on a terminal the log is in a file
          if (s.status === 'failed') process.stderr.write(`error: ${s.connection}: ${withoutOwnName(s.connection, s.error ?? 'failed')}\n`);
        },
      });
      scheduler.start();
      // Deliveries are claimed with leases, so these may run here and in `serve` at the same time.
      const workers = opts.workers
        ? [
            new WebhookDispatcher({ store: ctx.store, logger: ctx.logger, allowPrivateTargets: ctx.config.webhooks.allowPrivateTargets }),
            new WriteBackWorker({ store: ctx.store, logger: ctx.logger, registry: channels, connections: ctx.config.connections }),
            new AlertWorker({ store: ctx.store, logger: ctx.logger, config: ctx.config.alerts, connections: ctx.config.connections }),
          ]
        : [];
      for (const w of workers) w.start();
      process.stderr.write(`scheduler running for ${ctx.config.connections.filter((c) => c.enabled).map((c) => `${c.name} (${c.schedule})`).join(', ')}; Ctrl-C to stop\n`);
      const log = logFileLine();
      if (log) process.stderr.write(`${log}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stderr.write('stopping: waiting for running syncs…\n');
      await scheduler.stop(opts.grace * 1000);
      await Promise.all(workers.map((w) => w.stop()));
      await ctx.close();
    });
}
