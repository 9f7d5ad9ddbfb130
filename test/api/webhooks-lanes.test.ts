/**
 * Issue 19, defect 4: one slow webhook receiver must not delay the other subscriptions, and a kill -9
 * while it holds its answers must not re-send what the others already answered 200.
 * The slow receiver holds every request until the test releases it; the assertions are on counts
 * and order, taken while it still holds (never on elapsed time).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.ts';
import { createSubscription } from '../../src/webhooks/store.ts';
import { webhookTables } from '../../src/webhooks/tables.ts';
import { describeEachStore } from '../support/stores.ts';
import { startReceiver, startTestApi, waitFor, type Receiver, type TestApi } from './helpers.ts';
import { churn, feedEvents, perOrderSeqs, startHoldingReceiver, type HoldingReceiver } from './webhooks-support.ts';

async function deliveryStates(api: TestApi, subscriptionId: string): Promise<Record<string, number>> {
  const rows = await webhookTables(api.t.store.db).selectFrom('webhook_deliveries').select('state').where('subscription_id', '=', subscriptionId).execute();
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.state] = (counts[r.state] ?? 0) + 1;
  return counts;
}

describeEachStore('webhook subscriptions are independent', (kind) => {
  let api: TestApi | undefined;
  let fast: Receiver | undefined;
  let slow: HoldingReceiver | undefined;
  afterEach(async () => {
    slow?.release();
    await fast?.close();
    await slow?.close();
    await api?.close();
    api = undefined;
    fast = undefined;
    slow = undefined;
  });

  it('a fast receiver gets every event while a slow one still holds its first answers', async () => {
    // attempts may take longer than the slow receiver holds: it answers late, it does not fail
    api = await startTestApi(kind, { server: { webhooks: { timeoutMs: 20_000, leaseMs: 30_000 } } });
    let fastSecret: string | null = null;
    let slowSecret = '';
    fast = await startReceiver(() => fastSecret);
    slow = await startHoldingReceiver(() => slowSecret);
    const slowSub = await api.call('POST', '/v1/webhooks', { body: { url: slow.url, description: 'slow' } });
    slowSecret = slowSub.body.secret as string;
    const fastSub = await api.call('POST', '/v1/webhooks', { body: { url: fast.url, description: 'fast' } });
    fastSecret = fastSub.body.secret as string;

    await churn(api, 'S', 10); // 30 events: 3 per order, each order's in turn
    await waitFor('the slow receiver holding the first event of every order', () => slow!.held.length >= 10);
    await waitFor('the fast receiver has every event', () => fast!.received.length >= 30);
    await waitFor('its deliveries recorded', async () => (await deliveryStates(api!, fastSub.body.id)).delivered === 30);
    // …all while the slow one has answered nothing: only the first event of each order went to it
    expect(slow.got).toHaveLength(0);
    expect(slow.held).toHaveLength(10);
    expect(await deliveryStates(api, slowSub.body.id)).toEqual({ pending: 30 });
    const feed = await feedEvents(api);
    expect(fast.received.map((r) => r.event.id).sort()).toEqual(feed.map((e) => e.id).sort());
    expect(perOrderSeqs(fast.received.map((r) => r.event))).toEqual(perOrderSeqs(feed));

    slow.release();
    await waitFor('the slow receiver catches up', () => slow!.got.length >= 30);
    await waitFor('its deliveries recorded', async () => (await deliveryStates(api!, slowSub.body.id)).delivered === 30);
    expect(perOrderSeqs(slow.got)).toEqual(perOrderSeqs(feed));
    expect(fast.received).toHaveLength(30);
  });

  it('after a kill -9 while the slow receiver holds, re-sends nothing the fast one answered 200', async () => {
    api = await startTestApi(kind, { server: { workers: false } });
    let fastSecret: string | null = null;
    let slowSecret = '';
    fast = await startReceiver(() => fastSecret);
    slow = await startHoldingReceiver(() => slowSecret);
    slowSecret = (await createSubscription(api.t.store.db, { url: slow.url })).secret;
    const fastSub = await createSubscription(api.t.store.db, { url: fast.url });
    fastSecret = fastSub.secret;
    await churn(api, 'K', 10);

    // a dispatcher in its own process (attempt timeout 60 s, lease 5 s), killed mid-round
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./dispatcher-child.ts', import.meta.url)), api.t.database, '5000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await waitFor('the slow receiver holding', () => slow!.held.length >= 10);
      await waitFor('the fast receiver has every event', () => fast!.received.length >= 30);
      await waitFor('its deliveries recorded', async () => (await deliveryStates(api!, fastSub.subscription.id)).delivered === 30);
      expect(slow.got).toHaveLength(0);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    for (const res of slow.held) res.destroy();
    slow.release();

    const heir = new WebhookDispatcher({ store: api.t.store, logger: silentLogger(), allowPrivateTargets: true, leaseMs: 5_000 });
    try {
      await waitFor('the slow receiver served after the dead leases expired', async () => {
        await heir.runOnce();
        return slow!.got.length >= 30;
      }, 25_000);
    } finally {
      await heir.stop();
    }
    const feed = await feedEvents(api);
    expect(new Set(slow.got.map((e) => e.id))).toEqual(new Set(feed.map((e) => e.id)));
    expect(perOrderSeqs(slow.got)).toEqual(perOrderSeqs(feed));
    // each event exactly once at the fast receiver: its 200s were recorded as they came
    expect(fast.received.map((r) => r.event.id).sort()).toEqual(feed.map((e) => e.id).sort());
  });
});
