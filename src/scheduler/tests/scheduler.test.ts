/**
 * The scheduler on its own: which connections it syncs, on which schedule, one sync per connection at
 * a time, connections that need attention left alone, and a stop that drains, then aborts. The channel
 * is an in-memory one so that a test can hold a sync open for as long as it needs.
 */
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { baseConnectionSchema, type BaseConnectionConfig } from '../../core/config.ts';
import { defineChannel, type Connector } from '../../core/connector.ts';
import { silentLogger } from '../../core/log.ts';
import { ChannelRegistry } from '../../core/registry.ts';
import { ensureConnection, recordSyncOutcome } from '../../core/store/connections.ts';
import type { SyncSummary } from '../../core/sync/engine.ts';
import { openTestStore, type TestStore } from '../../../test/support/stores.ts';
import { Scheduler } from '../scheduler.ts';

/** Per connection: how many syncs started, and a gate a test may close to hold syncs open. */
interface Probe {
  started: number;
  finished: number;
  aborted: number;
  gate: Promise<void> | null;
}
const probes = new Map<string, Probe>();
function probe(name: string): Probe {
  let p = probes.get(name);
  if (!p) probes.set(name, (p = { started: 0, finished: 0, aborted: 0, gate: null }));
  return p;
}

const memoryChannel = defineChannel({
  kind: 'memory',
  title: 'In-memory test channel',
  defaultTimeZone: 'UTC',
  capabilities: { pull: true, push: false, writeBack: { status: false, tracking: false, documents: false } },
  configSchema: baseConnectionSchema.extend({ kind: z.literal('memory') }),
  secretFields: [],
  createConnector(config): Connector {
    const p = probe(config.name);
    return {
      listing: 'full-scan',
      paging: 'index',
      pageSize: 10,
      // one page per sync: the whole sync is this call
      async fetchPage(_q, _page, signal) {
        p.started++;
        if (p.gate) {
          const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
          try {
            await Promise.race([p.gate, aborted]);
          } catch (err) {
            p.aborted++;
            throw err;
          }
        }
        p.finished++;
        return { records: [], last: true };
      },
      externalIdOf: () => null,
      mapOrder: () => {
        throw new Error('the memory channel has no orders');
      },
    };
  },
});

const pushOnlyChannel = defineChannel({
  kind: 'push-only',
  title: 'Push-only test channel',
  defaultTimeZone: 'UTC',
  capabilities: { pull: false, push: true, writeBack: { status: false, tracking: false, documents: false } },
  configSchema: baseConnectionSchema.extend({ kind: z.literal('push-only') }),
  secretFields: [],
  createConnector: (config) => memoryChannel.createConnector({ ...config, kind: 'memory' }, undefined as never),
});

const registry = new ChannelRegistry([memoryChannel, pushOnlyChannel]);

function connection(name: string, over: Partial<BaseConnectionConfig> = {}): BaseConnectionConfig {
  return baseConnectionSchema.parse({ name, kind: 'memory', baseUrl: 'http://127.0.0.1:9', ...over });
}

let ts: TestStore | undefined;
const schedulers: Scheduler[] = [];
afterEach(async () => {
  for (const p of probes.values()) p.gate = null;
  for (const s of schedulers.splice(0)) await s.stop(1_000);
  probes.clear();
  await ts?.cleanup();
  ts = undefined;
});

async function scheduler(connections: BaseConnectionConfig[], extra: { runAtStart?: boolean; onSummary?: (s: SyncSummary) => void } = {}): Promise<Scheduler> {
  ts ??= await openTestStore('sqlite');
  const s = new Scheduler({ store: ts.store, registry, connections, logger: silentLogger(), ...extra });
  schedulers.push(s);
  return s;
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('syncs every enabled pull connection once at start, and none that is disabled or push-only', async () => {
  const summaries: SyncSummary[] = [];
  const s = await scheduler(
    [connection('a'), connection('b'), connection('off', { enabled: false }), connection('pushed', { kind: 'push-only' })],
    { onSummary: (x) => summaries.push(x) },
  );
  s.start();
  await until('both syncs', () => summaries.length === 2);
  expect(summaries.map((x) => x.connection).sort()).toEqual(['a', 'b']);
  expect(probes.has('off')).toBe(false);
  expect(probes.has('pushed')).toBe(false);
});

it('runs nothing at start when asked not to, then syncs on an interval schedule again and again', async () => {
  const s = await scheduler([connection('every', { schedule: '200ms' })], { runAtStart: false });
  s.start();
  expect(probe('every').started).toBe(0);
  await until('three scheduled syncs', () => probe('every').finished >= 3);
});

it('syncs on a cron schedule (seconds field)', async () => {
  const s = await scheduler([connection('cron', { schedule: '* * * * * *' })], { runAtStart: false });
  s.start();
  await until('two cron syncs', () => probe('cron').finished >= 2, 5_000);
});

it('never runs two syncs of one connection at a time: a trigger during a sync joins it', async () => {
  const s = await scheduler([connection('one')], { runAtStart: false });
  let open!: () => void;
  probe('one').gate = new Promise<void>((r) => (open = r));
  const first = s.trigger(connection('one'));
  await until('the sync to start', () => probe('one').started === 1);
  const second = s.trigger(connection('one'));
  expect(second).toBe(first);
  open();
  await first;
  expect(probe('one').started).toBe(1);
  await s.trigger(connection('one'));
  expect(probe('one').started).toBe(2);
});

it('leaves a connection that needs attention alone', async () => {
  const s = await scheduler([connection('locked')], { runAtStart: false });
  await ensureConnection(ts!.store.db, 'locked', 'memory');
  await recordSyncOutcome(ts!.store.db, 'locked', { ok: false, error: 'refused', needsAttention: 'credentials refused' });
  for (let k = 0; k < 3; k++) await s.trigger(connection('locked'));
  expect(probe('locked').started).toBe(0);
});

it('stop() lets a running sync finish within the grace period', async () => {
  const s = await scheduler([connection('drain')], { runAtStart: false });
  let open!: () => void;
  probe('drain').gate = new Promise<void>((r) => (open = r));
  const run = s.trigger(connection('drain'));
  await until('the sync to start', () => probe('drain').started === 1);
  const stopped = s.stop(30_000);
  setTimeout(open, 50);
  await stopped;
  await run;
  expect(probe('drain')).toMatchObject({ finished: 1, aborted: 0 });
  // stopped: no new syncs
  await s.trigger(connection('drain'));
  expect(probe('drain').started).toBe(1);
});

it('stop() aborts a sync that outlasts the grace period', async () => {
  const s = await scheduler([connection('stuck')], { runAtStart: false });
  probe('stuck').gate = new Promise<void>(() => {});
  const run = s.trigger(connection('stuck'));
  await until('the sync to start', () => probe('stuck').started === 1);
  await s.stop(100);
  await run;
  expect(probe('stuck')).toMatchObject({ finished: 0, aborted: 1 });
});
