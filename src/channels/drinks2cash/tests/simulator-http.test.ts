/**
 * The simulator over HTTP, driven by the real DrinksClient / connector over the core HttpClient.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalOrder } from '../../../core/canonical/order.ts';
import type { Connector } from '../../../core/connector.ts';
import { ChannelRefusedError, WriteBackRuleError } from '../../../core/errors.ts';
import { headerAuth } from '../../../core/http/auth.ts';
import { AuthError, RetriesExhaustedError } from '../../../core/http/errors.ts';
import { ChannelBadRequestError } from '../../kit/errors.ts';
import { DrinksClient } from '../client.ts';
import { createDrinksConnector } from '../connector.ts';
import { drinks2cashChannel } from '../index.ts';
import { startDrinksSimulator, type DrinksSimulator } from '../simulator/index.ts';
import { testConfig, testContext, type TestContext } from './helpers.ts';

const NOW = Date.UTC(2025, 3, 1, 10, 0, 0); // 2025-04-01 12:00 Warsaw
let sim: DrinksSimulator;
let ctx: TestContext;
let client: DrinksClient;
let connector: Connector;

beforeAll(async () => {
  sim = await startDrinksSimulator({ host: '127.0.0.1', port: 0, orders: 20_000, seed: 11, since: '2025-01-01', now: NOW });
  ctx = testContext();
  client = new DrinksClient(ctx.http({ baseUrl: sim.baseUrl, auth: headerAuth('Authorization', sim.apiKey) }));
  connector = createDrinksConnector(testConfig(sim.baseUrl, sim.apiKey), ctx);
});

afterAll(async () => {
  await connector?.close?.();
  await Promise.all(ctx?.clients.map((c) => c.close()) ?? []);
  await sim?.close();
});

beforeEach(() => sim.reset());

async function raw(path: string, init: RequestInit & { key?: string | null } = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers = new Headers(init.headers);
  if (init.key !== null) headers.set('authorization', init.key ?? sim.apiKey);
  const res = await fetch(`${sim.baseUrl}${path}`, { ...init, headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, body, headers: res.headers };
}

function canonical(externalId: string, channelStatus: string): CanonicalOrder {
  const record = sim.getOrder(externalId)!;
  const { order } = connector.mapOrder(record);
  return {
    ...order,
    channelStatus,
    id: `x-${externalId}`,
    connection: 'd2c-test',
    channel: 'drinks2cash',
    updatedAt: '2025-04-01T00:00:00.000Z',
  };
}

function numberWithStatus(status: string): string {
  for (const n of sim.allOrderNumbers()) if (sim.statusOf(n) === status) return String(n);
  throw new Error(`no order in status ${status}`);
}

async function walk(params: { from: string; to: string; limit: number }): Promise<{ numbers: number[]; pages: number }> {
  const numbers: number[] = [];
  for (let offset = 0; ; offset++) {
    const page = (await client.listOrders({ ...params, offset })) as { order_number: number }[];
    if (page.length === 0) return { numbers, pages: offset };
    numbers.push(...page.map((o) => o.order_number));
  }
}

describe('authentication', () => {
  it('answers 403 with the documented body to a wrong or missing key', async () => {
    for (const key of ['wrong', null]) {
      const res = await raw('/api/order?limit=1', { key });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ code: 403, reasonPhrase: 'Forbidden', data: 'Unauthorised' });
    }
  });

  it('a wrong key costs exactly ONE request and explains itself (AuthError, no retry)', async () => {
    const bad = new DrinksClient(ctx.http({ baseUrl: sim.baseUrl, auth: headerAuth('Authorization', 'not-the-key') }));
    const before = sim.requests.total;
    const err = await bad.listOrders({ from: '2025-02-01', to: '2025-02-02', limit: 10, offset: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).status).toBe(403);
    expect((err as Error).message).toContain(
      'drinks2cash refused the API key (HTTP 403 Unauthorised) — check the key at https://drinks2cash.com/order/admin-importer',
    );
    expect(sim.requests.total - before).toBe(1);
  });
});

describe('GET /api/order', () => {
  it('answers 400 with Laminas-style messages (dates only, digits only)', async () => {
    const res = await raw('/api/order?from=2022-09-24T10:00:00&to=yesterday&limit=abc&offset=-1');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 400,
      reasonPhrase: 'Bad Request',
      message: {
        from: { dateInvalidDate: 'Podana wartość nie jest poprawną datą' },
        to: { dateInvalidDate: 'Podana wartość nie jest poprawną datą' },
        offset: { notDigits: 'Podana wartość może zawierać tylko cyfry' },
        limit: { notDigits: 'Podana wartość może zawierać tylko cyfry' },
      },
    });
  });

  it('surfaces the channel message in the client error (no retries on 400)', async () => {
    const before = sim.requests.total;
    const err = await client.listOrders({ from: '2025-02-30', to: '2025-03-01', limit: -5, offset: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelBadRequestError);
    expect((err as Error).message).toBe(
      'drinks2cash refused the order list query (HTTP 400): from: Podana wartość nie jest poprawną datą; limit: Podana wartość może zawierać tylko cyfry',
    );
    expect(sim.requests.total - before).toBe(1);
    // date-times are refused locally, before any request
    await expect(client.listOrders({ from: '2025-02-01 10:00:00' })).rejects.toThrow(/from must be a date YYYY-MM-DD/);
  });

  it('uses offset as a PAGE INDEX: pages do not overlap and cover the window exactly, in order', async () => {
    const expected = sim.windowOrderNumbers('2025-02-10', '2025-02-11');
    expect(expected.count).toBeGreaterThan(400);
    const { numbers, pages } = await walk({ from: '2025-02-10', to: '2025-02-11', limit: 100 });
    expect(pages).toBe(Math.ceil(expected.count / 100));
    expect(numbers).toHaveLength(expected.count);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers[0]).toBe(expected.first);
    expect(numbers.at(-1)).toBe(expected.last);
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    // `to` covers the whole day
    const last = sim.getOrder(expected.last!)!;
    expect(String(last.create_time).startsWith('2025-02-11 23:')).toBe(true);
  });

  it('pageCap: a silently capped page size still covers everything when walking to an empty page', async () => {
    const expected = sim.windowOrderNumbers('2025-02-10', '2025-02-10');
    sim.setFaults({ pageCap: 37 });
    const page0 = await client.listOrders({ from: '2025-02-10', to: '2025-02-10', limit: 100, offset: 0 });
    expect(page0).toHaveLength(37);
    const { numbers } = await walk({ from: '2025-02-10', to: '2025-02-10', limit: 100 });
    expect(numbers).toHaveLength(expected.count);
    expect(new Set(numbers).size).toBe(expected.count);
    expect(numbers[0]).toBe(expected.first);
    expect(numbers.at(-1)).toBe(expected.last);
  });

  it('the connector widens the window to local dates, `to` plus one day, limit = page size', async () => {
    // [2025-02-10 12:00 Warsaw, 2025-02-11 12:00 Warsaw) → from=2025-02-10, to=2025-02-12
    const expected = sim.windowOrderNumbers('2025-02-10', '2025-02-12');
    const seen: number[] = [];
    for (let index = 0; ; index++) {
      const page = await connector.fetchPage(
        { kind: 'window', from: new Date('2025-02-10T11:00:00Z'), to: new Date('2025-02-11T11:00:00Z') },
        { index, offset: 0, size: 500, token: null },
        new AbortController().signal,
      );
      expect(page.records.length).toBeLessThanOrEqual(500);
      if (page.records.length === 0) break;
      seen.push(...page.records.map((r) => Number(connector.externalIdOf(r))));
    }
    expect(seen).toHaveLength(expected.count);
    expect(seen[0]).toBe(expected.first);
    expect(seen.at(-1)).toBe(expected.last);
    expect(connector.pageSize).toBe(500);
    expect(connector.paging).toBe('index');
    expect(connector.listing).toBe('window');
    expect(connector.maxWindowDays).toBe(31);
  });

  it('widens the dates by the zone\'s largest offset: a window starting after local midnight is covered whether the API reads dates in Warsaw or in UTC', async () => {
    // [2025-03-11 00:30 Warsaw, 04:00 Warsaw): the local date alone, read as a UTC day, starts at 01:00 Warsaw
    const window = { kind: 'window' as const, from: new Date('2025-03-10T23:30:00Z'), to: new Date('2025-03-11T03:00:00Z') };
    const createdAt = (r: unknown) => Date.parse(connector.mapOrder(r).order.createdAt);
    const inWindow = (r: unknown) => createdAt(r) >= window.from.getTime() && createdAt(r) < window.to.getTime();
    const numbers = (records: unknown[]) => records.map((r) => Number(connector.externalIdOf(r)));
    const expected = numbers((await client.listOrders({ from: '2025-03-10', to: '2025-03-11', limit: 5000, offset: 0 })).filter(inWindow));
    const early = numbers((await client.listOrders({ from: '2025-03-10', to: '2025-03-11', limit: 5000, offset: 0 })).filter((r) => inWindow(r) && createdAt(r) < Date.parse('2025-03-11T00:00:00Z')));
    expect(early.length).toBeGreaterThan(0);
    for (const datesAsUtc of [false, true]) {
      sim.setFaults({ datesAsUtc });
      const seen: unknown[] = [];
      for (let index = 0; ; index++) {
        const page = await connector.fetchPage(window, { index, offset: 0, size: 500, token: null }, new AbortController().signal);
        if (page.records.length === 0) break;
        seen.push(...page.records);
      }
      expect(numbers(seen)).toEqual(expect.arrayContaining(expected));
    }
    // what the connector used to send (the window's local dates) misses the first half hour under the UTC reading
    sim.setFaults({ datesAsUtc: true });
    const unwidened = numbers(await client.listOrders({ from: '2025-03-11', to: '2025-03-12', limit: 5000, offset: 0 }));
    for (const n of early) expect(unwidened).not.toContain(n);
  });

  it('sorts ascending by create_time then order_number, and maps every served order', async () => {
    const page = (await client.listOrders({ from: '2025-03-29', to: '2025-03-31', limit: 1000, offset: 0 })) as {
      create_time: string;
      order_number: number;
    }[];
    expect(page.length).toBe(sim.windowOrderNumbers('2025-03-29', '2025-03-31').count);
    expect(page.length).toBeGreaterThan(600);
    for (let k = 1; k < page.length; k++) {
      const [a, b] = [page[k - 1]!, page[k]!];
      expect(a.create_time < b.create_time || (a.create_time === b.create_time && a.order_number < b.order_number)).toBe(true);
    }
    for (const r of page) expect(connector.mapOrder(r).warnings).toEqual([]);
  });
});

describe('GET /api/order/{id}', () => {
  it('answers an array, [] for an unknown order, 400 for a non-digit id', async () => {
    const n = sim.allOrderNumbers()[123]!;
    const res = await raw(`/api/order/${n}`);
    expect(res.status).toBe(200);
    const body = res.body as { code: number; data: { order_number: number }[] };
    expect(body.code).toBe(200);
    expect(Array.isArray(body.data)).toBe(true);
    expect(body.data).toHaveLength(1);
    expect(body.data[0]!.order_number).toBe(n);
    expect((await raw('/api/order/1')).body).toEqual({ code: 200, reasonPhrase: 'OK', data: [] });
    expect((await raw('/api/order/12ab')).body).toEqual({
      code: 400,
      reasonPhrase: 'Bad Request',
      message: { id: { notDigits: 'Podana wartość może zawierać tylko cyfry' } },
    });
  });

  it('client.getOrder: the order, or null for [] and for 404', async () => {
    const n = sim.allOrderNumbers()[5]!;
    expect(await client.getOrder(n)).toEqual(sim.getOrder(n));
    expect(await client.getOrder(1)).toBeNull();
    sim.setFaults({ unknownOrder404: true });
    expect(await client.getOrder(1)).toBeNull();
  });

  it('connector.fetchByIds yields known orders (bounded concurrency), skipping unknown ones', async () => {
    const all = sim.allOrderNumbers();
    const ids = [all[1]!, 2, all[2]!, all[3]!, 99, all[4]!, all[5]!, all[6]!].map(String);
    const got: string[] = [];
    for await (const r of connector.fetchByIds!(ids, new AbortController().signal)) got.push(connector.externalIdOf(r)!);
    expect(got).toEqual([all[1], all[2], all[3], all[4], all[5], all[6]].map(String));
  });
});

describe('PATCH /api/order-status/{id}', () => {
  it('refuses locally, without any request, what the channel would refuse', async () => {
    const realized = numberWithStatus('REALIZED');
    const cancelled = numberWithStatus('CANCELLED');
    const open = numberWithStatus('IN_REALIZATION');
    const before = sim.requests.total;
    const wb = connector.writeBack!;
    await expect(wb.setStatus!(canonical(realized, 'REALIZED'), 'RETURN')).rejects.toThrow(WriteBackRuleError);
    await expect(wb.setStatus!(canonical(cancelled, 'CANCELLED'), 'NEW')).rejects.toThrow(
      'You cannot change status cancelled or realised to any other.',
    );
    const err = await wb.setStatus!(canonical(open, 'IN_REALIZATION'), 'SHIPPED').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteBackRuleError);
    expect((err as Error).message).toContain('NEW, RECEIVED_BY_DISTRIBUTOR, IN_REALIZATION, REALIZED, CANCELLED');
    expect(sim.requests.total).toBe(before);
    expect(wb.settableStatuses).toHaveLength(8);
  });

  it('changes a status and answers the documented body', async () => {
    const open = numberWithStatus('IN_REALIZATION');
    const res = await raw(`/api/order-status/${open}`, {
      method: 'PATCH',
      body: JSON.stringify({ status: 'REALIZED' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 200, reasonPhrase: 'OK', data: 'Status changed' });
    expect(sim.statusOf(open)).toBe('REALIZED');
    // through the connector
    const other = numberWithStatus('NEW');
    await connector.writeBack!.setStatus!(canonical(other, 'NEW'), 'RECEIVED_BY_DISTRIBUTOR');
    expect(sim.statusOf(other)).toBe('RECEIVED_BY_DISTRIBUTOR');
  });

  it('the simulator enforces the rules: string message for final statuses, notInArray for bad values', async () => {
    const cancelled = numberWithStatus('CANCELLED');
    const res = await raw(`/api/order-status/${cancelled}`, {
      method: 'PATCH',
      body: JSON.stringify({ status: 'NEW' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 400,
      reasonPhrase: 'Bad Request',
      message: 'You cannot change status cancelled or realised to any other.',
    });
    const bad = await raw(`/api/order-status/${cancelled}`, {
      method: 'PATCH',
      body: JSON.stringify({ status: 'SHIPPED' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.body).toEqual({
      code: 400,
      reasonPhrase: 'Bad Request',
      message: {
        status: {
          notInArray:
            'Status not valid, possible values are: NEW, RECEIVED_BY_DISTRIBUTOR, IN_REALIZATION, REALIZED, CANCELLED, WAITING_FOR_CLIENT_CONFIRMATION, RETURN, COMPLAIN',
        },
      },
    });
    // a stale hub status (order already cancelled at the channel): the channel's refusal comes back
    const err = await connector.writeBack!.setStatus!(canonical(cancelled, 'IN_REALIZATION'), 'REALIZED').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelRefusedError);
    expect((err as Error).message).toContain('You cannot change status cancelled or realised to any other.');
    expect(sim.statusOf(cancelled)).toBe('CANCELLED');
  });

  it('a retried PATCH whose first answer was lost is not reported as refused', async () => {
    const open = numberWithStatus('IN_REALIZATION');
    const wb = connector.writeBack!;
    sim.setFaults({ truncateEvery: 1 }); // the change is applied, every answer is cut
    await expect(wb.setStatus!(canonical(open, 'IN_REALIZATION'), 'REALIZED')).rejects.toThrow(RetriesExhaustedError);
    expect(sim.statusOf(open)).toBe('REALIZED');

    // strict server: the retry of an applied change to REALIZED meets "cannot change … realised"
    sim.changeStatus(open, 'IN_REALIZATION');
    sim.setFaults({ truncateEvery: 2, strictFinalStatus: true });
    await raw('/api/order?limit=0'); // request 1; the PATCH is request 2 (answer cut), its retry request 3
    const before = sim.requests.byEndpoint['PATCH /api/order-status/:id'] ?? 0;
    await wb.setStatus!(canonical(open, 'IN_REALIZATION'), 'REALIZED'); // verified with a GET: already done
    expect(sim.requests.byEndpoint['PATCH /api/order-status/:id']! - before).toBe(2);
    expect(sim.requests.byStatus['400']).toBe(1);
    expect(sim.statusOf(open)).toBe('REALIZED');
  });
});

describe('POST /api/order-document', () => {
  it('round-trips a multipart upload (bytes, type, inform_client), accepting the doc typo as an alias', async () => {
    const n = numberWithStatus('IN_REALIZATION');
    const data = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d, 0x41, 0x42]);
    await connector.writeBack!.uploadDocument!(canonical(n, 'IN_REALIZATION'), {
      fileName: 'faktura PF 1/2025.pdf',
      contentType: 'application/pdf',
      data,
      type: 'PRO_FORM_INVOICE',
      informClient: true,
    });
    await connector.writeBack!.uploadDocument!(canonical(n, 'IN_REALIZATION'), {
      fileName: 'list.pdf',
      contentType: 'application/pdf',
      data: Buffer.from('shipping list'),
      type: 'SHIPPING_LIST',
      informClient: false,
    });
    expect(sim.documents).toHaveLength(2);
    const [doc, doc2] = sim.documents;
    expect(doc!.orderNumber).toBe(Number(n));
    expect(doc!.documentType).toBe('PRO_FORMA_INVOICE');
    expect(doc!.informClient).toBe(true);
    expect(doc!.fileName).toBe('faktura PF 1/2025.pdf');
    expect(doc!.contentType).toBe('application/pdf');
    expect(Buffer.compare(doc!.data, data)).toBe(0);
    expect(doc2!.informClient).toBe(false);
    expect(doc2!.data.toString()).toBe('shipping list');
    expect(sim.requests.byEndpoint['POST /api/order-document']).toBe(2);
  });

  it('refuses bad types locally and surfaces the channel refusal for unknown orders', async () => {
    const before = sim.requests.total;
    const n = numberWithStatus('NEW');
    const doc = { fileName: 'a.pdf', contentType: 'application/pdf', data: Buffer.from('x'), informClient: false };
    await expect(connector.writeBack!.uploadDocument!(canonical(n, 'NEW'), { ...doc, type: 'RECEIPT' })).rejects.toThrow(
      /no document type "RECEIPT".*PRO_FORMA_INVOICE, INVOICE, CORRECTING_INVOICE, SHIPPING_LIST, MISC/,
    );
    expect(sim.requests.total).toBe(before);
    const ghost = { ...canonical(n, 'NEW'), externalId: '1' };
    const err = await connector.writeBack!.uploadDocument!(ghost, { ...doc, type: 'INVOICE' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelRefusedError);
    expect((err as Error).message).toContain('order_id: Order not found');
  });

  it('validates like the API (document_type list, order_id, inform_client)', async () => {
    const n = sim.allOrderNumbers()[0]!;
    const form = new FormData();
    form.append('file', new Blob(['x']), 'a.txt');
    form.append('order_id', String(n));
    form.append('document_type', 'PRO_FORM_INVOICE');
    form.append('inform_client', 'maybe');
    const res = await raw('/api/order-document', { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 400,
      reasonPhrase: 'Bad Request',
      message: {
        document_type: {
          notInArray: 'Invalid document type, acceptable values are: PRO_FORMA_INVOICE, INVOICE, CORRECTING_INVOICE, SHIPPING_LIST, MISC',
        },
        inform_client: { notInArray: 'Value must be a boolean' },
      },
    });
    const ok = new FormData();
    ok.append('file', new Blob(['x']), 'a.txt');
    ok.append('order_id', String(n));
    ok.append('document_type', 'MISC');
    ok.append('inform_client', 'true');
    const created = await raw('/api/order-document', { method: 'POST', body: ok });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ code: 201, reasonPhrase: 'Created', data: 'Created' });
  });
});

describe('fault knobs', () => {
  it('rateLimitEvery (429 + Retry-After), errorEvery (500), truncateEvery: the client retries through them', async () => {
    const expected = sim.windowOrderNumbers('2025-02-10', '2025-02-10');
    const http = ctx.http({ baseUrl: sim.baseUrl, auth: headerAuth('Authorization', sim.apiKey) });
    const c = new DrinksClient(http);
    sim.setFaults({ rateLimitEvery: 3, retryAfterSeconds: 0, errorEvery: 5, truncateEvery: 7 });
    const numbers: number[] = [];
    for (let offset = 0; ; offset++) {
      const page = (await c.listOrders({ from: '2025-02-10', to: '2025-02-10', limit: 50, offset })) as { order_number: number }[];
      if (page.length === 0) break;
      numbers.push(...page.map((o) => o.order_number));
    }
    expect(numbers).toHaveLength(expected.count);
    expect(http.stats.retries).toBeGreaterThan(3);
    expect(sim.requests.byStatus['429']).toBeGreaterThan(0);
    expect(sim.requests.byStatus['500']).toBeGreaterThan(0);
    const r429 = await (async () => {
      sim.setFaults({ rateLimitEvery: 1, errorEvery: 0, truncateEvery: 0, retryAfterSeconds: 2 });
      return raw('/api/order?limit=1');
    })();
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBe('2');
  });

  it('malformedEvery / unknownStatusEvery: deterministic bad orders for quarantine and warnings', async () => {
    sim.setFaults({ malformedEvery: 10, unknownStatusEvery: 7 });
    const page = await client.listOrders({ from: '2025-01-01', to: '2025-01-01', limit: 70, offset: 0 });
    let malformed = 0;
    let unknown = 0;
    page.forEach((r, i) => {
      expect(connector.externalIdOf(r)).not.toBeNull(); // still identifiable: quarantined, not lost
      if ((i + 1) % 10 === 0) {
        expect(() => connector.mapOrder(r)).toThrow(/create_time/);
        malformed++;
      } else if ((i + 1) % 7 === 0) {
        const { order, warnings } = connector.mapOrder(r);
        expect(order.status).toBe('on_hold');
        expect(warnings[0]).toMatch(/PARTIALLY_REALIZED/);
        unknown++;
      } else expect(connector.mapOrder(r).warnings).toEqual([]);
    });
    expect(malformed).toBe(7);
    expect(unknown).toBe(9); // 7,14,…,63 minus 70 (malformed)… 70 is malformed → 7,14,21,28,35,42,49,56,63
  });

  it('insertDuringPaging: pages after the first add orders created now, at the end of the sort', async () => {
    const expectedBefore = sim.windowOrderNumbers('2025-03-31', '2025-04-01').count;
    sim.setFaults({ insertDuringPaging: 5 });
    const before = sim.orderCount();
    const { numbers, pages } = await walk({ from: '2025-03-31', to: '2025-04-01', limit: 100 });
    const inserted = sim.orderCount() - before;
    expect(inserted).toBe(5 * pages); // one insert per request with offset >= 1 (the final empty one too)
    // everything but the 5 inserted while answering the final, empty page was listed, once, in order
    expect(numbers).toHaveLength(expectedBefore + inserted - 5);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    const all = sim.allOrderNumbers();
    expect(numbers.at(-1)).toBe(all[all.length - 6]);
  });

  it('lateChangeEvery: random activity moves orders the channel had closed on too (RETURN → COMPLAIN, REALIZED → RETURN/COMPLAIN), off by default', () => {
    expect(sim.changeRandomOldOrders(12).every((c) => !['RETURN', 'REALIZED'].includes(c.from))).toBe(true);
    sim.reset();
    sim.setFaults({ lateChangeEvery: 3 });
    const changes = sim.changeRandomOldOrders(12);
    expect(changes).toHaveLength(12);
    changes.forEach((c, k) => {
      if ((k + 1) % 3 === 0) expect([['RETURN', 'COMPLAIN'], ['REALIZED', 'RETURN'], ['REALIZED', 'COMPLAIN']]).toContainEqual([c.from, c.to]);
      else expect(['RETURN', 'REALIZED', 'COMPLAIN', 'CANCELLED']).not.toContain(c.from);
    });
    for (const c of new Map(changes.map((c) => [c.orderNumber, c])).values()) expect(sim.statusOf(c.orderNumber)).toBe(c.to);
  });

  it('HTTP control endpoints: faults, stats, insert, status, tick, reset', async () => {
    const f = await fetch(`${sim.baseUrl}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pageCap: 10, latencyMs: 1 }),
    });
    expect(((await f.json()) as { pageCap: number }).pageCap).toBe(10);
    expect(sim.faults.pageCap).toBe(10);
    const bad = await fetch(`${sim.baseUrl}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nope: 1 }),
    });
    expect(bad.status).toBe(400);
    const ins = (await (
      await fetch(`${sim.baseUrl}/__sim/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"count":2}' })
    ).json()) as { ids: number[] };
    expect(ins.ids).toHaveLength(2);
    const st = await fetch(`${sim.baseUrl}/__sim/orders/${ins.ids[0]}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"status":"CANCELLED"}',
    });
    expect(st.status).toBe(200);
    expect(sim.statusOf(ins.ids[0]!)).toBe('CANCELLED');
    const truth = (await (await fetch(`${sim.baseUrl}/__sim/orders/${ins.ids[0]}`)).json()) as { status: string };
    expect(truth.status).toBe('CANCELLED');
    await raw('/api/order?limit=1');
    const stats = (await (await fetch(`${sim.baseUrl}/__sim/stats`)).json()) as {
      orders: number;
      inserted: number;
      requests: { total: number; byEndpoint: Record<string, number> };
    };
    expect(stats.orders).toBe(20_002);
    expect(stats.inserted).toBe(2);
    expect(stats.requests.byEndpoint['GET /api/order']).toBe(1);
    const tick = (await (await fetch(`${sim.baseUrl}/__sim/tick`, { method: 'POST' })).json()) as { inserted: number[]; changed: unknown[] };
    expect(tick.inserted.length).toBeGreaterThan(0);
    await fetch(`${sim.baseUrl}/__sim/reset`, { method: 'POST' });
    expect(sim.orderCount()).toBe(20_000);
    expect(sim.faults.pageCap).toBe(0);
    expect(sim.requests.total).toBe(0);
  });
});

describe('channel definition', () => {
  it('describes drinks2cash and starts its simulator', async () => {
    expect(drinks2cashChannel.kind).toBe('drinks2cash');
    expect(drinks2cashChannel.defaultTimeZone).toBe('Europe/Warsaw');
    expect(drinks2cashChannel.capabilities).toEqual({
      pull: true,
      push: false,
      writeBack: { status: true, tracking: false, documents: true },
    });
    expect(drinks2cashChannel.secretFields).toEqual(['apiKey']);
    const cfg = drinks2cashChannel.configSchema.parse({ name: 'd2c', kind: 'drinks2cash', apiKey: 'k' });
    expect(cfg.baseUrl).toBe('https://drinks2cash.com');
    expect(cfg.pageSize).toBe(500);
    expect(drinks2cashChannel.configSchema.safeParse({ name: 'd2c', kind: 'drinks2cash' }).success).toBe(false);
    const s = await drinks2cashChannel.simulator!.start({ host: '127.0.0.1', port: 0, orders: 10, seed: 1 });
    try {
      expect(s.connection).toEqual({ kind: 'drinks2cash', baseUrl: s.baseUrl, apiKey: 'drinks2cash-sandbox-key' });
      expect(s.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // a connection pointed at it works end to end
      const cfg2 = drinks2cashChannel.configSchema.parse({ name: 'sandbox', ...s.connection });
      const c = drinks2cashChannel.createConnector(cfg2, ctx);
      const today = new Date();
      const page = await c.fetchPage(
        { kind: 'window', from: new Date(today.getTime() - 100 * 86_400_000), to: today },
        { index: 0, offset: 0, size: 500, token: null },
        new AbortController().signal,
      );
      expect(page.records).toHaveLength(10);
      await c.close?.();
    } finally {
      await s.close();
    }
  });
});
