/**
 * One vocabulary (issue 17 item 2): the `orderhub` command (a child process) and the REST API (over
 * HTTP, on the same store) take the same comma lists, filters and search, and the CLI's --json says
 * what the API says, by the API's names; `set-status` and POST /v1/orders/{id}/status take canonical
 * statuses beside the channel's own, mapped to each channel (drinks2cash, ecom.md simulators).
 */
import { expect, it, afterAll, beforeAll, describe } from 'vitest';
import type { DrinksSimulator } from '../../src/channels/drinks2cash/simulator/index.ts';
import type { CanonicalOrder } from '../../src/core/canonical/order.ts';
import { waitFor } from '../api/helpers.ts';
import { startTwoChannels, type TwoChannels } from './two-channels.ts';

const ORDERS = 120;

describe('one vocabulary in the CLI and the API', { timeout: 180_000 }, () => {
  let env: TwoChannels;
  let drinks: DrinksSimulator;
  const cli = (...args: string[]) => env.cli(...args);
  const json = async (...args: string[]) => {
    const r = await cli(...args, '--json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as any;
  };
  const get = (path: string) => env.get(path);
  const post = (path: string, body: unknown) => env.post(path, body);

  beforeAll(async () => {
    env = await startTwoChannels({ prefix: 'orderhub-vocabulary-', orders: ORDERS, keyName: 'test', server: { writeBacks: { pollIntervalMs: 20 } } });
    drinks = env.drinks;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('orders list takes the API\'s comma lists, ranges and search, and --json prints what GET /v1/orders answers', async () => {
    const all = (await get('/v1/orders?limit=500')).body.data as CanonicalOrder[];
    expect(all.length).toBe(2 * ORDERS);
    const middle = all[Math.floor(all.length / 2)]!.createdAt;
    const someone = all.find((o) => o.connection === 'shop-md' && o.customer.email)!.customer.email!;
    const cases: Array<[string[], string]> = [
      [['-c', 'drinks-pl,shop-md', '-s', 'new,confirmed'], 'connection=drinks-pl,shop-md&status=new,confirmed'],
      [['-c', 'drinks-pl', '-c', 'shop-md', '-s', 'new', '-s', 'confirmed'], 'connection=drinks-pl,shop-md&status=new,confirmed'],
      [['--channel', 'ecommd', '--created-from', middle], `channel=ecommd&createdFrom=${encodeURIComponent(middle)}`],
      [['--created-to', middle, '--updated-from', '2020-01-01'], `createdTo=${encodeURIComponent(middle)}&updatedFrom=2020-01-01`],
      [['-q', someone.toUpperCase()], `q=${encodeURIComponent(someone.toUpperCase())}`],
      [['--sort', '-updatedAt'], 'sort=-updatedAt'],
    ];
    for (const [args, query] of cases) {
      const fromCli = await json('orders', 'list', '-n', '500', ...args);
      const fromApi = (await get(`/v1/orders?limit=500&${query}`)).body.data;
      expect(fromCli.length, args.join(' ')).toBeGreaterThan(0);
      expect(fromCli, args.join(' ')).toEqual(fromApi);
    }
    // the table has the same rows
    const table = await cli('orders', 'list', '-q', someone);
    expect(table.stdout).toMatch(/^connection\s+order\s+created \(UTC\)\s+status/);
    expect(table.stdout).toContain('shop-md');
    // and the exports the same filters
    const exported = await cli('orders', 'export', '-c', 'drinks-pl,shop-md', '-s', 'new,confirmed');
    const listed = await json('orders', 'list', '-n', '500', '-c', 'drinks-pl,shop-md', '-s', 'new,confirmed');
    expect(exported.stdout.trim().split('\n').length).toBe(listed.length);
  });

  it('orders show prints GET /v1/orders/{id}?include=raw: journal events with their type, raw payloads as raw', async () => {
    const [order] = (await get('/v1/orders?connection=drinks-pl&limit=1')).body.data as CanonicalOrder[];
    const shown = JSON.parse((await cli('orders', 'show', order!.id, '--raw')).stdout);
    const detail = (await get(`/v1/orders/${order!.id}?include=raw`)).body;
    expect(shown).toEqual(detail);
    expect(shown.journal[0]).toMatchObject({ type: 'order.created', id: expect.stringMatching(/^evt_\d+$/) });
    expect(shown.raw.length).toBeGreaterThan(0);
    expect(Object.keys(shown)).toEqual(['order', 'journal', 'writeBacks', 'raw']);
  });

  it('connections and runs: --json prints the API\'s items; -c takes comma lists in both', async () => {
    expect(await json('connections')).toEqual((await get('/v1/connections')).body.data);
    expect(await json('runs', '-c', 'drinks-pl,shop-md')).toEqual((await get('/v1/sync-runs?connection=drinks-pl,shop-md')).body.data);
    expect((await json('runs', '-c', 'shop-md')).map((r: { connection: string }) => r.connection)).toEqual(['shop-md']);
    const unknown = await get('/v1/sync-runs?connection=drinks-pl,drinks');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/unknown connection "drinks"/);
  });

  it('--json on every listing command, and tables with headers', async () => {
    for (const args of [['channels'], ['connections'], ['runs'], ['failures'], ['orders', 'list'], ['apikey', 'list']]) {
      expect(Array.isArray(await json(...args)), args.join(' ')).toBe(true);
    }
    for (const [args, header] of [[['channels'], /^kind\s+channel\s+pull/], [['connections'], /^connection\s+kind\s+health/], [['runs'], /^id\s+connection\s+mode/], [['apikey', 'list'], /^id\s+name\s+scope/]] as const) {
      expect((await cli(...args)).stdout, args.join(' ')).toMatch(header);
    }
  });

  it('set-status and POST /v1/orders/{id}/status take canonical statuses, mapped to each channel; ambiguous ones are refused naming the settable statuses', async () => {
    const pick = async (connection: string, status: string, n = 0) =>
      ((await get(`/v1/orders?connection=${connection}&status=${status}&limit=5`)).body.data as CanonicalOrder[])[n]!;
    // CLI: drinks2cash maps processing to IN_REALIZATION; its own names still work
    const a = await pick('drinks-pl', 'new');
    const set = await cli('orders', 'set-status', a.id, 'processing');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe(`drinks-pl:${a.externalId} is now IN_REALIZATION (processing)\n`);
    expect(drinks.statusOf(a.externalId)).toBe('IN_REALIZATION');
    const own = await cli('orders', 'set-status', a.id, 'REALIZED');
    expect(own.stdout).toBe(`drinks-pl:${a.externalId} is now REALIZED (shipped)\n`);
    // ecom.md: three settable statuses mean shipped; none means delivered
    const m = await pick('shop-md', 'new');
    const ambiguous = await cli('orders', 'set-status', m.id, 'shipped');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/^error: "shipped" is ambiguous at ecom\.md.*: atcouriersortcenter, ondelivery, deliverydatemoved all mean it, name one of them; settable ecom\.md.* statuses: new \(new\), confirmed \(confirmed\), .*ondelivery \(shipped\)/);
    expect(ambiguous.stderr.trimEnd().split('\n')).toHaveLength(1);
    const none = await cli('orders', 'set-status', m.id, 'delivered');
    expect(none.stderr).toMatch(/^error: no ecom\.md.* status that can be set means "delivered"; settable/);
    const typo = await cli('orders', 'set-status', m.id, 'shiped');
    expect(typo.stderr).toMatch(/"shiped" is neither a settable ecom\.md.* status nor a canonical status \(did you mean "shipped"\?\)/);
    expect((await cli('orders', 'set-status', m.id, 'ondelivery')).stdout).toBe(`shop-md:${m.externalId} is now ondelivery (shipped)\n`);

    // API: the same names, the same answers
    const b = await pick('drinks-pl', 'new', 1);
    const accepted = await post(`/v1/orders/${b.id}/status`, { status: 'confirmed' });
    expect(accepted.status).toBe(202);
    const done = await waitFor('delivered', async () => {
      const wb = (await get(`/v1/write-backs/${accepted.body.id}`)).body;
      return wb.state === 'accepted' ? null : wb;
    });
    expect(done.state).toBe('delivered');
    expect(drinks.statusOf(b.externalId)).toBe('RECEIVED_BY_DISTRIBUTOR');
    const m2 = await pick('shop-md', 'new');
    const refused = await post(`/v1/orders/${m2.id}/status`, { status: 'shipped' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('write_back_rule');
    expect(`error: ${refused.body.error.message}\n`).toBe(ambiguous.stderr);
  });
});
