/**
 * The REST side of the channel for our own users (not for Alza): stock and catalog, the dropship
 * orders, and the Buyer API messages (availability, shipments, departures, tracking, delivery
 * results) with their outbox. Mounted by `orderhub serve` next to the Supplier API, under
 * `/v1/alza-dropship/{connection}/…`, so the API's key check, scopes (read keys may only GET),
 * error envelope and OpenAPI document apply as to every other /v1 route.
 *
 * A message route queues the message and makes one delivery attempt at once (as the CLI does); the
 * answer says what happened. A message that has to wait (resend intervals, Alza down) is delivered
 * by the background worker; `GET …/outbox` shows it.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { z } from 'zod';
import { NotFoundError, WriteBackRuleError } from '../../core/errors.ts';
import type { StoreHandle } from '../../core/store/db.ts';
import type { BuyerApiClient } from './buyer/client.ts';
import {
  queueAvailability, queueCreateShipment, queueDeleteShipment, queueDeliveryResult, queueDeparture, queueTrackAndTrace,
} from './buyer/messages.ts';
import { deliverAndLoad, listOutbox, retryMessage } from './buyer/outbox.ts';
import type { AlzaDropshipConfig } from './config.ts';
import { DELIVERY_RESULTS, TRACK_STATUSES } from './protocol.ts';
import type { DropshipProjections } from './projection.ts';
import type { DropshipOrderRecord } from './record.ts';
import { EmptyReplaceError, importStockFile, listStock, MAX_STOCK_ROWS, StockFileError } from './stock.ts';
import { listDropshipOrders } from './store.ts';
import { buyerClients } from './worker.ts';
import { queryInt } from '../../api/schemas.ts';

export const MANAGE_PREFIX = '/v1/alza-dropship';

export interface ManageRoutesOptions {
  store: StoreHandle;
  /** the store's projections in this process, the Supplier API's (delivered messages change orders) */
  projections: DropshipProjections;
  connections: readonly AlzaDropshipConfig[];
  logger: Logger;
  now?: () => Date;
  /** per connection (tests); built from the connection's settings when absent */
  clients?: ReadonlyMap<string, BuyerApiClient>;
}

const TAGS = ['alza-dropship'];
/** lists in bodies are bounded (README "Limits"): a longer one is refused by its length */
const MAX_LIST = 100;
const MAX_SERIALS = 1_000;
const errorShape = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
const errors = { 400: errorShape, 401: errorShape, 403: errorShape, 404: errorShape, 422: errorShape };

const connectionParams = z.object({ connection: z.string().min(1).describe('the alza-dropship connection name') });
const orderParams = connectionParams.extend({ order: z.string().min(1).max(30).describe("Alza's order number") });
const instant = z.iso.datetime({ offset: true }).describe('ISO 8601 with zone; default now');

const stockRow = z.object({
  code: z.string(), ean: z.string().nullable(), name: z.string().nullable(),
  onHand: z.number().int(), reserved: z.number().int(), available: z.number().int(), price: z.string().nullable(),
  reservations: z.array(z.object({ orderNumber: z.string(), quantity: z.number().int(), connection: z.string() })),
});
const stockImportRow = z.object({
  code: z.string(), ean: z.string().nullish(), name: z.string().nullish(),
  quantity: z.union([z.number().int(), z.string()]), price: z.union([z.string(), z.number()]).nullish(),
}).loose();
const messageState = z.object({
  id: z.number().int(), kind: z.string(), path: z.string(), state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(), nextAttemptAt: z.string().nullable(), lastError: z.string().nullable(),
});
type MessageState = z.infer<typeof messageState>;
const messagesAnswer = z.object({ messages: z.array(messageState) });

export function registerDropshipManageRoutes(app: FastifyInstance, opts: ManageRoutesOptions): void {
  const byName = new Map(opts.connections.map((c) => [c.name, c]));
  const now = opts.now ?? (() => new Date());
  const clients = buyerClients(opts.connections, opts.logger, opts.clients);

  const configOf = (name: string): AlzaDropshipConfig => {
    const c = byName.get(name);
    if (!c) throw new NotFoundError(`no alza-dropship connection "${name}" is configured`);
    return c;
  };

  /** One delivery attempt of what is due, then the state of the given messages. */
  const deliverAndReport = async (config: AlzaDropshipConfig, ids: number[]): Promise<{ messages: MessageState[] }> => {
    const rows = await deliverAndLoad({ store: opts.store, projections: opts.projections, config, client: clients.get(config.name), now, logger: opts.logger }, ids);
    return { messages: rows.map(messageOf) };
  };

  const plugin = async (scope: FastifyInstance): Promise<void> => {
    scope.addHook('onClose', () => clients.close());
    // stock files may also be sent as they are: CSV with the header code,ean,name,quantity,price
    scope.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const r = scope.withTypeProvider<ZodTypeProvider>();

    r.get('/:connection/stock', {
      schema: {
        tags: TAGS, summary: 'Products of the supplier branch: on hand, reserved, available, and the orders holding them',
        params: connectionParams, querystring: z.object({ code: z.string().optional().describe('one product') }),
        response: { 200: z.object({ data: z.array(stockRow) }), ...errors },
      },
    }, async (request) => ({ data: await listStock(opts.store, configOf(request.params.connection), { code: request.query.code }) }));

    r.put('/:connection/stock', {
      schema: {
        tags: TAGS,
        summary: 'Set on-hand quantities (and EAN, name, purchase price)',
        description: 'Body: a JSON array of {code, ean, name, quantity, price} or a CSV (Content-Type: text/csv) with the header '
          + 'code,ean,name,quantity,price. Products not in the body keep their quantity unless replace=true (then they get 0; '
          + 'with an empty list only with force=true). '
          + `The whole body is checked first: one bad row refuses all of it, with its problems listed. At most ${MAX_STOCK_ROWS} rows `
          + 'per request (import larger files with `orderhub stock import`).',
        params: connectionParams,
        querystring: z.object({
          replace: z.enum(['true', 'false']).optional(),
          force: z.enum(['true', 'false']).optional().describe('with replace=true and an empty list: set every product to 0 (refused otherwise)'),
        }),
        body: z.union([z.array(stockImportRow).max(MAX_STOCK_ROWS), z.string()]),
        response: { 200: z.object({ rows: z.number().int(), created: z.number().int(), updated: z.number().int(), zeroed: z.number().int() }), ...errors },
      },
    }, async (request) => {
      const config = configOf(request.params.connection);
      const text = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
      try {
        return await importStockFile(opts.store, config, text, {
          replace: request.query.replace === 'true', now: now(), maxRows: MAX_STOCK_ROWS,
          emptyReplace: { confirmed: request.query.force === 'true', howToConfirm: 'send force=true' },
        });
      } catch (err) {
        if (err instanceof StockFileError || err instanceof EmptyReplaceError) throw new WriteBackRuleError(err.message);
        throw err;
      }
    });

    r.get('/:connection/orders', {
      schema: {
        tags: TAGS, summary: 'Dropship orders Alza sent us, newest first, with their state and the stored protocol record',
        params: connectionParams,
        querystring: z.object({
          state: z.string().optional().describe('reserved, confirmed, shipment_created, departed, delivered, …'),
          limit: queryInt(1, 1000).default(100),
        }),
        response: {
          200: z.object({
            data: z.array(z.object({
              orderNumber: z.string(), supplierOrder: z.string(), state: z.string(), validUntil: z.string().nullable(),
              createdAt: z.string(), updatedAt: z.string(), record: z.unknown(),
            })),
          }),
          ...errors,
        },
      },
    }, async (request) => {
      const config = configOf(request.params.connection);
      const rows = await listDropshipOrders(opts.store, config.name, { state: request.query.state, limit: request.query.limit });
      return {
        data: rows.map((row) => ({
          orderNumber: row.order_number, supplierOrder: row.supplier_order, state: row.state, validUntil: row.valid_until,
          createdAt: row.created_at, updatedAt: row.updated_at, record: JSON.parse(row.record) as DropshipOrderRecord,
        })),
      };
    });

    r.post('/:connection/availability', {
      schema: {
        tags: TAGS, summary: 'Send Availability: changed products (Update) or every product in stock (PartialFull)',
        params: connectionParams,
        body: z.object({ importType: z.enum(['Update', 'PartialFull']).default('Update') }).default({ importType: 'Update' }),
        response: { 200: messagesAnswer.extend({ products: z.number().int(), withoutEan: z.array(z.string()) }), ...errors },
      },
    }, async (request) => {
      const config = configOf(request.params.connection);
      const queued = await queueAvailability(opts.store, config, { importType: request.body.importType, now: now() });
      return { products: queued.products, withoutEan: queued.withoutEan, ...(await deliverAndReport(config, queued.messageIds)) };
    });

    r.post('/:connection/shipments', {
      schema: {
        tags: TAGS, summary: 'Create shipment (Buyer shipping mode): Alza answers shipment and package numbers',
        params: connectionParams,
        body: z.object({
          orders: z.array(z.string().min(1)).min(1).max(MAX_LIST).describe('order numbers (several only for Branch delivery)'),
          packageWeights: z.array(z.string().regex(/^\d+(\.\d+)?$/)).min(1).max(MAX_LIST).describe('kg per package, as decimal strings'),
        }),
        response: { 200: messagesAnswer, ...errors },
      },
    }, async (request) => {
      const config = configOf(request.params.connection);
      const queued = await queueCreateShipment(opts.store, config, { orders: request.body.orders, packageWeights: request.body.packageWeights, now: now() });
      return deliverAndReport(config, [queued.messageId]);
    });

    r.delete('/:connection/shipments/:shipment', {
      schema: {
        tags: TAGS, summary: 'Delete shipment (before departure)',
        params: connectionParams.extend({ shipment: z.string().min(1) }),
        response: { 200: messagesAnswer, ...errors },
      },
    }, async (request) => {
      const config = configOf(request.params.connection);
      const queued = await queueDeleteShipment(opts.store, config, { shipment: request.params.shipment, now: now() });
      return deliverAndReport(config, [queued.messageId]);
    });

    r.post('/:connection/departures', {
      schema: {
        tags: TAGS, summary: 'Shipment departure: the goods left (the orders become shipped)',
        params: connectionParams,
        body: z.object({
          orders: z.array(z.string().min(1)).min(1).max(MAX_LIST),
          shipment: z.string().min(1).optional().describe('our shipment number (Supplier shipping mode)'),
          packages: z.array(z.object({
            number: z.string().min(1), weight: z.string().regex(/^\d+(\.\d+)?$/), fullNumber: z.string().nullish(), ttUrl: z.url().nullish(),
          })).max(MAX_LIST).optional().describe('Supplier shipping mode'),
          expectedDeliveryDate: z.iso.date().optional(),
          serials: z.record(z.string(), z.array(z.string().min(1)).max(MAX_SERIALS)).optional().describe('serial numbers per orderItemId'),
        }),
        response: { 200: messagesAnswer.extend({ shipment: z.string() }), ...errors },
      },
    }, async (request) => {
      const config = configOf(request.params.connection);
      const queued = await queueDeparture(opts.store, config, { ...request.body, now: now() });
      return { shipment: queued.shipment, ...(await deliverAndReport(config, [queued.messageId])) };
    });

    r.post('/:connection/orders/:order/tracking', {
      schema: {
        tags: TAGS, summary: 'Track and Trace: Depot, Delivery, Stored, Delivered or Rejected',
        params: orderParams,
        body: z.object({ status: z.enum(TRACK_STATUSES), statusTime: instant.optional() }),
        response: { 200: messagesAnswer, ...errors },
      },
    }, async (request) => {
      const config = configOf(request.params.connection);
      const queued = await queueTrackAndTrace(opts.store, config, {
        order: request.params.order, status: request.body.status, statusTime: dateOf(request.body.statusTime), now: now(),
      });
      return deliverAndReport(config, [queued.messageId]);
    });

    r.post('/:connection/orders/:order/delivery-result', {
      schema: {
        tags: TAGS, summary: 'Delivery result: Delivered, Rejected (returned to us) or Canceled (we cannot deliver; errorReason required)',
        params: orderParams,
        body: z.object({ status: z.enum(DELIVERY_RESULTS), statusTime: instant.optional(), errorReason: z.string().min(1).optional() }),
        response: { 200: messagesAnswer, ...errors },
      },
    }, async (request) => {
      const config = configOf(request.params.connection);
      const queued = await queueDeliveryResult(opts.store, config, {
        order: request.params.order, status: request.body.status, statusTime: dateOf(request.body.statusTime),
        errorReason: request.body.errorReason, now: now(),
      });
      return deliverAndReport(config, [queued.messageId]);
    });

    r.get('/:connection/outbox', {
      schema: {
        tags: TAGS, summary: 'Buyer API messages: pending, delivered and failed, newest first',
        params: connectionParams,
        querystring: z.object({ state: z.enum(['pending', 'delivered', 'failed']).optional(), limit: queryInt(1, 1000).default(100) }),
        response: { 200: z.object({ data: z.array(messageState) }), ...errors },
      },
    }, async (request) => {
      const config = configOf(request.params.connection);
      const rows = await listOutbox(opts.store, config.name, { state: request.query.state, limit: request.query.limit });
      return { data: rows.map(messageOf) };
    });

    r.post('/:connection/outbox/:id/retry', {
      schema: {
        tags: TAGS, summary: 'Queue a failed message again and attempt it',
        params: connectionParams.extend({ id: queryInt(1) }),
        response: { 200: messagesAnswer, ...errors },
      },
    }, async (request) => {
      const config = configOf(request.params.connection);
      if (!(await retryMessage(opts.store, config.name, request.params.id, now()))) {
        throw new NotFoundError(`message ${request.params.id} is not a failed message of ${config.name}`);
      }
      return deliverAndReport(config, [request.params.id]);
    });
  };
  void app.register(plugin, { prefix: MANAGE_PREFIX });
}

function dateOf(iso: string | undefined): Date | undefined {
  return iso === undefined ? undefined : new Date(iso);
}

function messageOf(row: { id: number | bigint; kind: string; path: string; state: string; attempts: number; next_attempt_at: string; last_error: string | null }): MessageState {
  return {
    id: Number(row.id), kind: row.kind, path: row.path, state: row.state as MessageState['state'], attempts: row.attempts,
    nextAttemptAt: row.state === 'pending' ? row.next_attempt_at : null, lastError: row.last_error,
  };
}
