/**
 * Alza Dropshipment: latency of Insert order (reserve stock, store the canonical order) under a
 * steady open-loop load against the standalone Supplier API server on 127.0.0.1 with SQLite.
 * Target: p99 ≤ 20 ms at 200 requests/s.
 *
 *   node --import tsx bench/dropship.ts          (BENCH_DROPSHIP_RATE, BENCH_DROPSHIP_SECONDS)
 *
 * Open loop: request i is sent at t0 + i/rate whatever the previous ones are doing, so a slow answer
 * cannot hide the queueing it causes (no coordinated omission). The load generator (the simulated
 * Alza, bench/dropship-load.ts) runs in a child process, as Alza is another machine; latency is
 * measured there from when each request was due, so it includes the network stack both ways.
 * The server runs as `startDropshipServer` does by default: WAL checkpoints in a worker thread, the
 * canonical orders stored in batches right after each answer, the background worker every 5 s.
 */
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger } from '../src/core/log.ts';
import { childScript } from './child-script.ts';
import { openHubStore } from '../src/store-modules.ts';
import { countOrders } from '../src/core/store/orders.ts';
import { alzaDropshipConfigSchema } from '../src/channels/alza-dropship/config.ts';
import { startDropshipServer } from '../src/channels/alza-dropship/routes.ts';
import { catalog } from '../src/channels/alza-dropship/simulator/generator.ts';
import { setStock } from '../src/channels/alza-dropship/stock.ts';

interface LoadResult {
  latencies: number[];
  statuses: Record<string, number>;
  elapsed: number;
  maxLag: number;
}

/** The load generator in a child process (bench/dropship-load.ts): the server's event loop is its own. */
function runLoad(args: string[]): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...childScript('dropship-load'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch {
        reject(new Error(`load generator printed no result: ${out.slice(0, 200)}`));
      }
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function benchDropship(opts: { log: (line: string) => void; rate?: number; seconds?: number; warmupSeconds?: number }): Promise<void> {
  const rate = opts.rate ?? Number(process.env.BENCH_DROPSHIP_RATE ?? 200);
  const seconds = Math.min(opts.seconds ?? Number(process.env.BENCH_DROPSHIP_SECONDS ?? 10), 15);
  const warmup = opts.warmupSeconds ?? 2;
  const { log } = opts;
  log(`\n## Alza Dropshipment: Insert order at ${rate} req/s for ${seconds} s (+${warmup} s warm-up), SQLite, 127.0.0.1`);

  const dir = mkdtempSync(join(tmpdir(), 'orderhub-bench-dropship-'));
  const store = await openHubStore(join(dir, 'bench.db'));
  const secret = 'bench-secret';
  const config = alzaDropshipConfigSchema.parse({
    name: 'bench-drop', kind: 'alza-dropship', customerId: 1, supplierId: 4242, supplierBranchId: 1, secret,
    buyerApiUrl: 'http://127.0.0.1:9/api/v1', availability: { auto: false },
  });
  const products = 200;
  let server: Awaited<ReturnType<typeof startDropshipServer>> | null = null;
  try {
    await setStock(store, config, catalog(11, products).map((p) => ({ ...p, quantity: 1_000_000 })));
    // the background worker runs as in production (every 5 s)
    server = await startDropshipServer({ store, connections: [config], logger: silentLogger(), sweepIntervalMs: 5_000 });
    const warmupCount = Math.round(rate * warmup);
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const result = await runLoad([server.supplierApiUrl, secret, String(rate), String(warmupCount), String(Math.round(rate * seconds))]);
    loop.disable();
    const m = { ...result, latencies: result.latencies.sort((a, b) => a - b) };
    await server.projections.flush();
    const stored = (await countOrders(store.db, config.name)) - warmupCount;
    const l = m.latencies;
    const fmt = (x: number) => `${x.toFixed(1)} ms`;
    log(`requests:   ${l.length} in ${m.elapsed.toFixed(1)} s = ${(l.length / m.elapsed).toFixed(0)} req/s; answers ${Object.entries(m.statuses).map(([s, c]) => `${s}×${c}`).join(', ')}; canonical orders stored ${stored}`);
    log(`latency:    p50 ${fmt(percentile(l, 50))}, p90 ${fmt(percentile(l, 90))}, p99 ${fmt(percentile(l, 99))}, max ${fmt(l[l.length - 1] ?? NaN)} (generator lag max ${fmt(m.maxLag)})`);
    log(`server:     event-loop delay p99 ${fmt(loop.percentile(99) / 1e6)}, max ${fmt(loop.max / 1e6)} (over warm-up and run)`);
    const p99 = percentile(l, 99);
    log(`target:     p99 ≤ 20 ms at 200 req/s → ${p99 <= 20 && l.length / m.elapsed >= rate * 0.95 ? 'met' : 'NOT met'}`);
  } finally {
    await server?.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchDropship({ log: (line) => process.stdout.write(`${line}\n`) });
}
