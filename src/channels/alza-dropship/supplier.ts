/**
 * The supplier side of the Drop API: what Insert, Confirm, Cancel and Extend do to our stock and our
 * orders, and which answer (HTTP status + errorCode) each outcome gets [DOC Supplier API].
 *
 * Concurrency: a reservation is one transaction that first writes the order row (so a resend racing
 * the original finds the row and waits for / replays it), then reserves each product with a
 * conditional `UPDATE … SET reserved = reserved + q WHERE on_hand - reserved >= q` in product order,
 * and is rolled back entirely when any product falls short. On SQLite the single writer serialises
 * those transactions; on PostgreSQL the row lock makes a waiting UPDATE re-check the condition
 * against the committed row (READ COMMITTED), and the fixed product order rules out deadlocks.
 * State changes are conditional on the state and version read, and retried when another request got
 * there first.
 */
import type { Logger } from 'pino';
import { compareDecimals } from '../../core/canonical/money.ts';
import type { StoreHandle } from '../../core/store/db.ts';
import type { AlzaDropshipConfig } from './config.ts';
import { projectOrders, requestProjection, settleOrder } from './projection.ts';
import {
  ERROR_CODES, SHIPPING_CARRIER_CODES, SHIPPING_CARRIER_DELIVERY_TYPES, type ErrorCode, formatTimestamp, parseTimestamp,
} from './protocol.ts';
import { HOLDING_STATES, type CatalogSnapshot, type DropshipOrderRecord, type DropshipState } from './record.ts';
import {
  productKey, type CancelRequest, type ConfirmRequest, type ExtendRequest, type InsertRequest,
} from './schemas.ts';
import { dropshipDb, type DropshipDb, type DropshipOrdersTable } from './store.ts';
import { addHours, contentHash, newSupplierOrder } from './util.ts';

export interface SupplierContext {
  store: StoreHandle;
  config: AlzaDropshipConfig;
  now: Date;
  logger?: Logger;
  /**
   * 'sync' (default): the canonical order is stored before the function returns; 'batched': soon
   * after, together with others (the Supplier API's choice, see projection.ts).
   */
  projection?: 'sync' | 'batched';
}

export interface ErrorProduct {
  code: string;
  quantity: number;
  limited: boolean;
}

export interface AnswerBody {
  errorCode: ErrorCode;
  errorMessage: string;
  supplierOrder?: string;
  validUntil?: string;
  errorProducts?: ErrorProduct[];
}

export interface SupplierAnswer {
  status: number;
  body: AnswerBody;
}

const MIN_EXTEND_HOURS = 12;
const ATTEMPTS = 5;

function answer(status: number, errorCode: ErrorCode, errorMessage: string, extra: Partial<AnswerBody> = {}): SupplierAnswer {
  return { status, body: { errorCode, errorMessage, ...extra } };
}

const unknownOrder = () => answer(400, ERROR_CODES.InvalidInput, 'Unknown order.');

type OrderRow = DropshipOrdersTable;

/** Thrown inside a transaction to roll it back with a reason. */
class Rollback extends Error {
  constructor(readonly reason: 'conflict' | 'short') {
    super(reason);
  }
}

/** A request about another supplier or branch than this connection's is invalid input. */
function checkParties(config: AlzaDropshipConfig, req: { supplierId?: number | undefined; supplierBranchId?: number | undefined }): SupplierAnswer | null {
  if (req.supplierId !== undefined && req.supplierId !== config.supplierId) {
    return answer(400, ERROR_CODES.InvalidInput, `supplierId ${req.supplierId} is not ours (${config.supplierId})`);
  }
  if (req.supplierBranchId !== undefined && req.supplierBranchId !== config.supplierBranchId) {
    return answer(400, ERROR_CODES.InvalidInput, `Unknown supplierBranchId ${req.supplierBranchId} (this connection serves branch ${config.supplierBranchId})`);
  }
  return null;
}

async function readOrder(db: DropshipDb, connection: string, orderNumber: string): Promise<OrderRow | undefined> {
  return db.selectFrom('dropship_orders').selectAll().where('connection', '=', connection).where('order_number', '=', orderNumber).executeTakeFirst();
}

/** Sums the ordered quantity per product key (an order may list a product on two lines). */
function demandOf(req: InsertRequest): Map<string, { code: string; quantity: number }> {
  const demand = new Map<string, { code: string; quantity: number }>();
  for (const it of req.orderItems) {
    const key = productKey(it.code);
    const d = demand.get(key);
    if (d) d.quantity += it.quantity;
    else demand.set(key, { code: it.code, quantity: it.quantity });
  }
  return demand;
}

interface CatalogRow {
  code_key: string;
  code: string;
  ean: string | null;
  name: string | null;
  on_hand: number;
  reserved: number;
  price: string | null;
}

async function catalogRows(db: DropshipDb, config: AlzaDropshipConfig, keys: readonly string[]): Promise<Map<string, CatalogRow>> {
  const rows = await db
    .selectFrom('dropship_products')
    .select(['code_key', 'code', 'ean', 'name', 'on_hand', 'reserved', 'price'])
    .where('supplier_id', '=', String(config.supplierId))
    .where('branch_id', '=', String(config.supplierBranchId))
    .where('code_key', 'in', [...keys])
    .execute();
  return new Map(rows.map((r) => [r.code_key, r]));
}

/**
 * Reserves the demand inside `trx` and records the reservation rows; throws Rollback('short') when
 * any product does not have enough available.
 */
async function reserve(trx: DropshipDb, config: AlzaDropshipConfig, connection: string, orderNumber: string, demand: Map<string, { quantity: number }>, at: string): Promise<void> {
  const supplierId = String(config.supplierId);
  const branchId = String(config.supplierBranchId);
  for (const key of [...demand.keys()].sort()) {
    const q = demand.get(key)!.quantity;
    const res = await trx
      .updateTable('dropship_products')
      .set((eb) => ({ reserved: eb('reserved', '+', q), updated_at: at }))
      .where('supplier_id', '=', supplierId)
      .where('branch_id', '=', branchId)
      .where('code_key', '=', key)
      .where((eb) => eb(eb('on_hand', '-', eb.ref('reserved')), '>=', q))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new Rollback('short');
    await trx
      .insertInto('dropship_reservations')
      .values({ connection, order_number: orderNumber, supplier_id: supplierId, branch_id: branchId, code_key: key, quantity: q })
      .execute();
  }
}

/** Gives back what an order holds (inside `trx`). With `consume`, the goods left: on hand goes down too. */
export async function releaseReservations(trx: DropshipDb, connection: string, orderNumber: string, at: string, consume = false): Promise<void> {
  const held = await trx
    .selectFrom('dropship_reservations')
    .select(['supplier_id', 'branch_id', 'code_key', 'quantity'])
    .where('connection', '=', connection)
    .where('order_number', '=', orderNumber)
    .orderBy('code_key')
    .execute();
  for (const h of held) {
    await trx
      .updateTable('dropship_products')
      .set((eb) => ({
        reserved: eb('reserved', '-', h.quantity),
        ...(consume ? { on_hand: eb('on_hand', '-', h.quantity) } : {}),
        updated_at: at,
      }))
      .where('supplier_id', '=', h.supplier_id)
      .where('branch_id', '=', h.branch_id)
      .where('code_key', '=', h.code_key)
      .execute();
  }
  await trx.deleteFrom('dropship_reservations').where('connection', '=', connection).where('order_number', '=', orderNumber).execute();
}

/** Availability per product after a failed reservation: what the doc's errorProducts carry. */
async function shortProducts(db: DropshipDb, config: AlzaDropshipConfig, demand: Map<string, { code: string; quantity: number }>): Promise<ErrorProduct[]> {
  const rows = await catalogRows(db, config, [...demand.keys()]);
  const out: ErrorProduct[] = [];
  for (const [key, d] of demand) {
    const r = rows.get(key);
    const available = r ? Math.max(0, r.on_hand - r.reserved) : 0;
    if (available < d.quantity) out.push({ code: d.code, quantity: available, limited: false });
  }
  return out;
}

/** The conditional write every state change starts with: it fails when another request changed the order. */
async function updateOrder(trx: DropshipDb, row: OrderRow, set: Partial<OrderRow>, at: string): Promise<boolean> {
  const res = await trx
    .updateTable('dropship_orders')
    .set({ ...set, version: row.version + 1, updated_at: at })
    .where('connection', '=', row.connection)
    .where('order_number', '=', row.order_number)
    .where('version', '=', row.version)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

function parseRecord(row: OrderRow): DropshipOrderRecord {
  return JSON.parse(row.record) as DropshipOrderRecord;
}

function snapshotOf(catalog: Map<string, CatalogRow>, keys: Iterable<string>): Record<string, CatalogSnapshot> {
  const out: Record<string, CatalogSnapshot> = {};
  for (const k of keys) {
    const r = catalog.get(k);
    if (r) out[k] = { code: r.code, ean: r.ean, name: r.name };
  }
  return out;
}

/** 201 + 0 with our order number and the reservation's end (for a confirmed order: the end it had). */
function successInsert(supplierOrder: string, validUntil: string | null, config: AlzaDropshipConfig): SupplierAnswer {
  return answer(201, ERROR_CODES.Success, '', {
    supplierOrder,
    ...(validUntil === null ? {} : { validUntil: formatTimestamp(new Date(validUntil), config.timeZone) }),
  });
}

async function project(ctx: SupplierContext, orderNumber: string): Promise<void> {
  if (ctx.projection === 'batched') {
    requestProjection(ctx.store, ctx.config.name, [orderNumber], ctx.logger);
    return;
  }
  try {
    await projectOrders(ctx.store, ctx.config.name, { orderNumbers: [orderNumber], now: ctx.now, logger: ctx.logger });
  } catch (err) {
    // The answer stands (the change is committed); the sweeper stores the canonical order later.
    ctx.logger?.error({ err: (err as Error).message, order: orderNumber }, 'storing the canonical dropship order failed; will retry');
  }
}

/** Insert order: reserve the products until validUntil. */
export async function insertOrder(ctx: SupplierContext, orderNumber: string, req: InsertRequest): Promise<SupplierAnswer> {
  const { config, now } = ctx;
  const refused = checkParties(config, req);
  if (refused) return refused;
  const db = dropshipDb(ctx.store);
  const connection = config.name;
  const demand = demandOf(req);
  await releaseExpiredReservations(ctx.store, now, { connection, orderNumbers: [orderNumber], productKeys: [...demand.keys()], logger: ctx.logger, projection: ctx.projection });
  await settleOrder(ctx.store, connection, orderNumber);

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

  // The common case first: a new order number (a resend finds the row and is answered below).
  let tryNew = true;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (tryNew) {
      tryNew = false;
      const supplierOrder = newSupplierOrder(config.supplierOrderPrefix, now);
      const orderedAt = safeOrderedAt(req.timestamp, config, at);
      const record: DropshipOrderRecord = {
        orderNumber, supplierOrder, state: 'reserved', orderedAt, receivedAt: at, validUntil, insert: req, products: snapshot,
        confirm: null, confirmedAt: null, cancelledAt: null, cancelReason: null, shipment: null, departedAt: null, tracking: [], delivery: null,
      };
      try {
        await db.transaction().execute(async (trx) => {
          const ins = await trx
            .insertInto('dropship_orders')
            .values({
              connection, order_number: orderNumber, supplier_order: supplierOrder, supplier_id: String(config.supplierId),
              branch_id: String(config.supplierBranchId), state: 'reserved', insert_hash: hash, confirm_hash: null, extend_hash: null,
              valid_until: validUntil, record: JSON.stringify(record), version: 1, projected_version: 0, created_at: at, updated_at: at,
            })
            .onConflict((oc) => oc.columns(['connection', 'order_number']).doNothing())
            .executeTakeFirst();
          if (Number(ins.numInsertedOrUpdatedRows ?? 0) !== 1) throw new Rollback('conflict');
          await reserve(trx, config, connection, orderNumber, demand, at);
        });
        await project(ctx, orderNumber);
        return successInsert(supplierOrder, validUntil, config);
      } catch (err) {
        if (!(err instanceof Rollback)) throw err;
        if (err.reason === 'short') {
          await rememberOutOfStock(db, { ...record, state: 'out_of_stock', validUntil: null }, config, hash, at);
          // a resend racing this one may have stored the order meanwhile: answer from the row then
          const row = await readOrder(db, connection, orderNumber);
          if (!row || row.state === 'out_of_stock') return outOfStock(ctx, demand);
        }
        // 'conflict': the order number is known (a resend, or an earlier attempt): answer as below
      }
    }
    const existing = await readOrder(db, connection, orderNumber);
    if (!existing) {
      tryNew = true;
      continue;
    }
    const sameContent = existing.insert_hash === hash;
    if (!sameContent && existing.state !== 'out_of_stock') {
      return answer(400, ERROR_CODES.InvalidInput, `Order ${orderNumber} was already inserted with different content; an order number cannot be reused`);
    }
    if (existing.state === 'cancelled') {
      return answer(400, ERROR_CODES.InvalidInput, `Order ${orderNumber} was canceled; a canceled order cannot be inserted again`);
    }
    if (existing.state !== 'out_of_stock' && existing.state !== 'expired') {
      return successInsert(existing.supplier_order, existing.valid_until ?? parseRecord(existing).validUntil, config);
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
    const outcome = await reserveExisting(ctx, existing, next, demand, { insert_hash: hash, valid_until: validUntil });
    if (outcome === 'conflict') continue;
    if (outcome === 'short') return outOfStock(ctx, demand);
    await project(ctx, orderNumber);
    return successInsert(existing.supplier_order, validUntil, config);
  }
  return answer(500, ERROR_CODES.GenericError, `Order ${orderNumber} is being changed by concurrent requests; please resend`);
}

function safeOrderedAt(timestamp: string, config: AlzaDropshipConfig, fallback: string): string {
  try {
    return parseTimestamp(timestamp, config.timeZone);
  } catch {
    return fallback; // a wall time that does not exist in the zone; the schema checked the format
  }
}

async function outOfStock(ctx: SupplierContext, demand: Map<string, { code: string; quantity: number }>): Promise<SupplierAnswer> {
  const errorProducts = await shortProducts(dropshipDb(ctx.store), ctx.config, demand);
  return answer(200, ERROR_CODES.OutOfStock, 'Out of stock', { errorProducts });
}

/**
 * An Insert answered -3 is remembered (nothing held) so that a Cancel of it is answered 0 rather
 * than "Unknown order", and a later Insert of the same number tries again.
 */
async function rememberOutOfStock(db: DropshipDb, record: DropshipOrderRecord, config: AlzaDropshipConfig, hash: string, at: string): Promise<void> {
  await db
    .insertInto('dropship_orders')
    .values({
      connection: config.name, order_number: record.orderNumber, supplier_order: record.supplierOrder, supplier_id: String(config.supplierId),
      branch_id: String(config.supplierBranchId), state: 'out_of_stock', insert_hash: hash, confirm_hash: null, extend_hash: null,
      valid_until: null, record: JSON.stringify(record), version: 1, projected_version: 1, created_at: at, updated_at: at,
    })
    .onConflict((oc) => oc.columns(['connection', 'order_number']).doNothing())
    .execute();
}

/** Moves an order that holds nothing back to holding its products; 'short' / 'conflict' roll back. */
async function reserveExisting(
  ctx: SupplierContext,
  row: OrderRow,
  next: DropshipOrderRecord,
  demand: Map<string, { quantity: number }>,
  set: Partial<OrderRow>,
): Promise<'ok' | 'short' | 'conflict'> {
  const at = ctx.now.toISOString();
  try {
    await dropshipDb(ctx.store).transaction().execute(async (trx) => {
      if (!(await updateOrder(trx, row, { ...set, state: next.state, record: JSON.stringify(next) }, at))) throw new Rollback('conflict');
      await reserve(trx, ctx.config, row.connection, row.order_number, demand, at);
    });
    return 'ok';
  } catch (err) {
    if (err instanceof Rollback) return err.reason;
    throw err;
  }
}

/** Changes an order's state (and record) in one transaction, optionally releasing what it holds. */
async function transition(
  store: StoreHandle,
  now: Date,
  row: OrderRow,
  next: DropshipOrderRecord,
  set: Partial<OrderRow>,
  release: boolean,
): Promise<boolean> {
  const at = now.toISOString();
  try {
    await dropshipDb(store).transaction().execute(async (trx) => {
      if (!(await updateOrder(trx, row, { ...set, state: next.state, record: JSON.stringify(next) }, at))) throw new Rollback('conflict');
      if (release) await releaseReservations(trx, row.connection, row.order_number, at);
    });
    return true;
  } catch (err) {
    if (err instanceof Rollback) return false;
    throw err;
  }
}

const CONFIRMED_OR_LATER: ReadonlySet<DropshipState> = new Set(['confirmed', 'shipment_created', 'departed', 'delivered', 'rejected']);

/** Confirm order: the customer paid or chose COD; the order starts, with its address and carrier. */
export async function confirmOrder(ctx: SupplierContext, orderNumber: string, req: ConfirmRequest): Promise<SupplierAnswer> {
  const refused = checkParties(ctx.config, req);
  if (refused) return refused;
  const db = dropshipDb(ctx.store);
  const hash = contentHash(req);
  await releaseExpiredReservations(ctx.store, ctx.now, { connection: ctx.config.name, orderNumbers: [orderNumber], logger: ctx.logger, projection: ctx.projection });
  await settleOrder(ctx.store, ctx.config.name, orderNumber);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
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
    const set = { confirm_hash: hash, valid_until: null };
    if (state === 'expired') {
      const outcome = await reserveExisting(ctx, row, next, demandOf(record.insert), set);
      if (outcome === 'conflict') continue;
      if (outcome === 'short') {
        return answer(400, ERROR_CODES.OutOfStock, `Out of stock: the reservation of order ${orderNumber} expired and the products are no longer available.`);
      }
    } else if (!(await transition(ctx.store, ctx.now, row, next, set, false))) {
      continue;
    }
    await project(ctx, orderNumber);
    return answer(200, ERROR_CODES.Success, carrierWarning(ctx, orderNumber, req));
  }
  return answer(500, ERROR_CODES.GenericError, `Order ${orderNumber} is being changed by concurrent requests; please resend`);
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
  await settleOrder(ctx.store, ctx.config.name, orderNumber);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
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
    const record = parseRecord(row);
    const next: DropshipOrderRecord = { ...record, state: 'cancelled', cancelledAt: ctx.now.toISOString(), cancelReason: 'buyer' };
    // an order answered out of stock was never a canonical order: it stays out of the store
    const changed = await transition(ctx.store, ctx.now, row, next, state === 'out_of_stock' ? { projected_version: row.version + 1 } : {}, HOLDING_STATES.has(state));
    if (!changed) continue;
    if (state !== 'out_of_stock') await project(ctx, orderNumber);
    return answer(200, ERROR_CODES.Success, '');
  }
  return answer(500, ERROR_CODES.GenericError, `Order ${orderNumber} is being changed by concurrent requests; please resend`);
}

/** Extend order: keep the reservation longer; on success validUntil is at least now + 12 h [DOC]. */
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
  const floor = addHours(now, MIN_EXTEND_HOURS);
  const target = requested ? new Date(Math.max(requested.getTime(), floor.getTime())) : addHours(now, config.reservationDays * 24);
  const hash = contentHash(req);
  const db = dropshipDb(ctx.store);
  await releaseExpiredReservations(ctx.store, now, { connection: config.name, orderNumbers: [orderNumber], logger: ctx.logger, projection: ctx.projection });
  await settleOrder(ctx.store, config.name, orderNumber);
  const granted = (iso: string) => answer(200, ERROR_CODES.Success, '', { validUntil: formatTimestamp(new Date(iso), config.timeZone) });
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const row = await readOrder(db, config.name, orderNumber);
    if (!row) return unknownOrder();
    const state = row.state as DropshipState;
    if (state === 'cancelled' || state === 'out_of_stock') {
      return answer(200, ERROR_CODES.OperationRejected, `Order ${orderNumber} holds no reservation; it cannot be extended.`);
    }
    // A confirmed order holds its goods without an end: grant what was asked.
    if (CONFIRMED_OR_LATER.has(state)) return granted(target.toISOString());
    if (state === 'reserved' && row.extend_hash === hash && row.valid_until !== null) return granted(row.valid_until);
    const record = parseRecord(row);
    const iso = target.toISOString();
    const next: DropshipOrderRecord = { ...record, state: 'reserved', validUntil: iso, cancelledAt: null, cancelReason: null };
    const set = { extend_hash: hash, valid_until: iso };
    if (state === 'expired') {
      const outcome = await reserveExisting(ctx, row, next, demandOf(record.insert), set);
      if (outcome === 'conflict') continue;
      if (outcome === 'short') {
        return answer(200, ERROR_CODES.OperationRejected, `The reservation of order ${orderNumber} expired and the products are no longer available.`);
      }
    } else if (!(await transition(ctx.store, ctx.now, row, next, set, false))) {
      continue;
    }
    await project(ctx, orderNumber);
    return granted(iso);
  }
  return answer(500, ERROR_CODES.GenericError, `Order ${orderNumber} is being changed by concurrent requests; please resend`);
}

/**
 * Releases reservations whose validUntil has passed (state `expired`, canonical `cancelled`).
 * Called by the plugin's sweeper and before each request touches an order or its products. Returns
 * the number of reservations released.
 */
export async function releaseExpiredReservations(
  store: StoreHandle,
  now: Date,
  filter: {
    connection?: string;
    orderNumbers?: readonly string[];
    productKeys?: readonly string[];
    logger?: Logger;
    projection?: 'sync' | 'batched';
  } = {},
): Promise<number> {
  const db = dropshipDb(store);
  const at = now.toISOString();
  // Nearly always nothing has expired: one index probe answers that before the detailed query.
  const any = await db.selectFrom('dropship_orders').select('order_number').where('state', '=', 'reserved').where('valid_until', '<', at).limit(1).executeTakeFirst();
  if (!any) return 0;
  let released = 0;
  const touched = new Map<string, string[]>();
  // bounded: a row that keeps losing races is left for the next sweep
  for (let round = 0; round < 50; round++) {
    let q = db
      .selectFrom('dropship_orders')
      .selectAll()
      .where('state', '=', 'reserved')
      .where('valid_until', '<', at);
    if (filter.connection !== undefined) q = q.where('connection', '=', filter.connection);
    if (filter.orderNumbers || filter.productKeys) {
      const orders = filter.orderNumbers ?? [];
      const keys = filter.productKeys ?? [];
      q = q.where((eb) =>
        eb.or([
          ...(orders.length ? [eb('order_number', 'in', [...orders])] : []),
          ...(keys.length
            ? [eb.exists(eb.selectFrom('dropship_reservations as r').select('r.code_key').whereRef('r.connection', '=', 'dropship_orders.connection').whereRef('r.order_number', '=', 'dropship_orders.order_number').where('r.code_key', 'in', [...keys]))]
            : []),
        ]),
      );
      if (orders.length === 0 && keys.length === 0) break;
    }
    const rows = await q.limit(200).execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      await settleOrder(store, row.connection, row.order_number);
      const record = parseRecord(row);
      const next: DropshipOrderRecord = { ...record, state: 'expired', cancelledAt: at, cancelReason: 'expired' };
      const ok = await transition(store, now, row, next, {}, true);
      if (!ok) continue;
      released++;
      const list = touched.get(row.connection) ?? [];
      list.push(row.order_number);
      touched.set(row.connection, list);
    }
    if (rows.length < 200) break;
  }
  for (const [connection, orderNumbers] of touched) {
    if (filter.projection === 'batched') {
      requestProjection(store, connection, orderNumbers, filter.logger);
      continue;
    }
    try {
      await projectOrders(store, connection, { orderNumbers, now, logger: filter.logger });
    } catch (err) {
      filter.logger?.error({ err: (err as Error).message, connection }, 'storing expired dropship orders failed; will retry');
    }
  }
  if (released > 0) filter.logger?.info({ released }, 'expired dropship reservations released');
  return released;
}
