/**
 * The `dropship_orders` row of an order: reading it, creating it, and changing it only when nobody
 * else changed it since it was read (its `version`), together with what the change does to the stock,
 * in one transaction.
 *
 * A new order's row is written before its products are reserved, in the same transaction, so that a
 * resend racing the original finds the row and waits for / replays it instead of reserving twice.
 */
import type { AlzaDropshipConfig } from './config.ts';
import { Rollback, commitUnlessRolledBack, type RollbackReason } from './optimistic.ts';
import type { DropshipOrderRecord } from './record.ts';
import type { DropshipDb, DropshipOrdersTable } from './store.ts';

export type OrderRow = DropshipOrdersTable;

export async function readOrder(db: DropshipDb, connection: string, orderNumber: string): Promise<OrderRow | undefined> {
  return db.selectFrom('dropship_orders').selectAll().where('connection', '=', connection).where('order_number', '=', orderNumber).executeTakeFirst();
}

export function parseRecord(row: OrderRow): DropshipOrderRecord {
  return JSON.parse(row.record) as DropshipOrderRecord;
}

/** The first row of an order, as an Insert creates it (reserved) or remembers it (out of stock). */
function firstRow(config: AlzaDropshipConfig, record: DropshipOrderRecord, insertHash: string, at: string): OrderRow {
  return {
    connection: config.name, order_number: record.orderNumber, supplier_order: record.supplierOrder, supplier_id: String(config.supplierId),
    branch_id: String(config.supplierBranchId), state: record.state, insert_hash: insertHash, confirm_hash: null, extend_hash: null,
    valid_until: record.validUntil, record: JSON.stringify(record), version: 1,
    // an order answered out of stock was never a canonical order: nothing to store for it
    projected_version: record.state === 'out_of_stock' ? 1 : 0,
    created_at: at, updated_at: at,
  };
}

/**
 * Creates a reserved order's row and runs `reserve` in the same transaction. 'conflict' when the
 * order number already has a row (a resend, or an earlier attempt), 'short' when `reserve` fell short.
 */
export function createOrder(
  db: DropshipDb,
  config: AlzaDropshipConfig,
  record: DropshipOrderRecord,
  insertHash: string,
  at: string,
  reserve: (trx: DropshipDb) => Promise<void>,
): Promise<'ok' | RollbackReason> {
  return commitUnlessRolledBack(db, async (trx) => {
    const ins = await trx
      .insertInto('dropship_orders')
      .values(firstRow(config, record, insertHash, at))
      .onConflict((oc) => oc.columns(['connection', 'order_number']).doNothing())
      .executeTakeFirst();
    if (Number(ins.numInsertedOrUpdatedRows ?? 0) !== 1) throw new Rollback('conflict');
    await reserve(trx);
  });
}

/**
 * An Insert answered -3 is remembered (nothing held) so that a Cancel of it is answered 0 rather
 * than "Unknown order", and a later Insert of the same number tries again.
 */
export async function rememberOutOfStock(db: DropshipDb, config: AlzaDropshipConfig, record: DropshipOrderRecord, insertHash: string, at: string): Promise<void> {
  await db
    .insertInto('dropship_orders')
    .values(firstRow(config, record, insertHash, at))
    .onConflict((oc) => oc.columns(['connection', 'order_number']).doNothing())
    .execute();
}

/**
 * Moves `row` to the record `next` (state and record columns, plus `set`) if it is still at the
 * version read, and runs `alongside` (reserve or release its stock) in the same transaction.
 * 'conflict' when another request changed the order first; 'short' when `alongside` fell short.
 */
export function changeOrder(
  db: DropshipDb,
  row: OrderRow,
  next: DropshipOrderRecord,
  set: Partial<OrderRow>,
  at: string,
  alongside?: (trx: DropshipDb) => Promise<void>,
): Promise<'ok' | RollbackReason> {
  return commitUnlessRolledBack(db, async (trx) => {
    const res = await trx
      .updateTable('dropship_orders')
      .set({ ...set, state: next.state, record: JSON.stringify(next), version: row.version + 1, updated_at: at })
      .where('connection', '=', row.connection)
      .where('order_number', '=', row.order_number)
      .where('version', '=', row.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new Rollback('conflict');
    await alongside?.(trx);
  });
}
