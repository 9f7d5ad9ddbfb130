/** Status write-back through the bulk upsert, read back from the channel and stored with a journal entry. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChannelRefusedError, WriteBackRuleError } from '../../../core/errors.ts';
import { silentLogger } from '../../../core/log.ts';
import { findOrder, orderJournal } from '../../../core/store/orders.ts';
import { syncConnection } from '../../../core/sync/engine.ts';
import { writeBackStatus } from '../../../core/sync/write-back.ts';
import { openTestStore, type TestStore } from '../../../../test/support/stores.ts';
import { ecommdChannel } from '../index.ts';
import { ECOMMD_STATUSES } from '../status-map.ts';
import { buildStatusUpsert } from '../write-back.ts';
import type { EcommdSimulator } from '../simulator/index.ts';
import { connectorFor, startSim, syncConfig } from './helpers.ts';

let sim: EcommdSimulator;
let ts: TestStore;

beforeAll(async () => {
  sim = await startSim({ orders: 120, seed: 33 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  sim.reset();
  ts = await openTestStore('sqlite');
  const s = await syncConnection({ store: ts.store, channel: ecommdChannel, config: syncConfig(sim), logger: silentLogger() });
  expect(s.status).toBe('succeeded');
});
afterEach(async () => {
  await ts.cleanup();
});

const deps = () => ({ store: ts.store, logger: silentLogger(), channel: ecommdChannel, config: syncConfig(sim) });

function orderIn(status: string): number {
  const id = sim.allOrderIds().find((i) => sim.statusOf(i) === status);
  if (id === undefined) throw new Error(`no order in ${status}`);
  return id;
}

describe('ecom.md status write-back', () => {
  it('sets the status at the channel, reads it back and journals it', async () => {
    const id = orderIn('confirmed');
    const before = (await findOrder(ts.store.db, `md:${id}`))!;
    expect(before.channelStatus).toBe('confirmed');

    const after = await writeBackStatus(deps(), before, 'incollection');
    expect(sim.statusOf(id)).toBe('incollection');
    expect(after).toMatchObject({ externalId: String(id), channelStatus: 'incollection', status: 'processing' });
    const journal = await orderJournal(ts.store.db, before.id);
    expect(journal.at(-1)).toMatchObject({ kind: 'status_changed', from_status: 'confirmed', to_status: 'processing' });

    // the body: the status on every item and at the top level, items with their id, product and quantity
    const body = sim.requests.upserts.at(-1) as Array<Record<string, unknown>>;
    const raw = sim.getOrder(id) as { order_items: Array<{ id: number; product: { id: number }; quantity: number }> };
    expect(body).toEqual([{
      order_id: id,
      status: 'incollection',
      order_items: raw.order_items.map((i) => ({ order_id: i.id, order_status: 'incollection', product: i.product.id, quantity: i.quantity })),
    }]);
  });

  it('offers the 17 channel statuses and refuses others locally', async () => {
    const { connector, close } = connectorFor(sim);
    expect(connector.writeBack!.settableStatuses).toEqual(ECOMMD_STATUSES);
    await close();
    const order = (await findOrder(ts.store.db, `md:${orderIn('new')}`))!;
    await expect(writeBackStatus(deps(), order, 'shipped')).rejects.toThrow(WriteBackRuleError);
    expect(sim.requests.upserts).toHaveLength(0);
  });

  it('refuses when the channel accepts the upsert but keeps the old status', async () => {
    const id = orderIn('completedandclosed');
    const order = (await findOrder(ts.store.db, `md:${id}`))!;
    const err = await writeBackStatus(deps(), order, 'ondelivery').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelRefusedError);
    expect((err as Error).message).toBe('ecom.md did not apply the status change: still completedandclosed');
    expect(sim.statusOf(id)).toBe('completedandclosed');
    expect((await findOrder(ts.store.db, order.id))!.channelStatus).toBe('completedandclosed');

    sim.setFaults({ ignoreWrites: true });
    const other = (await findOrder(ts.store.db, `md:${orderIn('new')}`))!;
    await expect(writeBackStatus(deps(), other, 'confirmed')).rejects.toThrow('ecom.md did not apply the status change: still new');
  });

  it('reports the channel\'s DRF validation messages as a refusal', async () => {
    const { connector, close } = connectorFor(sim);
    try {
      const order = (await findOrder(ts.store.db, `md:${orderIn('new')}`))!;
      // straight to the connector: the core would refuse an unknown status before sending anything
      const err = await connector.writeBack!.setStatus!(order, 'shipped').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChannelRefusedError);
      expect((err as Error).message).toMatch(new RegExp(`^ecom\\.md refused the update of order ${order.externalId}: \\[0\\]\\.status: "shipped" is not a valid choice\\.; \\[0\\]\\.order_items\\[0\\]\\.order_status: "shipped" is not a valid choice\\.`));
      const gone = { ...order, externalId: '999999999' };
      await expect(connector.writeBack!.setStatus!(gone, 'new')).rejects.toThrow('ecom.md does not know order 999999999 (HTTP 404)');
    } finally {
      await close();
    }
  });

  it('survives a rate-limited or failing upsert (retried: setting an absolute status is idempotent)', async () => {
    sim.setFaults({ rateLimitEvery: 2, retryAfterSeconds: 0 });
    const id = orderIn('new');
    const order = (await findOrder(ts.store.db, `md:${id}`))!;
    const after = await writeBackStatus(deps(), order, 'canceled');
    expect(after.status).toBe('cancelled');
    expect(sim.statusOf(id)).toBe('canceled');
  });

  it('sends only the top-level status for an order without items', () => {
    expect(buildStatusUpsert({ id: 7, status: 'new', created_at: '2026-01-01T00:00:00Z', order_items: [] }, 'confirmed')).toEqual({ order_id: 7, status: 'confirmed' });
    expect(() => buildStatusUpsert({ id: 7 }, 'confirmed')).toThrow(/current order is malformed at created_at/);
  });
});
