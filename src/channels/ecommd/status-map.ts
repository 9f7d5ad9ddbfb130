/**
 * ecom.md order status → canonical status.
 *
 * The 17 values are the Order Sync API page's ORDER_STATUS_* constants [DOC names]; their meanings
 * are inferred from the names and from the admin UI cycle New → Confirmed → In processing → Sent →
 * Delivered / Canceled.
 *
 * | ecom.md                 | canonical    | why                                                                 |
 * |-------------------------|--------------|---------------------------------------------------------------------|
 * | `new`                   | `new`        | contract                                                            |
 * | `confirmed`             | `confirmed`  | contract                                                            |
 * | `incollection`          | `processing` | being picked                                                        |
 * | `collected`             | `processing` | picked, waits for the courier: not yet handed over                 |
 * | `collectedwithchanges`  | `processing` | picked with missing/substituted items; still before hand-over      |
 * | `atcouriersortcenter`   | `shipped`    | with the courier (sorting centre)                                   |
 * | `ondelivery`            | `shipped`    | contract                                                            |
 * | `deliverydatemoved`     | `shipped`    | still with the courier, a new date agreed; nothing for the shop to do |
 * | `clientnoanswer`        | `on_hold`    | delivery blocked until the client is reached: needs attention       |
 * | `recipientnotathome`    | `on_hold`    | same                                                                |
 * | `tobereturnedintwodays` | `on_hold`    | failed delivery about to go back; NOT yet returned and can still be delivered, so it must stay open (re-polled) |
 * | `done`                  | `completed`  | fulfilled; whether by delivery or pickup is not said, hence not `delivered` |
 * | `completedandclosed`    | `completed`  | finished and closed                                                 |
 * | `changedandclosed`      | `completed`  | finished with changes (e.g. partly delivered) and closed            |
 * | `canceled`              | `cancelled`  | contract (note the channel's single "l")                            |
 * | `customerrefusal`       | `cancelled`  | refused at the door: the sale never completed, so it is a cancellation, not a return of delivered goods; the parcel's way back shows as `returnedtowarehouse` |
 * | `returnedtowarehouse`   | `returned`   | the goods are back in the warehouse                                 |
 * | anything else           | `on_hold`    | kept as channelStatus and reported as a warning                     |
 *
 * Closed is not final. Transitions out of a closed status (canonical completed, cancelled, returned):
 * - `customerrefusal` → later `returnedtowarehouse` (cancelled → returned): the refused parcel comes
 *   back to the warehouse days later [two independent readings of the documents, issue 16];
 * - `done` → later `returnedtowarehouse` (completed → returned): goods returned after fulfilment [INF
 *   from the status names; the Order Sync API's upsert lets the shop's back office set any status];
 * - `completedandclosed`, `changedandclosed`: "closed" in their names — no later status expected.
 * There is no complaint status (nothing maps to `disputed`). The engine re-checks closed orders for
 * refreshClosedDays through `{kind:'closed'}` (status=<ECOMMD_CLOSED_STATUSES>), so these arrive on an
 * ordinary sync, not only on `orderhub sync --full`.
 */
import { isOpenStatus, statusMapper, type CanonicalStatus, type StatusTable } from '../../core/canonical/status.ts';

/** The Order Sync API page's ORDER_STATUS_* values, in its order. */
export const ECOMMD_STATUSES = [
  'new',
  'confirmed',
  'canceled',
  'done',
  'incollection',
  'collectedwithchanges',
  'tobereturnedintwodays',
  'collected',
  'completedandclosed',
  'returnedtowarehouse',
  'changedandclosed',
  'atcouriersortcenter',
  'ondelivery',
  'deliverydatemoved',
  'clientnoanswer',
  'recipientnotathome',
  'customerrefusal',
] as const;
export type EcommdStatus = (typeof ECOMMD_STATUSES)[number];

export const ECOMMD_STATUS_TABLE = {
  new: 'new',
  confirmed: 'confirmed',
  canceled: 'cancelled',
  done: 'completed',
  incollection: 'processing',
  collectedwithchanges: 'processing',
  tobereturnedintwodays: 'on_hold',
  collected: 'processing',
  completedandclosed: 'completed',
  returnedtowarehouse: 'returned',
  changedandclosed: 'completed',
  atcouriersortcenter: 'shipped',
  ondelivery: 'shipped',
  deliverydatemoved: 'shipped',
  clientnoanswer: 'on_hold',
  recipientnotathome: 'on_hold',
  customerrefusal: 'cancelled',
} as const satisfies Record<EcommdStatus, CanonicalStatus> & StatusTable;

export const mapEcommdStatus = statusMapper(ECOMMD_STATUS_TABLE);

export function isEcommdStatus(value: string): value is EcommdStatus {
  return Object.hasOwn(ECOMMD_STATUS_TABLE, value);
}

/**
 * The channel statuses whose canonical status is open: what `{kind: 'open'}` asks for with
 * `status=a,b,…`. Derived from the table so the two can never disagree.
 */
export const ECOMMD_OPEN_STATUSES: readonly EcommdStatus[] = ECOMMD_STATUSES.filter((s) => isOpenStatus(ECOMMD_STATUS_TABLE[s]));

/** The rest: what `{kind: 'closed'}` asks for (the engine's re-check of closed orders for late changes). */
export const ECOMMD_CLOSED_STATUSES: readonly EcommdStatus[] = ECOMMD_STATUSES.filter((s) => !isOpenStatus(ECOMMD_STATUS_TABLE[s]));
