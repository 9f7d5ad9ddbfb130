import { describe, it, expect } from 'vitest';
import { backoffDelayMs, parseRetryAfter } from '../retry.ts';
import { RateLimiter } from '../rate-limit.ts';

describe('backoffDelayMs', () => {
  it('grows exponentially up to the cap (random = 1 gives the ceiling)', () => {
    const top = () => 0.999999;
    expect(backoffDelayMs(1, 300, 30_000, top)).toBe(299);
    expect(backoffDelayMs(2, 300, 30_000, top)).toBe(599);
    expect(backoffDelayMs(3, 300, 30_000, top)).toBe(1199);
    expect(backoffDelayMs(10, 300, 30_000, top)).toBe(29_999);
    expect(backoffDelayMs(5000, 300, 30_000, top)).toBe(29_999);
  });

  it('uses full jitter: anywhere from 0 to the ceiling', () => {
    expect(backoffDelayMs(4, 100, 10_000, () => 0)).toBe(0);
    expect(backoffDelayMs(4, 100, 10_000, () => 0.5)).toBe(400);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelayMs(3, 100, 10_000);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(400);
    }
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2025-03-01T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sat, 01 Mar 2025 11:00:00 GMT', now)).toBe(0);
  });

  it('returns null for absent or garbage values', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('1 2', now)).toBeNull();
  });
});

describe('RateLimiter', () => {
  it('spaces acquisitions by 1/rps', async () => {
    const rl = new RateLimiter(50); // 20 ms apart
    const started = performance.now();
    await Promise.all(Array.from({ length: 6 }, () => rl.acquire()));
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('lets an aborted waiter leave the queue without stalling the others', async () => {
    const rl = new RateLimiter(2); // 500 ms apart: the next slot is ~500 ms away, the one after ~1000 ms
    await rl.acquire();
    const ac = new AbortController();
    const aborted = rl.acquire(ac.signal);
    const other = rl.acquire();
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    const t = performance.now();
    await other;
    // the aborted waiter gave its slot back: the other one got the very next slot
    expect(performance.now() - t).toBeLessThan(750);
  });
});
