/** Test helpers: a ConnectorContext over the real HttpClient with fast retries, and a config. */
import type { ConnectorContext } from '../../../core/connector.ts';
import { memoryState } from '../../../../test/support/connector-context.ts';
import { memoryTokenCache } from '../../../core/http/auth.ts';
import { HttpClient } from '../../../core/http/client.ts';
import { silentLogger } from '../../../core/log.ts';
import { drinksConfigSchema, type DrinksConfig } from '../config.ts';

export interface TestContext extends ConnectorContext {
  /** every HttpClient the context built, for stats and closing */
  clients: HttpClient[];
}

export function testContext(overrides: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): TestContext {
  const clients: HttpClient[] = [];
  return {
    connection: 'test',
    logger: silentLogger(),
    timeZone: 'Europe/Warsaw',
    tokenCache: memoryTokenCache(),
    state: memoryState(),
    clients,
    http: (o) => {
      const client = new HttpClient({
        connection: 'test',
        logger: silentLogger(),
        timeoutMs: 5000,
        deadlineMs: 20000,
        maxAttempts: 4,
        requestsPerSecond: 1000,
        concurrency: 4,
        baseDelayMs: 5,
        maxDelayMs: 50,
        ...overrides,
        ...o,
      });
      clients.push(client);
      return client;
    },
  };
}

export function testConfig(baseUrl: string, apiKey: string, extra: Record<string, unknown> = {}): DrinksConfig {
  return drinksConfigSchema.parse({ name: 'd2c-test', kind: 'drinks2cash', baseUrl, apiKey, ...extra });
}
