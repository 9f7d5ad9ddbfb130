/**
 * Readable failures (issue 17 item 3), as a person sees them: the `orderhub` command on a
 * pseudo-terminal (util-linux `script`) and in a pipe, against a connection whose URL nothing
 * listens on. On a terminal the log goes to a file the command names (or, with --verbose, to the
 * terminal as readable lines); JSON only when asked or without a terminal; the failed connection's
 * bar says it failed; the error is printed once, without the connection's name twice; `connections`
 * and `runs` show the whole error (wrapped to the terminal), and so does the API.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { channels } from '../../src/channels/registry.ts';
import { loadConfigFile } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/log.ts';
import { listRuns } from '../../src/core/store/runs.ts';
import { startApiServer } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/store/api-keys.ts';
import { openHubStore } from '../../src/store-modules.ts';
import { tempDir, type TempDir } from '../support/pg.ts';
import { orderhub } from './run-cli.ts';
import { orderhubOnTerminal } from './run-tty.ts';

/** 70 days back: the first sync walks several 31-day windows, and fails in the first */
const since = new Date(Date.now() - 70 * 86_400_000).toISOString().slice(0, 10);
const unreachable = { kind: 'drinks2cash', baseUrl: 'http://127.0.0.1:9', apiKey: 'k', since, http: { maxAttempts: 1 } };
const noSpace = (s: string) => s.replace(/\s+/g, '');

describe('readable failures on a terminal and in a pipe', { timeout: 180_000 }, () => {
  let dir: TempDir;
  let config: string;
  let log: string;
  beforeAll(() => {
    dir = tempDir('orderhub-failures-');
    config = join(dir.path, 'orderhub.yaml');
    log = join(dir.path, 'data', 'orderhub.log');
    writeFileSync(config, stringify({ database: './data/hub.db', connections: [{ name: 'drinks-pl', ...unreachable }] }));
  });
  afterAll(() => dir.cleanup());

  it('on a terminal: no JSON, the bar says FAILED where it stopped, the error once, the log in a file it names', async () => {
    const r = await orderhubOnTerminal(['--config', config, 'sync']);
    expect(r.code, r.screen).toBe(1);
    expect(r.screen).not.toContain('{"level"');
    expect(r.screen).toMatch(/ drinks-pl \|[░█]+\| FAILED at window 1\/3 \(error below\)/);
    expect(r.screen).not.toMatch(/window 3\/3/);
    expect(r.screen).toMatch(/^drinks-pl +FAILED +incremental/m);
    expect(r.screen).toMatch(/^error: drinks-pl: GET \/api\/order\?from=.*ECONNREFUSED/m);
    expect(r.screen).not.toContain('drinks-pl: drinks-pl:');
    expect(r.screen).toContain(`log: ${log} (--verbose prints the log here)`);
    expect(readFileSync(log, 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z ERROR sync failed connection=drinks-pl channel=drinks2cash runId=1 err="drinks-pl: GET .*ECONNREFUSED.*" fetched=0/m);
  });

  it('--verbose: readable log lines on the terminal, whole (not cut by the bars); --log-format json when asked', async () => {
    const verbose = await orderhubOnTerminal(['--config', config, '--verbose', 'sync']);
    expect(verbose.code).toBe(1);
    expect(verbose.screen).toMatch(/^\d\d:\d\d:\d\d ERROR sync failed connection=drinks-pl channel=drinks2cash runId=\d+ err="drinks-pl: GET [^\n]*ECONNREFUSED 127\.0\.0\.1:9" fetched=0 created=0 updated=0 unchanged=0 failed=0 pages=0$/m);
    expect(verbose.screen).not.toContain('{"level"');
    expect(verbose.screen).not.toContain('log: ');
    const json = await orderhubOnTerminal(['--config', config, '--log-format', 'json', 'sync']);
    expect(json.screen).toMatch(/^\{"level":50,[^\n]*"connection":"drinks-pl"[^\n]*"msg":"sync failed"\}$/m);
  });

  it('without a terminal: JSON lines on stderr, as log collectors expect', async () => {
    const r = await orderhub(['--config', config, 'sync']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 50, connection: 'drinks-pl', msg: 'sync failed' });
    expect(lines[1]).toMatch(/^error: drinks-pl: GET \/api\/order/);
    expect(r.stderr).not.toContain('drinks-pl: drinks-pl:');
  });

  it('connections and runs show the whole error, wrapped on a terminal and on one line in a pipe; the API returns it whole', async () => {
    const loaded = loadConfigFile(config, channels);
    const store = await openHubStore(loaded.database);
    try {
      const [run] = await listRuns(store.db, { connection: 'drinks-pl', limit: 1 });
      const error = run!.error!;
      expect(error.length).toBeGreaterThan(150);
      const shown = error.replace(/^drinks-pl: /, ''); // the row names the connection already
      for (const args of [['connections'], ['runs', '-n', '1']]) {
        const narrow = await orderhubOnTerminal(['--config', config, ...args], { columns: 80 });
        expect(narrow.code).toBe(0);
        expect(narrow.screen).not.toContain('…');
        expect(noSpace(narrow.screen)).toContain(noSpace(shown));
        // (the runs table itself is wider than 80 columns; its errors go under each row, wrapped)
        const wrapped = args[0] === 'runs' ? narrow.screen.split('\n').filter((l) => l.startsWith('    ')) : narrow.screen.split('\n');
        expect(wrapped.length).toBeGreaterThan(2);
        for (const line of wrapped) expect(line.length, line).toBeLessThanOrEqual(80);
        const piped = await orderhub(['--config', config, ...args]);
        expect(piped.stdout).not.toContain('…');
        expect(piped.stdout.split('\n').some((line) => line.endsWith(shown))).toBe(true);
      }
      const api = await startApiServer({ store, config: loaded, registry: channels, logger: silentLogger(), host: '127.0.0.1', port: 0, workers: false });
      try {
        const { key } = await createApiKey(store.db, { name: 't', scope: 'read' });
        const get = async (path: string) => (await (await request(`${api.url}${path}`, { headers: { authorization: `Bearer ${key}` } })).body.json()) as any;
        const [connection] = (await get('/v1/connections')).data;
        expect(connection.lastError).toBe(error);
        expect(connection.lastRun.error).toBe(error);
        expect((await get('/v1/sync-runs?limit=1')).data[0].error).toBe(error);
      } finally {
        await api.close();
      }
    } finally {
      await store.close();
    }
  });
});
