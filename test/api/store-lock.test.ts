/**
 * Issue 19, defect 1: another process holding the SQLite store's write lock (`BEGIN EXCLUSIVE`) must
 * not freeze the server. Reads and /healthz keep answering while it holds the lock, and a write that
 * cannot get the lock within its budget answers 503 `unavailable` with Retry-After. The holder lets
 * go when asked or on its own after 8 s; a frozen server (this process) could not ask in time, so
 * "released on request" after every answer is the proof, not a duration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdExclusiveLock } from '../../src/core/store/tests/lock-holder-process.ts';
import { mapped, putOrders, startTestApi, type TestApi } from './helpers.ts';

describe('an outside SQLite lock [sqlite]', () => {
  let api: TestApi;

  beforeAll(async () => {
    // workers on: the webhook dispatcher and the write-back worker write on their own every 20 ms
    api = await startTestApi('sqlite', { server: { writeLockWaitMs: 300 } });
    await putOrders(api.t.store, 'shop-a', [mapped('1'), mapped('2')]);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('keeps /healthz and reads answering, and answers a write 503 with Retry-After, while another process holds the lock', async () => {
    // held until we release it, or 8 s at most: a frozen server answers only after that
    const holder = await holdExclusiveLock(api.t.database, 8_000);
    const write = api.call('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:9/hook' } }).then((res) => {
      holder.note('write answered');
      return res;
    });
    const health = api.call('GET', '/healthz', { key: null }).then((res) => {
      holder.note('healthz answered');
      return res;
    });
    const orders = api.call('GET', '/v1/orders', { key: api.readKey }).then((res) => {
      holder.note('orders answered');
      return res;
    });
    const [w, h, o] = await Promise.all([write, health, orders]);
    await holder.release();

    expect(holder.releasedOn, holder.events.join(', ')).toBe('request');
    expect(holder.events.slice(-2)).toEqual(['release requested', 'released']);
    expect(h.status).toBe(200);
    expect(o.status).toBe(200);
    expect(o.body.data.length).toBe(2);
    expect(w.status).toBe(503);
    expect(w.body).toEqual({ error: { code: 'unavailable', message: expect.stringMatching(/locked by another process/) } });
    expect(Number(w.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    // once the lock is gone the same write goes through
    const again = await api.call('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:9/hook' } });
    expect(again.status).toBe(201);
  });
});
