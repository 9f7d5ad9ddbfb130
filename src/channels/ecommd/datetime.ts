/**
 * ecom.md creation times → UTC. DRF renders datetimes as ISO 8601 with the server zone's offset and
 * microseconds ("2025-03-11T18:25:42.123456+02:00") — converted exactly, the offset says it all. A
 * naive value (no offset) is local wall time in the channel zone (Europe/Chisinau unless the
 * connection overrides it), DST included. A number is Unix seconds (the unit of `created_after`).
 * Sub-millisecond digits are truncated: canonical timestamps carry milliseconds.
 */
import { wallTimeToUtc } from '../../core/canonical/time.ts';

export const ECOMMD_DEFAULT_ZONE = 'Europe/Chisinau';

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Throws a TypeError naming the value when it is not a date-time. */
export function ecommdTimeToUtc(value: string | number, zone: string = ECOMMD_DEFAULT_ZONE): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} is not a Unix time`);
    const d = new Date(Math.floor(value * 1000));
    if (Number.isNaN(d.getTime())) throw new TypeError(`${value} is not a Unix time`);
    return d.toISOString();
  }
  const m = ISO_RE.exec(value.trim());
  if (!m) throw new TypeError(`"${value}" is not an ISO 8601 date-time`);
  const [, y, mo, d, h, mi, s = '00', frac = '', offset] = m;
  const ms = frac.slice(0, 3).padEnd(3, '0');
  if (offset === undefined) return wallTimeToUtc(`${y}-${mo}-${d} ${h}:${mi}:${s}.${ms}`, zone);
  if (+h! > 23 || +mi! > 59 || +s > 59) throw new TypeError(`"${value}" is not a valid time of day`);
  let offsetMin = 0;
  if (offset.toUpperCase() !== 'Z') {
    const om = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset)!;
    offsetMin = (om[1] === '-' ? -1 : 1) * (+om[2]! * 60 + +(om[3] ?? '0'));
  }
  const check = new Date(Date.UTC(+y!, +mo! - 1, +d!));
  if (check.getUTCFullYear() !== +y! || check.getUTCMonth() !== +mo! - 1 || check.getUTCDate() !== +d!) {
    throw new TypeError(`"${value}" is not a valid calendar date`);
  }
  return new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s, +ms) - offsetMin * 60_000).toISOString();
}
