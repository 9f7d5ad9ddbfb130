/**
 * Tinyshop: a made-up shop platform, the example of "How to add a channel" (docs/architecture.md).
 * A real channel's folder is src/channels/<kind>/ with this file as its index.ts, plus one line in
 * src/channels/registry.ts; the test beside this folder registers it and syncs it end to end.
 */
import { defineChannel } from '../../../src/core/connector.ts';
import { tinyshopConfigSchema, type TinyshopConfig } from './config.ts';
import { createTinyshopConnector } from './connector.ts';

export const tinyshopChannel = defineChannel<TinyshopConfig>({
  kind: 'tinyshop',
  title: 'Tinyshop (example)',
  defaultTimeZone: 'Europe/Prague',
  capabilities: { pull: true, push: false, writeBack: { status: false, tracking: false, documents: false } },
  configSchema: tinyshopConfigSchema,
  secretFields: ['token'],
  createConnector: createTinyshopConnector,
  simulator: { start: async (options) => (await import('./simulator.ts')).startTinyshopSimulator(options) },
});
