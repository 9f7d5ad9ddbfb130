/** What every CLI command needs: the configuration, the store and a logger. */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { channels } from '../channels/registry.ts';
import { loadConfigFile, type BaseConnectionConfig, type OrderhubConfig } from '../core/config.ts';
import { findUnknownNames, type NameFilter } from '../core/known-names.ts';
import { createLogger, LOG_FORMATS, type LogFormat } from '../core/log.ts';
import { didYouMean } from '../core/suggest.ts';
import { isPostgresUrl, redactDatabaseUrl, type StoreHandle } from '../core/store/db.ts';
import { openHubStore } from '../store-modules.ts';
import { noteDatabase, storeUnavailable, UsageError } from './errors.ts';

export const DEFAULT_CONFIG_FILE = 'orderhub.yaml';

export interface GlobalOptions {
  config?: string;
  logLevel?: string;
  logFormat?: string;
  logFile?: string;
  verbose?: boolean;
}

export { UsageError } from './errors.ts';

export function resolveConfigPath(opts: GlobalOptions): string {
  const path = opts.config ?? process.env.ORDERHUB_CONFIG ?? DEFAULT_CONFIG_FILE;
  if (!existsSync(path)) {
    throw new UsageError(
      `no configuration file at ${path}. Create one (see README "Configuration"), pass --config FILE, ` +
        `or run \`orderhub sandbox --write-config ${DEFAULT_CONFIG_FILE}\` to get one that points at local channel simulators.`,
    );
  }
  return path;
}

export interface CliContext {
  config: OrderhubConfig;
  store: StoreHandle;
  logger: Logger;
  close(): Promise<void>;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** --log-level, else $ORDERHUB_LOG_LEVEL, else info with --verbose and warn without; a level pino does not have is a usage error. */
export function logLevel(opts: GlobalOptions): string {
  const level = opts.logLevel ?? process.env.ORDERHUB_LOG_LEVEL ?? (opts.verbose ? 'info' : 'warn');
  if (!LOG_LEVELS.includes(level)) {
    throw new UsageError(`${opts.logLevel !== undefined ? '--log-level' : 'ORDERHUB_LOG_LEVEL'} must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  }
  return level;
}

/** The file the log goes to on a terminal: beside the SQLite store, or beside the config file (PostgreSQL). */
export function defaultLogFile(config: Pick<OrderhubConfig, 'database' | 'source'>): string {
  const database = config.database.replace(/^sqlite:(\/\/)?/, '');
  return resolve(isPostgresUrl(config.database) ? dirname(config.source) : dirname(database), 'orderhub.log');
}

export interface LogChoice {
  level: string;
  format: LogFormat;
  /** undefined: stderr */
  file: string | undefined;
}

/**
 * Where the log goes and how it looks. Without a terminal on stderr: JSON lines on stderr, as log
 * collectors expect. On a terminal: pretty lines appended to a file (the output stays readable;
 * `orderhub` says where when something was logged), or on stderr with --verbose; JSON there only
 * with --log-format json. --log-file chooses the file in every case.
 */
export function chooseLog(opts: GlobalOptions, defaultFile: () => string, tty = process.stderr.isTTY === true): LogChoice {
  const level = logLevel(opts);
  if (opts.logFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(opts.logFormat)) {
    throw new UsageError(`--log-format must be one of ${LOG_FORMATS.join(', ')}, got "${opts.logFormat}"`);
  }
  const format = (opts.logFormat as LogFormat | undefined) ?? (tty ? 'pretty' : 'json');
  if (opts.logFile !== undefined) return { level, format, file: resolve(opts.logFile) };
  const toFile = tty && !opts.verbose && opts.logFormat === undefined;
  return { level, format, file: toFile ? defaultFile() : undefined };
}

/** The log file of this process and its size when it was opened (to tell whether anything was logged). */
let logFileInUse: { path: string; sizeAtStart: number } | undefined;

/** While progress bars are drawn, log lines for the terminal go through them (above the bars, not cut). */
let terminalLog: ((text: string) => void) | null = null;

export function routeTerminalLog(through: ((text: string) => void) | null): void {
  terminalLog = through;
}

/** A logger as chooseLog says; remembers a log file so the command can say where its log went. */
export function openLogger(choice: LogChoice): Logger {
  if (choice.file !== undefined) {
    try {
      const logger = createLogger({ level: choice.level, format: choice.format, file: choice.file });
      if (logFileInUse?.path !== choice.file) logFileInUse = { path: choice.file, sizeAtStart: fileSize(choice.file) };
      return logger;
    } catch (err) {
      // (a read-only folder: the command goes on, and the store's own error, if any, says the rest)
      process.stderr.write(`warning: cannot write the log to ${choice.file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): it goes to stderr\n`);
      return openLogger({ ...choice, file: undefined });
    }
  }
  // on a terminal the lines may have to pass progress bars; elsewhere stderr's fd, as always
  const destination = process.stderr.isTTY
    ? { write: (text: string) => (terminalLog ? terminalLog(text) : process.stderr.write(text)) }
    : undefined;
  return createLogger({ level: choice.level, format: choice.format, destination });
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** For commands that run until stopped: `log: <file> …` when the log goes to a file, else null. */
export function logFileLine(): string | null {
  return logFileInUse ? `log: ${logFileInUse.path} (--verbose prints the log here)` : null;
}

/** `log: <file> …` when this process wrote to its log file, else null. */
export function logFileNotice(): string | null {
  if (!logFileInUse || fileSize(logFileInUse.path) <= logFileInUse.sizeAtStart) return null;
  return logFileLine();
}

export async function openContext(opts: GlobalOptions): Promise<CliContext> {
  const config = loadConfigFile(resolveConfigPath(opts), channels);
  const logger = openLogger(chooseLog(opts, () => defaultLogFile(config)));
  noteDatabase(redactDatabaseUrl(config.database));
  let store: StoreHandle;
  try {
    store = await openHubStore(config.database);
  } catch (err) {
    throw storeUnavailable(redactDatabaseUrl(config.database), err);
  }
  return { config, store, logger, close: () => store.close() };
}

export function selectConnections(config: OrderhubConfig, name: string | undefined): BaseConnectionConfig[] {
  if (name === undefined) return config.connections.filter((c) => c.enabled);
  const found = config.connections.find((c) => c.name === name);
  if (!found) {
    const configured = config.connections.map((c) => c.name);
    throw new UsageError(`no connection named "${name}"${didYouMean(name, configured)} in ${config.source}; configured: ${configured.join(', ') || '(none)'}`);
  }
  return [found];
}

/** A filter naming a connection, channel or status that does not exist is a usage error, not an empty list. */
export async function rejectUnknownNames(ctx: CliContext, filter: NameFilter): Promise<void> {
  const unknown = await findUnknownNames(filter, { db: ctx.store.db, connections: ctx.config.connections, kinds: channels.kinds() });
  if (unknown.length > 0) throw new UsageError(unknown.map((u) => u.message).join('; '));
}
