/**
 * Every user error of the `orderhub` command, run as a child process: one clear line on stderr, no
 * stack trace, and the exit code documented in README "Commands" and `orderhub --help` (2: fix the
 * command or the config; 3: the store or a port cannot be used; 1: the work failed).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { tempDir, type TempDir } from '../support/pg.ts';
import { orderhub, type Result } from './run-cli.ts';

/** a line of a JavaScript stack trace ("    at fn (file.ts:1:2)") */
const STACK_LINE = /^\s+at .*:\d+:\d+\)?$/m;

function expectOneLine(r: Result, exitCode: number, message: RegExp): void {
  expect(r.stderr, r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr.trimEnd()).toMatch(message);
  expect(r.code, r.stderr).toBe(exitCode);
}

const unreachable = { kind: 'drinks2cash', baseUrl: 'http://127.0.0.1:9', apiKey: 'k', http: { maxAttempts: 1 } };

// each test starts several CLI processes (from the TypeScript sources outside `npm test`) on 2 shared cores
describe('user errors of the orderhub command', { timeout: 120_000 }, () => {
  let dir: TempDir;
  let config: string;
  beforeAll(async () => {
    dir = tempDir('orderhub-errors-');
    chmodSync(dir.path, 0o755); // the read-only-folder test runs as another user when the tests run as root
    config = join(dir.path, 'orderhub.yaml');
    writeFileSync(config, stringify({ database: './hub.db', connections: [{ name: 'drinks-pl', ...unreachable }] }));
    // A connection that synced once and was then removed from the config: the store still knows it.
    const before = join(dir.path, 'before.yaml');
    writeFileSync(before, stringify({ database: './hub.db', connections: [{ name: 'old-shop', ...unreachable }] }));
    const failed = await orderhub(['--config', before, 'sync']);
    expect(failed.code, failed.stderr).toBe(1); // the work failed (nothing listens on port 9)
  });
  afterAll(() => dir.cleanup());

  it('refuses an unknown connection or status in every command, naming the known ones (exit 2)', async () => {
    const unknownDrinks = /^error: (unknown connection|no connection named) "drinks" \(did you mean "drinks-pl"\?\).*drinks-pl/;
    const commands = [['orders', 'list', '-c', 'drinks'], ['orders', 'export', '-c', 'drinks'], ['runs', '-c', 'drinks'], ['sync', '-c', 'drinks']];
    const [failures, status, old, ...results] = await Promise.all([
      orderhub(['--config', config, 'failures', '-c', 'nope']),
      orderhub(['--config', config, 'orders', 'list', '-s', 'shiped']),
      // a name only the store knows is still a valid filter
      orderhub(['--config', config, 'runs', '-c', 'old-shop']),
      ...commands.map((args) => orderhub(['--config', config, ...args])),
    ]);
    for (const r of results) expectOneLine(r!, 2, unknownDrinks);
    expectOneLine(failures!, 2, /^error: unknown connection "nope"; known: drinks-pl, old-shop$/);
    expectOneLine(status!, 2, /^error: unknown status "shiped" \(did you mean "shipped"\?\); known: new, /);
    expect(old!.code, old!.stderr).toBe(0);
    expect(old!.stdout).toMatch(/old-shop\s+incremental\s+failed/);
  });

  it('refuses bad commands, options and values in one line with a suggestion (exit 2)', async () => {
    const [option, command, value, argument, level] = await Promise.all([
      orderhub(['--config', config, 'orders', 'list', '--lmit', '3']),
      orderhub(['--config', config, 'orders', 'lst']),
      orderhub(['--config', config, 'runs', '-n', 'abc']),
      orderhub(['--config', config, 'orders', 'show']),
      orderhub(['--config', config, 'runs'], { env: { ORDERHUB_LOG_LEVEL: 'loud' } }),
    ]);
    expectOneLine(level!, 2, /^error: ORDERHUB_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "loud"$/);
    expectOneLine(option!, 2, /^error: unknown option '--lmit' \(did you mean --limit\?\); see --help$/);
    expectOneLine(command!, 2, /^error: unknown command 'lst' \(did you mean list\?\)/);
    expectOneLine(value!, 2, /^error: option '-n, --limit <n>' argument 'abc' is invalid\. must be a whole number ≥ 1; see --help$/);
    expectOneLine(argument!, 2, /^error: missing required argument 'order'/);
  });

  it('names an unknown order, webhook or API key (exit 2)', async () => {
    const [order, webhook, key] = await Promise.all([
      orderhub(['--config', config, 'orders', 'show', 'nope']),
      orderhub(['--config', config, 'webhooks', 'remove', 'wh_nope']),
      orderhub(['--config', config, 'apikey', 'revoke', 'nope']),
    ]);
    expectOneLine(order!, 2, /^error: no order "nope"/);
    expectOneLine(webhook!, 2, /^error: no webhook wh_nope/);
    expectOneLine(key!, 2, /^error: no active key "nope"/);
  });

  it('names a missing input file or output folder without a stack (exit 2)', async () => {
    expectOneLine(
      await orderhub(['--config', config, 'orders', 'attach-document', 'drinks-pl:1', join(dir.path, 'missing.pdf'), '-t', 'INVOICE']),
      2, new RegExp(`^error: ${join(dir.path, 'missing.pdf')}: no such file or directory \\(ENOENT\\)$`),
    );
    expectOneLine(
      await orderhub(['--config', config, 'orders', 'export', '-o', join(dir.path, 'no-folder', 'orders.csv')]),
      2, /^error: .*no-folder\/orders\.csv: no such file or directory \(ENOENT\)$/,
    );
  });

  it('refuses a missing config file in one line, and a bad one with each problem on a line, before anything runs (exit 2)', async () => {
    expectOneLine(await orderhub(['--config', join(dir.path, 'nope.yaml'), 'orders', 'list']), 2, /^error: no configuration file at .*nope\.yaml\./);
    const bad = join(dir.path, 'bad.yaml');
    writeFileSync(bad, stringify({ database: './bad.db', connections: [{ name: 'pl', ...unreachable, apikey: 'k', schedule: '5 minutes' }] }));
    // `run` used to start and then die with "TypeError: CronPattern" and a stack
    const r = await orderhub(['--config', bad, 'run'], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toMatch(/TypeError/);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `error: invalid configuration in ${bad}:`,
      expect.stringMatching(/^ {2}- connections\[0\] \(pl\)\.schedule: must be an interval such as 30s, 5m, 1h or a cron expression/),
      '  - connections[0] (pl).apikey: unknown key (did you mean "apiKey"?)',
    ]);
    expect(existsSync(join(dir.path, 'bad.db'))).toBe(false);
  });

  it('names a database it cannot create in a read-only folder (exit 3)', async () => {
    const locked = join(dir.path, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(locked, 0o555);
    const file = join(dir.path, 'locked.yaml');
    writeFileSync(file, stringify({ database: './locked/sub/hub.db', connections: [] }));
    chmodSync(file, 0o644);
    // root ignores file modes: run as nobody then
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = await orderhub(['--config', file, 'orders', 'list'], asUser);
    expectOneLine(r, 3, new RegExp(`^error: cannot open the database ${join(locked, 'sub', 'hub.db')}: permission denied \\(EACCES\\)`));
    const existing = join(dir.path, 'locked2.yaml');
    writeFileSync(existing, stringify({ database: './locked/hub.db', connections: [] }));
    chmodSync(existing, 0o644);
    expectOneLine(await orderhub(['--config', existing, 'orders', 'list'], asUser), 3, new RegExp(`^error: cannot open the database ${join(locked, 'hub.db')}: .*must exist .* writable`));
  });

  it('names a port that is taken (exit 3)', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      expectOneLine(await orderhub(['--config', config, 'serve', '--port', String(port)]), 3, new RegExp(`^error: cannot listen on 127\\.0\\.0\\.1:${port}: address already in use \\(EADDRINUSE\\)$`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('documents the exit codes in --help', async () => {
    const r = await orderhub(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 {4}done\n {2}1 {4}the work failed/);
    expect(r.stdout).toMatch(/\n {2}2 {4}usage/);
    expect(r.stdout).toMatch(/\n {2}3 {4}the store cannot be used/);
    expect(r.stdout).toMatch(/\n {2}70 {3}unexpected error \(a bug\): ORDERHUB_DEBUG=1 prints its stack trace/);
    // README "Commands" has the same codes
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => Number(m[1]));
    const inHelp = [...r.stdout.matchAll(/^ {2}(\d+) +\S/gm)].map((m) => Number(m[1]));
    expect(documented).toEqual(inHelp);
    expect(inHelp).toEqual([0, 1, 2, 3, 70]);
  });
});

describe('a relative database path (issue 19, defect 2)', { timeout: 120_000 }, () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = tempDir('orderhub-relative-');
  });
  afterAll(() => dir.cleanup());

  it('is read from the config file folder, whichever directory the command runs in', async () => {
    const home = join(dir.path, 'etc');
    const elsewhere = join(dir.path, 'elsewhere');
    mkdirSync(home);
    mkdirSync(elsewhere);
    const config = join(home, 'orderhub.yaml');
    writeFileSync(config, stringify({ database: './data/hub.db', connections: [] }));
    const created = await orderhub(['--config', config, 'apikey', 'create', '--scope', 'read', '--name', 'first', '--json'], { cwd: elsewhere });
    expect(created.code, created.stderr).toBe(0);
    expect(existsSync(join(home, 'data', 'hub.db'))).toBe(true);
    expect(existsSync(join(elsewhere, 'data'))).toBe(false);
    // from a third directory, with the config named relatively: the same store, the same key
    const listed = await orderhub(['--config', '../etc/orderhub.yaml', 'apikey', 'list'], { cwd: elsewhere });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/\bfirst\s+read\b/);
    const fromHome = await orderhub(['apikey', 'list'], { cwd: home });
    expect(fromHome.stdout).toBe(listed.stdout);
  });
});
