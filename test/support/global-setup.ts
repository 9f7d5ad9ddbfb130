// vitest globalSetup: starts a throwaway PostgreSQL cluster for the whole test
// run (if the server binaries exist) and provides its URL to the tests as
// inject('pgUrl') and process.env.ORDERHUB_TEST_PG_URL.
//
// Lifecycle: mkdtemp -> initdb (trust auth, no fsync) -> pg_ctl start on a free
// 127.0.0.1 port with the unix socket inside the temp dir -> tests -> teardown
// (pg_ctl stop -m fast, rm -rf). When running as root, initdb/pg_ctl run as the
// `postgres` user via runuser (PostgreSQL refuses to run as root).
// Clusters left behind by a killed run (owner process gone) are cleaned up on
// the next start.

import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../src/core/http/free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the throwaway test cluster (superuser `postgres`, db `postgres`), or null when PG is unavailable. */
    pgUrl: string | null;
  }
}

const DIR_PREFIX = 'orderhub-pg-';
const OWNER_FILE = 'owner.pid';

function findOnPath(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/** Same search order as scripts/setup.mjs. */
export function findPgBinDir(): string | null {
  const override = process.env.ORDERHUB_PG_BIN;
  if (override) return existsSync(join(override, 'initdb')) ? override : null;
  const base = '/usr/lib/postgresql';
  try {
    const versions = readdirSync(base).sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    for (const v of versions) {
      const dir = join(base, v, 'bin');
      if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
    }
  } catch {
    /* no Debian layout */
  }
  const initdb = findOnPath('initdb');
  if (initdb && existsSync(join(dirname(initdb), 'pg_ctl'))) return dirname(initdb);
  return null;
}

interface RunAs {
  /** Run a PostgreSQL binary as the right user (postgres when we are root). */
  run(bin: string, args: string[], cwd: string): SpawnSyncReturns<string>;
  /** Hand a directory over to that user. */
  chown(path: string): void;
}

function runAs(): RunAs {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    return {
      run: (bin, args, cwd) => spawnSync(bin, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
      chown: () => {},
    };
  }
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error(
      'Running as root but there is no `postgres` user to run PostgreSQL as ' +
        '(PostgreSQL refuses to run as root). Install the postgresql package or run the tests as a normal user.',
    );
  }
  const runuser = findOnPath('runuser') ?? (existsSync('/usr/sbin/runuser') ? '/usr/sbin/runuser' : null);
  return {
    run: (bin, args, cwd) =>
      runuser
        ? spawnSync(runuser, ['-u', 'postgres', '--', bin, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        : // No runuser (non-Debian root): let Node drop privileges itself.
          spawnSync(bin, args, { cwd, uid, gid, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    chown: (path) => chownSync(path, uid, gid),
  };
}

function output(res: SpawnSyncReturns<string>): string {
  return [res.error?.message, res.stdout, res.stderr].filter(Boolean).join('\n').trim();
}

function readTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Base dir for the cluster; unix socket paths must stay < 108 bytes. */
function baseTmp(): string {
  const t = tmpdir();
  return t.length > 60 ? '/tmp' : t;
}

/** Stop and remove clusters left behind by test runs that were killed. */
function cleanupStale(binDir: string, as: RunAs): void {
  const base = baseTmp();
  let entries: string[];
  try {
    entries = readdirSync(base).filter((e) => e.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = join(base, entry);
    try {
      const owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8').trim());
      if (!owner || pidAlive(owner)) continue;
    } catch {
      continue; // not ours / being created right now
    }
    if (existsSync(join(dir, 'data', 'postmaster.pid'))) {
      as.run(join(binDir, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop'], dir);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function loudWarning(msg: string): void {
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n!! ${msg.split('\n').join('\n!! ')}\n${bar}\n`);
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const binDir = findPgBinDir();
  if (!binDir) {
    const msg =
      'PostgreSQL server binaries (initdb/pg_ctl) not found (looked in $ORDERHUB_PG_BIN, /usr/lib/postgresql/*/bin, PATH).';
    if (process.env.ORDERHUB_REQUIRE_PG === '1') {
      throw new Error(`${msg}\nORDERHUB_REQUIRE_PG=1, so this is an error. Run \`node scripts/setup.mjs --with-postgres\` as root or install postgresql.`);
    }
    loudWarning(`${msg}\nAll PostgreSQL test suites will be SKIPPED.\nInstall with \`node scripts/setup.mjs --with-postgres\` (as root) or \`apt-get install postgresql\`.`);
    provide('pgUrl', null);
    delete process.env.ORDERHUB_TEST_PG_URL;
    return async () => {};
  }

  const as = runAs();
  cleanupStale(binDir, as);

  const started = Date.now();
  const dir = mkdtempSync(join(baseTmp(), DIR_PREFIX));
  writeFileSync(join(dir, OWNER_FILE), `${process.pid}\n`);
  as.chown(dir);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'log');
  const pgCtl = join(binDir, 'pg_ctl');

  let running = false;
  let stopped = false;
  const stopSync = (mode: 'fast' | 'immediate'): void => {
    if (stopped) return;
    stopped = true;
    if (running) as.run(pgCtl, ['-D', dataDir, '-m', mode, '-w', 'stop'], dir);
    rmSync(dir, { recursive: true, force: true });
  };
  // Last resort if vitest exits without running teardown (e.g. a crash).
  const onExit = (): void => stopSync('immediate');
  process.once('exit', onExit);

  try {
    const init = as.run(
      join(binDir, 'initdb'),
      ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C'],
      dir,
    );
    if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}):\n${output(init)}`);

    let port = 0;
    let lastErr = '';
    // Retry with another port if someone grabbed ours between probe and bind.
    for (let attempt = 1; attempt <= 3 && !running; attempt++) {
      port = await freePort();
      const opts = [
        `-p ${port}`,
        `-k '${dir}'`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=200',
      ].join(' ');
      const start = as.run(pgCtl, ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', opts, 'start'], dir);
      if (start.status === 0) {
        running = true;
      } else {
        lastErr = `pg_ctl start failed (exit ${start.status}):\n${output(start)}\n--- server log ---\n${readTail(logFile)}`;
        // pg_ctl -w may time out with the server still starting: make sure it is gone.
        as.run(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], dir);
      }
    }
    if (!running) throw new Error(lastErr);

    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    provide('pgUrl', url);
    process.env.ORDERHUB_TEST_PG_URL = url;
    console.log(`[global-setup] PostgreSQL test cluster ready at ${url} (${Date.now() - started} ms, ${binDir})`);
  } catch (err) {
    process.off('exit', onExit);
    stopSync('immediate');
    throw new Error(`Could not start the PostgreSQL test cluster: ${(err as Error).message}`, { cause: err });
  }

  return async () => {
    process.off('exit', onExit);
    stopSync('fast');
    delete process.env.ORDERHUB_TEST_PG_URL;
  };
}
