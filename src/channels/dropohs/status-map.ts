/**
 * Dropohs order state (`state_text`) → canonical status.
 *
 * The manual shows a single state (id 1, "Přijatá") and publishes no list. The table below is the
 * usual Czech e-shop order flow [assumed]; the simulator serves exactly these texts with these ids.
 *
 * | state_id | state_text       | canonical    | meaning                                        |
 * |---------:|------------------|--------------|------------------------------------------------|
 * |        1 | `Přijatá`        | `new`        | received (documented)                          |
 * |        2 | `Čeká na platbu` | `on_hold`    | waits for a bank transfer; nothing ships       |
 * |        3 | `Zaplacená`      | `confirmed`  | paid / accepted, not yet being handled         |
 * |        4 | `Vyřizuje se`    | `processing` | handed to the supplier, being prepared         |
 * |        5 | `Odesláno`       | `shipped`    | handed to the carrier                          |
 * |        6 | `Doručeno`       | `delivered`  | delivered to the customer                      |
 * |        7 | `Vyřízená`       | `completed`  | closed                                         |
 * |        8 | `Stornováno`     | `cancelled`  | cancelled                                      |
 * |        9 | `Vráceno`        | `returned`   | goods returned (withdrawal within 14 days)     |
 * |       10 | `Nedoručeno`     | `returned`   | parcel not collected, going back to the sender |
 * | any      | anything else    | `on_hold`    | kept as channelStatus, reported as a warning   |
 *
 * Complaints override the table: a non-null `customer_state_id` (reklamace) makes the order
 * `disputed` whatever `state_text` says (see mapping.ts).
 * Texts are compared after trimming and Unicode NFC normalisation (a decomposed "á" is the same state).
 *
 * Closed is not final: `Doručeno` → later `Vráceno` (a return after delivery, returned) [assumed]; a
 * complaint on a delivered or closed order (disputed) and its settlement [documented field]. Every
 * Dropohs sync is a full scan, so such late changes arrive on the next ordinary sync with no re-check.
 */
import { statusMapper, type CanonicalStatus, type StatusMapping, type StatusTable } from '../../core/canonical/status.ts';

export interface DropohsState {
  id: number;
  text: string;
  status: CanonicalStatus;
}

export const DROPOHS_STATES: readonly DropohsState[] = [
  { id: 1, text: 'Přijatá', status: 'new' },
  { id: 2, text: 'Čeká na platbu', status: 'on_hold' },
  { id: 3, text: 'Zaplacená', status: 'confirmed' },
  { id: 4, text: 'Vyřizuje se', status: 'processing' },
  { id: 5, text: 'Odesláno', status: 'shipped' },
  { id: 6, text: 'Doručeno', status: 'delivered' },
  { id: 7, text: 'Vyřízená', status: 'completed' },
  { id: 8, text: 'Stornováno', status: 'cancelled' },
  { id: 9, text: 'Vráceno', status: 'returned' },
  { id: 10, text: 'Nedoručeno', status: 'returned' },
];

/** Customer (complaint) states [assumed]: any non-null customer_state_id means a complaint. */
export const DROPOHS_CUSTOMER_STATES: ReadonlyArray<{ id: number; text: string }> = [
  { id: 1, text: 'Reklamace přijata' },
  { id: 2, text: 'Reklamace se vyřizuje' },
  { id: 3, text: 'Reklamace vyřízena' },
];

export const DROPOHS_STATUS_TABLE: StatusTable = Object.fromEntries(DROPOHS_STATES.map((s) => [s.text.normalize('NFC'), s.status]));

const mapper = statusMapper(DROPOHS_STATUS_TABLE);

export function mapDropohsState(stateText: string): StatusMapping {
  return mapper(stateText.trim().normalize('NFC'));
}
