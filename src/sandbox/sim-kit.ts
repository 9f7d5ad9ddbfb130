/**
 * Building blocks every channel simulator shares: deterministic hashing and random numbers (so the
 * same seed always generates the same orders, lazily by index) and a fast local wall-clock
 * formatter for channels that send wall times without an offset.
 */
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';

/** What listenLocal needs of a server (any Fastify instance, whatever its type parameters). */
interface Listener {
  listen(options: { host: string; port: number }): Promise<string>;
  server: { address(): AddressInfo | string | null };
}

/**
 * Listens on host:port (port 0 = any free port) and returns the base URL clients should use: a
 * wildcard address (0.0.0.0, ::, '') is reached at 127.0.0.1, an IPv6 address is bracketed.
 */
export async function listenLocal(app: Listener, host: string | undefined, port: number): Promise<{ port: number; baseUrl: string }> {
  await app.listen({ host: host || '127.0.0.1', port });
  const bound = (app.server.address() as AddressInfo).port;
  const reach = host === undefined || host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return { port: bound, baseUrl: `http://${reach.includes(':') ? `[${reach}]` : reach}:${bound}` };
}

/** 32-bit avalanche hash of (seed, i): the per-order seed of lazily generated order i. */
export function hash2(seed: number, i: number): number {
  let h = (Math.imul(seed | 0, 0x27d4eb2d) ^ Math.imul(i | 0, 0x9e3779b1) ^ Math.imul((i / 4294967296) | 0, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small seeded PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0;
  }
  reseed(seed: number): this {
    this.s = seed | 0;
    return this;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.next() % list.length]!;
  }
  digits(n: number): string {
    let s = '';
    for (let k = 0; k < n; k++) s += String(this.next() % 10);
    return s;
  }
}

/** "00".."99" */
export const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/** Local wall time of UTC instants in one zone, cached per UTC hour and local day (simulators emit millions). */
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
