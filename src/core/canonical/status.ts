/**
 * Canonical statuses and the per-channel mapping mechanism.
 * Each connector declares a table `channel status -> canonical status`; a status the table does not
 * know is kept as `channelStatus`, mapped to `on_hold` and reported (it is how an API change shows up).
 */
export const CANONICAL_STATUSES = [
  'new',
  'confirmed',
  'processing',
  'shipped',
  'delivered',
  'completed',
  'cancelled',
  'returned',
  'on_hold',
  'disputed',
] as const;

export type CanonicalStatus = (typeof CANONICAL_STATUSES)[number];

/**
 * Statuses after which an order is not expected to change any more. Orders in any other status are
 * "open" and the sync engine re-polls them, because most channels only filter by creation date.
 */
export const TERMINAL_STATUSES: ReadonlySet<CanonicalStatus> = new Set([
  'delivered',
  'completed',
  'cancelled',
  'returned',
]);

export function isOpenStatus(status: CanonicalStatus): boolean {
  return !TERMINAL_STATUSES.has(status);
}

export interface StatusMapping {
  status: CanonicalStatus;
  /** true when the channel status was not in the table (mapped to on_hold, reported by the engine) */
  unknown: boolean;
}

export type StatusTable = Readonly<Record<string, CanonicalStatus>>;

/** Builds the mapper a connector uses; the table is documented beside each connector. */
export function statusMapper(table: StatusTable): (channelStatus: string) => StatusMapping {
  return (channelStatus) => {
    const status = Object.hasOwn(table, channelStatus) ? table[channelStatus] : undefined;
    return status === undefined ? { status: 'on_hold', unknown: true } : { status, unknown: false };
  };
}
