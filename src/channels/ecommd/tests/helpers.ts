/** Shared set-up for the ecom.md tests: a simulator on 127.0.0.1, connectors and sync configs on it. */
import { addDays, localDate } from '../../../core/canonical/time.ts';
import type { Connector, FetchedPage, PullQuery } from '../../../core/connector.ts';
import { walkPages } from '../../../core/sync/pager.ts';
import { testConnectorContext, type TestContext } from '../../../../test/support/connector-context.ts';
import { ecommdChannel } from '../index.ts';
import { ecommdConfigSchema, type EcommdConfig } from '../config.ts';
import { createEcommdConnector } from '../connector.ts';
import { ECOMMD_DEFAULT_ZONE } from '../datetime.ts';
import { startEcommdSimulator, type EcommdSimulator, type EcommdSimulatorOptions } from '../simulator/index.ts';

/** 40 days of history: inside the engine's 90-day re-poll horizon, and more than one 31-day window */
export const SINCE = addDays(localDate(new Date(), ECOMMD_DEFAULT_ZONE), -40);

export async function startSim(options: Partial<EcommdSimulatorOptions> = {}): Promise<EcommdSimulator> {
  return startEcommdSimulator({ host: '127.0.0.1', port: 0, orders: 300, seed: 11, since: SINCE, ...options });
}

export function configFor(sim: EcommdSimulator, extra: Record<string, unknown> = {}): EcommdConfig {
  return ecommdConfigSchema.parse({
    name: 'md',
    ...sim.connection,
    since: SINCE,
    http: { maxAttempts: 6, requestsPerSecond: 1000, concurrency: 4, timeoutMs: 5000, deadlineMs: 60000 },
    ...extra,
  });
}

export interface TestConnector {
  connector: Connector;
  ctx: TestContext;
  config: EcommdConfig;
  close(): Promise<void>;
}

export function connectorFor(sim: EcommdSimulator, extra: Record<string, unknown> = {}): TestConnector {
  const config = configFor(sim, extra);
  const ctx = testConnectorContext({ timeZone: ECOMMD_DEFAULT_ZONE, connection: 'md' });
  const connector = createEcommdConnector(config, ctx);
  return { connector, ctx, config, close: () => ctx.close() };
}

/** Every record of a query, walked by the engine's own pager. */
export async function walkAll(connector: Connector, query: PullQuery): Promise<{ records: unknown[]; pages: number }> {
  const records: unknown[] = [];
  const pages = await walkPages(connector, query, new AbortController().signal, async (r) => {
    records.push(...r);
  });
  return { records, pages };
}

export function idsOf(records: readonly unknown[]): string[] {
  return records.map((r) => String((r as { id: unknown }).id));
}

export function syncConfig(sim: EcommdSimulator, extra: Record<string, unknown> = {}) {
  return ecommdChannel.configSchema.parse({
    name: 'md',
    ...sim.connection,
    since: SINCE,
    http: { maxAttempts: 6, requestsPerSecond: 1000, concurrency: 4, timeoutMs: 5000, deadlineMs: 60000 },
    ...extra,
  });
}

export type { FetchedPage };
