/**
 * `orderhub demo` (what `npm start` runs): the sandbox simulators, a config pointing at them, a first
 * sync, then the scheduler with simulated live activity, printing where to look.
 *
 * A second run keeps what the first one made, so a config or a script written against it keeps
 * working: the store (data/demo.db), the API key and the ports of the simulators and of the API,
 * remembered in data/demo-state.json. The simulators generate their orders again from the same seed
 * and history; the first sync of the second run picks up from the store's checkpoints. `--reset`
 * starts afresh (on the same ports); a port that is taken now is replaced by a free one, and the demo
 * says so.
 */
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { channels } from '../../channels/registry.ts';
import type { RunningSimulator } from '../../core/connector.ts';
import { parseConfig } from '../../core/config.ts';
import { addDays, localDate } from '../../core/canonical/time.ts';
import { openHubStore } from '../../store-modules.ts';
import { countOrders, latestOrders } from '../../core/store/orders.ts';
import { startApiServer, type RunningApiServer } from '../../api/app.ts';
import { sweepArrayBuffersOnMainThread } from '../../api/reader.ts';
import { ApiKeyVerifier, createApiKey } from '../../api/store/api-keys.ts';
import { syncConnection } from '../../core/sync/engine.ts';
import { startSandbox, writeSandboxConfig, type Sandbox } from '../../sandbox/sandbox.ts';
import { Scheduler } from '../../scheduler/scheduler.ts';
import { chooseLog, openLogger, type GlobalOptions } from '../context.ts';
import { formatTable, truncate, withoutOwnName } from '../format.ts';
import { wholeNumber } from '../options.ts';
import { printSummaries } from './sync.ts';

/** The simulators' first port when none is remembered (channel i listens on it + i). */
const DEFAULT_SIMULATOR_PORT = 18100;
const DEFAULT_API_PORT = 8080;
const HISTORY_DAYS = 60;
const SEED = 42;

/** What a later run needs to come back the same (data/demo-state.json; it holds the API key, so 0600). */
const demoStateSchema = z.object({
  version: z.literal(1),
  /** first day of the simulated history */
  since: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  seed: z.number().int(),
  orders: z.number().int().min(0),
  simulatorPort: z.number().int().min(0).max(65535),
  apiPort: z.number().int().min(0).max(65535),
  apiKey: z.string().nullable(),
  /** the end of the simulators' generated history (UTC ms): the same orders at the same times next run */
  historyEnd: z.number().int().optional(),
});
type DemoState = z.infer<typeof demoStateSchema>;

interface DemoOptions {
  dir: string;
  orders?: number;
  interval: number;
  once?: boolean;
  port?: number;
  simulatorPort?: number;
  reset?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the embedded demo (npm start): simulators, a first sync, then the scheduler with live activity; a second run keeps the store, the API key and the ports (--reset starts afresh)')
    .option('--dir <dir>', 'where the demo keeps its config, database, log and state', 'data')
    .option('--orders <n>', 'orders per simulated channel (default 2000, or what the kept demo has)', wholeNumber(0))
    .option('--interval <seconds>', 'seconds between simulated activity and scheduled syncs', wholeNumber(1), 15)
    .option('--once', 'stop after the first sync (no scheduler, no API)')
    .option('--port <port>', `port of the REST API (default ${DEFAULT_API_PORT}, or the kept one; any free port when taken)`, wholeNumber(0, 65535))
    .option('--simulator-port <port>', `first port of the channel simulators, channel i on port + i (default ${DEFAULT_SIMULATOR_PORT}, or the kept one; any free ports when taken)`, wholeNumber(1, 65535))
    .option('--reset', 'start afresh: a new store, API key and history (instead of keeping those of the last run)')
    .action(async (opts: DemoOptions, cmd: Command) => runDemo(opts, cmd.optsWithGlobals<GlobalOptions>()));
}

function stateFile(dir: string): string {
  return resolve(dir, 'demo-state.json');
}

function readState(dir: string): DemoState | null {
  try {
    return demoStateSchema.parse(JSON.parse(readFileSync(stateFile(dir), 'utf8')));
  } catch {
    return null;
  }
}

function writeState(dir: string, state: DemoState): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

function removeStore(database: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(database + suffix, { force: true });
}

function daysSince(day: string): number {
  return Math.max(0, Math.round((Date.parse(localDate(new Date(), 'UTC')) - Date.parse(day)) / 86_400_000));
}

async function runDemo(opts: DemoOptions, globals: GlobalOptions): Promise<void> {
  const out = (s: string) => process.stdout.write(s);
  const dir = resolve(opts.dir);
  const database = resolve(dir, 'demo.db');
  const configFile = resolve(dir, 'demo.yaml');
  out('orderhub demo\n\n');

  const previous = readState(dir);
  const kept = opts.reset || !existsSync(database) ? null : previous;
  if (opts.reset) out(`--reset: starting afresh in ${dir} (a new store, API key and order history; the same ports)\n`);
  else if (kept) out(`keeping the demo in ${dir}: its store, API key and ports (--reset starts afresh)\n`);
  else if (existsSync(database)) out(`a store of an earlier demo without its state file: starting afresh in ${dir}\n`);
  else out(`a new demo in ${dir} (a second run keeps it; --reset starts afresh)\n`);
  if (!kept) {
    removeStore(database);
    rmSync(stateFile(dir), { force: true });
  }
  const since = kept?.since ?? addDays(localDate(new Date(), 'UTC'), -HISTORY_DAYS);
  const state: DemoState = {
    version: 1,
    since,
    seed: kept?.seed ?? SEED,
    // the size and the ports outlive --reset: a config pointing at the simulators stays right
    orders: opts.orders ?? previous?.orders ?? 2000,
    simulatorPort: opts.simulatorPort ?? previous?.simulatorPort ?? DEFAULT_SIMULATOR_PORT,
    apiPort: opts.port ?? previous?.apiPort ?? DEFAULT_API_PORT,
    apiKey: kept?.apiKey ?? null,
    // generated orders spread up to this instant: kept, a second run generates them at the same times
    // (else every order created up to now would read as changed by a few seconds on its first sync)
    historyEnd: (kept && kept.orders === (opts.orders ?? kept.orders) ? kept.historyEnd : undefined) ?? Date.now(),
  };
  if (kept && state.orders !== kept.orders) out(`--orders ${state.orders}: the simulators generate another history than the kept store's (${kept.orders} per channel)\n`);

  const sandbox = await startSimulators(state, opts.interval, database, out);
  writeSandboxConfig(configFile, sandbox.config);
  writeState(dir, state);
  const config = parseConfig(sandbox.config, channels, configFile);
  const logChoice = chooseLog(globals, () => resolve(dir, 'orderhub.log'));
  const logger = openLogger(logChoice);
  const store = await openHubStore(database);
  const before = await countOrders(store.db);

  out('\nchannel simulators on 127.0.0.1:\n');
  for (const s of sandbox.simulators) out(`  ${s.kind.padEnd(14)} ${s.simulator.baseUrl}\n`);
  out(`config: ${configFile}\n`);
  out(`\n${kept ? `the store has ${before} orders; ` : ''}first sync of ${channels.pulled(config.connections).length} connection(s)…\n`);
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
      `  ${cli} runs\n` +
      (logChoice.file ? `the log goes to ${logChoice.file} (--verbose prints it here)\n` : ''),
  );
  if (opts.once) {
    await sandbox.close();
    await store.close();
    if (summaries.some((s) => s.status === 'failed')) process.exitCode = 1;
    return;
  }
  const api = await startDemoApi(store, config, logger, state.apiPort, out);
  let key = state.apiKey;
  const keyKept = key !== null && (await new ApiKeyVerifier(store.db, 0).verify(key)) !== null;
  if (!keyKept) {
    if (key !== null) out('\nthe kept demo API key was revoked: a new one\n');
    key = (await createApiKey(store.db, { name: 'demo', scope: 'write' })).key;
    writeState(dir, { ...state, apiKey: key });
  }
  out(
    `\nOperations console: ${api.url}/ — sign in with the demo API key ${key}\n` +
    `REST API on ${api.url} (docs ${api.url}/docs) — demo API key (write scope${keyKept ? ', kept from the last run' : ''}): ${key}\n` +
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
  }, opts.interval * 1000);
  const scheduler = new Scheduler({
    store, registry: channels, connections: config.connections, logger, runAtStart: false,
    onSummary: (s) => {
      const c = s.counts;
      out(`${new Date().toISOString().slice(11, 19)} ${s.connection}: ${s.status === 'succeeded' ? 'ok' : `FAILED: ${withoutOwnName(s.connection, s.error ?? '')}`} — ${c.created} new, ${c.updated} changed, ${c.unchanged} unchanged\n`);
    },
  });
  scheduler.start();
  out(`\nsimulated channels get new orders and status changes every ${opts.interval}s; syncing on the same schedule. Ctrl-C to stop (a second run keeps this demo).\n`);
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
}

/** The simulators on the remembered ports, or on free ones (said plainly) when one of those is taken. */
async function startSimulators(state: DemoState, interval: number, database: string, out: (s: string) => void): Promise<Sandbox> {
  const options = {
    orders: state.orders, seed: state.seed, days: daysSince(state.since), database, schedule: `${interval}s`,
    ...(state.historyEnd !== undefined ? { historyEnd: state.historyEnd } : {}),
  };
  try {
    return await startSandbox(channels, { ...options, basePort: state.simulatorPort });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    const port = (err as { port?: number }).port ?? `${state.simulatorPort}+`;
    out(
      `port ${port} of the simulators (${state.simulatorPort} and up) is taken: they listen on other ports this time, ` +
        'and the config below has their URLs (a config written against an earlier run needs them too)\n',
    );
    return startSandbox(channels, { ...options, basePort: 0 });
  }
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
  logger: ReturnType<typeof openLogger>,
  port: number,
  out: (s: string) => void,
): Promise<RunningApiServer> {
  // from here on this process serves the API too
  sweepArrayBuffersOnMainThread();
  try {
    return await startApiServer({ store, config, registry: channels, logger, host: '127.0.0.1', port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    const api = await startApiServer({ store, config, registry: channels, logger, host: '127.0.0.1', port: 0 });
    out(`\nport ${port} is taken: the REST API is on ${api.url} this time\n`);
    return api;
  }
}
