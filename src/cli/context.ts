/** What every CLI command needs: the configuration, the store and a logger. */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { channels } from '../channels/registry.ts';
import { loadConfigFile, type BaseConnectionConfig, type OrderhubConfig } from '../core/config.ts';
import { findUnknownNames, type NameFilter } from '../core/known-names.ts';
import { createLogger } from '../core/log.ts';
import { didYouMean } from '../core/suggest.ts';
import { redactDatabaseUrl, type StoreHandle } from '../core/store/db.ts';
import { openHubStore } from '../store-modules.ts';
import { noteDatabase, storeUnavailable, UsageError } from './errors.ts';

export const DEFAULT_CONFIG_FILE = 'orderhub.yaml';

export interface GlobalOptions {
  config?: string;
  logLevel?: string;
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

/** --log-level, else $ORDERHUB_LOG_LEVEL, else warn; a level pino does not have is a usage error. */
export function logLevel(opts: GlobalOptions): string {
  const level = opts.logLevel ?? process.env.ORDERHUB_LOG_LEVEL ?? 'warn';
  if (!LOG_LEVELS.includes(level)) {
    throw new UsageError(`${opts.logLevel !== undefined ? '--log-level' : 'ORDERHUB_LOG_LEVEL'} must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  }
  return level;
}

export async function openContext(opts: GlobalOptions): Promise<CliContext> {
  const config = loadConfigFile(resolveConfigPath(opts), channels);
  const logger = createLogger({ level: logLevel(opts) });
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
