/**
 * `npm run bench`: sync throughput and memory, measured on this machine.
 *
 *   BENCH_ORDERS   orders in the drinks2cash simulator (default 200 000; 1 000 000 works)
 *   BENCH_DROPOHS  orders for the Dropohs no-change re-sync (default 100 000; 0 = skip)
 *   BENCH_CLOSED   orders for the closed-order re-check section (default 200 000; 0 = skip)
 *   BENCH_ONLY     comma list of sections to run: simulators,sync,dropohs,closed,api,console,dropship (default all)
 *   BENCH_CONSOLE_ORDERS  orders in the store for the console section (default 1 000 000; bench/console.ts)
 *   BENCH_API_ORDERS  orders in the store for the REST API section (default 1 000 000)
 *   BENCH_DROPSHIP_RATE / BENCH_DROPSHIP_SECONDS  Insert order load (default 200 req/s for 10 s)
 *   BENCH_CHILD_ARGV  extra node flags for the child processes (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof")
 *
 * The simulator runs in a child process so that peak RSS is the syncing process's own.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channels } from '../src/channels/registry.ts';
import { childScript } from './child-script.ts';
import { addDays, localDate } from '../src/core/canonical/time.ts';
import type { BaseConnectionConfig } from '../src/core/config.ts';
import { silentLogger } from '../src/core/log.ts';
import { openHubStore } from '../src/store-modules.ts';
import { syncConnection } from '../src/core/sync/engine.ts';
import { walkPages } from '../src/core/sync/pager.ts';
import { createConnectorRuntime } from '../src/core/sync/runtime.ts';
import { planWindows } from '../src/core/sync/windows.ts';
import { startOfLocalDay } from '../src/core/canonical/time.ts';

const only = new Set((process.env.BENCH_ONLY ?? 'simulators,sync,dropohs,closed,api,console,dropship').split(',').map((s) => s.trim()));
const log = (line: string) => process.stdout.write(`${line}\n`);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const peakRssKb = () => process.resourceUsage().maxRSS;

/**
 * Between sections: the ones before wrote gigabytes (and deleted them). Let the kernel write that back
 * first, or the next section measures the disk traffic: the dropship Insert p99 was 74 ms right after
 * the API section and 13–19 ms on its own; GET /v1/orders 1.1k req/s after the sync sections, 1.8k alone.
 */
async function settle(): Promise<void> {
  spawnSync('sync');
  await new Promise((r) => setTimeout(r, 3_000));
}

async function startSimProcess(kind: string, orders: number, since: string): Promise<{ child: ChildProcess; connection: Record<string, unknown> }> {
  const child = spawn(process.execPath, [...childScript('sim-process'), kind, String(orders), since], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator process exited with ${code}`)));
  });
  return { child, connection: (JSON.parse(first) as { connection: Record<string, unknown> }).connection };
}

async function countRows(database: string) {
  const store = await openHubStore(database);
  try {
    const n = async (t: 'orders' | 'order_journal' | 'order_payloads') =>
      Number((await store.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return { orders: await n('orders'), journal: await n('order_journal'), payloads: await n('order_payloads') };
  } finally {
    await store.close();
  }
}

async function benchSync(kind: string, orders: number, label: string, options: { floor: boolean }): Promise<void> {
  const days = 60;
  const since = addDays(localDate(new Date(), 'UTC'), -days);
  log(`\n## ${label}: ${orders.toLocaleString('en')} ${kind} orders over ${days} days`);
  const sim = await startSimProcess(kind, orders, since);
  const dir = mkdtempSync(join(tmpdir(), 'orderhub-bench-'));
  const database = join(dir, 'bench.db');
  try {
    const channel = channels.get(kind);
    const config: BaseConnectionConfig = channel.configSchema.parse({
      name: 'bench', ...sim.connection, since, pageSize: 1000,
      http: { requestsPerSecond: 100_000, concurrency: 4, timeoutMs: 60_000, deadlineMs: 600_000 },
    });
    const store = await openHubStore(database);
    const logger = silentLogger();
    const rssBefore = peakRssKb();
    let t0 = performance.now();
    const full = await syncConnection({ store, channel, config, logger });
    const fullSec = (performance.now() - t0) / 1000;
    if (full.status !== 'succeeded') throw new Error(`full sync failed: ${full.error}`);
    const afterFull = await countRows(database);
    log(`full sync:        ${full.counts.created.toLocaleString('en')} orders in ${fullSec.toFixed(1)} s = ${Math.round(full.counts.created / fullSec).toLocaleString('en')} orders/s; peak RSS ${mb(peakRssKb())} (before: ${mb(rssBefore)})`);

    t0 = performance.now();
    const again = await syncConnection({ store, channel, config, logger });
    const againSec = (performance.now() - t0) / 1000;
    if (again.status !== 'succeeded') throw new Error(`re-sync failed: ${again.error}`);
    const afterAgain = await countRows(database);
    const written = afterAgain.orders - afterFull.orders + (afterAgain.journal - afterFull.journal) + (afterAgain.payloads - afterFull.payloads);
    log(`no-change re-sync: ${again.counts.fetched.toLocaleString('en')} fetched (${again.refreshed.toLocaleString('en')} open orders re-polled) in ${againSec.toFixed(1)} s; order rows written: ${again.counts.created + again.counts.updated}; journal+payload+order rows added: ${written}`);
    await store.close();

    if (options.floor) {
      // The floor: the same windows and pages fetched and parsed, nothing mapped or stored.
      const floorStore = await openHubStore(join(dir, 'floor.db'));
      const runtime = createConnectorRuntime(floorStore, channel, config, logger);
      const windows = planWindows(startOfLocalDay(since, config.timeZone ?? channel.defaultTimeZone), new Date(), runtime.connector.maxWindowDays ?? 31);
      let fetched = 0;
      t0 = performance.now();
      const signal = new AbortController().signal;
      for (const w of windows) {
        await walkPages(runtime.connector, runtime.connector.listing === 'window' ? { kind: 'window', from: w.from, to: w.to } : { kind: 'all' }, signal, async (records) => {
          fetched += records.length;
        });
        if (runtime.connector.listing !== 'window') break;
      }
      const floorSec = (performance.now() - t0) / 1000;
      await runtime.close();
      await floorStore.close();
      log(`floor (fetch+parse only): ${fetched.toLocaleString('en')} orders in ${floorSec.toFixed(1)} s = ${Math.round(fetched / floorSec).toLocaleString('en')} orders/s; full sync / floor = ${(fullSec / floorSec).toFixed(2)}x`);
    }
    log(`final peak RSS of the syncing process: ${mb(peakRssKb())}`);
  } finally {
    sim.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs bench/<name>.ts in a child process (its heap never counts in this one's peak RSS). */
function runChild(name: string): Promise<void> {
  return new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, childScript(name), { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`bench/${name}.ts exited with ${code}`))));
  });
}

log(`orderhub benchmark — node ${process.version}, ${new Date().toISOString()}`);
// the simulators' own speed (the wall-clock goals their tests used to assert), before anything wrote to disk
if (only.has('simulators')) await runChild('simulators');
if (only.has('sync')) await benchSync('drinks2cash', Number(process.env.BENCH_ORDERS ?? 200_000), 'drinks2cash sync into a fresh SQLite store', { floor: true });
const dropohs = Number(process.env.BENCH_DROPOHS ?? 100_000);
if (only.has('dropohs') && dropohs > 0 && channels.kinds().includes('dropohs')) {
  await benchSync('dropohs', dropohs, 'Dropohs full scan and no-change re-sync', { floor: false });
}
const closed = Number(process.env.BENCH_CLOSED ?? 200_000);
if (only.has('closed') && closed > 0) {
  const { benchClosedRecheck } = await import('./closed-recheck.ts');
  await benchClosedRecheck({
    orders: closed,
    log,
    startSim: async (kind, orders, since) => {
      const sim = await startSimProcess(kind, orders, since);
      return { connection: sim.connection, stop: () => void sim.child.kill('SIGTERM') };
    },
  });
}
if (only.has('api')) {
  await settle();
  // imported here, not at the top: the API server's modules would otherwise count in the sync's peak RSS
  const { benchApi } = await import('./api.ts');
  await benchApi({ orders: Number(process.env.BENCH_API_ORDERS ?? 1_000_000), log });
}
if (only.has('console')) {
  await settle();
  const { benchConsole } = await import('./console.ts');
  await benchConsole({ orders: Number(process.env.BENCH_CONSOLE_ORDERS ?? 1_000_000), log });
}
if (only.has('dropship')) {
  await settle();
  // in a fresh process, as a server runs: not in a heap the sections above filled with a million orders
  await runChild('dropship');
}
