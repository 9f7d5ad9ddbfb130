/**
 * Every module of the product that owns tables, in one list: the core's (always run by the store),
 * the API's, the outbox's, the webhooks', the alerts' (whose hook turns sync outcomes into system
 * events), and each channel's that has tables (from its definition).
 * Whoever opens the product's store (the CLI, `serve`, the sandbox, tests, benchmarks) opens it with
 * these, so a store always has every table the product reads.
 */
import { alertsStoreModule } from './alerts/tables.ts';
import { apiStoreModule } from './api/store/tables.ts';
import { channels } from './channels/registry.ts';
import { openStore, type StoreHandle } from './core/store/db.ts';
import type { StoreModule } from './core/store/module.ts';
import { outboxStoreModule } from './outbox/tables.ts';
import { webhookStoreModule } from './webhooks/tables.ts';

export const storeModules: readonly StoreModule[] = [apiStoreModule, outboxStoreModule, webhookStoreModule, alertsStoreModule, ...channels.storeModules()];

/** openStore with the product's modules. */
export function openHubStore(database: string, options: Omit<Parameters<typeof openStore>[1] & object, 'modules'> = {}): Promise<StoreHandle> {
  return openStore(database, { ...options, modules: storeModules });
}
