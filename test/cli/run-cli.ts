/** Runs the `orderhub` command as a user does: a child process of bin/orderhub.js. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '../../bin/orderhub.js');

export interface Result { code: number | null; stdout: string; stderr: string }

export interface RunOptions {
  timeoutMs?: number;
  env?: Record<string, string>;
  /** working directory of the command (default: the test's) */
  cwd?: string;
  /** run as this user and group (the tests run as root, whom no file permission stops) */
  uid?: number;
  gid?: number;
  onSpawn?: (kill: (sig: NodeJS.Signals) => void, out: () => string) => void;
}

export function orderhub(args: string[], options: RunOptions = {}): Promise<Result> {
  return new Promise((resolve) => {
    const env = { ...process.env, ORDERHUB_LOG_LEVEL: 'warn', ...options.env };
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'], env, cwd: options.cwd, uid: options.uid, gid: options.gid,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    options.onSpawn?.((sig) => child.kill(sig), () => stdout + stderr);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
