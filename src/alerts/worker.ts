/**
 * The alerts' background work, run by `orderhub run` and `orderhub serve` beside the webhook and
 * write-back workers: every round it decides what the new system events notify (notifier.ts) and
 * sends the queued messages (sender.ts); every `silenceCheckMs` it looks for connections gone silent
 * and silences that ended (silence.ts). Everything it claims or decides is locked or leased in the
 * store, so several processes may run it on one store.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { parseDuration } from '../core/canonical/time.ts';
import { PollingLoop } from '../core/sleep.ts';
import type { AlertsConfig, BaseConnectionConfig } from '../core/config.ts';
import { listConnections } from '../core/store/connections.ts';
import type { StoreHandle } from '../core/store/db.ts';
import { decideNotifications, type AlertChannel, type NotifierSettings } from './notifier.ts';
import { claimMessages, DEFAULT_ALERT_RETRY_SCHEDULE_MS, recordAttempt, scrub, transportsOf, type Transport } from './sender.ts';
import { checkSilence, type HistoryCache, type SilenceSettings } from './silence.ts';

export interface AlertWorkerOptions {
  store: StoreHandle;
  logger: Logger;
  config: AlertsConfig;
  /** the configured connections: the enabled ones are checked for silence */
  connections: readonly BaseConnectionConfig[];
  /** idle wait between rounds (default 1 s) */
  pollIntervalMs?: number;
  /** how often connections are checked for silence (default 60 s) */
  silenceCheckMs?: number;
  /** per message attempt (default 10 s) */
  timeoutMs?: number;
  retrySchedule?: readonly number[];
  leaseMs?: number;
  /** the clock silences are measured with (tests) */
  now?: () => Date;
}

export interface AlertRound {
  /** batches of system events decided */
  decided: number;
  sent: number;
  failed: number;
}

export class AlertWorker {
  readonly owner = `alerts:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly log: Logger;
  private readonly transports: Map<AlertChannel, Transport>;
  private readonly secrets: string[];
  private readonly notifier: NotifierSettings;
  private readonly silence: SilenceSettings;
  private readonly now: () => Date;
  private readonly loop: PollingLoop;
  private lastSilenceCheck = 0;
  private readonly histories: HistoryCache = new Map();

  constructor(private readonly options: AlertWorkerOptions) {
    this.log = options.logger.child({ component: 'alerts' });
    const timeoutMs = options.timeoutMs ?? 10_000;
    ({ transports: this.transports, secrets: this.secrets } = transportsOf(options.config, timeoutMs));
    this.notifier = { throttleMs: parseDuration(options.config.throttle) ?? 900_000, channels: [...this.transports.keys()] };
    this.silence = {
      silentAfter: options.config.silentAfter,
      minimumMs: parseDuration(options.config.silentMinimum) ?? 3_600_000,
      historyMs: parseDuration(options.config.silentHistory) ?? 14 * 86_400_000,
    };
    this.now = options.now ?? (() => new Date());
    this.loop = new PollingLoop(() => this.round(), options.pollIntervalMs ?? 1_000, (err) =>
      this.log.error({ err: scrub((err as Error).message, this.secrets) }, 'alerts round failed'));
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.all([...this.transports.values()].map((t) => t.close()));
  }

  /** One round of the loop: the silence check when due, then the notifications; true when it sent something. */
  private async round(): Promise<boolean> {
    if (Date.now() - this.lastSilenceCheck >= (this.options.silenceCheckMs ?? 60_000)) {
      this.lastSilenceCheck = Date.now();
      await this.checkSilence();
    }
    const r = await this.runOnce();
    return r.sent + r.failed > 0;
  }

  /** Decides every new system event, then sends the messages due. */
  async runOnce(): Promise<AlertRound> {
    let decided = 0;
    while ((await decideNotifications(this.options.store, this.notifier)) > 0) decided++;
    const { sent, failed } = await this.sendDue();
    return { decided, sent, failed };
  }

  /** Checks every enabled connection for a silence that began or ended; returns the events written. */
  async checkSilence(now = this.now()): Promise<number> {
    const rows = new Map((await listConnections(this.options.store.db)).map((r) => [r.name, r]));
    let written = 0;
    for (const c of this.options.connections) {
      const row = rows.get(c.name);
      if (!c.enabled || !row || row.health === 'needs_attention') continue;
      // up to the last successful sync: what happened since is not known yet (see silence.ts)
      const lastSuccess = row.last_success_at === null ? null : new Date(row.last_success_at);
      const until = lastSuccess !== null && lastSuccess < now ? lastSuccess : now;
      if (await checkSilence(this.options.store.db, { connection: c.name, until }, this.silence, this.histories)) written++;
    }
    return written;
  }

  private async sendDue(): Promise<{ sent: number; failed: number }> {
    const messages = await claimMessages(this.options.store, this.owner, 20, this.options.leaseMs ?? 60_000);
    let sent = 0;
    let failed = 0;
    await Promise.all(messages.map(async (m) => {
      const transport = this.transports.get(m.channel as AlertChannel);
      let error: string | null = null;
      try {
        if (!transport) throw new Error(`alerts.${m.channel} is no longer configured`);
        await transport.send(JSON.parse(m.body));
      } catch (err) {
        error = scrub((err as Error).message, this.secrets);
      }
      const state = await recordAttempt(this.options.store.db, m, this.owner, error, this.options.retrySchedule ?? DEFAULT_ALERT_RETRY_SCHEDULE_MS);
      if (state === 'sent') sent++;
      else {
        failed++;
        this.log.warn({ channel: m.channel, subject: m.subject, attempt: m.attempts, outcome: state, error }, 'alert message not sent');
      }
    }));
    return { sent, failed };
  }
}
