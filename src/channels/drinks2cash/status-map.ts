/**
 * drinks2cash status → canonical status.
 *
 * | drinks2cash                       | canonical    | meaning at the channel                                  |
 * |-----------------------------------|--------------|---------------------------------------------------------|
 * | `NEW`                             | `new`        | placed by the client, not yet taken by the distributor  |
 * | `RECEIVED_BY_DISTRIBUTOR`         | `confirmed`  | the distributor accepted it                             |
 * | `IN_REALIZATION`                  | `processing` | being prepared                                          |
 * | `REALIZED`                        | `shipped`    | "wysłane" — sent; final at the channel                  |
 * | `CANCELLED`                       | `cancelled`  | final at the channel; removes the client's points       |
 * | `WAITING_FOR_CLIENT_CONFIRMATION` | `on_hold`    | changed by the distributor, awaits the client's consent |
 * | `RETURN`                          | `returned`   | returned                                                |
 * | `COMPLAIN`                        | `disputed`   | complaint (reklamacja)                                  |
 * | anything else                     | `on_hold`    | kept as channelStatus and reported as a warning         |
 *
 * NEW, IN_REALIZATION, REALIZED, CANCELLED, RETURN and COMPLAIN are fixed by the canonical contract.
 *
 * Closed is not final: a returned order may later be complained about (`RETURN` → `COMPLAIN`, canonical
 * returned → disputed) [INF]; `CANCELLED` is final ("You cannot change status cancelled or realised to
 * any other", the API's own message); `REALIZED` (shipped, open) may be followed by `RETURN` or
 * `COMPLAIN`. The API has no status filter: the engine re-checks closed orders for refreshClosedDays by
 * id (few) or by creation-date windows (many), so such a change arrives on an ordinary sync.
 */
import { statusMapper, type CanonicalStatus, type StatusTable } from '../../core/canonical/status.ts';
import type { DrinksStatus } from './schemas.ts';

export const DRINKS_STATUS_TABLE = {
  NEW: 'new',
  RECEIVED_BY_DISTRIBUTOR: 'confirmed',
  IN_REALIZATION: 'processing',
  REALIZED: 'shipped',
  CANCELLED: 'cancelled',
  WAITING_FOR_CLIENT_CONFIRMATION: 'on_hold',
  RETURN: 'returned',
  COMPLAIN: 'disputed',
} as const satisfies Record<DrinksStatus, CanonicalStatus> & StatusTable;

export const mapDrinksStatus = statusMapper(DRINKS_STATUS_TABLE);
