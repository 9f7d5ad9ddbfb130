/**
 * Re-syncs skip mapping what did not change: a record whose raw payload is exactly the stored one is
 * not mapped again, as long as the mapping is the one the store was filled with. Against the
 * drinks2cash simulator over HTTP, on SQLite and PostgreSQL, counting the connector's mapOrder calls.
 */
import { expect, it } from 'vitest';
import { drinks2cashChannel } from '../../src/channels/drinks2cash/index.ts';
import type { BaseConnectionConfig } from '../../src/core/config.ts';
import type { ChannelDefinition } from '../../src/core/connector.ts';
import { silentLogger } from '../../src/core/log.ts';
import { findOrder } from '../../src/core/store/orders.ts';
import { syncConnection, type SyncOptions } from '../../src/core/sync/engine.ts';
import { describeEachStore } from '../support/stores.ts';
import { drinksConfig, expectConverged, simAndStorePerTest, tableCount } from './support.ts';

/** The drinks2cash channel with its mapOrder calls counted. */
function countingChannel(): { channel: ChannelDefinition; mapped: () => number } {
  let calls = 0;
  const channel: ChannelDefinition = {
    ...drinks2cashChannel,
    createConnector(config, ctx) {
      const connector = drinks2cashChannel.createConnector(config as Parameters<typeof drinks2cashChannel.createConnector>[0], ctx);
      return {
        ...connector,
        mapOrder(record: unknown) {
          calls++;
          return connector.mapOrder(record);
        },
      };
    },
  } as ChannelDefinition;
  return { channel, mapped: () => calls };
}

describeEachStore('re-sync without re-mapping', (kind) => {
  const env = simAndStorePerTest(kind, 600);

  const run = async (config: BaseConnectionConfig, options: SyncOptions = {}) => {
    const counting = countingChannel();
    const summary = await syncConnection({ store: env.t.store, channel: counting.channel, config, logger: silentLogger() }, options);
    expect(summary.status, summary.error ?? '').toBe('succeeded');
    return { summary, mapped: counting.mapped() };
  };

  it('maps only what changed, and everything again after a full sync request or a mapping change', async () => {
    const config = drinksConfig(env.sim);
    const first = await run(config);
    expect(first.summary.counts.created).toBe(600);
    expect(first.mapped).toBe(first.summary.counts.fetched);

    // nothing changed at the channel: every record fetched is its stored raw payload
    const again = await run(config);
    expect(again.summary.counts.fetched).toBeGreaterThan(0);
    expect(again.summary.counts.unchanged).toBe(again.summary.counts.fetched);
    expect(again.mapped).toBe(0);

    // one open order changes: it alone is mapped, and updated
    const open = env.sim.allOrderNumbers().find((n) => ['NEW', 'IN_REALIZATION'].includes(env.sim.statusOf(n)!))!;
    env.sim.changeStatus(open, 'CANCELLED');
    const changed = await run(config);
    expect(changed.mapped).toBe(1);
    expect(changed.summary.counts.updated).toBe(1);
    expect((await findOrder(env.t.store.db, `drinks:${open}`))!.status).toBe('cancelled');
    await expectConverged(env.t.store, env.sim);

    // --full maps everything it fetches again (and writes nothing: the content is the same)
    const journalBefore = await tableCount(env.t.store, 'order_journal');
    const full = await run(config, { full: true });
    expect(full.mapped).toBe(full.summary.counts.fetched);
    expect(full.summary.counts.updated).toBe(0);
    expect(await tableCount(env.t.store, 'order_journal')).toBe(journalBefore);

    // another time zone is another mapping: the next run maps all it fetches and moves createdAt
    const utc = drinksConfig(env.sim, { timeZone: 'UTC' });
    const rezoned = await run(utc);
    expect(rezoned.mapped).toBe(rezoned.summary.counts.fetched);
    expect(rezoned.summary.counts.updated).toBeGreaterThan(0);
    // … and records it: the run after that maps nothing again
    const settled = await run(utc);
    expect(settled.mapped).toBe(0);
    expect(settled.summary.counts.unchanged).toBe(settled.summary.counts.fetched);
  });

  it('a --since backfill maps everything it fetches', async () => {
    const config = drinksConfig(env.sim);
    await run(config);
    const backfill = await run(config, { since: config.since });
    expect(backfill.mapped).toBe(backfill.summary.counts.fetched);
    expect((await run(config)).mapped).toBe(0);
  });
});
