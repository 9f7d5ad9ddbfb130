/**
 * Supplier-side dropship states → canonical statuses (docs/canonical-order.md: reserved-but-unconfirmed →
 * new, confirmed → confirmed, cancelled → cancelled). `channelStatus` is our state name.
 */
import { statusMapper, type StatusTable } from '../../core/canonical/status.ts';

export const DROPSHIP_STATUS_TABLE: StatusTable = {
  reserved: 'new',
  confirmed: 'confirmed',
  shipment_created: 'processing',
  departed: 'shipped',
  delivered: 'delivered',
  rejected: 'returned',
  cancelled: 'cancelled',
  // a reservation that ran out without a Confirm: the order will not happen
  expired: 'cancelled',
};

export const mapDropshipState = statusMapper(DROPSHIP_STATUS_TABLE);
