/**
 * The simulators' speed: lazily generated orders must stay cheap at a million, or every test, the
 * sandbox and the sync benchmark wait on the simulator instead of the product. These are the
 * wall-clock thresholds the simulator tests used to assert (the tests keep the functional checks);
 * each line prints the figure measured here and that goal.
 *
 * Run by bench/run.ts in a process of its own (a million orders in this heap would count in the
 * sync sections' peak RSS); alone: node --import tsx bench/simulators.ts
 */
import { DateTime } from 'luxon';
import { WallClock } from '../src/channels/kit/simulator/wall-clock.ts';
import { ByteSink } from '../src/channels/drinks2cash/simulator/generator.ts';
import { startDrinksSimulator } from '../src/channels/drinks2cash/simulator/index.ts';
import { DrinksStore } from '../src/channels/drinks2cash/simulator/store.ts';
import { startDropohsSimulator } from '../src/channels/dropohs/simulator/index.ts';
import { startAlzaTradeSimulator } from '../src/channels/alza-trade/simulator/index.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);
const int = (n: number) => Math.round(n).toLocaleString('en');

/** a measured figure against its goal: at most `below`, or at least `above` */
function report(what: string, value: number, unit: string, goal: { below: number } | { above: number }): void {
  const ok = 'below' in goal ? value < goal.below : value > goal.above;
  const want = 'below' in goal ? `< ${int(goal.below)} ${unit}` : `> ${int(goal.above)} ${unit}`;
  log(`${what}: ${int(value)} ${unit} (goal ${want}${ok ? '' : '; MISSED'})`);
}

/** [result, ms] of fn */
async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await fn();
  return [result, performance.now() - t0];
}

/** the best of 3 rounds of `perRound` orders, after a warm-up: orders/s */
async function bestRate(perRound: number, warmUp: () => Promise<void> | void, round: (k: number) => Promise<void> | void): Promise<number> {
  await warmUp();
  let best = 0;
  for (let k = 0; k < 3; k++) {
    const [, ms] = await timed(() => round(k));
    best = Math.max(best, perRound / (ms / 1000));
  }
  return best;
}

async function drinksGenerator(): Promise<void> {
  log('\n## drinks2cash generator, 1 000 000 orders, in process');
  const clock = new WallClock('Europe/Warsaw');
  const until = Math.floor(Date.UTC(2025, 3, 1, 10, 0, 0) / 1000);
  const store = new DrinksStore({ seed: 2024, orders: 1_000_000, sinceSec: clock.startOfDay('2025-01-01'), untilSec: until, now: () => until + 60 });
  const [[first, end], ms] = await timed(() => store.range(clock.startOfDay('2025-02-10'), clock.startOfDay('2025-02-12')));
  report(`a 2-day window found arithmetically (${int(end - first)} orders)`, ms, 'ms', { below: 50 });

  const sink = new ByteSink(2 << 20);
  const page = (p: number) => {
    sink.reset();
    sink.ascii('{"code":200,"reasonPhrase":"OK","data":[');
    for (let i = p * 1000; i < p * 1000 + 1000; i++) {
      if (i > p * 1000) sink.byte(44);
      store.writeOrder(sink, i);
    }
    sink.ascii(']}');
  };
  const rate = await bestRate(
    100_000,
    () => {
      for (let p = 0; p < 20; p++) page(p);
    },
    (k) => {
      for (let p = 0; p < 100; p++) page(100 + k * 100 + p);
    },
  );
  report('generated and serialised (1000-order pages)', rate, 'orders/s', { above: 100_000 });
}

async function drinksSimulator(): Promise<void> {
  log('\n## drinks2cash simulator, 1 000 000 orders, over HTTP');
  const now = Date.UTC(2025, 9, 1, 10, 0, 0);
  const [sim, startMs] = await timed(() => startDrinksSimulator({ host: '127.0.0.1', port: 0, orders: 1_000_000, seed: 99, since: '2025-07-03', now }));
  try {
    report('started (nothing generated up front)', startMs, 'ms', { below: 2_000 });
    const get = async (query: string) => {
      const res = await fetch(`${sim.baseUrl}/api/order?${query}`, { headers: { authorization: sim.apiKey } });
      return (await res.arrayBuffer()).byteLength;
    };
    const day = sim.windowOrderNumbers('2025-08-20', '2025-08-20');
    const lastPage = Math.floor((day.count - 1) / 1000);
    const [, windowMs] = await timed(async () => {
      for (const offset of [0, lastPage, lastPage + 1]) await get(`from=2025-08-20&to=2025-08-20&limit=1000&offset=${offset}`);
    });
    report(`a day in the middle (${int(day.count)} orders): its first, last and past-the-end pages`, windowMs, 'ms', { below: 5_000 });
    const page = (offset: number) => get(`from=2025-07-03&to=2025-10-01&limit=1000&offset=${offset}`);
    const rate = await bestRate(
      40_000,
      async () => {
        for (let p = 0; p < 10; p++) await page(p);
      },
      async (k) => {
        for (let p = 0; p < 40; p++) await page(10 + k * 40 + p);
      },
    );
    report('served over HTTP (1000-order pages, raw bytes)', rate, 'orders/s', { above: 20_000 });
  } finally {
    await sim.close();
  }
}

async function dropohsSimulator(): Promise<void> {
  log('\n## Dropohs simulator, 100 000 orders in 3 e-shops, over HTTP');
  const [sim, startMs] = await timed(() => startDropohsSimulator({ host: '127.0.0.1', port: 0, orders: 100_000, seed: 7, shops: 3, since: '2023-01-01', now: Date.parse('2025-06-15T10:00:00Z') }));
  try {
    report('started', startMs, 'ms', { below: 3_000 });
    const get = (path: string) => fetch(`${sim.baseUrl}${path}`, { headers: { authorization: sim.token } }).then((r) => r.text());
    const [, midMs] = await timed(() => get(`/orders?shopId=${sim.shopIds[1]}&offset=20000&limit=500`));
    report('a 500-order page from the middle of a listing', midMs, 'ms', { below: 1_000 });
    const scan = async () => {
      let n = 0;
      for (const shop of sim.shopIds) {
        for (let offset = 0; ; ) {
          const count = (JSON.parse(await get(`/orders?shopId=${shop}&offset=${offset}&limit=1000`)) as { data: unknown[] }).data.length;
          if (count === 0) break;
          n += count;
          offset += count;
        }
      }
      return n;
    };
    const [firstCount, firstMs] = await timed(scan);
    report(`a full scan (${int(firstCount)} orders)`, firstMs, 'ms', { below: 20_000 });
    const [, againMs] = await timed(scan);
    report('the same scan again, from the page cache', againMs, 'ms', { below: firstMs });
  } finally {
    await sim.close();
  }
}

async function alzaTradeSimulator(): Promise<void> {
  log('\n## Alza Trade simulator, 100 000 orders, over HTTP');
  const [, ms] = await timed(async () => {
    const sim = await startAlzaTradeSimulator({ host: '127.0.0.1', port: 0, orders: 100_000, seed: 9 });
    try {
      const form = new URLSearchParams({ client_id: sim.connection.clientId, client_secret: sim.connection.clientSecret, grant_type: 'client_credentials' });
      const token = ((await (await fetch(sim.tokenUrl, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
      await (await fetch(`${sim.baseUrl}/api/v2/orders?page=400&pageSize=100`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
    } finally {
      await sim.close();
    }
  });
  report('start, a token and page 400 of 100', ms, 'ms', { below: 5_000 });
}

log(`simulators — node ${process.version}, ${DateTime.utc().toISO()}`);
await drinksGenerator();
await drinksSimulator();
await dropohsSimulator();
await alzaTradeSimulator();
