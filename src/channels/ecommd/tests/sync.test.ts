/** End-to-end: the real sync engine, a real SQLite store, the simulator over HTTP — exact convergence. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/log.ts';
import { countOrders, findOrder, orderJournal, streamOrders } from '../../../core/store/orders.ts';
import { syncConnection, type SyncSummary } from '../../../core/sync/engine.ts';
import { openTestStore, type TestStore } from '../../../../test/support/stores.ts';
import { ecommdChannel } from '../index.ts';
import { ECOMMD_OPEN_STATUSES, ECOMMD_STATUS_TABLE } from '../status-map.ts';
import type { EcommdFaults, EcommdSimulator } from '../simulator/index.ts';
import { startSim, syncConfig } from './helpers.ts';

const ORDERS = 600;
let sim: EcommdSimulator;
let ts: TestStore;

beforeAll(async () => {
  sim = await startSim({ orders: ORDERS, seed: 21 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  sim.reset();
  ts = await openTestStore('sqlite');
});
afterEach(async () => {
  await ts.cleanup();
});

async function sync(extra: Record<string, unknown> = {}): Promise<SyncSummary> {
  const config = syncConfig(sim, { pageSize: 50, ...extra });
  return syncConnection({ store: ts.store, channel: ecommdChannel, config, logger: silentLogger() });
}

/** external id → channel status, as stored; fails on a duplicate */
async function stored(): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for await (const o of streamOrders(ts.store.db, { connection: 'md' })) {
    if (map.has(o.externalId)) throw new Error(`order ${o.externalId} stored twice`);
    map.set(o.externalId, o.channelStatus);
  }
  expect(await countOrders(ts.store.db, 'md')).toBe(map.size);
  return map;
}

/** Every order of the simulator stored once with its current status (except `skip`), nothing else. */
async function expectConverged(skip: ReadonlySet<string> = new Set()): Promise<void> {
  const got = await stored();
  const truth = new Map(sim.allOrderIds().filter((id) => !skip.has(String(id))).map((id) => [String(id), sim.statusOf(id)!]));
  const missing = [...truth.keys()].filter((k) => !got.has(k));
  const extra = [...got.keys()].filter((k) => !truth.has(k));
  const stale = [...truth].filter(([k, s]) => got.has(k) && got.get(k) !== s).map(([k, s]) => `${k}: ${got.get(k)} ≠ ${s}`);
  expect({ missing, extra, stale }).toEqual({ missing: [], extra: [], stale: [] });
}

/** An old order (created more than `days` ago) whose current status is `status`. */
function oldOrderIn(statuses: readonly string[], days = 3, skip: ReadonlySet<number> = new Set()): number {
  const limit = Date.now() - days * 86_400_000;
  const id = sim.allOrderIds().find((i) => {
    const o = sim.getOrder(i) as { created_at: string };
    return !skip.has(i) && statuses.includes(sim.statusOf(i)!) && Date.parse(o.created_at) < limit;
  });
  if (id === undefined) throw new Error(`no old order in ${statuses.join('/')}`);
  return id;
}

describe('ecom.md sync', () => {
  it('brings every order with canonical statuses, MDL totals and UTC times', async () => {
    const s = await sync();
    expect(s.status).toBe('succeeded');
    expect(s.counts.failed).toBe(0);
    expect(s.counts.created).toBe(ORDERS);
    await expectConverged();
    for await (const o of streamOrders(ts.store.db, { connection: 'md' })) {
      expect(o.status).toBe(ECOMMD_STATUS_TABLE[o.channelStatus as keyof typeof ECOMMD_STATUS_TABLE]);
      expect(o.currency).toBe('MDL');
      expect(o.totals.total).toMatch(/^\d+\.\d{2}$/);
      const raw = sim.getOrder(o.externalId) as { created_at: string };
      expect(o.createdAt).toBe(new Date(Date.parse(raw.created_at)).toISOString());
    }
    // a second run changes nothing
    const again = await sync();
    expect(again.counts.created + again.counts.updated).toBe(0);
  });

  const knobs: Array<[string, Partial<EcommdFaults>]> = [
    ['a silent page cap', { pageCap: 23 }],
    ['rate limiting (429 + Retry-After)', { rateLimitEvery: 4, retryAfterSeconds: 0 }],
    ['server errors (500 HTML)', { errorEvery: 3 }],
    ['truncated JSON bodies', { truncateEvery: 4 }],
    ['latency', { latencyMs: 3 }],
    ['naive created_at (Europe/Chisinau)', { naiveTimes: true }],
    ['next links naming a backend host', { nextLinkOrigin: 'http://10.0.0.7:8000' }],
  ];
  it.each(knobs)('converges exactly under %s', async (_name, faults) => {
    sim.setFaults(faults);
    const s = await sync();
    expect(s.error).toBeNull();
    expect(s.status).toBe('succeeded');
    await expectConverged();
  });

  it('converges when orders are created while it pages (then on the next run)', async () => {
    sim.setFaults({ insertDuringPaging: 2 });
    const first = await sync();
    expect(first.status).toBe('succeeded');
    expect(sim.orderCount()).toBeGreaterThan(ORDERS);
    const got = await stored();
    for (const id of sim.allOrderIds().slice(0, ORDERS)) expect(got.has(String(id))).toBe(true);
    sim.setFaults({ insertDuringPaging: 0 });
    const second = await sync();
    expect(second.status).toBe('succeeded');
    await expectConverged();
  });

  it('quarantines malformed orders with their raw payload and stores the rest', async () => {
    sim.setFaults({ malformedEvery: 40 });
    const bad = new Set(sim.malformedIds().map(String));
    expect(bad.size).toBe(Math.floor(ORDERS / 40));
    const s = await sync();
    expect(s.status).toBe('succeeded');
    // a record on the page that crosses a window boundary is read (and quarantined) by both windows
    expect(s.counts.failed).toBeGreaterThanOrEqual(bad.size);
    await expectConverged(bad);
    const failures = await ts.store.db.selectFrom('sync_failures').selectAll().where('connection', '=', 'md').execute();
    expect(new Set(failures.map((f) => f.external_id))).toEqual(bad);
    expect(failures[0]!.error).toMatch(/malformed ecom\.md order \d+: created_at: "not-a-date"/);
    expect(JSON.parse(failures[0]!.payload)).toMatchObject({ created_at: 'not-a-date' });
  });

  it('picks up status changes to old orders on the next run, including moves to terminal statuses', async () => {
    await sync();
    const toOpen = oldOrderIn(['new']);
    const toTerminal = oldOrderIn(['ondelivery']);
    const toRefusal = oldOrderIn(['recipientnotathome', 'clientnoanswer', 'deliverydatemoved']);
    const closedReopened = oldOrderIn(['done']);
    sim.changeStatus(toOpen, 'confirmed');
    sim.changeStatus(toTerminal, 'done');
    sim.changeStatus(toRefusal, 'customerrefusal');
    // a terminal order is not re-polled (by design): it keeps its stored status until a full sync
    sim.changeStatus(closedReopened, 'completedandclosed');

    const s = await sync();
    expect(s.status).toBe('succeeded');
    expect(s.refreshed).toBeGreaterThan(0);
    expect(s.counts.updated).toBe(3);
    expect(s.warnings).toEqual([]);
    for (const [id, channelStatus, status] of [[toOpen, 'confirmed', 'confirmed'], [toTerminal, 'done', 'completed'], [toRefusal, 'customerrefusal', 'cancelled']] as const) {
      const o = await findOrder(ts.store.db, `md:${id}`);
      expect(o).toMatchObject({ channelStatus, status });
      const journal = await orderJournal(ts.store.db, o!.id);
      expect(journal.at(-1)).toMatchObject({ kind: 'status_changed', to_status: status });
    }
    expect((await findOrder(ts.store.db, `md:${closedReopened}`))!.channelStatus).toBe('done');
    // the open query asked for the non-terminal statuses
    expect(sim.requests.listQueries.some((q) => q.status === ECOMMD_OPEN_STATUSES.join(','))).toBe(true);

    const full = await syncConnection({ store: ts.store, channel: ecommdChannel, config: syncConfig(sim, { pageSize: 50 }), logger: silentLogger() }, { full: true });
    expect(full.status).toBe('succeeded');
    await expectConverged();
  });

  it('converges after many status changes (more than the engine re-polls one by one)', async () => {
    await sync();
    const limit = Date.now() - 86_400_000;
    const oldOpen = sim.allOrderIds().filter((id) => {
      const o = sim.getOrder(id) as { created_at: string };
      return ECOMMD_OPEN_STATUSES.includes(sim.statusOf(id) as never) && Date.parse(o.created_at) < limit;
    });
    expect(oldOpen.length).toBeGreaterThan(90);
    // 70 leave the open list (more than the 50 the engine fetches by id), 20 move between open statuses
    for (const id of oldOpen.slice(0, 70)) sim.changeStatus(id, id % 2 ? 'done' : 'returnedtowarehouse');
    for (const id of oldOpen.slice(70, 90)) sim.changeStatus(id, sim.statusOf(id) === 'ondelivery' ? 'deliverydatemoved' : 'ondelivery');
    const byIdBefore = sim.requests.byEndpoint['GET /external/external-order/:id/'] ?? 0;
    const s = await sync();
    expect(s.status).toBe('succeeded');
    expect(s.warnings).toEqual([]);
    expect(s.counts.updated).toBe(90);
    // the 70 were found by creation-date windows, not one by one
    expect(sim.requests.byEndpoint['GET /external/external-order/:id/'] ?? 0).toBe(byIdBefore);
    await expectConverged();
    // and random plausible moves arrive as well
    expect(sim.changeRandomOldOrders(40)).toHaveLength(40);
    expect((await sync()).status).toBe('succeeded');
    await expectConverged();
  });

  it('converges under every knob at once with live activity between runs', async () => {
    sim.setFaults({ pageCap: 31, rateLimitEvery: 9, retryAfterSeconds: 0, errorEvery: 7, truncateEvery: 11, insertDuringPaging: 1, latencyMs: 1 });
    for (let run = 0; run < 3; run++) {
      const s = await sync();
      expect(s.error).toBeNull();
      sim.tick();
    }
    sim.setFaults({ insertDuringPaging: 0 });
    expect((await sync()).status).toBe('succeeded');
    await expectConverged();
  });
});
