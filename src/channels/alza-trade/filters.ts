/**
 * Time filters for the API. The engine asks for half-open UTC windows [from, to); the API takes wall
 * times (schemas.ts) with second precision and an undocumented treatment of the repeated autumn
 * hour. So every bound is widened, never narrowed: `from` is floored to the second, `to` is rounded up,
 * and near a daylight-saving switch the bound moves one more hour outwards, so that whichever of the
 * two readings of an ambiguous wall time the API takes, the window still covers what was asked. The
 * engine dedups whatever comes back twice.
 */
import { DateTime } from 'luxon';
import { formatWireTime } from './schemas.ts';

const HOUR_MS = 3_600_000;

function offsetAt(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).offset;
}

/** true when the zone's offset changes within an hour of `ms` */
export function nearOffsetChange(ms: number, zone: string): boolean {
  const here = offsetAt(ms, zone);
  return offsetAt(ms - HOUR_MS, zone) !== here || offsetAt(ms + HOUR_MS, zone) !== here;
}

/** Lower bound (inclusive) of a window as wire text. */
export function fromBound(from: Date, zone: string): string {
  let ms = Math.floor(from.getTime() / 1000) * 1000;
  if (nearOffsetChange(ms, zone)) ms -= HOUR_MS;
  return formatWireTime(new Date(ms), zone);
}

/** Upper bound of a window as wire text: covers `to` whether the API reads it as exclusive or not. */
export function toBound(to: Date, zone: string): string {
  let ms = Math.ceil(to.getTime() / 1000) * 1000 + 1000;
  if (nearOffsetChange(ms, zone)) ms += HOUR_MS;
  return formatWireTime(new Date(ms), zone);
}
