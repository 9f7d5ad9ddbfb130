/**
 * Alerts against the drinks2cash simulator with the real engine, on both stores: failing syncs
 * become system events in the feed, one e-mail (to the local SMTP server) and one Slack message per
 * throttle period, one recovery message; a connection whose orders stop goes silent and recovers.
 * Time moves through the engine's `now` and the worker's clock; nothing waits for the wall clock.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFeed, SYSTEM_EVENT_TYPES, type SystemEvent } from '../../src/api/events.ts';
import { AlertWorker } from '../../src/alerts/worker.ts';
import { alertTables } from '../../src/alerts/tables.ts';
import { parseConfig } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/log.ts';
import { channels } from '../../src/channels/registry.ts';
import type { StoreHandle } from '../../src/core/store/db.ts';
import { describeEachStore } from '../support/stores.ts';
import { drinksConfig, simAndStorePerTest, sync } from '../sync/support.ts';
import { alertsConfig, SLACK_TOKEN, SMTP_PASSWORD, SMTP_USER, startSlackReceiver, startSmtpServer, type SlackReceiver, type SmtpServer } from './support.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

async function systemEvents(store: StoreHandle): Promise<SystemEvent[]> {
  return (await readFeed(store.db, { after: 0, limit: 10_000, types: SYSTEM_EVENT_TYPES })).events as SystemEvent[];
}

async function messages(store: StoreHandle) {
  return alertTables(store.db).selectFrom('alert_messages').select(['channel', 'state', 'body']).orderBy('id').execute();
}

let smtp: SmtpServer;
let slack: SlackReceiver;
beforeAll(async () => {
  smtp = await startSmtpServer();
  slack = await startSlackReceiver();
});
afterAll(async () => {
  await smtp.close();
  await slack.close();
});

describeEachStore('alerts', (kind) => {
  // 480 orders spread evenly over the 20 days up to now: about one an hour, day and night
  const env = simAndStorePerTest(kind, 480, 11);

  function worker(connections = [drinksConfig(env.sim)], now?: () => Date) {
    const config = parseConfig({ alerts: alertsConfig(smtp, slack, { throttle: '15m' }) }, channels, 'test').alerts;
    return new AlertWorker({ store: env.t.store, logger: silentLogger(), config, connections, ...(now ? { now } : {}) });
  }

  it('turns failing syncs into sync.failed and connection.needs_attention, one message per throttle period, one recovery', async () => {
    const mails = smtp.mails.length;
    const posts = slack.messages.length;
    const t0 = Date.now();
    const at = (ms: number) => () => new Date(t0 + ms);
    const wrong = drinksConfig(env.sim, { apiKey: 'not-the-key' });
    const w = worker([wrong]);

    const first = await sync(env.t.store, wrong, { now: at(0) });
    expect(first.status).toBe('failed');
    let events = await systemEvents(env.t.store);
    expect(events.map((e) => e.type)).toEqual(['sync.failed', 'connection.needs_attention']);
    expect(events[0]).toMatchObject({ orderId: null, connection: 'drinks', actor: `sync:${first.runId}`, data: { runId: first.runId, error: first.error, needsAttention: true } });
    expect(events[1]!.data).toMatchObject({ runId: first.runId, reason: first.error });
    // both in the run's moment: one message per channel, naming both; two workers at once decide it once
    const other = worker([wrong]);
    const [mine, theirs] = await Promise.all([w.runOnce(), other.runOnce()]);
    expect(mine.sent + theirs.sent).toBe(2);
    expect(mine.failed + theirs.failed).toBe(0);
    await other.stop();
    expect(smtp.mails.length).toBe(mails + 1);
    const mail = smtp.mails[mails]!;
    expect(mail.to).toEqual(['ops@shop.example', 'owner@shop.example']);
    expect(mail.from).toBe('alerts@shop.example');
    expect(mail.subject).toMatch(/^\[orderhub\] drinks needs attention: drinks2cash refused the API key .*\(\+1 more\)$/);
    expect(mail.text).toMatch(/drinks: sync failed: .*403/);
    expect(mail.text).toContain('orderhub sync -c drinks');
    expect(slack.messages.length).toBe(posts + 1);
    expect(slack.messages[posts]!.text).toMatch(/drinks needs attention[\s\S]*drinks: sync failed/);
    expect(slack.messages[posts]!.blocks?.length).toBeGreaterThan(0);

    // 5 minutes later, within the throttle: an event, no message
    expect((await sync(env.t.store, wrong, { now: at(5 * MIN) })).status).toBe('failed');
    events = await systemEvents(env.t.store);
    expect(events.map((e) => e.type)).toEqual(['sync.failed', 'connection.needs_attention', 'sync.failed']);
    expect(await w.runOnce()).toMatchObject({ sent: 0 });
    expect(await messages(env.t.store)).toHaveLength(2);

    // 20 minutes after the first message: the next failure is told, with the one held back
    expect((await sync(env.t.store, wrong, { now: at(20 * MIN) })).status).toBe('failed');
    expect(await w.runOnce()).toMatchObject({ sent: 2 });
    expect(smtp.mails.length).toBe(mails + 2);
    expect(smtp.mails[mails + 1]!.text).toMatch(/drinks: sync failed: .*\(and 1 more like it since /);

    // the key fixed: one sync.recovered, one recovery message per channel
    const fixed = drinksConfig(env.sim);
    const ok = await sync(env.t.store, fixed, { now: at(25 * MIN) });
    expect(ok.status).toBe('succeeded');
    events = await systemEvents(env.t.store);
    expect(events.at(-1)).toMatchObject({ type: 'sync.recovered', connection: 'drinks', data: { runId: ok.runId, cleared: ['sync.failed', 'connection.needs_attention'] } });
    expect(await w.runOnce()).toMatchObject({ sent: 2 });
    expect(smtp.mails.length).toBe(mails + 3);
    expect(smtp.mails[mails + 2]!.subject).toBe('[orderhub] resolved: drinks syncs again');
    expect(slack.messages.at(-1)!.text).toContain('drinks syncs again');
    // a second success clears nothing more
    expect((await sync(env.t.store, fixed, { now: at(30 * MIN) })).status).toBe('succeeded');
    expect((await systemEvents(env.t.store)).filter((e) => e.type === 'sync.recovered')).toHaveLength(1);
    expect(await w.runOnce()).toMatchObject({ sent: 0 });
    expect(await messages(env.t.store)).toHaveLength(6);
    expect((await messages(env.t.store)).every((m) => m.state === 'sent')).toBe(true);
    // no secret in what was stored or sent
    for (const m of await messages(env.t.store)) expect(m.body).not.toMatch(new RegExp(`${SMTP_PASSWORD}|${SLACK_TOKEN}`));
    await w.stop();
  });

  it('says when a connection that brings an order about every hour brings none for 10 hours, and when orders come again', async () => {
    const mails = smtp.mails.length;
    const t0 = Date.now();
    const config = drinksConfig(env.sim);
    const w = worker([config]);
    expect((await sync(env.t.store, config)).counts.created).toBe(480);
    // the newest order is at most an hour old: not silent
    expect(await w.checkSilence(new Date(t0))).toBe(0);

    // ten hours on, the simulator has no newer order: the sync succeeds and brings nothing
    const later = new Date(t0 + 10 * HOUR);
    const quiet = await sync(env.t.store, config, { now: () => later });
    expect(quiet).toMatchObject({ status: 'succeeded', counts: { created: 0 } });
    expect(await w.checkSilence(later)).toBe(1);
    expect(await w.checkSilence(later)).toBe(0); // told once
    const [silent] = await systemEvents(env.t.store);
    expect(silent).toMatchObject({ type: 'connection.silent', connection: 'drinks', orderId: null, actor: 'alerts', data: { silentAfter: 3 } });
    expect(silent!.data.expectedOrders as number).toBeGreaterThan(8);
    expect(silent!.data.expectedOrders as number).toBeLessThan(12);
    expect(silent!.data.usualGapMinutes as number).toBeGreaterThan(45);
    expect(silent!.data.usualGapMinutes as number).toBeLessThan(75);
    expect(await w.runOnce()).toMatchObject({ sent: 2 });
    expect(smtp.mails[mails]!.subject).toMatch(/^\[orderhub\] drinks is silent: no order for \d+ h.*, since /);

    // a new order arrives: the silence ends with one sync.recovered and one recovery message
    env.sim.insertOrders(1);
    expect((await sync(env.t.store, config, { full: true })).counts.created).toBe(1);
    expect(await w.checkSilence(new Date())).toBe(1);
    const events = await systemEvents(env.t.store);
    expect(events.map((e) => e.type)).toEqual(['connection.silent', 'sync.recovered']);
    expect(events[1]!.data).toMatchObject({ cleared: ['connection.silent'], previousOrderAt: silent!.data.lastOrderAt });
    expect(await w.runOnce()).toMatchObject({ sent: 2 });
    expect(smtp.mails[mails + 1]!.subject).toBe('[orderhub] resolved: drinks brings orders again');
    expect(await w.checkSilence(new Date())).toBe(0);
    await w.stop();
  });

  it('retries a message it could not send, then gives up, with no secret in what it recorded', async () => {
    // a Slack-compatible receiver that answers 500 with the path it was called on (the token), and an
    // SMTP login with the wrong password
    const echo = createServer((req, res) => res.writeHead(500).end(`no service at ${req.url}`));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const slackUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/services/${SLACK_TOKEN}`;
    const wrongPassword = 'not-the-Pa55word-x';
    try {
      const config = parseConfig({
        alerts: { email: { smtp: `smtp://${SMTP_USER}:${wrongPassword}@127.0.0.1:${smtp.port}`, from: 'alerts@shop.example', to: ['ops@shop.example'] }, slack: { url: slackUrl } },
      }, channels, 'test').alerts;
      const w = new AlertWorker({ store: env.t.store, logger: silentLogger(), config, connections: [drinksConfig(env.sim)], retrySchedule: [0] });
      const refusedBefore = smtp.refused;
      expect((await sync(env.t.store, drinksConfig(env.sim, { apiKey: 'wrong' }))).status).toBe('failed');
      expect(await w.runOnce()).toMatchObject({ sent: 0, failed: 2 });
      let rows = await alertTables(env.t.store.db).selectFrom('alert_messages').select(['channel', 'state', 'attempts', 'last_error']).orderBy('channel').execute();
      expect(rows).toEqual([
        { channel: 'email', state: 'pending', attempts: 1, last_error: expect.stringMatching(/Invalid login|535/) },
        { channel: 'slack', state: 'pending', attempts: 1, last_error: 'HTTP 500: no service at ***' },
      ]);
      expect(smtp.refused).toBe(refusedBefore + 1);
      // the schedule has one retry: then failed for good
      expect(await w.runOnce()).toMatchObject({ sent: 0, failed: 2 });
      rows = await alertTables(env.t.store.db).selectFrom('alert_messages').select(['channel', 'state', 'attempts', 'last_error']).orderBy('channel').execute();
      expect(rows.map((r) => [r.channel, r.state, r.attempts])).toEqual([['email', 'failed', 2], ['slack', 'failed', 2]]);
      for (const r of rows) expect(r.last_error).not.toMatch(new RegExp(`${wrongPassword}|${SLACK_TOKEN}|slack-secret`));
      expect(await w.runOnce()).toMatchObject({ sent: 0, failed: 0 });
      await w.stop();
    } finally {
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  });

  it('never calls a connection silent that does not usually bring orders, or that fails', async () => {
    const config = drinksConfig(env.sim);
    const w = worker([config]);
    // no order at all yet
    expect(await w.checkSilence(new Date(Date.now() + 100 * HOUR))).toBe(0);
    await sync(env.t.store, drinksConfig(env.sim, { apiKey: 'wrong' }));
    // needs attention: sync.failed says it, not silence
    expect(await w.checkSilence(new Date(Date.now() + 100 * HOUR))).toBe(0);
    expect((await systemEvents(env.t.store)).map((e) => e.type)).toEqual(['sync.failed', 'connection.needs_attention']);
    await w.stop();
  });
});
