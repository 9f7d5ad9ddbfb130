/**
 * ecom.md — Moldovan hosted e-commerce platform, Order Sync API (pull + bulk-upsert status
 * write-back + reference data). See README.md in this folder for the API (documented vs assumed),
 * the mapping table and the simulator.
 */
import { defineChannel } from '../../core/connector.ts';
import { registerEcommdCli } from './cli.ts';
import { ecommdConfigSchema, type EcommdConfig } from './config.ts';
import { createEcommdConnector } from './connector.ts';
import { ECOMMD_DEFAULT_ZONE } from './datetime.ts';

export const ecommdChannel = defineChannel<EcommdConfig>({
  kind: 'ecommd',
  title: 'ecom.md (MD)',
  defaultTimeZone: ECOMMD_DEFAULT_ZONE,
  capabilities: {
    pull: true,
    push: false,
    writeBack: { status: true, tracking: false, documents: false },
  },
  configSchema: ecommdConfigSchema,
  secretFields: ['apiToken'],
  createConnector: createEcommdConnector,
  // loaded on demand: a syncing process never needs the simulator (nor its HTTP server)
  simulator: { start: async (options) => (await import('./simulator/index.ts')).startEcommdSimulator(options) },
  cli: {
    description: 'ecom.md reference data: stores, regions, localities, sectors, products, promo codes',
    register: (command, ctx) => registerEcommdCli(command, ctx),
  },
});

export { createEcommdConnector } from './connector.ts';
export { mapEcommdOrder } from './mapping.ts';
export { EcommdClient } from './client.ts';
export { EcommdReference } from './reference.ts';
export { ecommdConfigSchema, type EcommdConfig } from './config.ts';
