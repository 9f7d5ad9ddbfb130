/**
 * Alerts from the processes that run background work, as a user runs them (child processes of
 * bin/orderhub.js, configured by orderhub.yaml): `orderhub serve` and `orderhub run` against the
 * drinks2cash simulator with a refused API key tell a local SMTP server, a Slack-compatible receiver
 * and a webhook subscriber; a second failure within the throttle tells the mail and Slack nobody
 * more; the fixed key brings one recovery. No secret of the alert config shows in a log or an answer.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { alertTables } from '../../src/alerts/tables.ts';
import { readFeed, SYSTEM_EVENT_TYPES } from '../../src/api/events.ts';
import { createApiKey } from '../../src/api/store/api-keys.ts';
import type { DrinksSimulator } from '../../src/channels/drinks2cash/simulator/index.ts';
import { openHubStore } from '../../src/store-modules.ts';
import { startReceiver, waitFor, type Receiver } from '../api/helpers.ts';
import { orderhub, type Result } from '../cli/run-cli.ts';
import { tempDir } from '../support/pg.ts';
import { sinceDate, startSim } from '../sync/support.ts';
import { alertsConfig, SLACK_TOKEN, SMTP_PASSWORD, startSlackReceiver, startSmtpServer, type SlackReceiver, type SmtpServer } from './support.ts';

const SECRET = 'whsec_alerts_cli_secret_12';

interface Running {
  /** the API's URL once `serve` says it listens */
  url(): Promise<string>;
  output(): string;
  /** SIGTERM, then the exit */
  stop(): Promise<Result>;
}

function start(args: string[]): Running {
  let kill: (sig: NodeJS.Signals) => void = () => undefined;
  let out: () => string = () => '';
  const exited = orderhub(args, { timeoutMs: 120_000, onSpawn: (k, o) => ((kill = k), (out = o)) });
  const url = () => waitFor('the API to listen', () => /orderhub API on (http:\/\/\S+)/.exec(out())?.[1], 60_000);
  return { url, output: () => out(), stop: async () => (kill('SIGTERM'), exited) };
}

async function call(url: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${url}${path}`, {
    method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

describe('alerts from orderhub serve and orderhub run', () => {
  let sim: DrinksSimulator;
  let smtp: SmtpServer;
  let slack: SlackReceiver;
  let hub: Receiver;
  let dir: ReturnType<typeof tempDir>;
  const secrets = new RegExp(`${SMTP_PASSWORD}|${SLACK_TOKEN.split('/').pop()!}`);

  beforeAll(async () => {
    sim = await startSim(120, 5);
    smtp = await startSmtpServer();
    slack = await startSlackReceiver();
    hub = await startReceiver(() => SECRET);
    dir = tempDir('orderhub-alerts-');
  });
  afterAll(async () => {
    await Promise.all([sim?.close(), smtp?.close(), slack?.close(), hub?.close()]);
    dir?.cleanup();
  });

  function writeConfig(name: string, database: string, apiKey: string, schedule = '10m'): string {
    const file = join(dir.path, `${name}.yaml`);
    writeFileSync(file, stringify({
      database, server: { port: 0 }, webhooks: { allowPrivateTargets: true }, alerts: alertsConfig(smtp, slack),
      connections: [{ name, ...sim.connection, apiKey, since: sinceDate(), schedule }],
    }));
    return file;
  }

  it('serve: a refused key is sync.failed + connection.needs_attention to the feed, a subscriber, one e-mail and one Slack message; the fix one recovery', async () => {
    const database = join(dir.path, 'serve.db');
    const store = await openHubStore(database);
    const key = (await createApiKey(store.db, { name: 'ops', scope: 'write' })).key;
    const mails = () => smtp.mails.filter((m) => m.text.includes('pl-serve'));
    const posts = () => slack.messages.filter((m) => m.text.includes('pl-serve'));
    const notifierAt = async () => Number((await alertTables(store.db).selectFrom('alert_cursor').select('seq').executeTakeFirstOrThrow()).seq);
    const head = async () => Math.max(0, ...(await readFeed(store.db, { after: 0, limit: 1000, types: SYSTEM_EVENT_TYPES })).events.map((e) => e.seq));
    try {
      const broken = start(['--config', writeConfig('pl-serve', database, 'not-the-key'), 'serve']);
      const url = await broken.url();
      const sub = await call(url, key, 'POST', '/v1/webhooks', { url: hub.url, secret: SECRET, events: ['sync.failed', 'connection.needs_attention', 'sync.recovered'] });
      expect(sub.status).toBe(201);

      const failed = await call(url, key, 'POST', '/v1/connections/pl-serve/sync?wait=true');
      expect(failed.body).toMatchObject({ status: 'failed', error: expect.stringMatching(/403/) });
      const events = (await call(url, key, 'GET', '/v1/events?types=sync.failed,connection.needs_attention')).body.data;
      expect(events.map((e: { type: string }) => e.type)).toEqual(['sync.failed', 'connection.needs_attention']);
      expect(events[1]).toMatchObject({ orderId: null, connection: 'pl-serve', data: { runId: failed.body.runId, reason: failed.body.error } });
      await waitFor('the subscriber told', () => hub.received.length === 2);
      expect(hub.received.map((r) => r.event)).toEqual(events);
      await waitFor('one e-mail and one Slack message', () => mails().length === 1 && posts().length === 1);
      expect(mails()[0]!.subject).toMatch(/^\[orderhub\] pl-serve needs attention: .*403/);
      expect(mails()[0]!.to).toEqual(['ops@shop.example', 'owner@shop.example']);

      // the scheduler would skip it now; a manual sync fails again within the throttle: told to the
      // subscriber, held back from mail and Slack
      expect((await call(url, key, 'POST', '/v1/connections/pl-serve/sync?wait=true')).body.status).toBe('failed');
      await waitFor('the subscriber told again', () => hub.received.length === 3);
      const seen = await head();
      await waitFor('the notifier past it', async () => (await notifierAt()) >= seen);
      expect(await alertTables(store.db).selectFrom('alert_messages').select('channel').execute()).toHaveLength(2);
      expect(await alertTables(store.db).selectFrom('alert_throttle').select(['type', 'suppressed']).where('subject', '=', 'connection:pl-serve').orderBy('type').execute())
        .toEqual([{ type: 'connection.needs_attention', suppressed: 0 }, { type: 'sync.failed', suppressed: 1 }]);
      for (const path of ['/v1/events', '/v1/connections', '/v1/webhooks']) expect((await call(url, key, 'GET', path)).text).not.toMatch(secrets);
      const first = await broken.stop();
      expect(first.code).toBe(0);

      // the operator fixes the key and starts again: one sync.recovered, one recovery message per channel
      const fixed = start(['--config', writeConfig('pl-serve', database, sim.connection.apiKey), 'serve']);
      const url2 = await fixed.url();
      const ok = await call(url2, key, 'POST', '/v1/connections/pl-serve/sync?wait=true');
      expect(ok.body).toMatchObject({ status: 'succeeded', counts: { created: 120 } });
      const recovered = (await call(url2, key, 'GET', '/v1/events?types=sync.recovered')).body.data;
      expect(recovered).toEqual([expect.objectContaining({ connection: 'pl-serve', data: expect.objectContaining({ runId: ok.body.runId, cleared: ['sync.failed', 'connection.needs_attention'] }) })]);
      await waitFor('the subscriber told of the recovery', () => hub.received.some((r) => r.event.type === 'sync.recovered'));
      await waitFor('one recovery e-mail and Slack message', () => mails().length === 2 && posts().length === 2);
      expect(mails()[1]!.subject).toBe('[orderhub] resolved: pl-serve syncs again');
      expect(posts()[1]!.text).toContain('pl-serve syncs again');
      const last = await head();
      await waitFor('the notifier past it', async () => (await notifierAt()) >= last);
      const states = () => alertTables(store.db).selectFrom('alert_messages').select('state').execute();
      await waitFor('the messages recorded as sent', async () => (await states()).every((m) => m.state === 'sent'));
      expect(await states()).toEqual(Array.from({ length: 4 }, () => ({ state: 'sent' })));
      // order-only consumers: the order events of the fixed sync, none of the system events
      const orderTypes = (await call(url2, key, 'GET', '/v1/events?limit=1000&types=order.created,order.changed,order.status_changed')).body.data;
      expect(orderTypes).toHaveLength(120);
      const second = await fixed.stop();
      expect(second.code).toBe(0);
      for (const run of [first, second]) expect(run.stdout + run.stderr).not.toMatch(secrets);
      expect(smtp.refused).toBe(0);
      expect(slack.strays).toBe(0);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('run: the scheduler’s failed sync tells mail and Slack', async () => {
    const database = join(dir.path, 'run.db');
    const running = start(['--config', writeConfig('pl-run', database, 'not-the-key', '1s'), 'run']);
    await waitFor('an e-mail and a Slack message', () =>
      smtp.mails.some((m) => m.subject.startsWith('[orderhub] pl-run needs attention')) && slack.messages.some((m) => m.text.includes('pl-run needs attention')), 60_000);
    const r = await running.stop();
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(secrets);
    const store = await openHubStore(database);
    try {
      const types = (await readFeed(store.db, { after: 0, limit: 100, types: SYSTEM_EVENT_TYPES })).events.map((e) => e.type);
      // the scheduler stops trying a connection that needs attention: one failure
      expect(types).toEqual(['sync.failed', 'connection.needs_attention']);
    } finally {
      await store.close();
    }
  }, 90_000);
});
