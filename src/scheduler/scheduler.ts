/**
 * Keeps every connection synced on its schedule ("5m" intervals or cron expressions) until stopped.
 * One sync per connection at a time; stop() lets running syncs finish (drain), then aborts them if
 * they outlast the grace period.
 */
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { parseDuration } from '../core/canonical/time.ts';
import type { BaseConnectionConfig } from '../core/config.ts';
import type { ChannelRegistry } from '../core/registry.ts';
import type { StoreHandle } from '../core/store/db.ts';
import { getConnection } from '../core/store/connections.ts';
import { syncConnection, type SyncSummary } from '../core/sync/engine.ts';

export interface SchedulerOptions {
  store: StoreHandle;
  registry: ChannelRegistry;
  connections: BaseConnectionConfig[];
  logger: Logger;
  onSummary?: (summary: SyncSummary) => void;
  /** run every connection once right away (default true) */
  runAtStart?: boolean;
}

export class Scheduler {
  private readonly controller = new AbortController();
  private readonly running = new Map<string, Promise<void>>();
  private readonly timers: Array<{ stop(): void }> = [];
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {}

  start(): void {
    for (const config of this.options.registry.pulled(this.options.connections)) {
      const every = parseDuration(config.schedule);
      if (every !== null) {
        const timer = setInterval(() => this.trigger(config), every);
        this.timers.push({ stop: () => clearInterval(timer) });
      } else {
        const job = new Cron(config.schedule, { protect: true }, () => this.trigger(config));
        this.timers.push({ stop: () => job.stop() });
      }
      if (this.options.runAtStart !== false) this.trigger(config);
    }
  }

  /** Starts a sync unless one is running for that connection. Returns the running sync. */
  trigger(config: BaseConnectionConfig): Promise<void> {
    const existing = this.running.get(config.name);
    if (existing || this.stopped) return existing ?? Promise.resolve();
    const run = this.runOnce(config).finally(() => this.running.delete(config.name));
    this.running.set(config.name, run);
    return run;
  }

  private async runOnce(config: BaseConnectionConfig): Promise<void> {
    const { store, registry, logger } = this.options;
    const row = await getConnection(store.db, config.name);
    // A connection whose credentials were refused is not retried on a timer: channels such as Alza
    // blacklist clients that keep sending wrong credentials. A manual `orderhub sync` clears it.
    if (row?.health === 'needs_attention') {
      logger.warn({ connection: config.name, attention: row.attention }, 'connection needs attention; scheduled sync skipped');
      return;
    }
    const summary = await syncConnection(
      { store, channel: registry.get(config.kind), config, logger },
      { signal: this.controller.signal },
    );
    this.options.onSummary?.(summary);
  }

  /** Stops scheduling, waits for running syncs up to graceMs, then aborts what is left. */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) t.stop();
    const all = Promise.allSettled([...this.running.values()]);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    if ((await Promise.race([all, grace])) === 'timeout') {
      this.controller.abort(new Error('scheduler stopped'));
      await all;
    }
    clearTimeout(timer);
  }
}
