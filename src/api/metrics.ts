/**
 * Prometheus metrics (prom-client), one registry per server. Store-wide figures (orders, sync runs,
 * webhook backlog, write-backs) are read from the store at scrape time, so they are right whichever
 * process did the work (scheduler, CLI, another server); request latency and this process's own
 * deliveries and syncs are counted in memory.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreHandle } from '../core/store/db.ts';
import type { SyncSummary } from '../core/sync/engine.ts';
import { deliveryBacklog } from '../webhooks/store.ts';
import { writeBackCounts } from '../outbox/store.ts';

export class ApiMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly syncDuration: Histogram<'connection' | 'status'>;
  readonly webhookDeliveries: Counter<'outcome'>;
  readonly webhookDuration: Histogram;
  readonly writeBackOutcomes: Counter<'outcome'>;

  constructor(store: StoreHandle) {
    const registers = [this.registry];
    this.httpDuration = new Histogram({
      name: 'orderhub_http_request_duration_seconds',
      help: 'REST API request latency',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.syncDuration = new Histogram({
      name: 'orderhub_sync_duration_seconds',
      help: 'duration of syncs started by this server (POST /v1/connections/{name}/sync)',
      labelNames: ['connection', 'status'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'orderhub_webhook_deliveries_total',
      help: 'webhook delivery attempts made by this process, by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.webhookDuration = new Histogram({
      name: 'orderhub_webhook_delivery_duration_seconds',
      help: 'time from sending a webhook to the receiver\'s answer',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
      registers,
    });
    this.writeBackOutcomes = new Counter({
      name: 'orderhub_write_back_attempts_total',
      help: 'write-back attempts made by this process, by outcome',
      labelNames: ['outcome'],
      registers,
    });

    const db = store.db;
    new Gauge({
      name: 'orderhub_orders',
      help: 'orders in the store, by connection',
      labelNames: ['connection'],
      registers,
      // read from the database: taken once, not summed, when `serve --processes` aggregates workers
      aggregator: 'first',
      async collect() {
        this.reset();
        const rows = await db.selectFrom('orders').select(['connection', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('connection').execute();
        for (const r of rows) this.set({ connection: r.connection }, Number(r.n));
      },
    });
    new Gauge({
      name: 'orderhub_orders_synced_total',
      help: 'orders created or changed by sync runs (all processes), by connection and result',
      labelNames: ['connection', 'result'],
      registers,
      // read from the database: taken once, not summed, when `serve --processes` aggregates workers
      aggregator: 'first',
      async collect() {
        this.reset();
        const rows = await db
          .selectFrom('sync_runs')
          .select(['connection', (eb) => eb.fn.sum<number>('created').as('created'), (eb) => eb.fn.sum<number>('updated').as('updated')])
          .groupBy('connection')
          .execute();
        for (const r of rows) {
          this.set({ connection: r.connection, result: 'created' }, Number(r.created ?? 0));
          this.set({ connection: r.connection, result: 'updated' }, Number(r.updated ?? 0));
        }
      },
    });
    new Gauge({
      name: 'orderhub_sync_errors_total',
      help: 'failed sync runs (all processes), by connection',
      labelNames: ['connection'],
      registers,
      // read from the database: taken once, not summed, when `serve --processes` aggregates workers
      aggregator: 'first',
      async collect() {
        this.reset();
        const rows = await db
          .selectFrom('sync_runs')
          .select(['connection', (eb) => eb.fn.countAll<number>().as('n')])
          .where('status', '=', 'failed')
          .groupBy('connection')
          .execute();
        for (const r of rows) this.set({ connection: r.connection }, Number(r.n));
      },
    });
    new Gauge({
      name: 'orderhub_sync_last_duration_seconds',
      help: 'duration of the last finished sync run, by connection',
      labelNames: ['connection'],
      registers,
      // read from the database: taken once, not summed, when `serve --processes` aggregates workers
      aggregator: 'first',
      async collect() {
        this.reset();
        const rows = await db
          .selectFrom('sync_runs as r')
          .select(['r.connection', 'r.started_at', 'r.finished_at'])
          .where('r.finished_at', 'is not', null)
          .where('r.id', 'in', (eb) => eb.selectFrom('sync_runs').select((e) => e.fn.max('id').as('id')).where('finished_at', 'is not', null).groupBy('connection'))
          .execute();
        for (const r of rows) this.set({ connection: r.connection }, (Date.parse(r.finished_at!) - Date.parse(r.started_at)) / 1000);
      },
    });
    new Gauge({
      name: 'orderhub_webhook_backlog',
      help: 'webhook deliveries waiting (pending) or dead-lettered (dead)',
      labelNames: ['state'],
      registers,
      // read from the database: taken once, not summed, when `serve --processes` aggregates workers
      aggregator: 'first',
      async collect() {
        const b = await deliveryBacklog(db);
        this.set({ state: 'pending' }, b.pending);
        this.set({ state: 'dead' }, b.dead);
      },
    });
    new Gauge({
      name: 'orderhub_write_backs',
      help: 'write-back requests by state',
      labelNames: ['state'],
      registers,
      // read from the database: taken once, not summed, when `serve --processes` aggregates workers
      aggregator: 'first',
      async collect() {
        this.reset();
        for (const [state, n] of Object.entries(await writeBackCounts(db))) this.set({ state }, n);
      },
    });
  }

  observeSync(s: SyncSummary): void {
    this.syncDuration.observe({ connection: s.connection, status: s.status }, s.durationMs / 1000);
  }

  observeDeliveries(r: { delivered: number; failed: number; dead: number; durationsMs: number[] }): void {
    if (r.delivered) this.webhookDeliveries.inc({ outcome: 'delivered' }, r.delivered);
    if (r.failed - r.dead) this.webhookDeliveries.inc({ outcome: 'failed' }, r.failed - r.dead);
    if (r.dead) this.webhookDeliveries.inc({ outcome: 'dead' }, r.dead);
    for (const ms of r.durationsMs) this.webhookDuration.observe(ms / 1000);
  }
}
