/**
 * What an accepted Buyer API message does to our orders: the canonical order follows what Alza has
 * accepted (its channelStatus is the channel's view, as for every channel): Shipment departure →
 * departed (`shipped`, reserved goods leave the stock), Delivery result Delivered → `delivered`,
 * Rejected → `returned`, Canceled → `cancelled` (goods released), Create shipment → the shipment and
 * package numbers (`processing`), Track and Trace → a tracking entry.
 */
import type { Logger } from 'pino';
import type { StoreHandle } from '../../../core/store/db.ts';
import type { AlzaDropshipConfig } from '../config.ts';
import type { DropshipProjections } from '../projection.ts';
import type { DeliveryResultStatus } from '../protocol.ts';
import type { DropshipOrderRecord, DropshipState, ShipmentPackage } from '../record.ts';
import { shipmentCreateResponseSchema } from '../schemas.ts';
import { dropshipDb, type DropshipDb } from '../store.ts';
import { releaseReservations } from '../reservations.ts';

export type Effect =
  | { type: 'availability'; codes: string[] }
  | { type: 'shipment.create'; orders: string[]; packages: Array<{ packageId: string; weight: string }> }
  | { type: 'shipment.delete'; orders: string[]; shipment: string }
  | { type: 'departure'; orders: string[]; shipment: string; packages: ShipmentPackage[] }
  | { type: 'track'; orders: string[]; status: string; statusTimestamp: string }
  | { type: 'delivery'; order: string; status: DeliveryResultStatus; statusTimestamp: string; errorReason: string | null };

function effectOrders(effect: Effect | null): string[] {
  if (!effect || effect.type === 'availability') return [];
  return effect.type === 'delivery' ? [effect.order] : effect.orders;
}

type Change = (record: DropshipOrderRecord) => { next: DropshipOrderRecord; release?: 'release' | 'consume' } | null;

/** Updates one order inside `trx` (re-reading on a concurrent change); false when it does not exist. */
async function changeOrder(trx: DropshipDb, connection: string, orderNumber: string, change: Change, at: string): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await trx
      .selectFrom('dropship_orders')
      .select(['record', 'version', 'state'])
      .where('connection', '=', connection)
      .where('order_number', '=', orderNumber)
      .executeTakeFirst();
    if (!row) return false;
    const outcome = change(JSON.parse(row.record) as DropshipOrderRecord);
    if (!outcome) return true;
    const res = await trx
      .updateTable('dropship_orders')
      .set({ state: outcome.next.state, record: JSON.stringify(outcome.next), valid_until: null, version: row.version + 1, updated_at: at })
      .where('connection', '=', connection)
      .where('order_number', '=', orderNumber)
      .where('version', '=', row.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) continue;
    if (outcome.release) await releaseReservations(trx, connection, orderNumber, at, outcome.release === 'consume');
    return true;
  }
  throw new Error(`order ${orderNumber} kept changing while applying a Buyer API answer`);
}

const HOLDING: ReadonlySet<DropshipState> = new Set(['reserved', 'confirmed', 'shipment_created']);

/**
 * Applies an accepted message's effect and runs `markDelivered` in the same transaction, then stores
 * the changed orders as canonical orders. Returns the order numbers changed.
 */
export async function applyEffect(
  store: StoreHandle,
  projections: DropshipProjections,
  config: AlzaDropshipConfig,
  effect: Effect | null,
  response: unknown,
  now: Date,
  markDelivered: (trx: DropshipDb) => Promise<void>,
  logger?: Logger,
): Promise<string[]> {
  const at = now.toISOString();
  const connection = config.name;
  const changed: string[] = [];
  for (const o of effectOrders(effect)) await projections.settle(connection, o);
  await dropshipDb(store).transaction().execute(async (trx) => {
    await markDelivered(trx);
    if (!effect) return;
    const each = async (orders: string[], change: Change) => {
      for (const o of orders) if (await changeOrder(trx, connection, o, change, at)) changed.push(o);
    };
    switch (effect.type) {
      case 'availability':
        return;
      case 'shipment.create': {
        const parsed = shipmentCreateResponseSchema.safeParse(response);
        const shipment = parsed.success ? parsed.data.shipment : null;
        if (!shipment) {
          // Alza took the shipment but its answer does not say which: keep the order as it is and tell.
          logger?.error({ connection, orders: effect.orders }, 'Create shipment accepted without a shipment number in the answer');
          return;
        }
        const packages: ShipmentPackage[] = effect.packages.map((p) => {
          const theirs = shipment.packages.find((x) => x.packageId === p.packageId);
          return { packageId: p.packageId, number: theirs?.number ?? p.packageId, fullNumber: theirs?.fullNumber ?? null, ttUrl: null, weight: p.weight };
        });
        await each(effect.orders, (r) => ({
          next: { ...r, state: 'shipment_created', shipment: { number: shipment.shipmentNumber, packages, createdAt: at } },
        }));
        return;
      }
      case 'shipment.delete':
        await each(effect.orders, (r) => (r.shipment?.number === effect.shipment ? { next: { ...r, state: 'confirmed', shipment: null } } : null));
        return;
      case 'departure':
        await each(effect.orders, (r) => ({
          next: { ...r, state: 'departed', departedAt: at, shipment: { number: effect.shipment, packages: effect.packages, createdAt: r.shipment?.createdAt ?? at } },
          release: HOLDING.has(r.state) ? 'consume' : undefined,
        }));
        return;
      case 'track':
        await each(effect.orders, (r) => ({
          next: { ...r, tracking: [...r.tracking, { status: effect.status, statusTimestamp: effect.statusTimestamp, at }] },
        }));
        return;
      case 'delivery': {
        const delivery = { status: effect.status, statusTimestamp: effect.statusTimestamp, errorReason: effect.errorReason, at };
        await each([effect.order], (r) => {
          if (effect.status === 'Canceled') {
            return {
              next: { ...r, state: 'cancelled', delivery, cancelledAt: at, cancelReason: 'supplier' },
              release: HOLDING.has(r.state) ? 'release' : undefined,
            };
          }
          return { next: { ...r, state: effect.status === 'Delivered' ? 'delivered' : 'rejected', delivery } };
        });
        return;
      }
    }
  });
  if (changed.length > 0) await projections.changed(connection, changed, { now, logger });
  return changed;
}

/** A failed Availability message: its products are sent again with the next Update. */
export async function compensateFailure(trx: DropshipDb, config: AlzaDropshipConfig, effect: Effect | null): Promise<void> {
  if (effect?.type !== 'availability' || effect.codes.length === 0) return;
  for (let i = 0; i < effect.codes.length; i += 500) {
    await trx
      .updateTable('dropship_products')
      .set({ reported: null })
      .where('supplier_id', '=', String(config.supplierId))
      .where('branch_id', '=', String(config.supplierBranchId))
      .where('code_key', 'in', effect.codes.slice(i, i + 500))
      .execute();
  }
}
