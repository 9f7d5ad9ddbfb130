/**
 * What the re-check of closed orders (refreshClosedDays / refreshClosedEvery, issue 16) costs a
 * no-change re-sync: a full drinks2cash sync into a fresh SQLite store, then no-change re-syncs with
 * the re-check off (refreshClosedDays 0), at its defaults (30 days, once per 1d) 15 minutes and a
 * day after the previous run, and with refreshClosedEvery 0 (every closed order every run). drinks2cash
 * has no status filter, so the closed orders due are re-read by id (up to 50) or by creation-date
 * windows around them: the extra requests are extra pages. Each run reports its HTTP requests
 * (retries included), orders fetched, closed orders re-checked, time, and the rows it wrote (0).
 *
 * The runs' clock is moved with the engine's `now` (the simulator's orders do not change), so the
 * "15 min later" and "a day later" runs are what a 15-minute schedule and a daily one would do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channels } from '../src/channels/registry.ts';
import { addDays, localDate } from '../src/core/canonical/time.ts';
import { silentLogger } from '../src/core/log.ts';
import { syncConnection, type SyncSummary } from '../src/core/sync/engine.ts';
import { openHubStore } from '../src/store-modules.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface ClosedRecheckBench {
  orders: number;
  log: (line: string) => void;
  /** starts the channel's simulator in a child process (so the figures are the syncing process's) */
  startSim(kind: string, orders: number, since: string): Promise<{ connection: Record<string, unknown>; stop(): void }>;
}

export async function benchClosedRecheck({ orders, log, startSim }: ClosedRecheckBench): Promise<void> {
  const days = 60;
  const since = addDays(localDate(new Date(), 'UTC'), -days);
  log(`\n## closed-order re-check: no-change re-syncs of ${orders.toLocaleString('en')} drinks2cash orders over ${days} days`);
  const sim = await startSim('drinks2cash', orders, since);
  const dir = mkdtempSync(join(tmpdir(), 'orderhub-bench-closed-'));
  const store = await openHubStore(join(dir, 'bench.db'));
  try {
    const channel = channels.get('drinks2cash');
    const config = (overrides: Record<string, unknown>) =>
      channel.configSchema.parse({
        name: 'bench', ...sim.connection, since, pageSize: 1000,
        http: { requestsPerSecond: 100_000, concurrency: 4, timeoutMs: 60_000, deadlineMs: 600_000 },
        ...overrides,
      });
    const rows = async () => {
      const n = async (t: 'orders' | 'order_journal' | 'order_payloads') =>
        Number((await store.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      return (await n('orders')) + (await n('order_journal')) + (await n('order_payloads'));
    };
    const t0 = Date.now();
    const run = async (label: string, overrides: Record<string, unknown>, atMs: number): Promise<SyncSummary> => {
      const before = await rows();
      const started = performance.now();
      const s = await syncConnection({ store, channel, config: config(overrides), logger: silentLogger() }, { now: () => new Date(t0 + atMs + (Date.now() - t0)) });
      const sec = (performance.now() - started) / 1000;
      if (s.status !== 'succeeded') throw new Error(`${label}: ${s.error}`);
      const written = (await rows()) - before;
      log(`${label.padEnd(58)} ${String(s.requests).padStart(6)} requests, ${s.counts.fetched.toLocaleString('en').padStart(9)} fetched, ${s.rechecked.toLocaleString('en').padStart(7)} closed re-checked, ${s.refreshed.toLocaleString('en').padStart(7)} open re-polled, ${sec.toFixed(1).padStart(5)} s, rows written ${written}`);
      return s;
    };

    const full = await run('full sync (defaults; starts the re-check clock)', {}, 0);
    const closed = Number((await store.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('open', '=', 0).executeTakeFirstOrThrow()).n);
    log(`  ${full.counts.created.toLocaleString('en')} orders stored, ${closed.toLocaleString('en')} of them closed`);
    // the "off" run does not touch the re-check clock, so the next one is 15 minutes after the full sync
    const off = await run('re-sync, refreshClosedDays 0 (re-check off)', { refreshClosedDays: 0 }, 15 * MINUTE_MS);
    const quarter = await run('re-sync 15 min later, defaults (30 d, once per 1d)', {}, 15 * MINUTE_MS);
    const daily = await run('re-sync a day later, defaults (every closed order due)', {}, 15 * MINUTE_MS + DAY_MS);
    const every = await run('re-sync, refreshClosedEvery 0 (every closed order, every run)', { refreshClosedEvery: 0 }, 15 * MINUTE_MS + DAY_MS + 15 * MINUTE_MS);
    const extra = (s: SyncSummary) => `${s.requests - off.requests} (${(((s.requests - off.requests) / off.requests) * 100).toFixed(0)} %)`;
    log(`extra requests over the re-check off: 15 min later ${extra(quarter)}; a day later ${extra(daily)}; refreshClosedEvery 0 ${extra(every)}`);
  } finally {
    await store.close();
    sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
