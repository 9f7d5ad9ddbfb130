/**
 * Issue 19, defect 1, for the command: while another process holds the SQLite store's write lock, a
 * command that writes waits for it (as it did with SQLite's 10 s busy timeout) instead of failing at
 * once, and succeeds when the lock is released.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { holdExclusiveLock } from '../../src/core/store/tests/lock-holder-process.ts';
import { waitFor } from '../api/helpers.ts';
import { tempDir, type TempDir } from '../support/pg.ts';
import { BIN, orderhub } from './run-cli.ts';

/** whether process `pid` has `file` open (Linux /proc) */
function hasOpen(pid: number, file: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

describe.skipIf(process.platform !== 'linux')('a command while another process holds the store\'s lock', { timeout: 60_000 }, () => {
  let dir: TempDir;
  let config: string;
  let database: string;
  beforeAll(async () => {
    dir = tempDir('orderhub-cli-lock-');
    config = join(dir.path, 'orderhub.yaml');
    database = join(dir.path, 'hub.db');
    writeFileSync(config, stringify({ database, connections: [] }));
    const first = await orderhub(['--config', config, 'apikey', 'create', '--name', 'first', '--scope', 'read']);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('waits for the lock and then writes (exit 0)', async () => {
    const holder = await holdExclusiveLock(database, 20_000);
    const child = spawn(process.execPath, [BIN, '--config', config, 'apikey', 'create', '--name', 'second', '--scope', 'read'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ORDERHUB_LOG_LEVEL: 'warn' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
      holder.note('command exited');
      resolve(code);
    }));
    // the command has opened the store (its first write, the migrations' history, comes next) …
    await waitFor('the command to open the store', () => hasOpen(child.pid!, database) || holder.events.includes('command exited'), 30_000);
    // … and is still running a while later: it waits instead of failing
    await new Promise((resolve) => setTimeout(resolve, 500));
    holder.note('checked');
    await holder.release();
    const code = await exited;
    expect(holder.releasedOn).toBe('request');
    expect(holder.events.filter((e) => e !== 'released')).toEqual(['locked', 'checked', 'release requested', 'command exited']);
    expect(code, stderr).toBe(0);
    const list = await orderhub(['--config', config, 'apikey', 'list']);
    expect(list.stdout).toMatch(/second/);
  });
});
