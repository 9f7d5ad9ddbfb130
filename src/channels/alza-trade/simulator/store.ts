/**
 * The simulator's truth: generated orders (a pure function of seed and index, never stored) plus small
 * overlays — inserted orders (their creation times), changed states — and the data-level fault knobs.
 *
 * Global index: 0..generated-1 are generated orders, generated.. are inserted ones. Creation times are
 * non-decreasing in the index and order numbers strictly increasing, so the API's sort (created, then
 * order number) is index order and a creation-time window is an index range (binary search).
 */
import { ALL_ALZA_STATES, ALZA_STATES, malformWireOrder, type AlzaState } from '../schemas.ts';
import { AlzaGenerator, hash2 } from './generator.ts';

export interface AlzaFaults {
  /** delay before every API answer */
  latencyMs: number;
  /** every n-th API request answers 429 with `Retry-After: retryAfterSeconds` (0 = off) */
  rateLimitEvery: number;
  retryAfterSeconds: number;
  /** more API requests than this within one second answer 429 (overuse; 0 = off) */
  maxRequestsPerSecond: number;
  /** every n-th API request answers 500 (0 = off) */
  errorEvery: number;
  /** every n-th API request answers 200 with the JSON body cut in half (0 = off) */
  truncateEvery: number;
  /** every n-th order (by index) is served with an unparsable `created` (0 = off) */
  malformedEvery: number;
  /** every n-th order (by index) is served in an undocumented state (0 = off) */
  unknownStateEvery: number;
  /** serve at most n orders per page whatever pageSize says, echoing the requested pageSize (0 = off) */
  pageCap: number;
  /** before serving a list page after the first, insert n orders created now (0 = off) */
  insertDuringPaging: number;
  /** expire every issued token just before the n-th API request after this knob was set (one-shot; 0 = off) */
  expireTokensAtRequest: number;
}

export const NO_FAULTS: Readonly<AlzaFaults> = Object.freeze({
  latencyMs: 0,
  rateLimitEvery: 0,
  retryAfterSeconds: 0,
  maxRequestsPerSecond: 0,
  errorEvery: 0,
  truncateEvery: 0,
  malformedEvery: 0,
  unknownStateEvery: 0,
  pageCap: 0,
  insertDuringPaging: 0,
  expireTokensAtRequest: 0,
});

/** The state an unknownStateEvery fault shows. */
export const UNKNOWN_STATE_VALUE = 'ReturnedToSupplierWarehouse';

export interface StateChange {
  orderNumber: string;
  from: string;
  to: string;
}

/** One plausible next step of an open order. */
const NEXT: Readonly<Record<string, readonly AlzaState[]>> = {
  [ALZA_STATES.waiting]: [ALZA_STATES.awaitingLabelCreation, ALZA_STATES.awaitingLabelCreation, ALZA_STATES.awaitingLabelCreation, ALZA_STATES.cancelled],
  [ALZA_STATES.awaitingLabelCreation]: [ALZA_STATES.shipped, ALZA_STATES.shipped, ALZA_STATES.shipped, ALZA_STATES.cancelled],
  [ALZA_STATES.shipped]: [ALZA_STATES.delivered, ALZA_STATES.delivered, ALZA_STATES.delivered, ALZA_STATES.cancelledAfterShipment],
};

interface Overlay {
  state: string;
  details: boolean;
}

export interface AlzaStoreOptions {
  seed: number;
  orders: number;
  sinceSec: number;
  /** generated orders are created before this (the simulator's start); their states depend on age at it */
  untilSec: number;
  zone?: string;
  now?: () => number;
}

export class AlzaSimStore {
  readonly gen: AlzaGenerator;
  faults: AlzaFaults = { ...NO_FAULTS };
  private inserted: number[] = [];
  private overlay = new Map<number, Overlay>();
  private mutationState: number;
  private readonly now: () => number;
  private readonly spanSec: number;
  /** bumped on every change, so cached filtered lists are rebuilt */
  version = 0;
  private cache: { key: string; indices: number[] } | null = null;

  constructor(readonly options: AlzaStoreOptions) {
    if (!Number.isSafeInteger(options.orders) || options.orders < 0) throw new RangeError('orders must be a non-negative integer');
    this.gen = new AlzaGenerator(options.seed, options.zone);
    this.spanSec = Math.max(0, options.untilSec - options.sinceSec);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.mutationState = hash2(options.seed, 0x7fff_fff0);
  }

  get generated(): number {
    return this.options.orders;
  }

  count(): number {
    return this.options.orders + this.inserted.length;
  }

  timeOf(i: number): number {
    if (i < this.options.orders) return this.options.sinceSec + Math.floor((i * this.spanSec) / this.options.orders);
    return this.inserted[i - this.options.orders]!;
  }

  numberOf(i: number): string {
    return this.gen.orderNumber(i);
  }

  indexOf(orderNumber: string): number {
    const i = this.gen.indexOf(orderNumber);
    return i >= 0 && i < this.count() ? i : -1;
  }

  /** first index created at or after `sec` */
  firstAtOrAfter(sec: number): number {
    let lo = 0;
    let hi = this.count();
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeOf(mid) >= sec) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** [first, end) of the orders created in [fromSec, toSec) */
  range(fromSec: number, toSec: number): [number, number] {
    const first = Number.isFinite(fromSec) ? this.firstAtOrAfter(fromSec) : 0;
    const end = Number.isFinite(toSec) ? this.firstAtOrAfter(toSec) : this.count();
    return [first, Math.max(first, end)];
  }

  private base(i: number): Overlay {
    if (i >= this.options.orders) return { state: ALZA_STATES.waiting, details: false };
    const state = this.gen.baseState(i, this.timeOf(i), this.options.untilSec);
    const details = state === ALZA_STATES.waiting ? false : state === ALZA_STATES.cancelled ? this.gen.cancelledAfterConfirmation(i) : true;
    return { state, details };
  }

  private current(i: number): Overlay {
    return this.overlay.get(i) ?? this.base(i);
  }

  /** the state as the channel knows it (no faults) */
  trueState(i: number): string {
    return this.current(i).state;
  }

  /** the state the API shows (the unknownStateEvery fault applies to unchanged orders) */
  servedState(i: number): string {
    const o = this.overlay.get(i);
    if (o) return o.state;
    const n = this.faults.unknownStateEvery;
    if (n > 0 && (i + 1) % n === 0) return UNKNOWN_STATE_VALUE;
    return this.base(i).state;
  }

  isMalformed(i: number): boolean {
    const n = this.faults.malformedEvery;
    return n > 0 && (i + 1) % n === 0;
  }

  /** the order as the API serves it now (faults included) */
  wireOrder(i: number): Record<string, unknown> {
    const cur = this.current(i);
    const wire = this.gen.wireOrder({ index: i, createdSec: this.timeOf(i), state: this.servedState(i), details: cur.details });
    return this.isMalformed(i) ? malformWireOrder(wire) : wire;
  }

  departureSec(i: number): number | null {
    return this.current(i).details ? this.gen.departureSec(this.timeOf(i)) : null;
  }

  /** indices in [first, end) whose served state is one of `states` (cached until the next change) */
  filtered(first: number, end: number, states: readonly string[]): number[] {
    const key = `${first}|${end}|${[...states].sort().join(',')}|${this.version}|${this.faults.unknownStateEvery}`;
    if (this.cache?.key === key) return this.cache.indices;
    const wanted = new Set(states);
    const indices: number[] = [];
    for (let i = first; i < end; i++) if (wanted.has(this.servedState(i))) indices.push(i);
    this.cache = { key, indices };
    return indices;
  }

  allOrderNumbers(): string[] {
    const n = this.count();
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.gen.orderNumber(i);
    return out;
  }

  /** sets a state directly (no rules). Recipient details appear once the order left Waiting. */
  changeState(orderNumber: string, state: string): StateChange {
    const i = this.indexOf(orderNumber);
    if (i < 0) throw new RangeError(`order ${orderNumber} does not exist`);
    const cur = this.current(i);
    // cancelled straight from Waiting: Alza never learned the recipient
    const details = state === ALZA_STATES.waiting ? false : cur.state === ALZA_STATES.waiting && state === ALZA_STATES.cancelled ? false : true;
    this.overlay.set(i, { state, details });
    this.version++;
    return { orderNumber, from: cur.state, to: state };
  }

  /** inserts Waiting orders created now (after every existing one); returns their numbers */
  insertOrders(count: number): string[] {
    const numbers: string[] = [];
    const last = this.count() > 0 ? this.timeOf(this.count() - 1) : this.options.sinceSec;
    const at = Math.max(this.now(), last, this.options.untilSec);
    for (let k = 0; k < count; k++) {
      this.inserted.push(at);
      numbers.push(this.gen.orderNumber(this.count() - 1));
    }
    if (count > 0) this.version++;
    return numbers;
  }

  private random(n: number): number {
    this.mutationState = hash2(this.mutationState, 0x3c6ef372);
    return this.mutationState % n;
  }

  /**
   * Moves `count` random open orders one plausible step on (Waiting → AwaitingLabelCreation,
   * AwaitingLabelCreation → Shipped, Shipped → Delivered, sometimes a cancellation). With `olderThanSec`
   * only orders created before that time are picked. Deterministic for a seed and call sequence.
   */
  changeRandomOldOrders(count: number, olderThanSec = Infinity): StateChange[] {
    const changes: StateChange[] = [];
    const pool = Math.min(this.count(), this.firstAtOrAfter(olderThanSec));
    if (pool === 0) return changes;
    const picked = new Set<number>();
    for (let tries = 0; changes.length < count && tries < count * 200; tries++) {
      const i = this.random(pool);
      if (picked.has(i)) continue;
      const options = NEXT[this.trueState(i)];
      if (!options) continue;
      picked.add(i);
      changes.push(this.changeState(this.gen.orderNumber(i), options[this.random(options.length)]!));
    }
    return changes;
  }

  isKnownState(state: string): boolean {
    return (ALL_ALZA_STATES as readonly string[]).includes(state);
  }

  reset(): void {
    this.inserted = [];
    this.overlay = new Map();
    this.faults = { ...NO_FAULTS };
    this.mutationState = hash2(this.options.seed, 0x7fff_fff0);
    this.cache = null;
    this.version++;
  }
}
