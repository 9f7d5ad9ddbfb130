/**
 * A ConnectorContext for channel tests: real HTTP clients with fast retry timings, an in-memory
 * token cache and state. Connector tests talk to their simulator over HTTP through this.
 */
import type { ConnectionState, ConnectorContext } from '../../src/core/connector.ts';
import { memoryTokenCache, type TokenCache } from '../../src/core/http/auth.ts';
import { HttpClient, type HttpClientOptions } from '../../src/core/http/client.ts';
import { silentLogger } from '../../src/core/log.ts';

export function memoryState(): ConnectionState {
  const map = new Map<string, string>();
  return {
    get: async <T>(key: string) => (map.has(key) ? (JSON.parse(map.get(key)!) as T) : null),
    set: async (key, value) => {
      map.set(key, JSON.stringify(value));
    },
    compareAndSet: async (key, expected, value) => {
      const current = map.get(key) ?? 'null';
      if (current !== JSON.stringify(expected ?? null)) return false;
      map.set(key, JSON.stringify(value ?? null));
      return true;
    },
  };
}

export interface TestContext extends ConnectorContext {
  clients: HttpClient[];
  /** HTTP attempts sent by every client created through this context */
  requests(): number;
  close(): Promise<void>;
}

export function testConnectorContext(options: { timeZone: string; connection?: string; tokenCache?: TokenCache; http?: Partial<HttpClientOptions> }): TestContext {
  const clients: HttpClient[] = [];
  const logger = silentLogger();
  return {
    connection: options.connection ?? 'test',
    logger,
    timeZone: options.timeZone,
    tokenCache: options.tokenCache ?? memoryTokenCache(),
    state: memoryState(),
    clients,
    http(o) {
      const client = new HttpClient({
        connection: options.connection ?? 'test', logger, timeoutMs: 5_000, deadlineMs: 20_000, maxAttempts: 4,
        requestsPerSecond: 1_000, concurrency: 4, baseDelayMs: 5, maxDelayMs: 50, ...options.http, ...o,
      });
      clients.push(client);
      return client;
    },
    requests: () => clients.reduce((n, c) => n + c.stats.requests, 0),
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
