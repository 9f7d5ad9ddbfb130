/**
 * Alza Dropshipment ("Drop API"), supplier side as K2 ERP implements it (seed 004): Alza pushes
 * orders to our Supplier API (Insert → reserve stock, Confirm, Cancel, Extend), we report
 * availability, shipments, departures, tracking and delivery results to Alza's Buyer API.
 * A push channel: nothing is pulled; `registerAlzaDropshipRoutes` is mounted by `orderhub serve`.
 * See README.md in this folder.
 */
import { defineChannel } from '../../core/connector.ts';
import { registerDropshipCommands, registerStockCommands } from './cli.ts';
import { alzaDropshipConfigSchema, type AlzaDropshipConfig } from './config.ts';
import { createDropshipConnector } from './connector.ts';
import { DROPSHIP_ZONE } from './protocol.ts';
import { registerDropshipManageRoutes } from './manage-api.ts';
import { registerAlzaDropshipRoutes } from './routes.ts';
import { startAlzaDropshipSimulator } from './simulator/index.ts';

export const alzaDropshipChannel = defineChannel<AlzaDropshipConfig>({
  kind: 'alza-dropship',
  title: 'Alza Dropshipment (supplier side, K2-compatible)',
  defaultTimeZone: DROPSHIP_ZONE,
  capabilities: {
    pull: false,
    push: true,
    writeBack: { status: false, tracking: false, documents: false },
  },
  configSchema: alzaDropshipConfigSchema,
  secretFields: ['secret'],
  createConnector: () => createDropshipConnector(),
  simulator: { start: startAlzaDropshipSimulator },
  push: {
    register: async (app, ctx) => {
      const connections = ctx.connections as AlzaDropshipConfig[];
      // the Supplier API Alza calls (HMAC tokens) …
      await registerAlzaDropshipRoutes(app, {
        store: ctx.store,
        connections,
        logger: ctx.logger,
        // on SQLite, WAL checkpoints run off the event loop so Insert answers stay fast
        checkpointer: ctx.store.dialect === 'sqlite',
      });
      // … and our users' side under /v1/alza-dropship (API keys): stock, orders, Buyer API messages
      registerDropshipManageRoutes(app, { store: ctx.store, connections, logger: ctx.logger });
    },
  },
  cli: {
    description: 'Alza Dropshipment: stock, dropship orders, availability, shipments and delivery results',
    register: (command, ctx) => registerDropshipCommands(command, ctx),
    topLevel: [{
      name: 'stock',
      description: 'stock of the Alza dropship supplier branch: import (CSV/JSON) and list with reservations',
      register: (command, ctx) => registerStockCommands(command, ctx),
    }],
  },
});

export { alzaDropshipConfigSchema, buyerApiPath, type AlzaDropshipConfig } from './config.ts';
export { createDropshipConnector, PushChannelError } from './connector.ts';
export { mapDropshipRecord } from './mapping.ts';
export { DROPSHIP_STATUS_TABLE, mapDropshipState } from './status-map.ts';
export { DROPSHIP_STATES, type DropshipOrderRecord, type DropshipState } from './record.ts';
export { dropshipMigration, ensureDropshipSchema, dropshipDb, type DropshipTables } from './store.ts';
export { registerDropshipManageRoutes, MANAGE_PREFIX } from './manage-api.ts';
export { registerAlzaDropshipRoutes, startDropshipServer, DEFAULT_PREFIX, type DropshipRoutesOptions, type DropshipServer } from './routes.ts';
export {
  insertOrder, confirmOrder, cancelOrder, extendOrder, releaseExpiredReservations, type SupplierAnswer, type SupplierContext,
} from './supplier.ts';
export { projectOrders, requestProjection, flushProjections } from './projection.ts';
export { startCheckpointer, type Checkpointer } from './checkpointer.ts';
export { setStock, importStockFile, parseStockFile, listStock, StockFileError, type StockRow, type StockListing } from './stock.ts';
export { BuyerApiClient } from './buyer/client.ts';
export {
  queueAvailability, queueCreateShipment, queueDeleteShipment, queueDeparture, queueTrackAndTrace, queueDeliveryResult,
} from './buyer/messages.ts';
export { deliverOutbox, listOutbox, retryMessage } from './buyer/outbox.ts';
export { DropshipWorker, autoAvailability, buyerHttpClient } from './worker.ts';
export { registerDropshipCommands, registerStockCommands, envFromContext, type DropshipCliEnv } from './cli.ts';
export { computeToken, signatureMessage, verifyToken } from './hmac.ts';
export {
  startAlzaDropshipSimulator, AlzaDriver, type AlzaDropshipSimulator, type AlzaDropshipSimulatorOptions,
} from './simulator/index.ts';
