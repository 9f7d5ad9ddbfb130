/**
 * Tinyshop's simulator, built from the simulator kit alone: the kit gives the order log (creation
 * times by index), the PRNG, the fault knobs and their request hooks, the /__sim control API, the
 * harness (reset, tick, listen); this file keeps only what is Tinyshop's: its routes and its orders.
 */
import Fastify from 'fastify';
import type { RunningSimulator, SimulatorOptions } from '../../../src/core/connector.ts';
import { emptyRequestCounters, guardApi } from '../../../src/channels/kit/simulator/api-hooks.ts';
import { FaultKnobs, type RequestFaults } from '../../../src/channels/kit/simulator/faults.ts';
import { SimulatorHarness, simulatedHistory, simulatorWith, type SimulatorControls } from '../../../src/channels/kit/simulator/harness.ts';
import { OrderLog } from '../../../src/channels/kit/simulator/order-log.ts';
import { Rng, hash2 } from '../../../src/channels/kit/simulator/random.ts';
import { WallClock } from '../../../src/channels/kit/simulator/wall-clock.ts';
import { TINYSHOP_STATUSES } from './schemas.ts';

const ZONE = 'Europe/Prague';
const TOKEN = 'tinyshop-token';
const NO_FAULTS: RequestFaults = { latencyMs: 0, rateLimitEvery: 0, errorEvery: 0, truncateEvery: 0 };

export interface TinyshopSimulator extends RunningSimulator, SimulatorControls<RequestFaults, ReturnType<typeof emptyRequestCounters>> {
  /** the order as the API serves it */
  order(id: string): Record<string, unknown> | null;
  /** every order id, oldest first */
  ids(): string[];
  setStatus(id: string, status: string): void;
  /** the next list answer carries one order the mapping must refuse */
  breakOne(): void;
}

export async function startTinyshopSimulator(options: SimulatorOptions): Promise<TinyshopSimulator> {
  const history = simulatedHistory(options, ZONE, 30);
  const ids = { at: (i: number) => `T${10_000 + i}`, indexOf: (id: string) => Number(id.slice(1)) - 10_000 };
  const log = new OrderLog({ ids, orders: options.orders, since: history.sinceSec, until: history.untilSec, now: history.nowSec });
  const clock = new WallClock(ZONE);
  const rng = new Rng(0);
  const changed = new Map<number, string>();
  let broken = false;

  const idOf = (i: number) => log.idOf(i);
  const indexOf = (id: string) => log.indexOf(id);
  const orderAt = (i: number) => {
    rng.reseed(hash2(options.seed, i));
    return {
      id: idOf(i),
      placed: clock.format(log.timeOf(i)),
      status: changed.get(i) ?? rng.pick(TINYSHOP_STATUSES),
      buyer: `Buyer ${rng.int(1000)}`,
      currency: 'CZK',
      total: Number(`${1 + rng.int(5000)}.${rng.digits(2)}`),
    };
  };

  const faults = new FaultKnobs<RequestFaults>(NO_FAULTS);
  const harness = new SimulatorHarness({
    seed: options.seed, faults, counters: emptyRequestCounters,
    reset: () => {
      log.reset();
      changed.clear();
      broken = false;
    },
  });
  const app = Fastify();
  guardApi(app, {
    isApi: (url) => url.startsWith('/orders'),
    counters: harness.counters,
    faults,
    screen(turn, request, reply) {
      if (turn.rateLimited) return reply.code(429).header('retry-after', '0').send({ error: 'slow down' });
      if (turn.failed) return reply.code(500).send({ error: 'boom' });
      if (request.headers['x-token'] !== TOKEN) return reply.code(401).send({ error: 'bad token' });
      return undefined;
    },
  });
  // next-link paging over the order log, oldest first
  app.get<{ Querystring: { limit?: string; after?: string } }>('/orders', async (req) => {
    const limit = Math.min(Number(req.query.limit ?? 50), 50);
    const from = req.query.after === undefined ? 0 : Number(req.query.after);
    const end = Math.min(log.count(), from + limit);
    const orders: unknown[] = [];
    for (let i = from; i < end; i++) orders.push(orderAt(i));
    if (broken && orders.length > 0) {
      orders[0] = { ...(orders[0] as object), total: 'lots' };
      broken = false;
    }
    return { orders, next: end < log.count() ? `/orders?after=${end}&limit=${limit}` : null };
  });
  app.get<{ Params: { id: string } }>('/orders/:id', async (req, reply) => {
    const i = indexOf(req.params.id);
    return i < 0 ? reply.code(404).send({ error: 'no such order' }) : orderAt(i);
  });

  const store = {
    insertOrders: (count: number) => log.append(count),
    changeRandomOldOrders: (count: number) => {
      const out: string[] = [];
      for (let k = 0; k < count && log.count() > 0; k++) {
        const i = rng.reseed(hash2(options.seed ^ 0x5eed, changed.size + k)).int(log.count());
        changed.set(i, 'returned');
        out.push(idOf(i));
      }
      return out;
    },
  };
  const controls = await harness.listen(app, options, {
    stats: () => ({ orders: log.count(), changed: changed.size }),
    tick: () => harness.tick(store),
    orders: {
      ids: () => log.map(idOf),
      get: (id) => (indexOf(id) < 0 ? null : orderAt(indexOf(id))),
      insert: (count) => store.insertOrders(count),
      setStatus: (id, status) => (indexOf(id) < 0 ? null : (changed.set(indexOf(id), status), { id, status })),
      changeRandom: (count) => store.changeRandomOldOrders(count),
    },
  });
  return simulatorWith(controls, {
    connection: { kind: 'tinyshop', baseUrl: controls.baseUrl, token: TOKEN },
    order: (id: string) => (indexOf(id) < 0 ? null : orderAt(indexOf(id))),
    ids: () => log.map(idOf),
    setStatus: (id: string, status: string) => void changed.set(indexOf(id), status),
    breakOne: () => void (broken = true),
  });
}
