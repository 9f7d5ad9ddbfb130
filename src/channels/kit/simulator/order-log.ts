/**
 * The creation times of a simulator's orders, by index: `orders` generated ones spread evenly over
 * [since, until) (computed, never stored), then the ones inserted since (stored, created "now").
 * Times never decrease with the index, so a channel whose API sorts by creation time serves index
 * order, and a creation-time window is an index range found by binary search: a simulator of a
 * million orders answers any window without generating the orders before it.
 */

/** The ids of a simulator's orders by index, and back (GappedNumbers, or a channel's own). */
export interface OrderIds<Id> {
  at(i: number): Id;
  /** the index of an id, or -1 when no index has it */
  indexOf(id: Id): number;
}

export interface OrderLogOptions<Id> {
  /** the orders' ids: generated ones and inserted ones alike are numbered by index */
  ids: OrderIds<Id>;
  /** generated orders */
  orders: number;
  /** creation time of the first generated order, and the end of their span (one unit: s or µs) */
  since: number;
  until: number;
  /** the time inserted orders are created at, in the same unit (tests pin it) */
  now: () => number;
  /**
   * Generated times step by a float (since + floor(i * span/orders)) instead of the exact
   * since + floor(i * span / orders): with µs, i * span passes 2^53. Monotonic either way.
   */
  floatStep?: boolean;
  /** every inserted order is created strictly after the one before (a channel sorting by time alone) */
  strictlyIncreasing?: boolean;
}

/** What a store counting in UTC seconds is made from (the simulator's options, resolved). */
export interface StoreOptions {
  seed: number;
  orders: number;
  /** UTC seconds of the first creation time */
  sinceSec: number;
  /** UTC seconds: generated orders are created before this (the simulator's start) */
  untilSec: number;
  /** the channel's zone, when its generator takes another */
  zone?: string;
  /** clock for inserted orders, UTC seconds (tests pin it); default the real one */
  now?: () => number;
}

/** The OrderLog options of such a store. */
export function logInSeconds<Id>(ids: OrderIds<Id>, options: StoreOptions): OrderLogOptions<Id> {
  return { ids, orders: options.orders, since: options.sinceSec, until: options.untilSec, now: options.now ?? (() => Math.floor(Date.now() / 1000)) };
}

export class OrderLog<Id> {
  readonly generated: number;
  private inserted: number[] = [];
  private readonly span: number;
  private readonly step: number;

  constructor(private readonly logOptions: OrderLogOptions<Id>) {
    const { orders, since, until } = logOptions;
    if (!Number.isSafeInteger(orders) || orders < 0) throw new RangeError('orders must be a non-negative integer');
    this.generated = orders;
    this.span = Math.max(0, until - since);
    this.step = orders > 0 ? this.span / orders : 0;
  }

  get since(): number {
    return this.logOptions.since;
  }

  get until(): number {
    return this.logOptions.until;
  }

  count(): number {
    return this.generated + this.inserted.length;
  }

  get insertedCount(): number {
    return this.inserted.length;
  }

  /** the id of index i */
  idOf(i: number): Id {
    return this.logOptions.ids.at(i);
  }

  /** the index of an order id, or -1 when there is no such order (yet) */
  indexOf(id: Id): number {
    const i = this.logOptions.ids.indexOf(id);
    return i >= 0 && i < this.count() ? i : -1;
  }

  /** every order id, in index order */
  allIds(): Id[] {
    return this.map((i) => this.logOptions.ids.at(i));
  }

  timeOf(i: number): number {
    const n = this.generated;
    if (i >= n) return this.inserted[i - n]!;
    return this.logOptions.since + Math.floor(this.logOptions.floatStep ? i * this.step : (i * this.span) / n);
  }

  /** the smallest index created at or after t (count() when none) */
  firstAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.count();
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeOf(mid) >= t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** the smallest index created strictly after t (count() when none) */
  firstAfter(t: number): number {
    let lo = 0;
    let hi = this.count();
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeOf(mid) > t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** [first, end) of the orders created in [from, toExclusive); ±Infinity leaves a side open */
  range(from: number, toExclusive: number): [number, number] {
    const first = this.firstAtOrAfter(from);
    return [first, Math.max(first, this.firstAtOrAfter(toExclusive))];
  }

  /** appends `count` orders created now (never before the last one); returns their ids */
  append(count: number): Id[] {
    const first = this.count();
    const now = this.logOptions.now();
    for (let k = 0; k < count; k++) {
      const n = this.count();
      const last = n > 0 ? this.timeOf(n - 1) : this.logOptions.since;
      const strict = this.logOptions.strictlyIncreasing ? 1 : 0;
      this.inserted.push(Math.max(now, last + strict, this.logOptions.until));
    }
    return Array.from({ length: count }, (_, k) => this.idOf(first + k));
  }

  /** f over every index, in order */
  map<T>(f: (i: number) => T): T[] {
    const n = this.count();
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = f(i);
    return out;
  }

  /** forgets the inserted orders */
  reset(): void {
    this.inserted = [];
  }
}
