/**
 * Time helpers. Inside orderhub every instant is UTC (`2022-09-26T08:11:43.000Z`). Channels that send
 * local wall time without an offset are converted from their documented zone, daylight saving included.
 *
 * A wall time that does not exist (the spring-forward gap, 02:30 in Warsaw on the last Sunday of
 * March) is moved forward by the gap (03:30 summer time), as luxon and java.time do; a wall time that
 * occurs twice (the autumn fall-back hour) is taken as its later, standard-time occurrence (luxon's
 * choice). Channels that send wall times cannot tell us which one they meant.
 */
import { DateTime } from 'luxon';

const WALL_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/**
 * Offsets are cached per (zone, local hour): zone rules change at most a few times a year, and luxon
 * is the slow part of mapping hundreds of thousands of orders a second.
 */
const offsetCache = new Map<string, number | null>();

/** "2022-09-26 10:11:43" in Europe/Warsaw -> "2022-09-26T08:11:43.000Z". Throws on malformed input. */
export function wallTimeToUtc(wall: string, zone: string): string {
  const m = WALL_RE.exec(wall.trim());
  if (!m) throw new TypeError(`"${wall}" is not a local date-time (YYYY-MM-DD HH:MM:SS)`);
  const [, y, mo, d, h, mi, s = '00', ms = '0'] = m;
  const key = `${zone}|${y}-${mo}-${d}T${h}`;
  let offsetMinutes = offsetCache.get(key);
  if (offsetMinutes === undefined) {
    const dt = DateTime.fromObject(
      { year: +y!, month: +mo!, day: +d!, hour: +h!, minute: 30 },
      { zone },
    );
    // Cache only hours whose offset is the same at both ends and true at the instants it produces:
    // in a DST gap or overlap luxon's own resolution (below) is used instead.
    offsetMinutes = dt.isValid ? dt.offset : null;
    if (dt.isValid && roundTrips(+y!, +mo!, +d!, +h!, dt.offset, zone)) offsetCache.set(key, offsetMinutes);
    else if (dt.isValid) offsetMinutes = undefined;
  }
  if (offsetMinutes === null) throw new TypeError(`"${wall}" is not a valid time in ${zone}`);
  if (offsetMinutes === undefined) {
    const dt = DateTime.fromObject(
      { year: +y!, month: +mo!, day: +d!, hour: +h!, minute: +mi!, second: +s, millisecond: +ms.padEnd(3, '0') },
      { zone },
    );
    if (!dt.isValid) throw new TypeError(`"${wall}" is not a valid time in ${zone}: ${dt.invalidExplanation}`);
    return dt.toUTC().toISO()!;
  }
  const utcMs =
    Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s, +ms.padEnd(3, '0')) - offsetMinutes * 60_000;
  const date = new Date(utcMs);
  // Date.UTC rolls over silently (Feb 30 -> Mar 2); reject what the calendar does not have.
  const check = new Date(Date.UTC(+y!, +mo! - 1, +d!));
  if (check.getUTCMonth() !== +mo! - 1 || check.getUTCDate() !== +d!) {
    throw new TypeError(`"${wall}" is not a valid calendar date`);
  }
  return date.toISOString();
}

/** true when hh:00 and hh:59 local, read with this offset, are instants whose real offset is it. */
function roundTrips(y: number, mo: number, d: number, h: number, offset: number, zone: string): boolean {
  for (const minute of [0, 59]) {
    const utc = Date.UTC(y, mo - 1, d, h, minute) - offset * 60_000;
    if (DateTime.fromMillis(utc, { zone }).offset !== offset) return false;
  }
  return true;
}

/** A UTC instant -> local wall time "YYYY-MM-DD HH:MM:SS" in a zone (simulators emit this). */
export function utcToWallTime(utc: Date | string, zone: string, withMillis = false): string {
  const dt = DateTime.fromJSDate(typeof utc === 'string' ? new Date(utc) : utc, { zone });
  return dt.toFormat(withMillis ? "yyyy-MM-dd'T'HH:mm:ss.SSS" : 'yyyy-MM-dd HH:mm:ss');
}

/** The local calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDate(utc: Date, zone: string): string {
  return DateTime.fromJSDate(utc, { zone }).toISODate()!;
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/** Start of a local calendar day in a zone, as a UTC Date. */
export function startOfLocalDay(date: string, zone: string): Date {
  const dt = DateTime.fromISO(date, { zone }).startOf('day');
  if (!dt.isValid) throw new TypeError(`"${date}" is not a date (YYYY-MM-DD)`);
  return dt.toJSDate();
}

export function toUtcIso(date: Date): string {
  return date.toISOString();
}

/** Parses "30s", "5m", "2h", "1d" into milliseconds; null when the text is not such a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)\s*(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return n * unit;
}
