import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.ts';
import { createSubscription } from '../../src/webhooks/store.ts';
import { webhookTables } from '../../src/webhooks/tables.ts';
import { signatureHeader, verifyWebhookSignature } from '../../src/webhooks/signature.ts';
import { describeEachStore } from '../support/stores.ts';
import { mapped, putOrders, startReceiver, startTestApi, waitFor, type Receiver, type TestApi } from './helpers.ts';
import { churn, feedEvents, perOrderSeqs, startHoldingReceiver } from './webhooks-support.ts';

describeEachStore('webhooks', (kind) => {
  let api: TestApi | undefined;
  let receiver: Receiver | undefined;
  let secret: string | null = null;
  afterEach(async () => {
    await receiver?.close();
    await api?.close();
    api = undefined;
    receiver = undefined;
  });

  it('delivers every change signed, exactly as the feed shows it', async () => {
    api = await startTestApi(kind);
    receiver = await startReceiver(() => secret);
    const created = await api.call('POST', '/v1/webhooks', { body: { url: receiver.url, description: 'erp' } });
    expect(created.status).toBe(201);
    secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    expect((await api.call('GET', '/v1/webhooks')).body.data[0]).not.toHaveProperty('secret');
    await churn(api, 'A', 20);
    const feed = await feedEvents(api);
    expect(feed.length).toBe(60);
    await waitFor('all deliveries', () => receiver!.received.length >= 60);
    expect(receiver.badSignatures).toBe(0);
    const got = [...receiver.received].sort((a, b) => a.event.seq - b.event.seq);
    expect(got.map((r) => r.event)).toEqual(feed);
    for (const r of got) {
      expect(r.headers['orderhub-event-id']).toBe(r.event.id);
      expect(r.headers['orderhub-event-type']).toBe(r.event.type);
      expect(r.headers['orderhub-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    }
    // the receiver has them before the dispatcher records the acknowledgements
    await waitFor('acknowledgements recorded', async () =>
      (await api!.call('GET', `/v1/webhooks/${created.body.id}/deliveries?state=delivered&limit=500`)).body.data.length === 60);
    // the metrics count this process's deliveries
    await waitFor('metrics', async () => /orderhub_webhook_deliveries_total\{outcome="delivered"\} 60/.test((await api!.call('GET', '/metrics', { key: null })).text));
  });

  it('catches up after the receiver was down, losing nothing and keeping per-order order', async () => {
    api = await startTestApi(kind);
    receiver = await startReceiver(() => secret);
    const sub = await api.call('POST', '/v1/webhooks', { body: { url: receiver.url, events: ['order.created', 'order.status_changed', 'order.changed'] } });
    secret = sub.body.secret as string;
    receiver.failWith = 503;
    await churn(api, 'B', 15);
    await waitFor('refusals', () => receiver!.refused >= 30);
    receiver.failWith = null;
    const feed = await feedEvents(api);
    await waitFor('catch-up', () => receiver!.received.length >= feed.length, 20_000);
    const ids = receiver.received.map((r) => r.event.id);
    expect(new Set(ids)).toEqual(new Set(feed.map((e) => e.id)));
    // arrival order per order equals journal order per order
    const arrival = perOrderSeqs(receiver.received.map((r) => r.event));
    const expected = perOrderSeqs(feed);
    expect(arrival).toEqual(expected);
    await waitFor('no backlog', async () =>
      (await webhookTables(api!.t.store.db).selectFrom('webhook_deliveries').select('state').where('state', '!=', 'delivered').execute()).length === 0);
  });

  it('loses nothing when a dispatcher dies holding claimed deliveries (lease expiry)', async () => {
    api = await startTestApi(kind, { server: { workers: false } });
    receiver = await startReceiver(() => secret);
    const { secret: s } = await createSubscription(api.t.store.db, { url: receiver.url });
    secret = s;
    await churn(api, 'C', 10);
    const logger = silentLogger();
    const doomed = new WebhookDispatcher({ store: api.t.store, logger, allowPrivateTargets: true, leaseMs: 1_500, batchSize: 1000 });
    await doomed.runOnce(new Date(0)).catch(() => undefined); // fan out only: nothing due at t=0
    const claimed = await doomed.claim();
    expect(claimed.length).toBe(10); // one per order: later events wait for the earlier ones
    // "kill -9": the doomed dispatcher never posts nor acknowledges; it is simply dropped
    const heir = new WebhookDispatcher({ store: api.t.store, logger, allowPrivateTargets: true, leaseMs: 5_000, batchSize: 1000 });
    expect((await heir.runOnce()).claimed).toBe(0); // leases still held
    await new Promise((r) => setTimeout(r, 1_600));
    for (let i = 0; i < 10 && receiver.received.length < 30; i++) await heir.runOnce();
    expect(receiver.received.length).toBe(30);
    expect(perOrderSeqs(receiver.received.map((r) => r.event))).toEqual(perOrderSeqs(await feedEvents(api)));
    await heir.stop();
    await doomed.stop();
  });

  it('loses nothing when the delivering process is killed with SIGKILL mid-delivery', async () => {
    api = await startTestApi(kind, { server: { workers: false } });
    // a receiver that holds every request open (never answers) until told to answer
    let s = '';
    const hold = await startHoldingReceiver(() => s, 60_000);
    const { held, got } = hold;
    try {
      s = (await createSubscription(api.t.store.db, { url: hold.url })).secret;
      await churn(api, 'K', 8);
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./dispatcher-child.ts', import.meta.url)), api.t.database, '1500'], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        await waitFor('deliveries in flight in the child', () => held.length >= 8);
        const leased = await webhookTables(api.t.store.db).selectFrom('webhook_deliveries').select('id').where('lease_owner', 'is not', null).execute();
        expect(leased.length).toBe(8);
      } finally {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
      for (const r of held) r.destroy();
      hold.release();
      const heir = new WebhookDispatcher({ store: api.t.store, logger: silentLogger(), allowPrivateTargets: true, leaseMs: 5_000 });
      try {
        await waitFor('everything delivered after the lease expired', async () => {
          await heir.runOnce();
          return got.length >= 24;
        }, 20_000);
      } finally {
        await heir.stop();
      }
      const feed = await feedEvents(api);
      expect(new Set(got.map((e) => e.id))).toEqual(new Set(feed.map((e) => e.id)));
      expect(perOrderSeqs(got)).toEqual(perOrderSeqs(feed));
    } finally {
      await hold.close();
    }
  });

  it('never hands one delivery to two dispatchers running at once', async () => {
    api = await startTestApi(kind, { server: { workers: false } });
    receiver = await startReceiver(() => secret);
    secret = (await createSubscription(api.t.store.db, { url: receiver.url })).secret;
    const ids = Array.from({ length: 400 }, (_, i) => `D${i + 1}`);
    await putOrders(api.t.store, 'shop', ids.map((id) => mapped(id)));
    const logger = silentLogger();
    const a = new WebhookDispatcher({ store: api.t.store, logger, allowPrivateTargets: true, batchSize: 50 });
    const b = new WebhookDispatcher({ store: api.t.store, logger, allowPrivateTargets: true, batchSize: 50 });
    for (let round = 0; round < 30 && receiver.received.length < 400; round++) {
      await Promise.all([a.runOnce(), b.runOnce()]);
    }
    const got = receiver.received.map((r) => r.event.id);
    expect(got.length).toBe(400);
    expect(new Set(got).size).toBe(400);
    await a.stop();
    await b.stop();
  });

  it('dead-letters after the retry schedule and redelivers by hand', async () => {
    api = await startTestApi(kind, { server: { webhooks: { retrySchedule: [20, 20] } } });
    receiver = await startReceiver(() => secret);
    const sub = await api.call('POST', '/v1/webhooks', { body: { url: receiver.url, includeOrder: true } });
    secret = sub.body.secret as string;
    receiver.failWith = 500;
    await putOrders(api.t.store, 'shop', [mapped('E1'), mapped('E2')]);
    await waitFor('dead letters', async () => {
      const r = await api!.call('GET', `/v1/webhooks/${sub.body.id}/deliveries?state=dead`);
      return r.body.data.length === 2 ? r.body.data : null;
    });
    expect(receiver.refused).toBe(6); // 3 attempts each
    const dead = (await api.call('GET', `/v1/webhooks/${sub.body.id}/deliveries?state=dead`)).body.data;
    expect(dead[0]).toMatchObject({ attempts: 3, lastStatus: 500, state: 'dead' });
    receiver.failWith = null;
    const ro = await api.call('POST', `/v1/webhooks/${sub.body.id}/redeliver`, { key: api.readKey, body: {} });
    expect(ro.status).toBe(403);
    const one = await api.call('POST', `/v1/webhooks/${sub.body.id}/redeliver`, { body: { deliveryId: dead[0].id } });
    expect(one.body).toEqual({ requeued: 1 });
    await waitFor('one redelivered', () => receiver!.received.length === 1);
    const rest = await api.call('POST', `/v1/webhooks/${sub.body.id}/redeliver`); // no body: every dead letter
    expect(rest.body).toEqual({ requeued: 1 });
    await waitFor('both redelivered', () => receiver!.received.length === 2);
    expect(receiver.received[0]!.event.order).toMatchObject({ externalId: expect.stringMatching(/^E\d$/) });
    expect((await api.call('DELETE', `/v1/webhooks/${sub.body.id}`)).status).toBe(204);
    expect((await api.call('GET', `/v1/webhooks/${sub.body.id}`)).status).toBe(404);
  });
});

it('verifies signatures strictly (wrong secret, tampered body, old timestamp, garbage)', () => {
  const body = '{"id":"evt_1"}';
  const header = signatureHeader('whsec_test_secret_123', body);
  expect(verifyWebhookSignature('whsec_test_secret_123', body, header)).toBe(true);
  expect(verifyWebhookSignature('whsec_other_secret_12', body, header)).toBe(false);
  expect(verifyWebhookSignature('whsec_test_secret_123', `${body} `, header)).toBe(false);
  const old = signatureHeader('whsec_test_secret_123', body, Date.now() - 3_600_000);
  expect(verifyWebhookSignature('whsec_test_secret_123', body, old)).toBe(false);
  for (const bad of [undefined, '', 't=1', 'v1=abc', 't=abc,v1=00', `t=${Math.floor(Date.now() / 1000)},v1=zz`, `t=${Math.floor(Date.now() / 1000)},v1=abcd`]) {
    expect(verifyWebhookSignature('whsec_test_secret_123', body, bad)).toBe(false);
  }
});
