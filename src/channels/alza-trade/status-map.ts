/**
 * AlzaTrade order state → canonical status.
 *
 * | AlzaTrade state (portal name)                           | canonical   | meaning at the channel                                         |
 * |---------------------------------------------------------|-------------|----------------------------------------------------------------|
 * | `Waiting` (Waiting; Expando "Pending")                  | `new`       | placed on Alza, not confirmed/paid; no recipient details yet   |
 * | `AwaitingLabelCreation` (Awaiting label creation)       | `confirmed` | confirmed/paid; the supplier creates the label and ships       |
 * | `Shipped`                                               | `shipped`   | the shipment left (departure confirmed)                        |
 * | `Delivered`                                             | `delivered` | delivered to the customer                                      |
 * | `Cancelled`                                             | `cancelled` | cancelled by the supplier (customer notified and refunded)     |
 * | `CancelledAfterShipment` (Cancelled after shipment)     | `returned`  | shipped, later returned to the supplier                        |
 * | anything else                                           | `on_hold`   | kept as channelStatus and reported as a warning                |
 *
 * The portal names are documented (UI level); the enum spellings are assumed (schemas.ts).
 *
 * Closed is not final. Documented transition out of a closed state: `Delivered` → later
 * `CancelledAfterShipment` ("initially shipped and later returned to you": a return after delivery),
 * canonical `delivered` → `returned`. `Cancelled` and `CancelledAfterShipment` have no documented later
 * state; the API has no complaint state (nothing maps to `disputed`). The engine re-checks closed orders
 * for refreshClosedDays through the `{kind:'closed'}` query (CLOSED_ALZA_STATES), so such a return
 * arrives on an ordinary sync.
 */
import { statusMapper, type CanonicalStatus, type StatusTable } from '../../core/canonical/status.ts';
import { ALZA_STATES, type AlzaState } from './schemas.ts';

export const ALZA_STATUS_TABLE = {
  [ALZA_STATES.waiting]: 'new',
  [ALZA_STATES.awaitingLabelCreation]: 'confirmed',
  [ALZA_STATES.shipped]: 'shipped',
  [ALZA_STATES.delivered]: 'delivered',
  [ALZA_STATES.cancelled]: 'cancelled',
  [ALZA_STATES.cancelledAfterShipment]: 'returned',
} as const satisfies Record<AlzaState, CanonicalStatus> & StatusTable;

export const mapAlzaState = statusMapper(ALZA_STATUS_TABLE);
