/**
 * Dropohs (dropohs.cz) — Czech e-shop rental + dropshipping platform ("MegaDropShipping").
 * Pull only: the API has /shops, /products and /orders, no write endpoints.
 * See README.md in this folder for the API, the mapping table and the simulator.
 */
import { defineChannel } from '../../core/connector.ts';
import { dropohsConfigSchema, type DropohsConfig } from './config.ts';
import { createDropohsConnector } from './connector.ts';
import { DROPOHS_DEFAULT_ZONE } from './mapping.ts';
import { registerDropohsCli } from './cli.ts';

export const dropohsChannel = defineChannel<DropohsConfig>({
  kind: 'dropohs',
  title: 'Dropohs (CZ)',
  defaultTimeZone: DROPOHS_DEFAULT_ZONE,
  capabilities: {
    pull: true,
    push: false,
    writeBack: { status: false, tracking: false, documents: false },
  },
  configSchema: dropohsConfigSchema,
  secretFields: ['token'],
  createConnector: createDropohsConnector,
  // loaded on demand: a syncing process never needs the simulator (nor its HTTP server)
  simulator: { start: async (options) => (await import('./simulator/index.ts')).startDropohsSimulator(options) },
  cli: { description: 'Dropohs: e-shops of a token, catalogue as items see it', register: (command, ctx) => registerDropohsCli(command, ctx) },
});

export { createDropohsConnector, type DropohsConnector } from './connector.ts';
export { mapDropohsOrder } from './mapping.ts';
export { DropohsClient, DropohsApiError } from './client.ts';
export { dropohsConfigSchema, type DropohsConfig } from './config.ts';
