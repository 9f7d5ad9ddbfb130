/**
 * Time filters for the API. The engine asks for half-open UTC windows [from, to); orderhub sends each
 * bound as ISO 8601 with the explicit offset of that instant (`2026-09-10T08:13:00+02:00`, schemas.ts
 * formatFilterTime), so the API cannot misread it: an offset-less time could be taken for Prague wall
 * time or for UTC (the documents do not say which), and the UTC reading would move every bound by an
 * hour or two and lose orders and status changes.
 *
 * Every bound is also widened, never narrowed: `from` is floored to the second, `to` is rounded up,
 * and near a daylight-saving switch the bound moves one more hour outwards, so that an API that
 * dropped the offset and read the wall time either way in the repeated autumn hour would still cover
 * what was asked. The engine dedups whatever comes back twice.
 */
import { DateTime } from 'luxon';
import { formatFilterTime } from './schemas.ts';

const HOUR_MS = 3_600_000;

function offsetAt(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).offset;
}

/** true when the zone's offset changes within an hour of `ms` */
export function nearOffsetChange(ms: number, zone: string): boolean {
  const here = offsetAt(ms, zone);
  return offsetAt(ms - HOUR_MS, zone) !== here || offsetAt(ms + HOUR_MS, zone) !== here;
}

/** Lower bound (inclusive) of a window as filter text. */
export function fromBound(from: Date, zone: string): string {
  let ms = Math.floor(from.getTime() / 1000) * 1000;
  if (nearOffsetChange(ms, zone)) ms -= HOUR_MS;
  return formatFilterTime(new Date(ms), zone);
}

/** Upper bound of a window as filter text: covers `to` whether the API reads it as exclusive or not. */
export function toBound(to: Date, zone: string): string {
  let ms = Math.ceil(to.getTime() / 1000) * 1000 + 1000;
  if (nearOffsetChange(ms, zone)) ms += HOUR_MS;
  return formatFilterTime(new Date(ms), zone);
}
