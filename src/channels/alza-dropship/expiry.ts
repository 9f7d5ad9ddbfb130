/**
 * Reservations end at their validUntil by themselves: an expired order (state `expired`, canonical
 * `cancelled`) gives its products back. Run by the plugin's sweeper, by `orderhub alza-dropship
 * expire`, and before each Supplier API request touches an order or its products, so that a request
 * never sees stock held by a reservation that has already ended.
 */
import type { Logger } from 'pino';
import type { StoreHandle } from '../../core/store/db.ts';
import { changeOrder, parseRecord } from './order-rows.ts';
import type { DropshipProjections, ProjectionMode } from './projection.ts';
import type { DropshipOrderRecord } from './record.ts';
import { releaseReservations } from './reservations.ts';
import { dropshipDb } from './store.ts';

/** Rows looked at per query; a sweep goes on while it finds full pages. */
const PAGE = 200;
/** bounded: a row that keeps losing races is left for the next sweep */
const MAX_ROUNDS = 50;

/**
 * Releases reservations whose validUntil has passed (all of them, or those of a connection, of some
 * orders, or holding some products) and stores the expired orders through `projections` (the
 * store's, see projection.ts). Returns the number of reservations released.
 */
export async function releaseExpiredReservations(
  store: StoreHandle,
  now: Date,
  filter: {
    projections: DropshipProjections;
    connection?: string;
    orderNumbers?: readonly string[];
    productKeys?: readonly string[];
    logger?: Logger | undefined;
    projection?: ProjectionMode | undefined;
  },
): Promise<number> {
  const db = dropshipDb(store);
  const at = now.toISOString();
  // Nearly always nothing has expired: one index probe answers that before the detailed query.
  const any = await db.selectFrom('dropship_orders').select('order_number').where('state', '=', 'reserved').where('valid_until', '<', at).limit(1).executeTakeFirst();
  if (!any) return 0;
  let released = 0;
  const touched = new Map<string, string[]>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
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
    const rows = await q.limit(PAGE).execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      await filter.projections.settle(row.connection, row.order_number);
      const next: DropshipOrderRecord = { ...parseRecord(row), state: 'expired', cancelledAt: at, cancelReason: 'expired' };
      const outcome = await changeOrder(db, row, next, {}, at, (trx) => releaseReservations(trx, row.connection, row.order_number, at));
      if (outcome !== 'ok') continue;
      released++;
      const list = touched.get(row.connection) ?? [];
      list.push(row.order_number);
      touched.set(row.connection, list);
    }
    if (rows.length < PAGE) break;
  }
  for (const [connection, orderNumbers] of touched) {
    await filter.projections.changed(connection, orderNumbers, { mode: filter.projection, now, logger: filter.logger });
  }
  if (released > 0) filter.logger?.info({ released }, 'expired dropship reservations released');
  return released;
}
