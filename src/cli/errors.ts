/**
 * How the `orderhub` command ends when something goes wrong: one clear line on stderr (a config
 * error lists each of its problems on a line of its own) and an exit code that says whose move it is.
 * Stack traces are for bugs only, and only with ORDERHUB_DEBUG=1.
 */
import { CommanderError } from 'commander';
import { ConfigError, OrderhubError, type OrderhubErrorCode } from '../core/errors.ts';

export const EXIT = {
  ok: 0,
  /** the command ran, but its work failed: a sync failed, a channel refused or could not be reached */
  failed: 1,
  /** fix the command line or the configuration: bad option or value, unknown name or id, missing file */
  usage: 2,
  /** the store (or a port) cannot be used: folder missing or read-only, file unreadable, database unreachable */
  unavailable: 3,
  /** an unexpected error: a bug (ORDERHUB_DEBUG=1 prints its stack) */
  internal: 70,
} as const;

/** The text of `orderhub --help` that documents the exit codes (README "Commands" has the same table). */
export const EXIT_CODES_HELP = `
Exit codes:
  0    done
  1    the work failed: a sync failed, a channel refused or could not be reached
  2    usage: bad command, option or value; unknown connection, channel, status or id; missing or
       invalid config file; missing input file
  3    the store cannot be used (its path is named): folder missing or read-only, file unreadable,
       PostgreSQL unreachable; or a port is taken
  70   unexpected error (a bug): ORDERHUB_DEBUG=1 prints its stack trace

Logs: on a terminal, readable lines appended to orderhub.log beside the SQLite store (beside the
  config file with PostgreSQL), named on stderr when anything was logged; with --verbose on stderr
  instead. Without a terminal (a pipe, a service): JSON lines on stderr. --log-format json|pretty and
  --log-file FILE choose.

Environment: ORDERHUB_CONFIG (config file), ORDERHUB_LOG_LEVEL, ORDERHUB_DEBUG=1 (stack traces of unexpected errors).
`;

/** A mistake in what the user typed or configured (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The store, a file or a port that orderhub needs cannot be used (exit 3); the message names it. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
}

/** OrderhubError codes that mean "your request is wrong", not "the work failed". */
const USAGE_CODES = new Set<OrderhubErrorCode>(['config_invalid', 'not_found', 'usage', 'write_back_rule', 'write_back_unsupported', 'push_channel']);

/** SQLite result codes that are about the file or its folder, not about orderhub's queries. */
const STORE_CODES = /^SQLITE_(READONLY|CANTOPEN|FULL|IOERR|CORRUPT|NOTADB|PERM|BUSY|LOCKED)/;

let databaseInUse: string | undefined;

/** The store the command works on, named in messages about errors the database reports later. */
export function noteDatabase(location: string): void {
  databaseInUse = location;
}

function systemErrorText(err: NodeJS.ErrnoException): string {
  // "ENOENT: no such file or directory, open 'x.pdf'" -> "no such file or directory";
  // "listen EADDRINUSE: address already in use 127.0.0.1:8080" -> "address already in use"
  const reason = err.message
    .replace(/^(\w+ )?E[A-Z]+: /, '')
    .replace(/, \w+ '.*'$/, '')
    .replace(err.syscall === 'listen' ? / \S+:\d+$/ : /$^/, '');
  return `${reason} (${err.code})`;
}

const WRITABLE_HINT = '; the file and its folder must exist (the folder is created) and be writable by this user';

function sqliteText(err: { message: string; code: string }): string {
  return `${err.message} (${err.code})${/^SQLITE_(READONLY|CANTOPEN|PERM)/.test(err.code) ? WRITABLE_HINT : ''}`;
}

/** Store-opening failures: the same words whatever the cause, always with the database's location. */
export function storeUnavailable(location: string, err: unknown): Error {
  if (err instanceof OrderhubError || err instanceof UsageError) return err;
  const e = err as NodeJS.ErrnoException;
  let detail: string;
  if (typeof e?.code === 'string' && STORE_CODES.test(e.code)) detail = sqliteText({ message: e.message, code: e.code });
  else if (e?.syscall && e.code) detail = `${systemErrorText(e)}${e.path && e.path !== location ? ` at ${e.path}` : ''}`;
  else detail = e?.message ?? String(err);
  return new UnavailableError(`cannot open the database ${location}: ${detail}`, { cause: err });
}

export interface Outcome {
  exitCode: number;
  /** what to print on stderr ('' when commander already printed it) */
  message: string;
}

/** Maps anything a command threw to its exit code and the line(s) to print. */
export function describeFailure(err: unknown, debug = process.env.ORDERHUB_DEBUG === '1'): Outcome {
  if (err instanceof CommanderError) {
    // commander printed its own message (made one line by oneLineCommanderError); help and --version exit 0
    return { exitCode: err.exitCode === 0 ? EXIT.ok : EXIT.usage, message: '' };
  }
  if (err instanceof UsageError || err instanceof ConfigError) return { exitCode: EXIT.usage, message: `error: ${err.message}` };
  if (err instanceof UnavailableError) return { exitCode: EXIT.unavailable, message: `error: ${err.message}` };
  if (err instanceof OrderhubError) {
    return { exitCode: USAGE_CODES.has(err.code) ? EXIT.usage : EXIT.failed, message: `error: ${err.message}` };
  }
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && STORE_CODES.test(e.code)) {
    return { exitCode: EXIT.unavailable, message: `error: the database${databaseInUse ? ` ${databaseInUse}` : ''}: ${sqliteText({ message: e.message, code: e.code })}` };
  }
  if (typeof e?.code === 'string' && e.syscall === 'listen') {
    const where = (e as { address?: string; port?: number }).address;
    const port = (e as { port?: number }).port;
    return { exitCode: EXIT.unavailable, message: `error: cannot listen on ${where ?? ''}${port !== undefined ? `:${port}` : ''}: ${systemErrorText(e)}` };
  }
  if (typeof e?.code === 'string' && typeof e.path === 'string' && typeof e.syscall === 'string') {
    // a file the user named (attach-document, stock import, export --out): theirs to fix
    return { exitCode: EXIT.usage, message: `error: ${e.path}: ${systemErrorText(e)}` };
  }
  const text = err instanceof Error ? err.message : String(err);
  const stack = err instanceof Error && debug ? `\n${err.stack ?? ''}` : '';
  return {
    exitCode: EXIT.internal,
    message: `error: ${text} (unexpected: ${debug ? 'stack trace follows' : 'ORDERHUB_DEBUG=1 prints the stack trace'})${stack}`,
  };
}

/**
 * Commander prints "error: unknown option '--lmit'\n(Did you mean --limit?)"; made into one line with a
 * pointer to --help (instead of the whole help text after every mistake).
 */
export function oneLineCommanderError(text: string): string {
  const line = text
    .trim()
    .replace(/\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '');
  return `${line}; see --help\n`;
}
