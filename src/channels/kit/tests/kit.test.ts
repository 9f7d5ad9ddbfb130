/** The channel kit on its own: what every channel relies on it for. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { wireDecimal } from '../decimals.ts';
import { fetchEachById } from '../fetch-by-ids.ts';
import { describeIssues, firstIssue, issuePath } from '../issues.ts';

describe('fetchEachById', () => {
  it('yields known records in id order, skips unknown ones, and keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const fetchOne = async (id: string) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, Number(id) % 3));
      inFlight--;
      return id === '4' ? null : { id };
    };
    const ids = ['1', '2', '3', '4', '5', '6', '7'];
    const got: unknown[] = [];
    for await (const r of fetchEachById(ids, fetchOne, { concurrency: 3, signal: new AbortController().signal })) got.push(r);
    expect(got).toEqual(['1', '2', '3', '5', '6', '7'].map((id) => ({ id })));
    expect(most).toBe(3);
  });

  it('cancels the requests still in flight when the consumer stops early', async () => {
    const aborted: string[] = [];
    const fetchOne = (id: string, signal: AbortSignal) =>
      new Promise<unknown>((resolve) => {
        if (id === '1') return resolve({ id });
        signal.addEventListener('abort', () => {
          aborted.push(id);
          resolve(null);
        });
      });
    for await (const r of fetchEachById(['1', '2', '3'], fetchOne, { concurrency: 3, signal: new AbortController().signal })) {
      expect(r).toEqual({ id: '1' });
      break;
    }
    expect(aborted.sort()).toEqual(['2', '3']);
  });
});

describe('issues', () => {
  const schema = z.object({ items: z.array(z.object({ quantity: z.number() })), created: z.string() });

  it('names each field, what it held, and counts what it leaves out', () => {
    const raw = { items: [{ quantity: 'two' }] };
    const error = schema.safeParse(raw).error!;
    expect(describeIssues(raw, error, { root: '(order)' })).toBe(
      'items[0].quantity: Invalid input: expected number, received string (got "two"); created: Invalid input: expected string, received undefined (missing)',
    );
    expect(describeIssues(raw, error, { root: '(order)', max: 1 })).toMatch(/\(got "two"\); and 1 more$/);
    expect(describeIssues('x', schema.safeParse('x').error!, { root: '(order)' })).toMatch(/^\(order\): /);
    expect(firstIssue(error)).toBe('items.0.quantity: Invalid input: expected number, received string');
    expect(issuePath(['orderItems', 0, 'code'])).toBe('orderItems[0].code');
  });
});

describe('wireDecimal', () => {
  it('reads JSON numbers through their literal and strings as written, naming the field otherwise', () => {
    expect(wireDecimal(0.1, 'price')).toBe('0.1');
    expect(wireDecimal(' 499.90 ', 'price')).toBe('499.90');
    expect(() => wireDecimal('4,50', 'items[0].price')).toThrow('items[0].price: "4,50" is not a decimal number');
    expect(() => wireDecimal(Number.NaN, 'price')).toThrow('price: NaN is not a finite number');
  });
});
