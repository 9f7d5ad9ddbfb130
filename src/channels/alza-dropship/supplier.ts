/**
 * The supplier side of the Drop API: what Insert, Confirm, Cancel and Extend do to our stock and our
 * orders, and which answer (HTTP status + errorCode) each outcome gets [DOC Supplier API].
 *
 * Each command reads the order, decides, and commits its change only if the order is still as read
 * (optimistic.ts); stock moves in the same transaction (reservations.ts), and a reservation that
 * falls short rolls the whole change back. Expired reservations are released first (expiry.ts), so a
 * command never sees stock held by a reservation that has ended.
 */
import type { Logger } from 'pino';
import { compareDecimals } from '../../core/canonical/money.ts';
import type { StoreHandle } from '../../core/store/db.ts';
import type { AlzaDropshipConfig } from './config.ts';
import { releaseExpiredReservations } from './expiry.ts';
import { LOST_RACE, retryLostRaces } from './optimistic.ts';
import { changeOrder, createOrder, parseRecord, readOrder, rememberOutOfStock } from './order-rows.ts';
import type { DropshipProjections, ProjectionMode } from './projection.ts';
import { ERROR_CODES, SHIPPING_CARRIER_CODES, SHIPPING_CARRIER_DELIVERY_TYPES, formatTimestamp, parseTimestamp } from './protocol.ts';
import { HOLDING_STATES, type DropshipOrderRecord, type DropshipState } from './record.ts';
import { catalogRows, demandOf, releaseReservations, reserve, shortfalls, snapshotOf, type Demand } from './reservations.ts';
import { productKey, type CancelRequest, type ConfirmRequest, type ExtendRequest, type InsertRequest } from './schemas.ts';
import { dropshipDb, type DropshipDb } from './store.ts';
import { answer, checkParties, insertAccepted, outOfStock, unknownOrder, type SupplierAnswer } from './supplier-answers.ts';
import { addHours, contentHash, newSupplierOrder } from './util.ts';

export type { AnswerBody, ErrorProduct, SupplierAnswer } from './supplier-answers.ts';

export interface SupplierContext {
  store: StoreHandle;
  /** the store's projections in this process (projection.ts) */
  projections: DropshipProjections;
  config: AlzaDropshipConfig;
  now: Date;
  logger?: Logger;
  /**
   * 'sync' (default): the canonical order is stored before the function returns; 'batched': soon
   * after, together with others (the Supplier API's choice, see projection.ts).
   */
  projection?: ProjectionMode;
}

const MIN_EXTEND_HOURS = 12;

const CONFIRMED_OR_LATER: ReadonlySet<DropshipState> = new Set(['confirmed', 'shipment_created', 'departed', 'delivered', 'rejected']);

/** The answer stands once the change is committed: a failed projection is left to the sweeper. */
const project = (ctx: SupplierContext, orderNumber: string): Promise<void> =>
  ctx.projections.changed(ctx.config.name, [orderNumber], { mode: ctx.projection, now: ctx.now, logger: ctx.logger });

/** Releases what has expired for this order (and these products), and stores its pending projection. */
async function prepare(ctx: SupplierContext, orderNumber: string, productKeys?: string[]): Promise<void> {
  const connection = ctx.config.name;
  await releaseExpiredReservations(ctx.store, ctx.now, {
    projections: ctx.projections, connection, orderNumbers: [orderNumber], ...(productKeys ? { productKeys } : {}), logger: ctx.logger, projection: ctx.projection,
  });
  await ctx.projections.settle(connection, orderNumber);
}

/** Reserves `demand` for the order inside the transaction that changes it. */
const reserving = (ctx: SupplierContext, orderNumber: string, demand: Demand) =>
  (trx: DropshipDb) => reserve(trx, ctx.config, ctx.config.name, orderNumber, demand, ctx.now.toISOString());

/** Insert order: reserve the products until validUntil. */
export async function insertOrder(ctx: SupplierContext, orderNumber: string, req: InsertRequest): Promise<SupplierAnswer> {
  const { config, now } = ctx;
  const refused = checkParties(config, req);
  if (refused) return refused;
  const db = dropshipDb(ctx.store);
  const connection = config.name;
  const demand = demandOf(req);
  await prepare(ctx, orderNumber, [...demand.keys()]);

  const catalog = await catalogRows(db, config, [...demand.keys()]);
  const unknown = [...demand.values()].filter((d) => !catalog.has(productKey(d.code))).map((d) => d.code);
  if (unknown.length > 0) return answer(400, ERROR_CODES.InvalidInput, `Unknown product ${unknown.join(', ')}`);
  if (config.checkPrices) {
    for (const it of req.orderItems) {
      const ours = catalog.get(productKey(it.code))!.price;
      if (ours !== null && it.purchasePriceWithoutFees !== undefined && compareDecimals(it.purchasePriceWithoutFees, ours) < 0) {
        return answer(400, ERROR_CODES.InvalidPrice, `Invalid price of ${it.code}: ${it.purchasePriceWithoutFees} is below our price ${ours}`);
      }
    }
  }

  const hash = contentHash(req);
  const at = now.toISOString();
  const validUntil = addHours(now, config.reservationDays * 24).toISOString();
  const snapshot = snapshotOf(catalog, demand.keys());
  const short = async () => outOfStock(await shortfalls(db, config, demand));

  // The common case first: a new order number (a resend finds the row and is answered below).
  let tryNew = true;
  return retryLostRaces(orderNumber, async () => {
    if (tryNew) {
      tryNew = false;
      const record: DropshipOrderRecord = {
        orderNumber, supplierOrder: newSupplierOrder(config.supplierOrderPrefix, now), state: 'reserved',
        orderedAt: safeOrderedAt(req.timestamp, config, at), receivedAt: at, validUntil, insert: req, products: snapshot,
        confirm: null, confirmedAt: null, cancelledAt: null, cancelReason: null, shipment: null, departedAt: null, tracking: [], delivery: null,
      };
      const outcome = await createOrder(db, config, record, hash, at, reserving(ctx, orderNumber, demand));
      if (outcome === 'ok') {
        await project(ctx, orderNumber);
        return insertAccepted(record.supplierOrder, validUntil, config);
      }
      if (outcome === 'short') {
        await rememberOutOfStock(db, config, { ...record, state: 'out_of_stock', validUntil: null }, hash, at);
        // a resend racing this one may have stored the order meanwhile: answer from the row then
        const row = await readOrder(db, connection, orderNumber);
        if (!row || row.state === 'out_of_stock') return short();
      }
      // 'conflict': the order number is known (a resend, or an earlier attempt): answer as below
    }
    const existing = await readOrder(db, connection, orderNumber);
    if (!existing) {
      tryNew = true;
      return LOST_RACE;
    }
    const sameContent = existing.insert_hash === hash;
    if (!sameContent && existing.state !== 'out_of_stock') {
      return answer(400, ERROR_CODES.InvalidInput, `Order ${orderNumber} was already inserted with different content; an order number cannot be reused`);
    }
    if (existing.state === 'cancelled') {
      return answer(400, ERROR_CODES.InvalidInput, `Order ${orderNumber} was canceled; a canceled order cannot be inserted again`);
    }
    if (existing.state !== 'out_of_stock' && existing.state !== 'expired') {
      return insertAccepted(existing.supplier_order, existing.valid_until ?? parseRecord(existing).validUntil, config);
    }
    // Nothing is held for it (answered out of stock, or the reservation ran out): reserve again.
    const record = parseRecord(existing);
    const next: DropshipOrderRecord = {
      ...record,
      state: 'reserved',
      insert: sameContent ? record.insert : req,
      products: snapshot,
      validUntil,
      cancelledAt: null,
      cancelReason: null,
    };
    const outcome = await changeOrder(db, existing, next, { insert_hash: hash, valid_until: validUntil }, at, reserving(ctx, orderNumber, demand));
    if (outcome === 'conflict') return LOST_RACE;
    if (outcome === 'short') return short();
    await project(ctx, orderNumber);
    return insertAccepted(existing.supplier_order, validUntil, config);
  });
}

function safeOrderedAt(timestamp: string, config: AlzaDropshipConfig, fallback: string): string {
  try {
    return parseTimestamp(timestamp, config.timeZone);
  } catch {
    return fallback; // a wall time that does not exist in the zone; the schema checked the format
  }
}

/** Confirm order: the customer paid or chose COD; the order starts, with its address and carrier. */
export async function confirmOrder(ctx: SupplierContext, orderNumber: string, req: ConfirmRequest): Promise<SupplierAnswer> {
  const refused = checkParties(ctx.config, req);
  if (refused) return refused;
  const db = dropshipDb(ctx.store);
  const hash = contentHash(req);
  await prepare(ctx, orderNumber);
  return retryLostRaces(orderNumber, async () => {
    const row = await readOrder(db, ctx.config.name, orderNumber);
    if (!row) return unknownOrder();
    const state = row.state as DropshipState;
    if (CONFIRMED_OR_LATER.has(state)) {
      return row.confirm_hash === hash
        ? answer(200, ERROR_CODES.Success, '')
        : answer(400, ERROR_CODES.InvalidInput, `Order ${orderNumber} is already confirmed with different data`);
    }
    if (state === 'cancelled') return answer(400, ERROR_CODES.OperationRejected, `Order ${orderNumber} was canceled.`);
    if (state === 'out_of_stock') return answer(400, ERROR_CODES.InvalidInput, `Order ${orderNumber} holds no reservation: its Insert was answered out of stock.`);
    const record = parseRecord(row);
    const next: DropshipOrderRecord = {
      ...record,
      state: 'confirmed',
      confirm: req,
      confirmedAt: ctx.now.toISOString(),
      cancelledAt: null,
      cancelReason: null,
    };
    // an expired reservation is made again, if the products are still there
    const alongside = state === 'expired' ? reserving(ctx, orderNumber, demandOf(record.insert)) : undefined;
    const outcome = await changeOrder(db, row, next, { confirm_hash: hash, valid_until: null }, ctx.now.toISOString(), alongside);
    if (outcome === 'conflict') return LOST_RACE;
    if (outcome === 'short') {
      return answer(400, ERROR_CODES.OutOfStock, `Out of stock: the reservation of order ${orderNumber} expired and the products are no longer available.`);
    }
    await project(ctx, orderNumber);
    return answer(200, ERROR_CODES.Success, carrierWarning(ctx, orderNumber, req));
  });
}

/**
 * Carriers come and go faster than the doc: an unknown carrier code or delivery type is accepted
 * (refusing would leave a paid order stuck) and reported in errorMessage, which on success may carry
 * a warning [DOC], and in our log.
 */
function carrierWarning(ctx: SupplierContext, orderNumber: string, req: ConfirmRequest): string {
  const { shippingCarrierCode: code, shippingCarrierDeliveryType: type } = req.shippingCarrier;
  const unknown = [
    code !== undefined && !(SHIPPING_CARRIER_CODES as readonly string[]).includes(code) ? `shippingCarrierCode ${code}` : null,
    !(SHIPPING_CARRIER_DELIVERY_TYPES as readonly string[]).includes(type) ? `shippingCarrierDeliveryType ${type}` : null,
  ].filter((x): x is string => x !== null);
  if (unknown.length === 0) return '';
  ctx.logger?.warn({ order: orderNumber, unknown }, 'Confirm order names a carrier we do not know; accepted');
  return `Warning: unknown ${unknown.join(' and ')}`;
}

/** Cancel order [DOC]: before Confirm always; after Confirm by policy (-5 allowed); never after departure. */
export async function cancelOrder(ctx: SupplierContext, orderNumber: string, req: CancelRequest): Promise<SupplierAnswer> {
  const refused = checkParties(ctx.config, req);
  if (refused) return refused;
  const db = dropshipDb(ctx.store);
  await ctx.projections.settle(ctx.config.name, orderNumber);
  return retryLostRaces(orderNumber, async () => {
    const row = await readOrder(db, ctx.config.name, orderNumber);
    if (!row) return unknownOrder();
    const state = row.state as DropshipState;
    if (state === 'cancelled') return answer(200, ERROR_CODES.Success, '');
    if (state === 'departed' || state === 'delivered' || state === 'rejected') {
      return answer(200, ERROR_CODES.OperationRejected, 'The order could not be canceled in the departure state.');
    }
    if (state === 'shipment_created') {
      return answer(200, ERROR_CODES.OperationRejected, 'The order could not be canceled: its shipment is already created.');
    }
    if (state === 'confirmed') {
      if (ctx.config.cancelAfterConfirm === 'reject') {
        return answer(200, ERROR_CODES.OperationRejected, 'The order is already being processed and can no longer be canceled.');
      }
      const pending = await db
        .selectFrom('dropship_outbox')
        .select('id')
        .where('connection', '=', ctx.config.name)
        .where('chain', '=', `order:${orderNumber}`)
        .where('state', '=', 'pending')
        .where('kind', 'in', ['shipment.create', 'departure'])
        .executeTakeFirst();
      if (pending) return answer(200, ERROR_CODES.OperationRejected, 'The order could not be canceled in the departure state.');
    }
    const at = ctx.now.toISOString();
    const next: DropshipOrderRecord = { ...parseRecord(row), state: 'cancelled', cancelledAt: at, cancelReason: 'buyer' };
    // an order answered out of stock was never a canonical order: it stays out of the store
    const set = state === 'out_of_stock' ? { projected_version: row.version + 1 } : {};
    const alongside = HOLDING_STATES.has(state) ? (trx: DropshipDb) => releaseReservations(trx, row.connection, row.order_number, at) : undefined;
    if ((await changeOrder(db, row, next, set, at, alongside)) !== 'ok') return LOST_RACE;
    if (state !== 'out_of_stock') await project(ctx, orderNumber);
    return answer(200, ERROR_CODES.Success, '');
  });
}

/**
 * Extend order: keep the reservation longer; on success validUntil is at least now + 12 h [DOC] and
 * at most reservationDays from now (the connection's reservation policy).
 */
export async function extendOrder(ctx: SupplierContext, orderNumber: string, req: ExtendRequest): Promise<SupplierAnswer> {
  const refused = checkParties(ctx.config, req);
  if (refused) return refused;
  const { config, now } = ctx;
  let requested: Date | null = null;
  if (req.validUntil !== undefined) {
    try {
      requested = new Date(parseTimestamp(req.validUntil, config.timeZone));
    } catch (err) {
      return answer(400, ERROR_CODES.InvalidInput, `validUntil: ${(err as Error).message}`);
    }
  }
  // What is asked, but at least now + 12 h [DOC] and at most what a new reservation gets
  // (reservationDays from now): Alza is answered the validUntil actually granted.
  const floor = addHours(now, MIN_EXTEND_HOURS);
  const policy = addHours(now, config.reservationDays * 24);
  const target = requested ? new Date(Math.min(Math.max(requested.getTime(), floor.getTime()), policy.getTime())) : policy;
  const hash = contentHash(req);
  const db = dropshipDb(ctx.store);
  await prepare(ctx, orderNumber);
  const granted = (iso: string) => answer(200, ERROR_CODES.Success, '', { validUntil: formatTimestamp(new Date(iso), config.timeZone) });
  return retryLostRaces(orderNumber, async () => {
    const row = await readOrder(db, config.name, orderNumber);
    if (!row) return unknownOrder();
    const state = row.state as DropshipState;
    if (state === 'cancelled' || state === 'out_of_stock') {
      return answer(200, ERROR_CODES.OperationRejected, `Order ${orderNumber} holds no reservation; it cannot be extended.`);
    }
    // A confirmed order holds its goods without an end: grant what was asked (within the policy).
    if (CONFIRMED_OR_LATER.has(state)) return granted(target.toISOString());
    if (state === 'reserved' && row.extend_hash === hash && row.valid_until !== null) return granted(row.valid_until);
    const record = parseRecord(row);
    const iso = target.toISOString();
    const next: DropshipOrderRecord = { ...record, state: 'reserved', validUntil: iso, cancelledAt: null, cancelReason: null };
    // an expired reservation is made again, if the products are still there
    const alongside = state === 'expired' ? reserving(ctx, orderNumber, demandOf(record.insert)) : undefined;
    const outcome = await changeOrder(db, row, next, { extend_hash: hash, valid_until: iso }, now.toISOString(), alongside);
    if (outcome === 'conflict') return LOST_RACE;
    if (outcome === 'short') {
      return answer(200, ERROR_CODES.OperationRejected, `The reservation of order ${orderNumber} expired and the products are no longer available.`);
    }
    await project(ctx, orderNumber);
    return granted(iso);
  });
}
