/**
 * Alza Dropshipment ("Drop API"), supplier side as K2 ERP implements it (K2's help pages): Alza pushes
 * orders to our Supplier API (Insert → reserve stock, Confirm, Cancel, Extend), we report
 * availability, shipments, departures, tracking and delivery results to Alza's Buyer API.
 * A push channel: nothing is pulled; `orderhub serve` mounts its routes (routes.ts, manage-api.ts).
 * See README.md in this folder. Only the channel definition is exported: everything else is imported
 * from its own module, and the HTTP servers (routes, simulator) are loaded only by the processes
 * that serve them.
 */
import { defineChannel } from '../../core/connector.ts';
import { registerDropshipCommands, registerStockCommands } from './cli.ts';
import { alzaDropshipConfigSchema, type AlzaDropshipConfig } from './config.ts';
import { createDropshipConnector } from './connector.ts';
import { DROPSHIP_ZONE } from './protocol.ts';
import { dropshipStoreModule } from './store.ts';

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
  store: dropshipStoreModule,
  // loaded on demand: a syncing process never needs the simulator (nor its HTTP server)
  simulator: { start: async (options) => (await import('./simulator/index.ts')).startAlzaDropshipSimulator(options) },
  push: {
    register: async (app, ctx) => {
      const [{ registerAlzaDropshipRoutes }, { registerDropshipManageRoutes }, { DropshipProjections }] = await Promise.all([
        import('./routes.ts'), import('./manage-api.ts'), import('./projection.ts'),
      ]);
      const connections = ctx.connections as AlzaDropshipConfig[];
      // one for the store in this process: both sides change dropship orders (see projection.ts)
      const projections = new DropshipProjections(ctx.store);
      // the Supplier API Alza calls (HMAC tokens) …
      await registerAlzaDropshipRoutes(app, {
        store: ctx.store,
        projections,
        connections,
        logger: ctx.logger,
        // on SQLite, WAL checkpoints run off the event loop so Insert answers stay fast
        checkpointer: ctx.store.dialect === 'sqlite',
      });
      // … and our users' side under /v1/alza-dropship (API keys): stock, orders, Buyer API messages
      registerDropshipManageRoutes(app, { store: ctx.store, projections, connections, logger: ctx.logger });
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
