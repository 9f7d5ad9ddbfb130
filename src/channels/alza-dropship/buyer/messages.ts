/**
 * Building and queueing Buyer API messages (orderhub → Alza): Availability, Create/Delete shipment,
 * Shipment departure, Track and Trace, Delivery result [DOC Buyer API]. Each function checks our
 * orders against the documented rules first (refusing with a WriteBackRuleError), then queues the
 * message; `deliverOutbox` sends it. Ids and money are written as exact JSON numbers.
 */
import { addDecimals, compareDecimals, normalizeDecimal, plainDecimal } from '../../../core/canonical/money.ts';
import { WriteBackRuleError } from '../../../core/errors.ts';
import type { StoreHandle } from '../../../core/store/db.ts';
import type { AlzaDropshipConfig } from '../config.ts';
import { jsonNumber, stringifyJson, type JsonNumber } from '../json.ts';
import {
  DELIVERY_RESULTS, MAX_PRODUCTS_PER_MESSAGE, TRACK_STATUSES, formatTimestamp, type DeliveryResultStatus, type TrackStatus,
} from '../protocol.ts';
import type { DropshipOrderRecord, ShipmentPackage } from '../record.ts';
import { dropshipDb, type DropshipDb } from '../store.ts';
import { TIMESTAMP_PLACEHOLDER } from './client.ts';
import type { Effect } from './effects.ts';
import { enqueue, type OutboxMessage } from './outbox.ts';

const TS = '__TIMESTAMP__';

function body(value: Record<string, unknown>): string {
  const text = stringifyJson(value);
  if (!text.includes(TIMESTAMP_PLACEHOLDER)) throw new Error('message body without timestamp');
  return text;
}

const n = (value: number | string): JsonNumber => jsonNumber(String(value));

function weightOf(text: string, what: string): string {
  if (!/^\d{1,5}(\.\d{1,4})?$/.test(text.trim())) throw new WriteBackRuleError(`${what}: "${text}" is not a weight in kg such as 1.25`);
  const w = text.trim();
  if (compareDecimals(w, '0') <= 0) throw new WriteBackRuleError(`${what}: the weight must be more than 0 kg`);
  return normalizeDecimal(w);
}

interface LoadedOrder {
  orderNumber: string;
  state: string;
  record: DropshipOrderRecord;
}

async function loadOrders(db: DropshipDb, connection: string, orderNumbers: readonly string[]): Promise<LoadedOrder[]> {
  if (orderNumbers.length === 0) throw new WriteBackRuleError('name at least one order');
  const rows = await db
    .selectFrom('dropship_orders')
    .select(['order_number', 'state', 'record'])
    .where('connection', '=', connection)
    .where('order_number', 'in', [...orderNumbers])
    .execute();
  const byNumber = new Map(rows.map((r) => [r.order_number, r]));
  return orderNumbers.map((o) => {
    const r = byNumber.get(o);
    if (!r) throw new WriteBackRuleError(`unknown dropship order ${o} on connection ${connection}`);
    return { orderNumber: o, state: r.state, record: JSON.parse(r.record) as DropshipOrderRecord };
  });
}

async function pendingKinds(db: DropshipDb, connection: string, chain: string): Promise<Array<{ kind: string; effect: Effect | null }>> {
  const rows = await db
    .selectFrom('dropship_outbox')
    .select(['kind', 'effect'])
    .where('connection', '=', connection)
    .where('chain', '=', chain)
    .where('state', '=', 'pending')
    .execute();
  return rows.map((r) => ({ kind: r.kind, effect: r.effect ? (JSON.parse(r.effect) as Effect) : null }));
}

async function refuseIfPending(db: DropshipDb, connection: string, orderNumber: string, kinds: readonly string[], what: string): Promise<void> {
  const pending = await pendingKinds(db, connection, `order:${orderNumber}`);
  const hit = pending.find((p) => kinds.includes(p.kind));
  if (hit) throw new WriteBackRuleError(`order ${orderNumber}: a ${hit.kind} message is still queued; ${what}`);
}

/** Branch delivery is the only one that consolidates orders in one shipment [DOC]. */
function checkConsolidation(orders: LoadedOrder[]): void {
  if (orders.length < 2) return;
  const notBranch = orders.find((o) => o.record.confirm?.shipmentDeliveryType !== 'Branch');
  if (notBranch) throw new WriteBackRuleError(`several orders may share a shipment only for Branch delivery; ${notBranch.orderNumber} is ${notBranch.record.confirm?.shipmentDeliveryType ?? 'not confirmed'}`);
}

// ---- Availability -------------------------------------------------------------------------------

export interface AvailabilityResult {
  messageIds: number[];
  products: number;
  /** products left out because they have no EAN (required by Alza) */
  withoutEan: string[];
}

function fingerprint(p: { on_hand: number; reserved: number; price: string | null; ean: string | null; name: string | null }): string {
  return JSON.stringify([Math.max(0, p.on_hand - p.reserved), p.price, p.ean, p.name]);
}

/**
 * Queues Availability: `Update` = the products whose availability, price, EAN or name changed since
 * they were last sent; `PartialFull` = every product with quantity > 0 (a branch's full state; the
 * doc wants one every night). Batches of at most 10 000 products per message.
 */
export async function queueAvailability(
  store: StoreHandle,
  config: AlzaDropshipConfig,
  options: { importType: 'Update' | 'PartialFull'; now?: Date; maxPerMessage?: number },
): Promise<AvailabilityResult> {
  const now = options.now ?? new Date();
  const per = Math.min(options.maxPerMessage ?? MAX_PRODUCTS_PER_MESSAGE, MAX_PRODUCTS_PER_MESSAGE);
  const supplierId = String(config.supplierId);
  const branchId = String(config.supplierBranchId);
  const db = dropshipDb(store);
  return db.transaction().execute(async (trx) => {
    const products = await trx
      .selectFrom('dropship_products')
      .select(['code_key', 'code', 'ean', 'name', 'on_hand', 'reserved', 'price', 'reported'])
      .where('supplier_id', '=', supplierId)
      .where('branch_id', '=', branchId)
      .orderBy('code_key')
      .execute();
    const withoutEan = products.filter((p) => p.ean === null).map((p) => p.code);
    const eligible = products.filter((p) => p.ean !== null);
    const selected = options.importType === 'Update'
      ? eligible.filter((p) => fingerprint(p) !== p.reported)
      : eligible.filter((p) => p.on_hand - p.reserved > 0);
    const messageIds: number[] = [];
    for (let i = 0; i < selected.length; i += per) {
      const batch = selected.slice(i, i + per);
      const productList = batch.map((p) => ({
        code: p.code,
        ean: p.ean,
        ...(p.name ? { name: p.name.slice(0, 300) } : {}),
        quantity: n(Math.max(0, p.on_hand - p.reserved)),
        ...(p.price !== null
          ? { countryPrices: [{ country: config.priceCountry, currency: config.currency, vat: n(config.vatRate), purchasePriceWithoutFees: n(p.price) }] }
          : {}),
      }));
      const msg: OutboxMessage = {
        kind: 'availability',
        pace: options.importType === 'Update' ? 'availability.Update' : 'availability.PartialFull',
        subject: `branch:${branchId}`,
        chain: `branch:${branchId}:${options.importType}`,
        method: 'POST',
        path: '/availability',
        body: body({
          supplierId: n(config.supplierId), supplierBranchId: n(config.supplierBranchId), timestamp: TS,
          importType: options.importType, currency: config.currency, productList,
        }),
        effect: { type: 'availability', codes: batch.map((p) => p.code_key) },
      };
      messageIds.push(await enqueue(trx, config.name, msg, now));
    }
    // What Alza will know once these arrive: a PartialFull also tells it every other product is 0.
    const told = options.importType === 'Update' ? selected : eligible;
    for (const p of told) {
      await trx
        .updateTable('dropship_products')
        .set({ reported: fingerprint(p) })
        .where('supplier_id', '=', supplierId)
        .where('branch_id', '=', branchId)
        .where('code_key', '=', p.code_key)
        .execute();
    }
    return { messageIds, products: selected.length, withoutEan };
  });
}

// ---- Shipments ----------------------------------------------------------------------------------

let packageSeq = 0;
/** Our Id64 for a package: milliseconds × 1000 + a counter (unique per process and ms). */
function newPackageId(now: Date): string {
  packageSeq = (packageSeq + 1) % 1000;
  return (BigInt(now.getTime()) * 1000n + BigInt(packageSeq)).toString();
}

/** Create shipment (Buyer shipping mode): Alza answers the shipment and package numbers and labels. */
export async function queueCreateShipment(
  store: StoreHandle,
  config: AlzaDropshipConfig,
  options: { orders: readonly string[]; packageWeights: readonly string[]; now?: Date },
): Promise<{ messageId: number; packageIds: string[] }> {
  const now = options.now ?? new Date();
  const db = dropshipDb(store);
  const orders = await loadOrders(db, config.name, options.orders);
  for (const o of orders) {
    if (o.state !== 'confirmed') throw new WriteBackRuleError(`order ${o.orderNumber} is ${o.state}; a shipment is created for a confirmed order`);
    if (o.record.confirm!.shipmentShippingMode !== 'Buyer') {
      throw new WriteBackRuleError(`order ${o.orderNumber} is in Supplier shipping mode: there is no Create shipment, report the departure with our own shipment number`);
    }
    await refuseIfPending(db, config.name, o.orderNumber, ['shipment.create', 'departure'], 'wait for it (see `outbox`)');
  }
  checkConsolidation(orders);
  const first = orders[0]!.record.confirm!;
  if (first.shippingCarrier.shippingCarrierDeliveryType === 'Supplier') {
    throw new WriteBackRuleError('the carrier delivery type Supplier is not allowed in Create shipment [DOC]');
  }
  if (options.packageWeights.length === 0) throw new WriteBackRuleError('give the weight of each package (kg)');
  const packages = options.packageWeights.map((w, i) => ({ packageId: newPackageId(now), weight: weightOf(w, `package ${i + 1}`) }));
  // plainDecimal: a stored amount under 1e-7 is in big.js's exponent form, which addDecimals does not read
  const cod = addDecimals(orders.map((o) => plainDecimal(o.record.confirm!.cashOnDeliveryValue ?? '0')), 2);
  const codCurrency = orders.map((o) => o.record.confirm!.cashOnDeliveryValueCurrency).find(Boolean) ?? config.currency;
  const items = orders.flatMap((o) =>
    o.record.insert.orderItems.map((it) => ({ order: o.orderNumber, orderItemId: n(it.orderItemId), packageId: n(packages[0]!.packageId), quantity: n(it.quantity) })),
  );
  const msg: OutboxMessage = {
    kind: 'shipment.create',
    pace: 'shipment.create',
    subject: `order:${orders[0]!.orderNumber}`,
    chain: `order:${orders[0]!.orderNumber}`,
    method: 'POST',
    path: '/shipment',
    body: body({
      supplierId: n(config.supplierId), supplierBranchId: n(config.supplierBranchId), timestamp: TS,
      shippingCarrier: first.shippingCarrier,
      ...(first.parcelShop ? { parcelShop: first.parcelShop } : {}),
      cashOnDeliveryValue: n(cod), cashOnDeliveryValueCurrency: codCurrency,
      shipmentWeight: n(addDecimals(packages.map((p) => p.weight))),
      packages: packages.map((p) => ({ packageId: n(p.packageId), weight: n(p.weight) })),
      items,
    }),
    effect: { type: 'shipment.create', orders: orders.map((o) => o.orderNumber), packages },
  };
  const messageId = await enqueue(db, config.name, msg, now);
  return { messageId, packageIds: packages.map((p) => p.packageId) };
}

async function ordersOfShipment(db: DropshipDb, connection: string, shipment: string): Promise<LoadedOrder[]> {
  const rows = await db
    .selectFrom('dropship_orders')
    .select(['order_number', 'state', 'record'])
    .where('connection', '=', connection)
    .where('state', 'in', ['shipment_created', 'departed', 'delivered', 'rejected'])
    .execute();
  return rows
    .map((r) => ({ orderNumber: r.order_number, state: r.state, record: JSON.parse(r.record) as DropshipOrderRecord }))
    .filter((o) => o.record.shipment?.number === shipment);
}

/** Delete shipment: undo a Create shipment before departure. */
export async function queueDeleteShipment(store: StoreHandle, config: AlzaDropshipConfig, options: { shipment: string; now?: Date }): Promise<{ messageId: number }> {
  const now = options.now ?? new Date();
  const db = dropshipDb(store);
  const orders = await ordersOfShipment(db, config.name, options.shipment);
  if (orders.length === 0) throw new WriteBackRuleError(`no order of connection ${config.name} has shipment ${options.shipment}`);
  const departed = orders.find((o) => o.state !== 'shipment_created');
  if (departed) throw new WriteBackRuleError(`shipment ${options.shipment} has departed (order ${departed.orderNumber} is ${departed.state}); it can no longer be deleted`);
  for (const o of orders) await refuseIfPending(db, config.name, o.orderNumber, ['departure', 'shipment.delete'], 'wait for it (see `outbox`)');
  const msg: OutboxMessage = {
    kind: 'shipment.delete',
    pace: 'shipment.delete',
    subject: `shipment:${options.shipment}`,
    chain: `order:${orders[0]!.orderNumber}`,
    method: 'DELETE',
    path: `/shipment/${encodeURIComponent(options.shipment)}`,
    body: body({ supplierId: n(config.supplierId), supplierBranchId: n(config.supplierBranchId), timestamp: TS }),
    effect: { type: 'shipment.delete', orders: orders.map((o) => o.orderNumber), shipment: options.shipment },
  };
  return { messageId: await enqueue(db, config.name, msg, now) };
}

export interface DeparturePackage {
  number: string;
  fullNumber?: string | null;
  ttUrl?: string | null;
  /** kg */
  weight: string;
}

/**
 * Shipment departure. Buyer shipping mode: the shipment and packages Alza created; Supplier mode:
 * our (or our carrier's) shipment number and package numbers. All order lines go into the first
 * package; serial numbers are required where the order asked for them.
 */
export async function queueDeparture(
  store: StoreHandle,
  config: AlzaDropshipConfig,
  options: {
    orders: readonly string[];
    shipment?: string;
    packages?: readonly DeparturePackage[];
    expectedDeliveryDate?: string;
    /** serial numbers per orderItemId */
    serials?: Readonly<Record<string, readonly string[]>>;
    now?: Date;
  },
): Promise<{ messageId: number; shipment: string }> {
  const now = options.now ?? new Date();
  const db = dropshipDb(store);
  const orders = await loadOrders(db, config.name, options.orders);
  checkConsolidation(orders);
  const modes = new Set(orders.map((o) => o.record.confirm?.shipmentShippingMode));
  if (modes.size > 1) throw new WriteBackRuleError('the orders are in different shipping modes');
  let shipment: string;
  let packages: ShipmentPackage[];
  for (const o of orders) {
    await refuseIfPending(db, config.name, o.orderNumber, ['shipment.create', 'shipment.delete', 'departure'], 'wait for it (see `outbox`)');
  }
  if (modes.has('Buyer')) {
    const notCreated = orders.find((o) => o.state !== 'shipment_created');
    if (notCreated) throw new WriteBackRuleError(`order ${notCreated.orderNumber} is ${notCreated.state}; in Buyer shipping mode the shipment must be created first (\`ship\`)`);
    const numbers = new Set(orders.map((o) => o.record.shipment!.number));
    if (numbers.size > 1) throw new WriteBackRuleError(`the orders belong to different shipments (${[...numbers].join(', ')})`);
    shipment = [...numbers][0]!;
    if (options.shipment !== undefined && options.shipment !== shipment) throw new WriteBackRuleError(`the orders' shipment is ${shipment}, not ${options.shipment}`);
    const given = new Map((options.packages ?? []).map((p) => [p.number, p]));
    packages = orders[0]!.record.shipment!.packages.map((p) => ({ ...p, ttUrl: given.get(p.number)?.ttUrl ?? p.ttUrl }));
  } else {
    const bad = orders.find((o) => o.state !== 'confirmed');
    if (bad) throw new WriteBackRuleError(`order ${bad.orderNumber} is ${bad.state}; only a confirmed order can depart`);
    if (!options.shipment) throw new WriteBackRuleError('Supplier shipping mode: give our shipment number');
    if (!options.packages?.length) throw new WriteBackRuleError('Supplier shipping mode: give each package number and weight');
    shipment = options.shipment;
    packages = options.packages.map((p, i) => ({
      packageId: null, number: p.number, fullNumber: p.fullNumber ?? null, ttUrl: p.ttUrl ?? null, weight: weightOf(p.weight, `package ${i + 1}`),
    }));
  }
  if (packages.length === 0) throw new WriteBackRuleError(`shipment ${shipment} has no packages`);
  const items = orders.flatMap((o) =>
    o.record.insert.orderItems.map((it) => {
      const serials = options.serials?.[it.orderItemId];
      if (it.serialNumbersRequired && (!serials || serials.length !== it.quantity)) {
        throw new WriteBackRuleError(`order ${o.orderNumber}, item ${it.orderItemId} (${it.code}): ${it.quantity} serial number(s) are required`);
      }
      return {
        order: o.orderNumber, orderItemId: n(it.orderItemId), packageNumber: packages[0]!.number, quantity: n(it.quantity),
        ...(serials ? { serials: [...serials] } : {}),
      };
    }),
  );
  const msg: OutboxMessage = {
    kind: 'departure',
    pace: 'departure',
    subject: `shipment:${shipment}`,
    chain: `order:${orders[0]!.orderNumber}`,
    method: 'POST',
    path: `/shipment/${encodeURIComponent(shipment)}/departure`,
    body: body({
      supplierId: n(config.supplierId), supplierBranchId: n(config.supplierBranchId), timestamp: TS,
      packages: packages.map((p) => ({
        number: p.number, ...(p.fullNumber ? { fullNumber: p.fullNumber } : {}), ...(p.ttUrl ? { ttUrl: p.ttUrl } : {}),
        weight: n(p.weight ?? '0'),
      })),
      items,
      ...(options.expectedDeliveryDate ? { expectedDeliveryDate: options.expectedDeliveryDate } : {}),
    }),
    effect: { type: 'departure', orders: orders.map((o) => o.orderNumber), shipment, packages },
  };
  return { messageId: await enqueue(db, config.name, msg, now), shipment };
}

/** Track and Trace: where a departed order is. For ParcelShop delivery `Stored` comes before `Delivered` [DOC]. */
export async function queueTrackAndTrace(
  store: StoreHandle,
  config: AlzaDropshipConfig,
  options: { order: string; status: string; statusTime?: Date; now?: Date },
): Promise<{ messageId: number }> {
  const now = options.now ?? new Date();
  if (!(TRACK_STATUSES as readonly string[]).includes(options.status)) {
    throw new WriteBackRuleError(`"${options.status}" is not a Track and Trace status; use ${TRACK_STATUSES.join(', ')}`);
  }
  const status = options.status as TrackStatus;
  const db = dropshipDb(store);
  const [o] = await loadOrders(db, config.name, [options.order]);
  if (o!.state !== 'departed') throw new WriteBackRuleError(`order ${o!.orderNumber} is ${o!.state}; Track and Trace follows a departed order`);
  if (status === 'Delivered' && o!.record.confirm?.shipmentDeliveryType === 'ParcelShop') {
    const pending = await pendingKinds(db, config.name, `order:${o!.orderNumber}`);
    const stored = o!.record.tracking.some((t) => t.status === 'Stored') ||
      pending.some((p) => p.effect?.type === 'track' && p.effect.status === 'Stored');
    if (!stored) throw new WriteBackRuleError(`order ${o!.orderNumber} goes to a parcel shop: report Stored before Delivered`);
  }
  const statusTimestamp = formatTimestamp(options.statusTime ?? now, config.timeZone);
  const shipment = o!.record.shipment?.number;
  const msg: OutboxMessage = {
    kind: 'track',
    pace: 'track',
    subject: `shipment:${shipment ?? o!.orderNumber}`,
    chain: `order:${o!.orderNumber}`,
    method: 'POST',
    path: '/track',
    body: body({
      supplierId: n(config.supplierId), timestamp: TS, order: o!.orderNumber, ...(shipment ? { shipment } : {}), status, statusTimestamp,
    }),
    effect: { type: 'track', orders: [o!.orderNumber], status, statusTimestamp },
  };
  return { messageId: await enqueue(db, config.name, msg, now) };
}

/**
 * Delivery result: Delivered / Rejected (returned to us) after departure; Canceled (we cannot
 * deliver: stock, damage…) before departure — the goods are released once Alza accepts it.
 */
export async function queueDeliveryResult(
  store: StoreHandle,
  config: AlzaDropshipConfig,
  options: { order: string; status: string; statusTime?: Date; errorReason?: string; now?: Date },
): Promise<{ messageId: number }> {
  const now = options.now ?? new Date();
  if (!(DELIVERY_RESULTS as readonly string[]).includes(options.status)) {
    throw new WriteBackRuleError(`"${options.status}" is not a delivery result; use ${DELIVERY_RESULTS.join(', ')}`);
  }
  const status = options.status as DeliveryResultStatus;
  const db = dropshipDb(store);
  const [o] = await loadOrders(db, config.name, [options.order]);
  const state = o!.state;
  if (status === 'Canceled') {
    if (state !== 'confirmed' && state !== 'shipment_created') {
      throw new WriteBackRuleError(`order ${o!.orderNumber} is ${state}; we can cancel only a confirmed order that has not departed`);
    }
    if (!options.errorReason) throw new WriteBackRuleError('say why the order is canceled (errorReason)');
  } else if (state !== 'departed') {
    throw new WriteBackRuleError(`order ${o!.orderNumber} is ${state}; ${status} is reported for a departed order`);
  }
  await refuseIfPending(db, config.name, o!.orderNumber, ['delivery'], 'it is reported once');
  const statusTimestamp = formatTimestamp(options.statusTime ?? now, config.timeZone);
  const msg: OutboxMessage = {
    kind: 'delivery',
    pace: 'delivery',
    subject: `order:${o!.orderNumber}`,
    chain: `order:${o!.orderNumber}`,
    method: 'POST',
    path: `/order/${encodeURIComponent(o!.orderNumber)}/delivery`,
    body: body({
      supplierId: n(config.supplierId), timestamp: TS, status, statusTimestamp,
      ...(options.errorReason ? { errorReason: options.errorReason.slice(0, 500) } : {}),
      ...(o!.record.confirm?.paymentVS ? { paymentVS: o!.record.confirm.paymentVS } : {}),
    }),
    effect: { type: 'delivery', order: o!.orderNumber, status, statusTimestamp, errorReason: options.errorReason ?? null },
  };
  return { messageId: await enqueue(db, config.name, msg, now) };
}
