/**
 * The date filter of `GET /api/order` (`from`, `to`: dates only; date-times are refused with
 * `dateInvalidDate`). The engine asks for half-open UTC windows [from, to); a date names a different
 * span of instants depending on the zone it is read in, and the documents do not say which zone the
 * API uses (Europe/Warsaw is our assumption; UTC is as likely for a server). So each bound is widened
 * by the zone's largest offset before it is turned into a local date: whether the API reads a date
 * in Warsaw or in UTC (or anywhere in between), the dates sent cover the whole window and no order
 * in it is skipped. `to` gets one more day on top: whether a date-only `to` includes that whole day
 * is undocumented. The engine dedups what the wider dates bring twice.
 */
import { DateTime } from 'luxon';
import { addDays, localDate } from '../../core/canonical/time.ts';

const MINUTE_MS = 60_000;

/** The zone's largest offset from UTC (either sign, in ms) in the year around `at`: summer time included. */
export function maxOffsetMs(zone: string, at: Date): number {
  const t = DateTime.fromJSDate(at, { zone });
  const samples = [t, t.set({ month: 1, day: 1 }), t.set({ month: 7, day: 1 })];
  return Math.max(...samples.map((s) => Math.abs(s.offset))) * MINUTE_MS;
}

/** The dates to send for the window [from, to). */
export function dateFilter(from: Date, to: Date, zone: string): { from: string; to: string } {
  const widenFrom = maxOffsetMs(zone, from);
  const widenTo = maxOffsetMs(zone, to);
  return {
    from: localDate(new Date(from.getTime() - widenFrom), zone),
    to: addDays(localDate(new Date(to.getTime() + widenTo), zone), 1),
  };
}
