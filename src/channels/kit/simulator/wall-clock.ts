/**
 * Local wall time for simulators of channels that send wall times without an offset: a formatter
 * fast enough for millions of orders (zone offsets cached per UTC hour, dates per local day).
 */
import { DateTime } from 'luxon';

/** "00".."99" */
export const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/** Local wall time of UTC instants in one zone, cached per UTC hour and local day. */
export class WallClock {
  private readonly offsets = new Map<number, number>();
  private readonly days = new Map<number, string>();
  constructor(readonly zone: string) {}

  /** offset (seconds) of the zone at a UTC instant; zone rules change on whole UTC hours in Europe */
  offsetSec(utcSec: number): number {
    const hour = Math.floor(utcSec / 3600);
    let off = this.offsets.get(hour);
    if (off === undefined) {
      off = DateTime.fromMillis(hour * 3_600_000, { zone: this.zone }).offset * 60;
      this.offsets.set(hour, off);
    }
    return off;
  }

  /** "YYYY-MM-DD HH:MM:SS" local wall time of a UTC instant (seconds) */
  format(utcSec: number): string {
    const local = utcSec + this.offsetSec(utcSec);
    const day = Math.floor(local / 86400);
    let date = this.days.get(day);
    if (date === undefined) {
      date = new Date(day * 86_400_000).toISOString().slice(0, 10);
      this.days.set(day, date);
    }
    const sod = local - day * 86400;
    const h = (sod / 3600) | 0;
    const m = ((sod % 3600) / 60) | 0;
    return `${date} ${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[sod % 60]}`;
  }

  /** UTC seconds of local midnight starting a YYYY-MM-DD day */
  startOfDay(date: string): number {
    const dt = DateTime.fromISO(date, { zone: this.zone }).startOf('day');
    if (!dt.isValid) throw new TypeError(`"${date}" is not a date`);
    return Math.floor(dt.toMillis() / 1000);
  }

  /** local YYYY-MM-DD of a UTC instant (seconds) */
  localDate(utcSec: number): string {
    return this.format(utcSec).slice(0, 10);
  }
}
