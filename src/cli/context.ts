/** What every CLI command needs: the configuration, the store and a logger. */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { channels } from '../channels/registry.ts';
import { loadConfigFile, type BaseConnectionConfig, type OrderhubConfig } from '../core/config.ts';
import { createLogger } from '../core/log.ts';
import { openStore, type StoreHandle } from '../core/store/db.ts';

export const DEFAULT_CONFIG_FILE = 'orderhub.yaml';

export interface GlobalOptions {
  config?: string;
  logLevel?: string;
}

export class UsageError extends Error {}

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

export async function openContext(opts: GlobalOptions): Promise<CliContext> {
  const config = loadConfigFile(resolveConfigPath(opts), channels);
  const logger = createLogger({ level: opts.logLevel ?? process.env.ORDERHUB_LOG_LEVEL ?? 'warn' });
  const store = await openStore(config.database);
  return { config, store, logger, close: () => store.close() };
}

export function selectConnections(config: OrderhubConfig, name: string | undefined): BaseConnectionConfig[] {
  if (name === undefined) return config.connections.filter((c) => c.enabled);
  const found = config.connections.find((c) => c.name === name);
  if (!found) {
    throw new UsageError(`no connection named "${name}" in ${config.source}; configured: ${config.connections.map((c) => c.name).join(', ') || '(none)'}`);
  }
  return [found];
}
