/**
 * Stock held for dropship orders: reading a branch's products, reserving an order's demand with a
 * conditional `UPDATE … SET reserved = reserved + q WHERE on_hand - reserved >= q` per product, and
 * giving it back. The writes run inside the caller's transaction.
 *
 * Products are reserved in product-key order: on PostgreSQL the row lock makes a waiting UPDATE
 * re-check the condition against the committed row (READ COMMITTED), and the fixed order rules out
 * deadlocks; on SQLite the single writer serialises the transactions anyway.
 */
import type { AlzaDropshipConfig } from './config.ts';
import { Rollback } from './optimistic.ts';
import type { CatalogSnapshot } from './record.ts';
import { productKey, type InsertRequest } from './schemas.ts';
import type { DropshipDb, DropshipProductsTable } from './store.ts';

/** What an order asks for, per product key. */
export type Demand = Map<string, { code: string; quantity: number }>;

/** Sums the ordered quantity per product key (an order may list a product on two lines). */
export function demandOf(req: InsertRequest): Demand {
  const demand: Demand = new Map();
  for (const it of req.orderItems) {
    const key = productKey(it.code);
    const d = demand.get(key);
    if (d) d.quantity += it.quantity;
    else demand.set(key, { code: it.code, quantity: it.quantity });
  }
  return demand;
}

export type CatalogRow = Pick<DropshipProductsTable, 'code_key' | 'code' | 'ean' | 'name' | 'on_hand' | 'reserved' | 'price'>;

/** The connection's branch's products with these keys, by key (unknown keys are simply absent). */
export async function catalogRows(db: DropshipDb, config: AlzaDropshipConfig, keys: readonly string[]): Promise<Map<string, CatalogRow>> {
  const rows = await db
    .selectFrom('dropship_products')
    .select(['code_key', 'code', 'ean', 'name', 'on_hand', 'reserved', 'price'])
    .where('supplier_id', '=', String(config.supplierId))
    .where('branch_id', '=', String(config.supplierBranchId))
    .where('code_key', 'in', [...keys])
    .execute();
  return new Map(rows.map((r) => [r.code_key, r]));
}

/** The catalog's code, EAN and name of each product, as the order record keeps them. */
export function snapshotOf(catalog: Map<string, CatalogRow>, keys: Iterable<string>): Record<string, CatalogSnapshot> {
  const out: Record<string, CatalogSnapshot> = {};
  for (const k of keys) {
    const r = catalog.get(k);
    if (r) out[k] = { code: r.code, ean: r.ean, name: r.name };
  }
  return out;
}

/**
 * Reserves the demand inside `trx` and records the reservation rows; throws Rollback('short') when
 * any product does not have enough available.
 */
export async function reserve(trx: DropshipDb, config: AlzaDropshipConfig, connection: string, orderNumber: string, demand: Map<string, { quantity: number }>, at: string): Promise<void> {
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

/** The products of `demand` that are not available in the quantity asked, with what is available. */
export async function shortfalls(db: DropshipDb, config: AlzaDropshipConfig, demand: Demand): Promise<Array<{ code: string; available: number }>> {
  const rows = await catalogRows(db, config, [...demand.keys()]);
  const out: Array<{ code: string; available: number }> = [];
  for (const [key, d] of demand) {
    const r = rows.get(key);
    const available = r ? Math.max(0, r.on_hand - r.reserved) : 0;
    if (available < d.quantity) out.push({ code: d.code, available });
  }
  return out;
}
