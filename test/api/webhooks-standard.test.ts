/**
 * Issue 17, item 9: subscriptions signed with the Standard Webhooks scheme, checked with the
 * `standardwebhooks` package's own verifier (what a receiver would use), beside the default scheme.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, expect, it } from 'vitest';
import { openStore } from '../../src/core/store/db.ts';
import { openHubStore } from '../../src/store-modules.ts';
import { createSubscription, listSubscriptions } from '../../src/webhooks/store.ts';
import { webhookStoreModule, webhookTables } from '../../src/webhooks/tables.ts';
import { createTestDatabase, hasPg, tempDir } from '../support/pg.ts';
import { describeEachStore, type StoreKind } from '../support/stores.ts';
import { mapped, putOrders, startReceiver, startTestApi, waitFor, type Receiver, type SignatureCheck, type TestApi } from './helpers.ts';
import { churn, feedEvents } from './webhooks-support.ts';

/** The receiver's side: the library verifies the raw body against the three headers. */
const verifiedByLibrary: SignatureCheck = (secret, raw, headers) => {
  try {
    new Webhook(secret).verify(raw, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

const standardSecret = (bytes = 32) => `whsec_${randomBytes(bytes).toString('base64')}`;

describeEachStore('Standard Webhooks signing', (kind) => {
  let api: TestApi | undefined;
  let receiver: Receiver | undefined;
  let other: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    await other?.close();
    await api?.close();
    api = undefined;
    receiver = undefined;
    other = undefined;
  });

  it('signs deliveries so that the standardwebhooks library verifies them', async () => {
    api = await startTestApi(kind);
    let secret: string | null = null;
    receiver = await startReceiver(() => secret, verifiedByLibrary);
    const created = await api.call('POST', '/v1/webhooks', { body: { url: receiver.url, signing: 'standard' } });
    expect(created.status).toBe(201);
    expect(created.body.signing).toBe('standard');
    secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    // beside it, a subscription with the default scheme, verified the orderhub way
    let plainSecret: string | null = null;
    other = await startReceiver(() => plainSecret);
    const plain = await api.call('POST', '/v1/webhooks', { body: { url: other.url, events: ['order.created'] } });
    expect(plain.body.signing).toBe('orderhub');
    plainSecret = plain.body.secret as string;
    const listed = (await api.call('GET', '/v1/webhooks')).body.data as Array<{ id: string; signing: string }>;
    expect(Object.fromEntries(listed.map((s) => [s.id, s.signing]))).toEqual({ [created.body.id]: 'standard', [plain.body.id]: 'orderhub' });
    expect((await api.call('GET', `/v1/webhooks/${created.body.id}`)).body.signing).toBe('standard');

    await churn(api, 'W', 10);
    const feed = await feedEvents(api);
    await waitFor('every standard delivery', () => receiver!.received.length >= 30);
    await waitFor('every orderhub-signed delivery', () => other!.received.length >= 10);
    expect(receiver.badSignatures + other.badSignatures).toBe(0);
    expect(other.received.every((r) => r.headers['webhook-signature'] === undefined && typeof r.headers['orderhub-signature'] === 'string')).toBe(true);
    const got = [...receiver.received].sort((a, b) => a.event.seq - b.event.seq);
    expect(got.map((r) => r.event)).toEqual(feed);
    for (const r of got) {
      expect(r.headers['webhook-id']).toBe(r.event.id);
      expect(r.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
      expect(r.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      expect(r.headers).not.toHaveProperty('orderhub-signature');
    }
    // the library does refuse what it should: another body, another secret
    const one = got[0]!;
    const headers = one.headers as Record<string, string>;
    expect(() => new Webhook(secret!).verify(`${one.raw} `, headers)).toThrow();
    expect(() => new Webhook(standardSecret()).verify(one.raw, headers)).toThrow();
  });

  it('keeps the webhook-id of an event across retries and redeliveries', async () => {
    api = await startTestApi(kind);
    let secret = '';
    // refuses the first attempt at every message, answers the next ones; records every attempt
    const attempts: Array<{ id: string; eventId: string; verified: boolean }> = [];
    const seen = new Set<string>();
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const id = String(req.headers['webhook-id']);
        attempts.push({ id, eventId: (JSON.parse(raw) as { id: string }).id, verified: verifiedByLibrary(secret, raw, req.headers) });
        if (seen.has(id)) return void res.writeHead(204).end();
        seen.add(id);
        res.writeHead(503).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const sub = await api.call('POST', '/v1/webhooks', { body: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, signing: 'standard' } });
      secret = sub.body.secret as string;
      await putOrders(api.t.store, 'shop', [mapped('R1'), mapped('R2')]);
      await waitFor('both delivered on their second attempt', async () =>
        (await api!.call('GET', `/v1/webhooks/${sub.body.id}/deliveries?state=delivered`)).body.data.length === 2);
      expect(attempts).toHaveLength(4);
      const delivered = (await api.call('GET', `/v1/webhooks/${sub.body.id}/deliveries?state=delivered`)).body.data as Array<{ id: number; eventId: string }>;
      expect((await api.call('POST', `/v1/webhooks/${sub.body.id}/redeliver`, { body: { deliveryId: delivered[0]!.id } })).body).toEqual({ requeued: 1 });
      await waitFor('the redelivery', () => attempts.length === 5);
      expect(attempts.every((a) => a.verified)).toBe(true);
      // one webhook-id per event, the event's id, on all of its attempts
      expect(attempts.every((a) => a.id === a.eventId)).toBe(true);
      const perId = new Map<string, number>();
      for (const a of attempts) perId.set(a.id, (perId.get(a.id) ?? 0) + 1);
      expect([...perId.values()].sort()).toEqual([2, 3]);
      expect(perId.get(delivered[0]!.eventId)).toBe(3);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("uses a caller's standard secret and refuses secrets the scheme cannot sign with", async () => {
    api = await startTestApi(kind);
    const secret = standardSecret(24);
    receiver = await startReceiver(() => secret, verifiedByLibrary);
    const created = await api.call('POST', '/v1/webhooks', { body: { url: receiver.url, signing: 'standard', secret } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBe(secret);
    await putOrders(api.t.store, 'shop', [mapped('U1')]);
    await waitFor('the delivery', () => receiver!.received.length === 1);
    expect(receiver.badSignatures).toBe(0);

    const refused = async (body: Record<string, unknown>) => {
      const r = await api!.call('POST', '/v1/webhooks', { body: { url: receiver!.url, ...body } });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      return r.body.error.message as string;
    };
    expect(await refused({ signing: 'standard', secret: 'a-plain-secret-of-enough-length' })).toMatch(/secret: a standard secret is whsec_ followed by base64/);
    expect(await refused({ signing: 'standard', secret: `whsec_${randomBytes(16).toString('base64')}` })).toMatch(/24 to 64 bytes \(this one has 16\)/);
    expect(await refused({ signing: 'standard', secret: `whsec_${randomBytes(32).toString('base64url')}-_` })).toMatch(/base64/);
    expect(await refused({ signing: 'hmac' })).toMatch(/signing/);
    expect((await api.call('GET', '/v1/webhooks')).body.data).toHaveLength(1);
  });
});

async function freshDatabase(kind: StoreKind): Promise<{ database: string; cleanup(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = tempDir('orderhub-webhooks-');
    return { database: join(dir.path, 'orderhub.db'), cleanup: async () => dir.cleanup() };
  }
  const db = await createTestDatabase();
  return { database: db.url, cleanup: () => db.drop() };
}

for (const kind of ['sqlite', 'postgres'] as const) {
  it.skipIf(kind === 'postgres' && !hasPg())(`subscriptions made before 0007_webhooks_signing keep the orderhub scheme [${kind}]`, async () => {
    const fresh = await freshDatabase(kind);
    try {
      // a store whose webhooks module is the one before signing schemes existed
      const before = await openStore(fresh.database, { modules: [{ name: 'webhooks', migrations: webhookStoreModule.migrations.slice(0, 1) }] });
      const columns = (await before.db.introspection.getTables()).find((t) => t.name === 'webhook_subscriptions')!.columns.map((c) => c.name);
      expect(columns).not.toContain('signing');
      await webhookTables(before.db).insertInto('webhook_subscriptions').values({
        id: 'wh_old', url: 'https://erp.example.com/hook', events: '["order.created"]', secret: 'whsec_old_secret_1234', description: null,
        include_order: 0, enabled: 1, cursor: 0, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z',
      } as never).execute();
      await before.close();

      const after = await openHubStore(fresh.database);
      try {
        expect((await listSubscriptions(after.db)).map((s) => [s.id, s.signing])).toEqual([['wh_old', 'orderhub']]);
        const made = await createSubscription(after.db, { url: 'https://erp.example.com/std', signing: 'standard' });
        expect(made.subscription.signing).toBe('standard');
      } finally {
        await after.close();
      }
    } finally {
      await fresh.cleanup();
    }
  });
}
