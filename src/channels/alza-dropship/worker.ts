/**
 * Background work of the dropship channel while the server runs: release reservations whose
 * validUntil passed, store canonical orders whose projection failed, queue Availability (an `Update`
 * every `updateMinutes` when stock changed, a `PartialFull` each night between 00:00 and 06:00
 * Prague time) and deliver the Buyer API outbox.
 */
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import { HttpClient } from '../../core/http/client.ts';
import type { StoreHandle } from '../../core/store/db.ts';
import { BuyerApiClient } from './buyer/client.ts';
import { queueAvailability } from './buyer/messages.ts';
import { deliverOutbox } from './buyer/outbox.ts';
import type { AlzaDropshipConfig } from './config.ts';
import type { DropshipProjections } from './projection.ts';
import { DROPSHIP_ZONE } from './protocol.ts';
import { dropshipDb } from './store.ts';
import { releaseExpiredReservations } from './expiry.ts';
import { pruneTokens } from './replay.ts';

/** The HTTP client towards a connection's Buyer API, from the connection's http settings. */
export function buyerHttpClient(config: AlzaDropshipConfig, logger: Logger): HttpClient {
  return new HttpClient({
    baseUrl: config.buyerApiUrl,
    connection: config.name,
    logger: logger.child({ connection: config.name }),
    timeoutMs: config.http.timeoutMs,
    deadlineMs: Math.max(config.http.deadlineMs, config.http.timeoutMs),
    maxAttempts: 1,
    requestsPerSecond: config.http.requestsPerSecond,
    concurrency: config.http.concurrency,
    userAgent: 'Dropship-API/1.0 (orderhub)',
  });
}

/** One Buyer API client per connection: the given ones, else built from the connection's settings. */
export interface BuyerClients {
  get(connection: string): BuyerApiClient;
  /** closes the HTTP clients built here (not the given ones) */
  close(): Promise<void>;
}

export function buyerClients(
  connections: readonly AlzaDropshipConfig[],
  logger: Logger,
  given?: ReadonlyMap<string, BuyerApiClient>,
): BuyerClients {
  const clients = new Map<string, BuyerApiClient>();
  const own: HttpClient[] = [];
  for (const c of connections) {
    const client = given?.get(c.name);
    if (client) {
      clients.set(c.name, client);
    } else {
      const http = buyerHttpClient(c, logger);
      own.push(http);
      clients.set(c.name, new BuyerApiClient(c, http));
    }
  }
  return {
    get(connection) {
      const client = clients.get(connection);
      if (!client) throw new Error(`no Buyer API client for connection ${connection}`);
      return client;
    },
    close: async () => {
      await Promise.all(own.map((h) => h.close()));
    },
  };
}

/**
 * Queues the Availability the doc asks for, if due. Returns the importType queued, or null.
 * The first one is a `PartialFull`; then an `Update` only when something changed (an empty Update is
 * never sent), and a `PartialFull` each night.
 */
export async function autoAvailability(store: StoreHandle, config: AlzaDropshipConfig, now: Date): Promise<'Update' | 'PartialFull' | null> {
  const db = dropshipDb(store);
  const rows = await db
    .selectFrom('dropship_outbox')
    .select(['pace', (eb) => eb.fn.max('created_at').as('last')])
    .where('connection', '=', config.name)
    .where('kind', '=', 'availability')
    .groupBy('pace')
    .execute();
  const last = new Map(rows.map((r) => [r.pace, r.last as string | null]));
  const lastFull = last.get('availability.PartialFull');
  // A branch's first availability is its full state; Updates are for changes only ("never everything").
  if (!lastFull) {
    await queueAvailability(store, config, { importType: 'PartialFull', now });
    return 'PartialFull';
  }
  if (config.availability.nightlyPartialFull) {
    const local = DateTime.fromJSDate(now, { zone: config.timeZone ?? DROPSHIP_ZONE });
    const night = local.startOf('day');
    if (local.hour < 6 && Date.parse(lastFull) < night.toMillis()) {
      await queueAvailability(store, config, { importType: 'PartialFull', now });
      return 'PartialFull';
    }
  }
  const lastUpdate = last.get('availability.Update');
  if (lastUpdate && now.getTime() - Date.parse(lastUpdate) < config.availability.updateMinutes * 60_000) return null;
  const queued = await queueAvailability(store, config, { importType: 'Update', now });
  return queued.messageIds.length > 0 ? 'Update' : null;
}

export interface WorkerOptions {
  store: StoreHandle;
  /** the store's projections in this process (projection.ts) */
  projections: DropshipProjections;
  connections: readonly AlzaDropshipConfig[];
  logger: Logger;
  now?: () => Date;
  /** per connection; built from the connection's settings when absent */
  clients?: ReadonlyMap<string, BuyerApiClient>;
  /** deliver the outbox (default true) */
  deliver?: boolean;
}

export class DropshipWorker {
  private readonly clients: BuyerClients;
  private readonly now: () => Date;
  private lastAvailabilityCheck = 0;
  private running: Promise<void> | null = null;
  private readonly abort = new AbortController();

  constructor(private readonly opts: WorkerOptions) {
    this.now = opts.now ?? (() => new Date());
    this.clients = buyerClients(opts.connections, opts.logger, opts.clients);
  }

  /** One round; a round still running is joined rather than started twice. */
  tick(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    const { store, projections, logger } = this.opts;
    const now = this.now();
    await this.step('release expired reservations', () => releaseExpiredReservations(store, now, { projections, logger }));
    const checkAvailability = now.getTime() - this.lastAvailabilityCheck >= 60_000;
    if (checkAvailability) this.lastAvailabilityCheck = now.getTime();
    if (checkAvailability) await this.step('forget expired tokens', () => pruneTokens(store, now));
    for (const config of this.opts.connections) {
      if (this.abort.signal.aborted) return;
      await this.step('store canonical orders', () => projections.project(config.name, { now, logger }));
      if (checkAvailability && config.availability.auto) await this.step('queue availability', () => autoAvailability(store, config, now));
      if (this.opts.deliver !== false) {
        await this.step('deliver Buyer API messages', () =>
          deliverOutbox({ store, projections, config, client: this.clients.get(config.name), now: this.now, logger, signal: this.abort.signal }));
      }
    }
  }

  private async step(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.opts.logger.error({ err: (err as Error).message }, `alza-dropship: ${what} failed`);
    }
  }

  async close(): Promise<void> {
    this.abort.abort(new Error('alza-dropship worker closed'));
    await this.running?.catch(() => undefined);
    await this.clients.close();
  }
}
