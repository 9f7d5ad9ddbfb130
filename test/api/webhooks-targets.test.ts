/**
 * Issue 19, defect 8: webhook targets. Private, loopback and link-local addresses are refused unless
 * the operator allows them (webhooks.allowPrivateTargets), at creation and at delivery; credentials
 * in a target URL are never shown. No test here sends anything to an address other than loopback:
 * refusals happen before a connection, and other addresses are only ever handed to the checks.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { channels } from '../../src/channels/registry.ts';
import { parseConfig } from '../../src/core/config.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { createSubscription } from '../../src/webhooks/store.ts';
import { redactUrl, TargetPolicy } from '../../src/webhooks/targets.ts';
import { describeEachStore } from '../support/stores.ts';
import { mapped, putOrders, startReceiver, startTestApi, waitFor, type Receiver, type TestApi } from './helpers.ts';

/** A resolver for names of the tests' own (no DNS query leaves the machine). */
function fakeDns(names: Record<string, string[]>): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (err: Error | null, a: LookupAddress[] | string, f?: number) => void) => {
    const addresses = names[hostname];
    if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
    const answer = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (options.all) return callback(null, answer);
    return callback(null, answer[0]!.address, answer[0]!.family);
  }) as unknown as LookupFunction;
}

/** A loopback listener that counts connections: a refusal must not even open one. */
async function startCountingServer(): Promise<{ port: number; connections: number; requests: IncomingMessage[]; close(): Promise<void> }> {
  const s = { port: 0, connections: 0, requests: [] as IncomingMessage[], close: async (): Promise<void> => undefined };
  const server = createServer((req, res) => {
    s.requests.push(req);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  server.on('connection', () => s.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.port = (server.address() as AddressInfo).port;
  s.close = () => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
  return s;
}

const REFUSED: Array<[string, RegExp]> = [
  ['http://127.0.0.1:9/hook', /127\.0\.0\.1 is a loopback address/],
  ['http://10.1.2.3/hook', /10\.1\.2\.3 is a private address \(10\.0\.0\.0\/8\)/],
  ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address .*metadata/],
  ['http://172.20.0.1/', /private address \(172\.16\.0\.0\/12\)/],
  ['https://192.168.1.10/', /private address \(192\.168\.0\.0\/16\)/],
  ['http://0.0.0.0:8080/', /"this network" address/],
  ['http://[::1]:8080/', /::1 is a loopback address/],
  ['http://[fe80::1]/', /link-local address \(fe80::\/10\)/],
  ['http://[fd00:ec2::254]/', /unique local address \(fc00::\/7\)/],
  ['http://[::ffff:169.254.169.254]/', /link-local address/],
  ['http://localhost:8080/', /localhost is the local machine/],
  ['http://2130706433/', /127\.0\.0\.1 is a loopback address/], // 127.0.0.1 written as one number
  ['http://0x7f.1/', /127\.0\.0\.1 is a loopback address/],
];

describeEachStore('webhook targets', (kind) => {
  let api: TestApi | undefined;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    await api?.close();
    api = undefined;
    receiver = undefined;
  });

  it('refuses private, loopback and link-local targets at creation when the config does not allow them', async () => {
    // no allowance (the product's default); no workers, so nothing is ever delivered from here
    api = await startTestApi(kind, { webhooks: {}, server: { workers: false } });
    for (const [url, reason] of REFUSED) {
      const r = await api.call('POST', '/v1/webhooks', { body: { url } });
      expect(r.status, url).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      expect(r.body.error.message, url).toMatch(/^invalid body at url: webhook target refused: /);
      expect(r.body.error.message, url).toMatch(reason);
      expect(r.body.error.message).toMatch(/webhooks\.allowPrivateTargets/);
      expect(r.body.error.details.issues[0]).toMatchObject({ in: 'body', path: 'url' });
    }
    const withPassword = await api.call('POST', '/v1/webhooks', { body: { url: 'https://erp:hunter2-pw@10.0.0.7/hook' } });
    expect(withPassword.status).toBe(400);
    expect(withPassword.text).not.toContain('hunter2-pw');
    expect((await api.call('GET', '/v1/webhooks')).body.data).toEqual([]);
    // a host name is judged on what it resolves to, at delivery: accepted here
    expect((await api.call('POST', '/v1/webhooks', { body: { url: 'https://hooks.example.com/orderhub' } })).status).toBe(201);
  });

  it('allows what the operator allows: every private address, or only the listed networks', async () => {
    api = await startTestApi(kind, { webhooks: { allowPrivateTargets: ['127.0.0.0/8', 'fd12:3456::/32'] }, server: { workers: false } });
    for (const url of ['http://127.0.0.1:9/hook', 'http://127.3.4.5/', 'http://localhost:8080/', 'http://[fd12:3456::1]/']) {
      expect((await api.call('POST', '/v1/webhooks', { body: { url } })).status, url).toBe(201);
    }
    for (const url of ['http://10.1.2.3/hook', 'http://169.254.169.254/', 'http://[::1]/', 'http://[fd00:ec2::254]/']) {
      expect((await api.call('POST', '/v1/webhooks', { body: { url } })).status, url).toBe(400);
    }
    await api.close();
    api = await startTestApi(kind, { webhooks: { allowPrivateTargets: true }, server: { workers: false } });
    for (const url of ['http://127.0.0.1:9/hook', 'http://[::1]:9/', 'http://10.1.2.3/hook', 'http://169.254.169.254/']) {
      expect((await api.call('POST', '/v1/webhooks', { body: { url } })).status, url).toBe(201);
    }
  });

  it('delivers to loopback when allowed, and refuses it at delivery, without connecting, when not', async () => {
    const server = await startCountingServer();
    try {
      const dns = fakeDns({ 'hooks.test': ['127.0.0.1'], 'twice.test': ['127.0.0.2', '127.0.0.1'] });
      // subscriptions made while the config allowed them; this server's config does not
      api = await startTestApi(kind, { webhooks: {}, server: { webhooks: { dnsLookup: dns } } });
      const literal = await createSubscription(api.t.store.db, { url: `http://127.0.0.1:${server.port}/a` });
      const named = await createSubscription(api.t.store.db, { url: `http://hooks.test:${server.port}/b` });
      await putOrders(api.t.store, 'shop', [mapped('T1')]);
      const lastError = async (id: string) => (await api!.call('GET', `/v1/webhooks/${id}/deliveries`)).body.data[0]?.lastError as string | null | undefined;
      await waitFor('both attempts recorded', async () => (await lastError(literal.subscription.id)) && (await lastError(named.subscription.id)));
      expect(await lastError(literal.subscription.id)).toMatch(/^webhook target refused: 127\.0\.0\.1 is a loopback address/);
      expect(await lastError(named.subscription.id)).toMatch(/^webhook target refused: hooks\.test resolves only to refused addresses; 127\.0\.0\.1 is a loopback address/);
      expect(server.connections).toBe(0);
      await api.close();

      // allowed: only 127.0.0.1 — twice.test also resolves to 127.0.0.2, which is dropped before connecting
      api = await startTestApi(kind, { webhooks: { allowPrivateTargets: ['127.0.0.1/32'] }, server: { webhooks: { dnsLookup: dns } } });
      const ok = await createSubscription(api.t.store.db, { url: `http://twice.test:${server.port}/c` });
      await putOrders(api.t.store, 'shop', [mapped('T2')]);
      await waitFor('delivered', async () => (await api!.call('GET', `/v1/webhooks/${ok.subscription.id}/deliveries?state=delivered`)).body.data.length === 1);
      expect(server.requests.map((r) => [r.socket.localAddress, r.headers.host])).toEqual([['127.0.0.1', `twice.test:${server.port}`]]);
    } finally {
      await server.close();
    }
  });

  it('shows credentials in a target URL redacted everywhere, and sends them as Basic auth', async () => {
    api = await startTestApi(kind);
    let secret: string | null = null;
    receiver = await startReceiver(() => secret);
    const port = new URL(receiver.url).port;
    const created = await api.call('POST', '/v1/webhooks', { body: { url: `http://erp:s3cr%40t-pw@127.0.0.1:${port}/hook` } });
    expect(created.status).toBe(201);
    secret = created.body.secret as string;
    expect(created.body.url).toBe(`http://erp:***@127.0.0.1:${port}/hook`);
    const token = await api.call('POST', '/v1/webhooks', { body: { url: `http://tok3n-abc@127.0.0.1:${port}/other`, events: ['order.created'] } });
    expect(token.body.url).toBe(`http://***@127.0.0.1:${port}/other`);
    for (const path of ['/v1/webhooks', `/v1/webhooks/${created.body.id}`, `/v1/webhooks/${token.body.id}`]) {
      const r = await api.call('GET', path);
      expect(r.status).toBe(200);
      expect(r.text).not.toMatch(/s3cr|tok3n/);
    }
    await putOrders(api.t.store, 'shop', [mapped('P1')]);
    await waitFor('delivered', () => receiver!.received.some((r) => r.headers.authorization?.includes(Buffer.from('erp:s3cr@t-pw').toString('base64'))));
    const auth = receiver.received.map((r) => r.headers.authorization).sort();
    expect(auth).toContain(`Basic ${Buffer.from('erp:s3cr@t-pw').toString('base64')}`);
  });
});

describe('webhook target checks', () => {
  const lookup = (policy: TargetPolicy, names: Record<string, string[]>, hostname: string, all: boolean) =>
    new Promise<{ err: (Error & { code?: string }) | null; addresses: unknown }>((resolve) => {
      policy.lookup(fakeDns(names))(hostname, { all }, (err, address) => resolve({ err, addresses: address }));
    });

  it('drops refused addresses from what a name resolves to, and fails when none is left', async () => {
    const names = {
      'metadata.test': ['169.254.169.254'],
      'intranet.test': ['10.0.0.5', '::ffff:192.168.0.1', 'fe80::1'],
      'mixed.test': ['10.0.0.5', '93.184.216.34', '2606:2800:220:1::1'],
    };
    const strict = new TargetPolicy(false);
    const meta = await lookup(strict, names, 'metadata.test', true);
    expect(meta.err?.code).toBe('ERR_WEBHOOK_TARGET_REFUSED');
    expect(meta.err?.message).toMatch(/metadata\.test resolves only to refused addresses; 169\.254\.169\.254 is a link-local address/);
    expect((await lookup(strict, names, 'intranet.test', false)).err?.code).toBe('ERR_WEBHOOK_TARGET_REFUSED');
    expect((await lookup(strict, names, 'mixed.test', true)).addresses).toEqual([{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }]);
    expect((await lookup(strict, names, 'mixed.test', false)).addresses).toBe('93.184.216.34');
    expect((await lookup(strict, names, 'nowhere.test', true)).err?.code).toBe('ENOTFOUND');
    const listed = new TargetPolicy(['10.0.0.0/24']);
    expect((await lookup(listed, names, 'intranet.test', true)).addresses).toEqual([{ address: '10.0.0.5', family: 4 }]);
    expect((await lookup(listed, names, 'metadata.test', true)).err?.code).toBe('ERR_WEBHOOK_TARGET_REFUSED');
  });

  it('classifies addresses, including IPv4-mapped IPv6 and the edges of each range', () => {
    const strict = new TargetPolicy();
    for (const a of ['0.0.0.0', '10.255.255.255', '100.64.0.1', '127.0.0.1', '169.254.169.254', '172.31.255.255', '192.168.0.1', '224.0.0.1', '255.255.255.255', '::', '::1', 'fc00::1', 'fdff::1', 'fe80::1', 'febf::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:a9fe:a9fe']) {
      expect(strict.addressProblem(a), a).not.toBeNull();
    }
    for (const a of ['1.1.1.1', '9.255.255.255', '11.0.0.0', '172.15.255.255', '172.32.0.0', '169.253.255.255', '192.167.255.255', '2001:db8::1', 'fec0::1', '::ffff:8.8.8.8']) {
      expect(strict.addressProblem(a), a).toBeNull();
    }
    expect(new TargetPolicy(true).addressProblem('169.254.169.254')).toBeNull();
  });

  it('redacts passwords and lone user names, and leaves other URLs as they are', () => {
    expect(redactUrl('https://user:pa55@hooks.example.com/x?y=1')).toBe('https://user:***@hooks.example.com/x?y=1');
    expect(redactUrl('https://t0ken@hooks.example.com/x')).toBe('https://***@hooks.example.com/x');
    expect(redactUrl('https://hooks.example.com/x')).toBe('https://hooks.example.com/x');
  });

  it('validates webhooks.allowPrivateTargets in the config, each problem with its path', () => {
    const problems = (webhooks: unknown) => {
      try {
        parseConfig({ webhooks }, channels, 'orderhub.yaml', {});
        return [];
      } catch (err) {
        return [...(err as ConfigError).problems];
      }
    };
    expect(problems({ allowPrivateTargets: ['10.0.0.0/33', 'intranet', '10.20.0.0/16'] })).toEqual([
      'webhooks.allowPrivateTargets[0]: must be an IP network such as 10.20.0.0/16',
      'webhooks.allowPrivateTargets[1]: must be an IP network such as 10.20.0.0/16',
    ]);
    expect(problems({ allowPrivateTargets: 'yes' })).toEqual(['webhooks.allowPrivateTargets: must be true, false or a list of networks such as [10.20.0.0/16]']);
    expect(problems({ allowPrivate: true })).toEqual(['webhooks.allowPrivate: unknown key (known: allowPrivateTargets)']);
    expect(parseConfig({}, channels, 'orderhub.yaml', {}).webhooks).toEqual({ allowPrivateTargets: false });
  });
});
