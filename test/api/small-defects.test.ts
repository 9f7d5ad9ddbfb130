/**
 * Issue 19, defect 9, on the REST API: numbers in query strings are decimal digits only, a search for
 * a control character is refused rather than matching everything, a body that is not JSON is 415 as
 * documented, a URL that cannot be decoded and a deeply nested body are answered in the API's
 * envelope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapped, putOrders, startTestApi, type TestApi } from './helpers.ts';

describe('small input defects [sqlite]', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi('sqlite', { server: { workers: false } });
    await putOrders(api.t.store, 'shop-a', Array.from({ length: 20 }, (_, i) => mapped(String(i + 1))));
  });
  afterAll(async () => {
    await api?.close();
  });

  it('reads limit and before as decimal digits only (0x10 is not 16)', async () => {
    expect((await api.call('GET', '/v1/orders?limit=16')).body.data).toHaveLength(16);
    for (const path of ['/v1/orders?limit=0x10', '/v1/orders?limit=1e1', '/v1/orders?limit=%2016', '/v1/orders?limit=16.0', '/v1/events?limit=0x10', '/v1/sync-runs?before=0x10', '/v1/sync-runs?limit=']) {
      const res = await api.call('GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error, path).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/must be a whole number in decimal digits/) });
    }
  });

  it('refuses a search for control characters (q=%00 matched every order)', async () => {
    for (const q of ['%00', 'NO-1%00', '%1F']) {
      const res = await api.call('GET', `/v1/orders?q=${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.message, q).toMatch(/q: must not contain control characters/);
    }
    expect((await api.call('GET', '/v1/orders?q=NO-17')).body.data).toHaveLength(1);
  });

  it('answers a text/plain body 415, as documented', async () => {
    const res = await api.call('POST', '/v1/webhooks', { body: '{"url":"http://127.0.0.1:9/hook"}', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ error: { code: 'unsupported_media_type', message: expect.any(String) } });
  });

  it('answers URLs that cannot be decoded in the API\'s envelope', async () => {
    for (const path of ['/v1/orders/%E0%A4%A', '/%', '/v1/%ZZ']) {
      const res = await api.call('GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toEqual({ error: { code: 'validation_failed', message: expect.any(String) } });
    }
  });

  it('answers a 100 000-deep body 400 in the envelope', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const res = await api.call('POST', '/v1/webhooks', { body: deep });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toMatch(/^(validation_failed|invalid_json)$/);
  });
});
