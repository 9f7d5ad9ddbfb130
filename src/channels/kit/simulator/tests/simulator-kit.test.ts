/**
 * The simulator kit on its own (order log, fault knobs, numbering, random streams), and its control
 * API answered the same way by every registered channel's simulator, over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../../core/connector.ts';
import { channels } from '../../../registry.ts';
import { FaultKnobs, NO_REQUEST_FAULTS, everyNth, oneOf, type RequestFaults } from '../faults.ts';
import { GappedNumbers, numericId } from '../numbering.ts';
import { OrderLog } from '../order-log.ts';
import { HashChain, Rng, hash2, randomFloats, weightedTable } from '../random.ts';

describe('OrderLog', () => {
  const numbers = new GappedNumbers(7, 1000, 3);
  const log = (now = 2_000) => new OrderLog({ ids: numbers, orders: 100, since: 1_000, until: 2_000, now: () => now });

  it('spreads generated orders evenly over [since, until) and finds windows by binary search', () => {
    const l = log();
    expect(l.timeOf(0)).toBe(1_000);
    expect(l.timeOf(99)).toBe(1_990);
    const [first, end] = l.range(1_500, 1_600);
    expect([first, end]).toEqual([50, 60]);
    expect(l.range(-Infinity, Infinity)).toEqual([0, 100]);
    expect(l.firstAfter(1_500)).toBe(51);
  });

  it('appends orders created now, numbered on from the generated ones, and forgets them on reset', () => {
    const l = log(5_000);
    const ids = l.append(2);
    expect(ids).toEqual([numbers.at(100), numbers.at(101)]);
    expect(l.timeOf(101)).toBe(5_000);
    expect(l.indexOf(ids[1]!)).toBe(101);
    expect(l.indexOf(numbers.at(102))).toBe(-1);
    expect(l.allIds()).toHaveLength(102);
    l.reset();
    expect(l.count()).toBe(100);
    expect(l.indexOf(ids[0]!)).toBe(-1);
  });

  it('keeps creation times strictly increasing when asked (a channel sorting by time alone)', () => {
    const l = new OrderLog({ ids: numbers, orders: 3, since: 0, until: 30, now: () => 10, strictlyIncreasing: true });
    l.append(3);
    expect([3, 4, 5].map((i) => l.timeOf(i))).toEqual([30, 31, 32]);
  });
});

describe('FaultKnobs', () => {
  interface Knobs extends RequestFaults {
    mode: string;
    strict: boolean;
  }
  const knobs = () => new FaultKnobs<Knobs>({ ...NO_REQUEST_FAULTS, mode: 'a', strict: false }, { mode: oneOf('a', 'b') });

  it('checks every knob before changing any, and null puts one back to its default', () => {
    const k = knobs();
    expect(() => k.set({ explode: 1 })).toThrow(/unknown fault knob "explode"; known: latencyMs/);
    expect(() => k.set({ errorEvery: 2, mode: 'c' })).toThrow('fault knob "mode" must be "a" or "b"');
    expect(() => k.set({ strict: 1 })).toThrow('fault knob "strict" must be a boolean');
    expect(() => k.set({ errorEvery: -1 })).toThrow('fault knob "errorEvery" must be a number >= 0');
    expect(k.current.errorEvery).toBe(0);
    expect(k.set({ errorEvery: 2, mode: 'b', strict: true })).toMatchObject({ errorEvery: 2, mode: 'b', strict: true });
    expect(k.set({ mode: null })).toMatchObject({ errorEvery: 2, mode: 'a' });
    expect(k.clear()).toEqual({ ...NO_REQUEST_FAULTS, mode: 'a', strict: false });
  });

  it('hits the n-th, 2n-th … request since the knobs were set, and cuts a picked 200 in half', async () => {
    const k = knobs();
    k.set({ rateLimitEvery: 2, truncateEvery: 3 });
    const requests = Array.from({ length: 6 }, () => ({}));
    const turns = [];
    for (const r of requests) turns.push(await k.turn(r));
    expect(turns.map((t) => t.rateLimited)).toEqual([false, true, false, true, false, true]);
    expect(turns.map((t) => t.truncated)).toEqual([false, false, true, false, false, true]);
    expect(k.payload(requests[2]!, 200, '{"abcdef":1}')).toEqual(Buffer.from('{"abcd'));
    expect(k.payload(requests[2]!, 404, 'whole')).toBe('whole');
    expect(k.payload(requests[0]!, 200, 'whole')).toBe('whole');
    k.set({});
    expect((await k.turn({})).n).toBe(1);
  });

  it('everyNth picks orders by index', () => {
    expect([0, 1, 2, 3, 4, 5].filter((i) => everyNth(3, i))).toEqual([2, 5]);
    expect(everyNth(0, 2)).toBe(false);
  });
});

describe('numbers and random streams', () => {
  it('numbers grow with gaps and map back to their index', () => {
    const n = new GappedNumbers(42, 64_000_000, 7);
    for (let i = 0; i < 500; i++) expect(n.indexOf(n.at(i))).toBe(i);
    expect(n.indexOf(63_999_999)).toBe(-1);
    expect([numericId(' 12 '), numericId(12), numericId('1x')]).toEqual([12, 12, NaN]);
  });

  it('are deterministic per seed: Rng, its floats, hash chains that replay, weighted tables', () => {
    const a = new Rng(5);
    const b = new Rng(5);
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
    const floats = randomFloats(5);
    expect(floats()).toBe(new Rng(5).next() / 4_294_967_296);
    const chain = new HashChain(hash2(1, 2), 0x9e37);
    const first = [chain.next(), chain.next()];
    chain.restart();
    expect([chain.next(), chain.next()]).toEqual(first);
    expect(weightedTable([['x', 2], ['y', 1]])).toEqual(['x', 'x', 'y']);
  });
});

describe('the /__sim control API, on every simulator', () => {
  const sims: Array<{ kind: string; sim: RunningSimulator }> = [];
  beforeAll(async () => {
    for (const channel of channels.all()) {
      if (channel.simulator) sims.push({ kind: channel.kind, sim: await channel.simulator.start({ host: '127.0.0.1', port: 0, orders: 50, seed: 3 }) });
    }
  });
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.sim.close()));
  });

  const call = async (sim: RunningSimulator, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.baseUrl}/__sim${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('every channel has a simulator here', () => {
    expect(sims.map((s) => s.kind).sort()).toEqual(channels.kinds().filter((k) => channels.get(k).simulator).sort());
    expect(sims.length).toBeGreaterThanOrEqual(5);
  });

  it('stats, faults (set, refuse, clear), reset and tick answer alike', async () => {
    for (const { kind, sim } of sims) {
      const stats = await call(sim, 'GET', '/stats');
      expect(stats.status, kind).toBe(200);
      expect(stats.body, kind).toHaveProperty('requests.total');
      expect(stats.body, kind).toHaveProperty('faults.latencyMs', 0);
      expect((await call(sim, 'POST', '/faults', { latencyMs: 1, errorEvery: 5 })).body, kind).toMatchObject({ latencyMs: 1, errorEvery: 5 });
      expect((await call(sim, 'GET', '/faults')).body, kind).toMatchObject({ latencyMs: 1, errorEvery: 5 });
      const refused = await call(sim, 'POST', '/faults', { bogus: 1 });
      expect(refused.status, kind).toBe(400);
      expect(refused.body.error, kind).toMatch(/unknown fault knob "bogus"/);
      expect((await call(sim, 'DELETE', '/faults')).body, kind).toMatchObject({ latencyMs: 0, errorEvery: 0 });
      expect((await call(sim, 'POST', '/tick')).status, kind).toBe(200);
      expect(await call(sim, 'POST', '/reset'), kind).toEqual({ status: 200, body: { ok: true } });
    }
  });

  it('orders: list, insert, one, status, random changes — or 501 with the reason', async () => {
    for (const { kind, sim } of sims) {
      const before = (await call(sim, 'GET', '/orders')).body.ids as Array<string | number>;
      expect(Array.isArray(before), kind).toBe(true);
      const inserted = await call(sim, 'POST', '/orders', { count: 2 });
      if (inserted.status === 501) {
        expect(inserted.body.error, kind).toMatch(/does not do that: /);
        expect((await call(sim, 'POST', '/orders/1/status', { status: 'x' })).status, kind).toBe(501);
        expect((await call(sim, 'POST', '/change-random', { count: 1 })).status, kind).toBe(501);
        continue;
      }
      const ids = inserted.body.ids as Array<string | number>;
      expect(ids, kind).toHaveLength(2);
      expect((await call(sim, 'GET', '/orders')).body.ids, kind).toEqual([...before, ...ids]);
      expect((await call(sim, 'GET', `/orders/${ids[0]}`)).status, kind).toBe(200);
      expect((await call(sim, 'GET', '/orders/999999999999')).status, kind).toBe(404);
      expect((await call(sim, 'POST', `/orders/${ids[0]}/status`, {})).status, kind).toBe(400);
      expect((await call(sim, 'POST', '/orders/999999999999/status', { status: 'x' })).status, kind).toBe(404);
      const changes = await call(sim, 'POST', '/change-random', { count: 2 });
      expect(changes.status, kind).toBe(200);
      expect(Array.isArray(changes.body.changes), kind).toBe(true);
      await call(sim, 'POST', '/reset');
      expect((await call(sim, 'GET', '/orders')).body.ids, kind).toEqual(before);
    }
  });
});
