/**
 * "How to add a channel" (docs/architecture.md), walked through: a tiny made-up channel built from
 * the channel kit and the simulator kit alone (test/channels/tinyshop/, laid out as a channel folder)
 * is registered beside the real ones, configured, and synced end to end over HTTP by the same engine.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { channels } from '../../src/channels/registry.ts';
import { parseConfig } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/log.ts';
import { ChannelRegistry } from '../../src/core/registry.ts';
import { findOrder } from '../../src/core/store/orders.ts';
import { listFailures } from '../../src/core/store/runs.ts';
import { syncConnection } from '../../src/core/sync/engine.ts';
import { openTestStore, type TestStore } from '../support/stores.ts';
import { tinyshopChannel } from './tinyshop/index.ts';
import type { TinyshopSimulator } from './tinyshop/simulator.ts';

// step 2 of the guide: the one registry line (src/channels/registry.ts lists the real ones)
const registry = new ChannelRegistry([...channels.all(), tinyshopChannel]);
const ORDERS = 230;

let sim: TinyshopSimulator;
let ts: TestStore;
beforeAll(async () => {
  sim = (await tinyshopChannel.simulator!.start({ host: '127.0.0.1', port: 0, orders: ORDERS, seed: 3 })) as TinyshopSimulator;
  ts = await openTestStore('sqlite');
});
afterAll(async () => {
  await sim?.close();
  await ts?.cleanup();
});

function config(extra: Record<string, unknown> = {}) {
  return parseConfig({ database: ts.database, connections: [{ name: 'tiny', ...sim.connection, ...extra }] }, registry, 'orderhub.yaml').connections[0]!;
}

const sync = () => syncConnection({ store: ts.store, channel: registry.get('tinyshop'), config: config(), logger: silentLogger() });

it('is configured through its own schema: a missing secret and a misspelt key are refused with their paths', () => {
  expect(() => parseConfig({ database: ts.database, connections: [{ name: 'tiny', kind: 'tinyshop', baseUrl: sim.baseUrl, tokn: 'x' }] }, registry, 'orderhub.yaml'))
    .toThrow(/connections\[0\] \(tiny\)\.token/);
});

it('syncs every order once over HTTP, in the canonical shape (UTC times, exact money), and a re-sync writes nothing', async () => {
  const first = await sync();
  expect(first.error).toBeNull();
  expect(first.counts).toMatchObject({ created: ORDERS, failed: 0 });

  const raw = sim.order('T10007')!;
  const stored = (await findOrder(ts.store.db, 'tiny:T10007'))!;
  expect(stored).toMatchObject({ channel: 'tinyshop', externalId: 'T10007', currency: 'CZK', channelStatus: raw.status });
  // the shop's wall time in Europe/Prague, stored in UTC
  expect(new Date(stored.createdAt).toLocaleString('sv-SE', { timeZone: 'Europe/Prague' })).toBe(raw.placed);
  // a JSON number read as the exact decimal it was written as
  expect(stored.totals.total).toBe(String(raw.total));

  const again = await sync();
  expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: ORDERS });
});

it('picks up a change at the channel, converges through faults, and quarantines a record it cannot map', async () => {
  sim.setStatus('T10003', 'returned');
  sim.setFaults({ rateLimitEvery: 2, errorEvery: 3 });
  sim.breakOne();
  const run = await sync();
  sim.clearFaults();
  expect(run.status).toBe('succeeded');
  expect(run.counts.updated).toBeGreaterThanOrEqual(1);
  expect(run.counts.failed).toBe(1);
  expect((await findOrder(ts.store.db, 'tiny:T10003'))!.status).toBe('returned');
  const [failure] = await listFailures(ts.store.db, { connection: 'tiny' });
  expect(failure!.error).toMatch(/total/);
  expect(JSON.parse(failure!.payload)).toMatchObject({ id: 'T10000', total: 'lots' });
});

it('answers the same /__sim control API as every other simulator', async () => {
  const inserted = (await (await fetch(`${sim.baseUrl}/__sim/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"count":2}' })).json()) as { ids: string[] };
  expect(inserted.ids).toEqual([`T${10_000 + ORDERS}`, `T${10_000 + ORDERS + 1}`]);
  const run = await sync();
  expect(run.counts.created).toBe(2);
});
