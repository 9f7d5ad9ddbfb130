/**
 * Issue 19, defect 7, on the REST API: bad input costs little. An error lists at most 20 issues (and
 * says how many there were), item counts are bounded by the schemas (so a huge list is refused by
 * its length, not validated item by item), and a body that arrives too slowly gets its 408 within the
 * request timeout, while the client is still sending it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dripBody } from './raw-client.ts';
import { startTestApi, type TestApi } from './helpers.ts';

describe('costly bad input [sqlite]', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi('sqlite', { server: { workers: false, requestTimeoutMs: 1_000 } });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('refuses a webhook with 120 000 bad event types by its length, in a short answer', async () => {
    const res = await api.call('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:9/hook', events: Array.from({ length: 120_000 }, () => 'x') } });
    expect(res.status).toBe(400);
    expect(res.text.length).toBeLessThan(2_000);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', message: 'invalid body at events: Too big: expected array to have <=20 items' });
  });

  it('lists the first 20 issues of many and says how many there were', async () => {
    const res = await api.call('POST', '/v1/webhooks', { body: { url: 'http://127.0.0.1:9/hook', events: Array.from({ length: 20 }, () => 'x'), includeOrder: 'yes', signing: 'nope' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues).toHaveLength(20);
    expect(res.body.error.details.issueCount).toBe(22);
    expect(res.body.error.details.issues[0]).toMatchObject({ in: 'body', path: 'events.0' });
  });

  it('keeps a long issue message short (50 000 unknown fields)', async () => {
    const body: Record<string, unknown> = { url: 'http://127.0.0.1:9/hook' };
    for (let i = 0; i < 50_000; i++) body[`field${i}`] = 1;
    const res = await api.call('POST', '/v1/webhooks', { body });
    expect(res.status).toBe(400);
    expect(res.text.length).toBeLessThan(2_000);
    expect(res.body.error.message).toMatch(/^invalid body: Unrecognized keys: "field0", "field1", .*…$/);
  });

  it('answers a dripped body 408 within the request timeout, before the body is complete', async () => {
    // 120 bytes at one every 250 ms would take 30 s; the request timeout is 1 s
    const res = await dripBody(`${api.url}/v1/webhooks`, { length: 120, intervalMs: 250, headers: { authorization: `Bearer ${api.writeKey}` } });
    expect(res.status).toBe(408);
    expect(res.bodyBytesSent).toBeLessThan(120);
    const body = JSON.parse(res.text.slice(res.text.indexOf('\r\n\r\n') + 4)) as unknown;
    expect(body).toEqual({ error: { code: 'request_timeout', message: expect.stringMatching(/did not arrive within 1 s/) } });
  });
});
