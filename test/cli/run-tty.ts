/**
 * Runs the `orderhub` command on a pseudo-terminal, as a person at a terminal does: util-linux
 * `script` gives it a terminal for stdin, stdout and stderr (of a set width), and hands back what the
 * terminal showed (both streams, in order) and the command's exit code.
 */
import { spawn } from 'node:child_process';
import { BIN, type RunOptions } from './run-cli.ts';

export interface TtyResult {
  code: number | null;
  /**
   * what the terminal showed, line by line: a return to the line's start (a progress bar redrawn)
   * starts a new line here, and escape sequences are removed
   */
  screen: string;
  /** the same, as written (escape sequences kept) */
  raw: string;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** a carriage return or a move to column 1 that is not a line ending */
// eslint-disable-next-line no-control-regex
const LINE_START = /\r(?!\n)|\x1b\[1G/g;
/** CSI and OSC escape sequences, and the carriage returns of a terminal's line endings */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\r/g;

export function orderhubOnTerminal(args: string[], options: RunOptions & { columns?: number } = {}): Promise<TtyResult> {
  const command = `stty cols ${options.columns ?? 100} rows 40; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  return new Promise((resolve) => {
    const env = { ...process.env, ORDERHUB_LOG_LEVEL: 'warn', ...options.env };
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: options.cwd });
    let raw = '';
    child.stdout.on('data', (d) => (raw += String(d)));
    child.stderr.on('data', (d) => (raw += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, raw, screen: raw.replace(LINE_START, '\n').replace(ESCAPES, '').replace(/\n{2,}/g, '\n') });
    });
  });
}
