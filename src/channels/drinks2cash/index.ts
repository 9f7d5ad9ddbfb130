/**
 * drinks2cash.com — Polish B2B drinks marketplace, distributor API (pull + status/document write-back).
 * See README.md in this folder for the API, the mapping table and the simulator.
 */
import { defineChannel } from '../../core/connector.ts';
import { drinksConfigSchema, type DrinksConfig } from './config.ts';
import { createDrinksConnector } from './connector.ts';
import { DRINKS_DEFAULT_ZONE } from './mapping.ts';

export const drinks2cashChannel = defineChannel<DrinksConfig>({
  kind: 'drinks2cash',
  title: 'drinks2cash (PL)',
  defaultTimeZone: DRINKS_DEFAULT_ZONE,
  capabilities: {
    pull: true,
    push: false,
    writeBack: { status: true, tracking: false, documents: true },
  },
  configSchema: drinksConfigSchema,
  secretFields: ['apiKey'],
  createConnector: createDrinksConnector,
  // loaded on demand: a syncing process never needs the simulator (nor its HTTP server)
  simulator: { start: async (options) => (await import('./simulator/index.ts')).startDrinksSimulator(options) },
});

export { createDrinksConnector } from './connector.ts';
export { mapDrinksOrder } from './mapping.ts';
export { DrinksClient } from './client.ts';
export { drinksConfigSchema, type DrinksConfig } from './config.ts';
