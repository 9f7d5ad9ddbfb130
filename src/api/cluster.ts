/**
 * `orderhub serve --processes N`: the REST API served by N processes sharing one port (node:cluster),
 * so one machine's cores all answer requests — a single Node process tops out at one core, and a page
 * of orders from the database costs ~0.5 ms of it.
 *
 * The primary process only supervises: it forks the workers (each runs the same `orderhub serve`
 * command line and opens its own store connection), hands them connections round-robin, restarts a
 * worker that dies, aggregates their Prometheus metrics, and on SIGINT/SIGTERM tells every worker to
 * drain (SIGTERM) and waits for them; a worker whose primary dies exits (node:cluster). Worker 0
 * alone runs the webhook dispatcher and the write-back worker (several would be safe, they claim
 * under leases, but on SQLite they would only contend for the write lock); the others serve HTTP.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

const ROLE_ENV = 'ORDERHUB_SERVE_WORKER';
/** a worker that exits this soon after starting is crashing, not dying of an incident */
const CRASH_WINDOW_MS = 10_000;
const MAX_QUICK_CRASHES = 3;
const DRAIN_TIMEOUT_MS = 30_000;

type Message =
  | { type: 'orderhub:ready'; url: string }
  | { type: 'orderhub:failed'; message: string }
  | { type: 'orderhub:metrics?'; id: number }
  | { type: 'orderhub:metrics'; id: number; text?: string; error?: string };

function isMessage(m: unknown): m is Message {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && (m as { type: string }).type.startsWith('orderhub:');
}

/** `auto` = the cores this process may use; otherwise a positive integer. */
export function parseProcesses(value: string, cores: number): number {
  if (value === 'auto') return Math.max(1, cores);
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new RangeError(`--processes must be a whole number from 1 to 256 or "auto", got "${value}"`);
  return n;
}

/** This process's worker index when it is a worker of `serve --processes`, else null. */
export function serveWorkerIndex(): number | null {
  const v = process.env[ROLE_ENV];
  return cluster.isWorker && v !== undefined ? Number(v) : null;
}

// ---------------------------------------------------------------------------------------- primary

export interface ClusterOptions {
  processes: number;
  /** progress and problems, one line each */
  log(line: string): void;
  /** resolves when the cluster should stop (SIGINT/SIGTERM) */
  stop: Promise<void>;
  /** called once every worker listens */
  onReady?(url: string): void;
}

/**
 * Runs the primary until `stop` resolves and every worker has drained. Resolves with the exit code:
 * 0 after a clean stop, 1 when the workers could not start (each failure is logged).
 */
export async function runServeCluster(opts: ClusterOptions): Promise<number> {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let failed = false;
  let quickCrashes = 0;
  const started = new Map<Worker, number>();
  const ready = new Set<number>();
  let announced = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  const fork = (index: number): void => {
    const worker = cluster.fork({ [ROLE_ENV]: String(index) });
    started.set(worker, Date.now());
    worker.on('message', (m: unknown) => {
      if (!isMessage(m)) return;
      if (m.type === 'orderhub:ready') {
        ready.add(index);
        if (!announced && ready.size === opts.processes) {
          announced = true;
          opts.onReady?.(m.url);
        }
      } else if (m.type === 'orderhub:failed') {
        opts.log(`worker ${index} could not start: ${m.message}`);
        failed = true;
        shutdown();
      } else if (m.type === 'orderhub:metrics?') {
        aggregator.clusterMetrics().then(
          (text) => worker.send({ type: 'orderhub:metrics', id: m.id, text }),
          (err: unknown) => worker.send({ type: 'orderhub:metrics', id: m.id, error: (err as Error).message }),
        );
      }
    });
    worker.on('exit', (code, signal) => {
      const lived = Date.now() - (started.get(worker) ?? 0);
      started.delete(worker);
      ready.delete(index);
      if (!stopping) {
        const how = signal ?? `code ${code}`;
        quickCrashes = lived < CRASH_WINDOW_MS ? quickCrashes + 1 : 0;
        if (quickCrashes >= MAX_QUICK_CRASHES) {
          opts.log(`worker ${index} exited (${how}); workers keep exiting within ${CRASH_WINDOW_MS / 1000} s of starting, giving up`);
          failed = true;
          shutdown();
        } else {
          opts.log(`worker ${index} exited (${how}); starting a new one`);
          fork(index);
        }
      }
      if (stopping && started.size === 0) resolveDone();
    });
  };

  function shutdown(): void {
    if (stopping) return;
    stopping = true;
    if (started.size === 0) return resolveDone();
    // A signal, not a message: a worker still loading its modules has no listener yet and would lose
    // a message; a signal either finds its drain handler or ends a worker that serves nothing yet.
    for (const worker of started.keys()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of started.keys()) {
        opts.log(`worker ${worker.process.pid} did not drain within ${DRAIN_TIMEOUT_MS / 1000} s; killing it`);
        worker.process.kill('SIGKILL');
      }
    }, DRAIN_TIMEOUT_MS).unref();
  }

  for (let i = 0; i < opts.processes; i++) fork(i);
  void opts.stop.then(shutdown);
  await done;
  return failed ? 1 : 0;
}

// ----------------------------------------------------------------------------------------- worker

function send(m: Message): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(m, undefined, undefined, () => resolve());
  });
}

export const workerLink = {
  ready(url: string): Promise<void> {
    return send({ type: 'orderhub:ready', url });
  },
  failed(message: string): Promise<void> {
    return send({ type: 'orderhub:failed', message });
  },
  /**
   * Lets the primary collect this worker's metrics, and returns what GET /metrics should answer in
   * this worker: every worker's metrics aggregated by the primary (counters and histograms summed,
   * figures read from the database taken once), so a scrape is the same whichever worker answers.
   */
  shareMetrics(registry: Registry): () => Promise<string> {
    // (constructing one installs prom-client's listener that answers the primary's requests)
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
    let next = 0;
    const waiting = new Map<number, { resolve(text: string): void; reject(err: Error): void }>();
    process.on('message', (m: unknown) => {
      if (!isMessage(m) || m.type !== 'orderhub:metrics') return;
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.text !== undefined) w?.resolve(m.text);
      else w?.reject(new Error(`cluster metrics: ${m.error ?? 'no answer'}`));
    });
    return () =>
      new Promise<string>((resolve, reject) => {
        const id = ++next;
        waiting.set(id, { resolve, reject });
        void send({ type: 'orderhub:metrics?', id });
      });
  },
};
