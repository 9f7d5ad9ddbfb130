/**
 * `orderhub demo` (what `npm start` runs): the sandbox simulators, a config pointing at them, a first
 * sync, then the scheduler with simulated live activity, printing where to look. The demo keeps its
 * own database (data/demo.db), started afresh each time.
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { channels } from '../../channels/registry.ts';
import type { RunningSimulator } from '../../core/connector.ts';
import { parseConfig } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import { openHubStore } from '../../store-modules.ts';
import { countOrders, latestOrders } from '../../core/store/orders.ts';
import { startApiServer, type RunningApiServer } from '../../api/app.ts';
import { sweepArrayBuffersOnMainThread } from '../../api/reader.ts';
import { createApiKey } from '../../api/store/api-keys.ts';
import { syncConnection } from '../../core/sync/engine.ts';
import { startSandbox, writeSandboxConfig } from '../../sandbox/sandbox.ts';
import { Scheduler } from '../../scheduler/scheduler.ts';
import { formatTable, truncate } from '../format.ts';
import { printSummaries } from './sync.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the embedded demo (npm start): simulators, a first sync, then the scheduler with live activity')
    .option('--dir <dir>', 'where the demo keeps its config and database', 'data')
    .option('--orders <n>', 'orders per simulated channel', '2000')
    .option('--interval <seconds>', 'seconds between simulated activity and scheduled syncs', '15')
    .option('--once', 'stop after the first sync (no scheduler, no API)')
    .option('--port <port>', 'port of the REST API (default 8080, or any free port when taken)', '8080')
    .action(async (opts: { dir: string; orders: string; interval: string; once?: boolean; port: string }) => {
      const dir = resolve(opts.dir);
      const database = resolve(dir, 'demo.db');
      for (const suffix of ['', '-wal', '-shm']) rmSync(database + suffix, { force: true });
      const interval = Math.max(1, Number(opts.interval) || 15);
      const sandbox = await startSandbox(channels, { orders: Number(opts.orders) || 2000, database, schedule: `${interval}s` });
      const configFile = resolve(dir, 'demo.yaml');
      writeSandboxConfig(configFile, sandbox.config);
      const config = parseConfig(sandbox.config, channels, configFile);
      const logger = createLogger({ level: process.env.ORDERHUB_LOG_LEVEL ?? 'warn' });
      const store = await openHubStore(database);
      const out = (s: string) => process.stdout.write(s);

      out('orderhub demo\n\nchannel simulators on 127.0.0.1:\n');
      for (const s of sandbox.simulators) out(`  ${s.kind.padEnd(14)} ${s.simulator.baseUrl}\n`);
      out(`\nfirst sync of ${channels.pulled(config.connections).length} connection(s)…\n`);
      const summaries = await Promise.all(
        channels.pulled(config.connections).map((c) => syncConnection({ store, channel: channels.get(c.kind), config: c, logger })),
      );
      printSummaries(summaries);
      const latest = await latestOrders(store.db, {}, 10);
      out(`\n${await countOrders(store.db)} orders in the store; the newest:\n`);
      out(
        formatTable(
          ['connection', 'order', 'created (UTC)', 'status', 'total', 'customer'],
          latest.map((o) => [o.connection, o.externalId, o.createdAt.slice(0, 19).replace('T', ' '), o.status, `${o.totals.total ?? ''} ${o.currency ?? ''}`, truncate(o.customer.company ?? o.customer.name, 30)]),
        ),
      );
      const cli = `npx orderhub --config ${configFile}`;
      out(
        `\nwhere to look (in another terminal while this runs):\n` +
          `  ${cli} orders list\n` +
          `  ${cli} orders show <order>\n` +
          `  ${cli} orders export --format csv --out orders.csv\n` +
          `  ${cli} connections\n` +
          `  ${cli} runs\n`,
      );
      if (opts.once) {
        await sandbox.close();
        await store.close();
        if (summaries.some((s) => s.status === 'failed')) process.exitCode = 1;
        return;
      }
      const api = await startDemoApi(store, config, logger, Number(opts.port));
      const { key } = await createApiKey(store.db, { name: 'demo', scope: 'write' });
      out(
        `\nREST API on ${api.url} (docs ${api.url}/docs) — demo API key (write scope): ${key}\n` +
          `  curl -H 'Authorization: Bearer ${key}' '${api.url}/v1/orders?limit=5'\n` +
          `  curl -H 'Authorization: Bearer ${key}' '${api.url}/v1/events?limit=5'\n`,
      );
      // push channels (Alza Dropshipment) call the API we just started
      const pushed = await sandbox.connectPush({ serverUrl: api.url, store, connections: config.connections });
      if (pushed.length > 0) {
        out(`\npush channels call this API: ${pushed.map((s) => `${s.kind} (${s.simulator.baseUrl} → ${api.url})`).join(', ')}\n`);
        out(`  ${cli} stock list\n  ${cli} alza-dropship orders\n`);
        sandbox.tick();
      }
      const activity = setInterval(() => {
        sandbox.tick();
        void reportPushActivity(pushed.map((s) => s.simulator), out);
      }, interval * 1000);
      const scheduler = new Scheduler({
        store, registry: channels, connections: config.connections, logger, runAtStart: false,
        onSummary: (s) => {
          const c = s.counts;
          out(`${new Date().toISOString().slice(11, 19)} ${s.connection}: ${s.status === 'succeeded' ? 'ok' : `FAILED: ${s.error}`} — ${c.created} new, ${c.updated} changed, ${c.unchanged} unchanged\n`);
        },
      });
      scheduler.start();
      out(`\nsimulated channels get new orders and status changes every ${interval}s; syncing on the same schedule. Ctrl-C to stop.\n`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      clearInterval(activity);
      out('stopping…\n');
      await scheduler.stop();
      await api.close();
      await sandbox.close();
      await store.close();
    });
}

async function reportPushActivity(simulators: RunningSimulator[], out: (s: string) => void): Promise<void> {
  for (const sim of simulators) {
    try {
      const line = await sim.describeActivity?.();
      if (line) out(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
    } catch {
      // the store is closing (Ctrl-C): nothing to report
    }
  }
}

/** The API on the requested port, or on any free port when it is taken (a second demo, another service). */
async function startDemoApi(
  store: Awaited<ReturnType<typeof openHubStore>>,
  config: ReturnType<typeof parseConfig>,
  logger: ReturnType<typeof createLogger>,
  port: number,
): Promise<RunningApiServer> {
  // from here on this process serves the API too
  sweepArrayBuffersOnMainThread();
  try {
    return await startApiServer({ store, config, registry: channels, logger, host: '127.0.0.1', port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return startApiServer({ store, config, registry: channels, logger, host: '127.0.0.1', port: 0 });
  }
}
