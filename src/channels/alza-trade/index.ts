/**
 * Alza Trade — the AlzaTrade API of Alza.cz's marketplace for suppliers: OAuth2 client-credentials,
 * read-only pull of marketplace orders. (Not the Alza Drop API, which is a different service.)
 * See README.md in this folder for the API (documented vs assumed), the mapping and the simulator.
 */
import { defineChannel } from '../../core/connector.ts';
import { alzaTradeCli } from './cli.ts';
import { alzaTradeConfigSchema, type AlzaTradeConfig } from './config.ts';
import { createAlzaTradeConnector } from './connector.ts';
import { ALZA_DEFAULT_ZONE } from './mapping.ts';

export const alzaTradeChannel = defineChannel<AlzaTradeConfig>({
  kind: 'alza-trade',
  title: 'Alza Trade (CZ/SK marketplace)',
  defaultTimeZone: ALZA_DEFAULT_ZONE,
  capabilities: {
    pull: true,
    push: false,
    writeBack: { status: false, tracking: false, documents: false },
  },
  configSchema: alzaTradeConfigSchema,
  secretFields: ['clientSecret'],
  createConnector: (config, ctx) => createAlzaTradeConnector(config, ctx),
  // loaded on demand: a syncing process never needs the simulator (nor its HTTP server)
  simulator: { start: async (options) => (await import('./simulator/index.ts')).startAlzaTradeSimulator(options) },
  cli: alzaTradeCli,
});

export { createAlzaTradeConnector, apiBaseUrl, type AlzaTradeConnector } from './connector.ts';
export { mapAlzaOrder } from './mapping.ts';
export { AlzaTradeClient, AlzaBadRequestError } from './client.ts';
export { createAlzaAuth, requestToken, credentialsRefusedMessage, TokenRateLimitedError } from './auth.ts';
export { alzaTradeConfigSchema, type AlzaTradeConfig } from './config.ts';
export { ALZA_STATUS_TABLE, mapAlzaState } from './status-map.ts';
