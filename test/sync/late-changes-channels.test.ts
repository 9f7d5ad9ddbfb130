/**
 * Late changes on every pull channel, against its simulator over HTTP: an old order the channel had
 * closed moves on to its documented later status (a return after delivery, a complaint after a
 * return, a refused parcel back in the warehouse), and the next ordinary sync (not --full), a day
 * later with the default refreshClosedDays/refreshClosedEvery, stores the new status with a journal
 * entry. Everything goes through the uniform /__sim control API: GET /__sim/orders,
 * GET /__sim/orders/:id, POST /__sim/orders/:id/status, POST /__sim/faults.
 *
 * Alza Trade runs under both readings of an offset-less time (Prague wall time, and UTC:
 * `offsetlessAsUtc`), drinks2cash under both readings of its dates (Warsaw and UTC days). The Alza
 * order that changes is the oldest closed one, so the re-check's closed-state query starts exactly
 * at its creation: sent as an offset-less wall time and read as UTC, that bound would move an hour
 * later and the return would be lost (connector level: src/channels/alza-trade/tests/paging.test.ts).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { alzaTradeChannel } from '../../src/channels/alza-trade/index.ts';
import { drinks2cashChannel } from '../../src/channels/drinks2cash/index.ts';
import { dropohsChannel } from '../../src/channels/dropohs/index.ts';
import { ecommdChannel } from '../../src/channels/ecommd/index.ts';
import { addDays, localDate } from '../../src/core/canonical/time.ts';
import type { CanonicalStatus } from '../../src/core/canonical/status.ts';
import type { ChannelDefinition, RunningSimulator } from '../../src/core/connector.ts';
import { silentLogger } from '../../src/core/log.ts';
import { findOrder, orderJournal } from '../../src/core/store/orders.ts';
import { syncConnection, type SyncOptions } from '../../src/core/sync/engine.ts';
import { describeEachStore, storePerTest } from '../support/stores.ts';

const ORDERS = 600;
const DAY_MS = 86_400_000;

interface LateChangeCase {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  channel: ChannelDefinition<any>;
  /** the field of the served order that holds its channel status */
  statusField: string;
  /** knobs set on the simulator for the whole case */
  faults?: Record<string, unknown>;
  /** the channel status the old order has, the later one it moves to, and their canonical statuses */
  from: string;
  later: string;
  canonical: [CanonicalStatus, CanonicalStatus];
  /** the channel's closed statuses: when given, the order must be the oldest in any of them */
  oldestOf?: readonly string[];
}

/** A case under both readings of what the channel's documents leave open: ours, and the simulator's knob for the other. */
function bothReadings(c: Omit<LateChangeCase, 'name' | 'faults'>, name: string, knob: string, readings: [string, string]): LateChangeCase[] {
  return [
    { ...c, name: `${name} (${readings[0]})` },
    { ...c, name: `${name} (${readings[1]})`, faults: { [knob]: true } },
  ];
}

const CASES: LateChangeCase[] = [
  ...bothReadings(
    { channel: alzaTradeChannel, statusField: 'state', from: 'Delivered', later: 'CancelledAfterShipment', canonical: ['delivered', 'returned'], oldestOf: ['Delivered', 'Cancelled', 'CancelledAfterShipment'] },
    'alza-trade', 'offsetlessAsUtc', ['offset-less times read as Prague time', 'offset-less times read as UTC'],
  ),
  ...bothReadings(
    { channel: drinks2cashChannel, statusField: 'status', from: 'RETURN', later: 'COMPLAIN', canonical: ['returned', 'disputed'] },
    'drinks2cash', 'datesAsUtc', ['dates read as Warsaw days', 'dates read as UTC days'],
  ),
  { name: 'ecommd', channel: ecommdChannel, statusField: 'status', from: 'customerrefusal', later: 'returnedtowarehouse', canonical: ['cancelled', 'returned'] },
  { name: 'dropohs (full scan)', channel: dropohsChannel, statusField: 'state_text', from: 'Doručeno', later: 'Vráceno', canonical: ['delivered', 'returned'] },
];

async function control(sim: RunningSimulator, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${sim.baseUrl}/__sim${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  if (!res.ok) throw new Error(`${method} /__sim${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

for (const c of CASES) {
  describeEachStore(`late changes to closed orders: ${c.name}`, (kind) => {
    const since = addDays(localDate(new Date(), c.channel.defaultTimeZone), -20);
    let sim: RunningSimulator;
    const env = storePerTest(kind, async () => {
      await control(sim, 'POST', '/reset');
      if (c.faults) await control(sim, 'POST', '/faults', c.faults);
    });
    beforeAll(async () => {
      sim = await c.channel.simulator!.start({ host: '127.0.0.1', port: 0, orders: ORDERS, seed: 16, since });
    });
    afterAll(async () => {
      await sim.close();
    });

    const config = (overrides: Record<string, unknown>) =>
      c.channel.configSchema.parse({
        name: 'late',
        ...sim.connection,
        since,
        pageSize: 100,
        http: { timeoutMs: 5_000, deadlineMs: 60_000, maxAttempts: 8, requestsPerSecond: 5_000, concurrency: 4 },
        ...overrides,
      });
    const sync = (overrides: Record<string, unknown>, options: SyncOptions = {}) =>
      syncConnection({ store: env.t.store, channel: c.channel, config: config(overrides), logger: silentLogger() }, options);
    const statusOf = async (id: string) => String(((await control(sim, 'GET', `/orders/${id}`)) as Record<string, unknown>)[c.statusField]);

    /** Syncs, moves an old closed order on at the simulator, syncs again a day later; returns the second run and the order. */
    async function lateChange(overrides: Record<string, unknown>) {
      const first = await sync(overrides);
      expect(first.status).toBe('succeeded');
      expect(first.counts.created).toBeGreaterThanOrEqual(ORDERS);

      // an old order: in the older half of the history (ids come in creation order), far outside the next windows
      const ids = ((await control(sim, 'GET', '/orders')) as { ids: Array<string | number> }).ids.map(String);
      let id: string | undefined;
      for (const candidate of ids.slice(0, ids.length / 2)) {
        const status = await statusOf(candidate);
        if (status === c.from || c.oldestOf?.includes(status)) {
          id = candidate;
          break;
        }
      }
      expect(id, `an old ${c.from} order`).toBeDefined();
      // where it matters (a closed-state query from the oldest closed order's creation), it is that order
      expect(await statusOf(id!)).toBe(c.from);
      expect((await findOrder(env.t.store.db, `late:${id}`))!.status).toBe(c.canonical[0]);

      await control(sim, 'POST', `/orders/${id}/status`, { status: c.later });
      // a day later (refreshClosedEvery 1d: every closed order's slot has come round), an ordinary run
      const second = await sync(overrides, { now: () => new Date(Date.now() + DAY_MS + 60_000) });
      expect(second.status).toBe('succeeded');
      expect(second.warnings).toEqual([]);
      return { second, order: (await findOrder(env.t.store.db, `late:${id}`))! };
    }

    it(`an old ${c.from} order that moves on to ${c.later} arrives on the next ordinary sync, with a journal entry`, async () => {
      const { second, order } = await lateChange({});
      if (c.channel !== dropohsChannel) expect(second.rechecked).toBeGreaterThan(0);
      expect(second.counts.updated).toBe(1);
      expect(order.channelStatus).toBe(c.later);
      expect(order.status).toBe(c.canonical[1]);
      expect((await orderJournal(env.t.store.db, order.id)).at(-1)).toMatchObject({
        kind: 'status_changed',
        from_status: c.canonical[0],
        to_status: c.canonical[1],
      });
    });

    if (c.channel === dropohsChannel) {
      it('needs no re-check of closed orders: every sync is a full scan (refreshClosedDays: 0 changes nothing)', async () => {
        const { second, order } = await lateChange({ refreshClosedDays: 0 });
        expect(second.rechecked).toBe(0);
        expect(order.channelStatus).toBe(c.later);
      });
    } else {
      // open orders off too: re-reading their creation-date windows (drinks2cash) re-reads the closed
      // orders created in the same hours, which would find the change by accident
      it('misses it without the re-check of closed orders (refreshClosedDays: 0): the re-check is what finds it', async () => {
        const { second, order } = await lateChange({ refreshClosedDays: 0, refreshOpenDays: 0 });
        expect(second.rechecked).toBe(0);
        expect(order.channelStatus).toBe(c.from);
      });
    }
  });
}
