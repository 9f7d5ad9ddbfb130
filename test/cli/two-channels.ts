/**
 * A store synced by the `orderhub` command (a child process) from the drinks2cash and ecom.md
 * simulators, with the REST API served on the same store: what the tests that compare the CLI with
 * the API (vocabulary, audit trail and bulk changes) start from.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { channels } from '../../src/channels/registry.ts';
import type { DrinksSimulator } from '../../src/channels/drinks2cash/simulator/index.ts';
import { startEcommdSimulator, type EcommdSimulator } from '../../src/channels/ecommd/simulator/index.ts';
import { loadConfigFile } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { StoreHandle } from '../../src/core/store/db.ts';
import { openHubStore } from '../../src/store-modules.ts';
import { startApiServer, type RunningApiServer, type StartApiOptions } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/store/api-keys.ts';
import { tempDir } from '../support/pg.ts';
import { sinceDate, startSim } from '../sync/support.ts';
import { orderhub, type Result } from './run-cli.ts';

export interface TwoChannels {
  drinks: DrinksSimulator;
  md: EcommdSimulator;
  dir: ReturnType<typeof tempDir>;
  /** the config file: connections drinks-pl (drinks2cash) and shop-md (ecom.md) */
  config: string;
  store: StoreHandle;
  api: RunningApiServer;
  /** a write key named `keyName` */
  key: string;
  cli(...args: string[]): Promise<Result>;
  get(path: string): Promise<{ status: number; body: any }>;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startTwoChannels(options: { prefix: string; orders: number; keyName: string; server?: Partial<StartApiOptions> }): Promise<TwoChannels> {
  const drinks = await startSim(options.orders, 5);
  const md = await startEcommdSimulator({ host: '127.0.0.1', port: 0, orders: options.orders, seed: 11, since: sinceDate() });
  const dir = tempDir(options.prefix);
  const config = join(dir.path, 'orderhub.yaml');
  writeFileSync(config, stringify({
    database: './hub.db',
    connections: [
      { name: 'drinks-pl', ...drinks.connection, since: sinceDate(), schedule: '1h' },
      { name: 'shop-md', ...md.connection, since: sinceDate(), schedule: '1h' },
    ],
  }));
  const cli = (...args: string[]) => orderhub(['--config', config, ...args], { timeoutMs: 180_000 });
  const synced = await cli('sync');
  expect(synced.code, synced.stderr).toBe(0);
  const loaded = loadConfigFile(config, channels);
  const store = await openHubStore(loaded.database);
  const api = await startApiServer({ store, config: loaded, registry: channels, logger: silentLogger(), host: '127.0.0.1', port: 0, ...options.server });
  const key = (await createApiKey(store.db, { name: options.keyName, scope: 'write' })).key;
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await request(`${api.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.statusCode, body: (await res.body.json()) as any };
  };
  return {
    drinks, md, dir, config, store, api, key, cli,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    async close() {
      await api.close();
      await store.close();
      await drinks.close();
      await md.close();
      dir.cleanup();
    },
  };
}
