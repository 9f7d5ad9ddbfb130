/**
 * Builds what a connector is handed: HTTP clients configured from the connection's settings, the
 * shared token cache and per-connection state in the store. Clients are closed with the context.
 */
import type { Logger } from 'pino';
import type { ChannelDefinition, Connector, ConnectorContext } from '../connector.ts';
import type { BaseConnectionConfig } from '../config.ts';
import { HttpClient } from '../http/client.ts';
import type { StoreHandle } from '../store/db.ts';
import { connectionState, storeTokenCache } from '../store/connections.ts';

export interface ConnectorRuntime {
  connector: Connector;
  context: ConnectorContext;
  /** HTTP statistics of every client the connector created (requests actually sent, retries). */
  httpStats(): { requests: number; retries: number };
  close(): Promise<void>;
}

export function createConnectorRuntime(
  store: StoreHandle,
  channel: ChannelDefinition,
  config: BaseConnectionConfig,
  logger: Logger,
): ConnectorRuntime {
  const clients: HttpClient[] = [];
  const log = logger.child({ connection: config.name, channel: channel.kind });
  const context: ConnectorContext = {
    connection: config.name,
    logger: log,
    timeZone: config.timeZone ?? channel.defaultTimeZone,
    http(options) {
      const client = new HttpClient({
        connection: config.name,
        logger: log,
        timeoutMs: config.http.timeoutMs,
        deadlineMs: config.http.deadlineMs,
        maxAttempts: config.http.maxAttempts,
        requestsPerSecond: config.http.requestsPerSecond,
        concurrency: config.http.concurrency,
        ...options,
      });
      clients.push(client);
      return client;
    },
    tokenCache: storeTokenCache(store.db, config.name),
    state: connectionState(store.db, config.name),
  };
  const connector = channel.createConnector(config, context);
  return {
    connector,
    context,
    httpStats: () =>
      clients.reduce(
        (acc, c) => ({ requests: acc.requests + c.stats.requests, retries: acc.retries + c.stats.retries }),
        { requests: 0, retries: 0 },
      ),
    async close() {
      await connector.close?.();
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
