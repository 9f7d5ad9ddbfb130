/**
 * `orderhub webhooks add|list` as a user runs them (child processes): the signing scheme option,
 * targets refused by the config's policy, and credentials never printed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { tempDir, type TempDir } from '../support/pg.ts';
import { orderhub } from '../cli/run-cli.ts';

let dir: TempDir;
let strict: string;
let loopbackAllowed: string;

beforeAll(() => {
  dir = tempDir('orderhub-webhooks-cli-');
  strict = join(dir.path, 'strict.yaml');
  loopbackAllowed = join(dir.path, 'loopback.yaml');
  writeFileSync(strict, stringify({ database: './hub.db', connections: [] }));
  writeFileSync(loopbackAllowed, stringify({ database: './hub.db', webhooks: { allowPrivateTargets: ['127.0.0.0/8'] }, connections: [] }));
});
afterAll(() => dir.cleanup());

it('webhooks add: refuses private targets unless the config allows them, and checks secrets per scheme', async () => {
  const metadata = await orderhub(['--config', strict, 'webhooks', 'add', 'http://169.254.169.254/latest/meta-data/']);
  expect(metadata.code).toBe(2);
  expect(metadata.stderr).toMatch(/^error: webhook target refused: 169\.254\.169\.254 is a link-local address .*webhooks\.allowPrivateTargets/);
  expect(metadata.stderr).not.toMatch(/\n\s+at /); // no stack

  const loopback = ['webhooks', 'add', 'http://127.0.0.1:8099/hook', '--description', 'local'];
  expect((await orderhub(['--config', strict, ...loopback])).code).toBe(2);
  const allowed = await orderhub(['--config', loopbackAllowed, ...loopback]);
  expect(allowed.code).toBe(0);
  expect(JSON.parse(allowed.stdout)).toMatchObject({ url: 'http://127.0.0.1:8099/hook', signing: 'orderhub' });
  expect((await orderhub(['--config', loopbackAllowed, 'webhooks', 'add', 'http://10.0.0.8/hook'])).code).toBe(2);

  const badSecret = await orderhub(['--config', strict, 'webhooks', 'add', 'https://hooks.example.com/x', '--signing', 'standard'], {
    env: { ORDERHUB_WEBHOOK_SECRET: 'a-plain-secret-of-enough-length' },
  });
  expect(badSecret.code).toBe(2);
  expect(badSecret.stderr).toMatch(/a standard secret is whsec_ followed by base64/);
  const badScheme = await orderhub(['--config', strict, 'webhooks', 'add', 'https://hooks.example.com/x', '--signing', 'hmac']);
  expect(badScheme.code).toBe(2);
  expect(badScheme.stderr).toMatch(/Allowed choices are orderhub, standard/);
}, 90_000); // seven CLI processes, each compiling the sources when dist/ is older

it('webhooks add --signing standard prints a secret the standardwebhooks library takes; list shows the scheme and never a password', async () => {
  const added = await orderhub(['--config', strict, 'webhooks', 'add', 'https://erp:pa55-w0rd@hooks.example.com/orderhub', '--signing', 'standard']);
  expect(added.code).toBe(0);
  expect(added.stdout).not.toContain('pa55-w0rd');
  const sub = JSON.parse(added.stdout) as { id: string; url: string; signing: string; secret: string };
  expect(sub).toMatchObject({ url: 'https://erp:***@hooks.example.com/orderhub', signing: 'standard' });
  const wh = new Webhook(sub.secret);
  const body = '{"id":"evt_1"}';
  const at = new Date();
  expect(wh.verify(body, { 'webhook-id': 'evt_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': wh.sign('evt_1', at, body) })).toEqual({ id: 'evt_1' });

  const list = await orderhub(['--config', strict, 'webhooks', 'list']);
  expect(list.code).toBe(0);
  expect(list.stdout.split('\n')[0]).toMatch(/^id\s+url\s+events\s+signing\s+pending\s+dead\s+created$/);
  const row = list.stdout.split('\n').find((l) => l.startsWith(sub.id));
  expect(row).toMatch(/https:\/\/erp:\*\*\*@hooks\.example\.com\/orderhub\s+all\s+standard\s/);
  expect(list.stdout).not.toContain('pa55-w0rd');

  // --json prints what GET /v1/webhooks answers, redacted the same way
  const json = await orderhub(['--config', strict, 'webhooks', 'list', '--json']);
  expect(json.code).toBe(0);
  const subs = JSON.parse(json.stdout) as Array<{ id: string; url: string; signing: string }>;
  expect(subs.find((x) => x.id === sub.id)).toMatchObject({ url: 'https://erp:***@hooks.example.com/orderhub', signing: 'standard' });
  expect(json.stdout).not.toContain('pa55-w0rd');
  const deliveries = await orderhub(['--config', strict, 'webhooks', 'deliveries', sub.id, '--json']);
  expect(deliveries.code).toBe(0);
  expect(JSON.parse(deliveries.stdout)).toEqual([]);
}, 90_000);
