/** Shared helpers of the Dropohs tests: a simulator, a store, a config and the stored truth. */
import { silentLogger } from '../../../core/log.ts';
import { utcToWallTime, wallTimeToUtc } from '../../../core/canonical/time.ts';
import { countOrders, streamOrders } from '../../../core/store/orders.ts';
import type { StoreHandle } from '../../../core/store/db.ts';
import { syncConnection, type SyncSummary } from '../../../core/sync/engine.ts';
import type { CanonicalOrder } from '../../../core/canonical/order.ts';
import { dropohsChannel } from '../index.ts';
import type { DropohsConfig } from '../config.ts';
import { startDropohsSimulator, type DropohsSimulator, type DropohsSimulatorOptions } from '../simulator/index.ts';

export const CONNECTION = 'dropohs-test';

/** "now" of the simulators in tests: pinned, so generated data is the same on every run. */
export const SIM_NOW = Date.parse('2025-06-15T10:00:00Z');

export async function startSim(options: Partial<DropohsSimulatorOptions> = {}): Promise<DropohsSimulator> {
  return startDropohsSimulator({ host: '127.0.0.1', port: 0, orders: 300, seed: 11, since: '2024-09-01', now: SIM_NOW, ...options });
}

/** Whether a UTC instant lies in the repeated autumn hour of a zone (its wall time occurs twice). */
export function inRepeatedHour(truth: string, zone = 'Europe/Prague'): boolean {
  const t = new Date(truth).getTime();
  const wall = utcToWallTime(new Date(t), zone);
  return utcToWallTime(new Date(t - 3_600_000), zone) === wall || utcToWallTime(new Date(t + 3_600_000), zone) === wall;
}

/**
 * The createdAt the mapping must produce for an order created at `truth` (UTC): the truth itself,
 * except in the repeated autumn hour, where a wall time without an offset is ambiguous and the core's
 * wallTimeToUtc picks one of the two occurrences.
 */
export function expectedCreatedAt(truth: string, zone = 'Europe/Prague'): string {
  return inRepeatedHour(truth, zone) ? wallTimeToUtc(utcToWallTime(new Date(truth), zone), zone) : truth;
}

export function configFor(sim: DropohsSimulator, extra: Record<string, unknown> = {}): DropohsConfig {
  return dropohsChannel.configSchema.parse({
    name: CONNECTION,
    ...sim.connection,
    since: '2024-09-01',
    http: { maxAttempts: 6, requestsPerSecond: 1000, concurrency: 4, timeoutMs: 5000, deadlineMs: 60000 },
    ...extra,
  });
}

export function sync(store: StoreHandle, config: DropohsConfig): Promise<SyncSummary> {
  return syncConnection({ store, channel: dropohsChannel, config, logger: silentLogger() });
}

export async function storedOrders(store: StoreHandle, connection = CONNECTION): Promise<CanonicalOrder[]> {
  const out: CanonicalOrder[] = [];
  for await (const o of streamOrders(store.db, { connection })) out.push(o);
  return out;
}

export async function storedIds(store: StoreHandle, connection = CONNECTION): Promise<string[]> {
  return (await storedOrders(store, connection)).map((o) => o.externalId);
}

/** Stored external ids: sorted, plus whether any id is stored twice. */
export async function storedSet(store: StoreHandle): Promise<{ ids: string[]; count: number; distinct: number }> {
  const ids = (await storedIds(store)).sort();
  return { ids, count: await countOrders(store.db, CONNECTION), distinct: new Set(ids).size };
}

export function sorted(ids: Iterable<string>): string[] {
  return [...ids].sort();
}

export async function tableCounts(store: StoreHandle): Promise<{ orders: number; journal: number; payloads: number; failures: number }> {
  const n = async (table: 'orders' | 'order_journal' | 'order_payloads' | 'sync_failures') =>
    Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { orders: await n('orders'), journal: await n('order_journal'), payloads: await n('order_payloads'), failures: await n('sync_failures') };
}
