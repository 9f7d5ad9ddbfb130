/**
 * The simulator's truth: generated orders (a pure function of seed and index, never stored, in the
 * kit's OrderLog) plus small overlays — changed states — and the data-level fault knobs.
 *
 * Creation times are non-decreasing in the index and order numbers strictly increasing, so the API's
 * sort (created, then order number) is index order and a creation-time window is an index range.
 */
import { everyNth, NO_REQUEST_FAULTS, type RequestFaults } from '../../kit/simulator/faults.ts';
import { OrderLog, logInSeconds, type StoreOptions } from '../../kit/simulator/order-log.ts';
import { HashChain, hash2 } from '../../kit/simulator/random.ts';
import { ALL_ALZA_STATES, ALZA_STATES, malformWireOrder, type AlzaState } from '../schemas.ts';
import { AlzaGenerator } from './generator.ts';

/** Request faults hit API requests (token requests are the identity server's). */
export interface AlzaFaults extends RequestFaults {
  /** the `Retry-After` of a 429 */
  retryAfterSeconds: number;
  /** more API requests than this within one second answer 429 (overuse; 0 = off) */
  maxRequestsPerSecond: number;
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
  /**
   * read time filters without an offset as UTC instead of Prague wall time (the documents do not say
   * which the API does); a filter WITH an offset or `Z` is read exactly either way
   */
  offsetlessAsUtc: boolean;
  /**
   * every n-th order moved by random activity (tick, change-random) is an old closed order moved to
   * its documented later state — Delivered → CancelledAfterShipment, a return after delivery (0 = off:
   * random activity moves open orders only)
   */
  lateChangeEvery: number;
}

export const NO_FAULTS: Readonly<AlzaFaults> = Object.freeze({
  ...NO_REQUEST_FAULTS,
  retryAfterSeconds: 0,
  maxRequestsPerSecond: 0,
  malformedEvery: 0,
  unknownStateEvery: 0,
  pageCap: 0,
  insertDuringPaging: 0,
  expireTokensAtRequest: 0,
  offsetlessAsUtc: false,
  lateChangeEvery: 0,
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

/**
 * The documented later state of a closed order: "Cancelled after shipment … an order that was
 * initially shipped and later returned to you" (Alza's guide). Cancelled has none.
 */
const LATE: Readonly<Record<string, readonly AlzaState[]>> = {
  [ALZA_STATES.delivered]: [ALZA_STATES.cancelledAfterShipment],
};

interface Overlay {
  state: string;
  details: boolean;
}

/** untilSec is the simulator's start: generated orders' states depend on their age at it */
export type AlzaStoreOptions = StoreOptions;

export class AlzaSimStore extends OrderLog<string> {
  readonly gen: AlzaGenerator;
  faults: AlzaFaults = { ...NO_FAULTS };
  private overlay = new Map<number, Overlay>();
  private readonly mutations: HashChain;
  /** orders moved by random activity since the start (lateChangeEvery counts them) */
  private randomChanges = 0;
  /** bumped on every change, so cached filtered lists are rebuilt */
  version = 0;
  private cache: { key: string; indices: number[] } | null = null;

  constructor(readonly options: AlzaStoreOptions) {
    const gen = new AlzaGenerator(options.seed, options.zone);
    super(logInSeconds(gen.ids, options));
    this.gen = gen;
    this.mutations = new HashChain(hash2(options.seed, 0x7fff_fff0), 0x3c6ef372);
  }

  numberOf(i: number): string {
    return this.idOf(i);
  }

  private base(i: number): Overlay {
    if (i >= this.generated) return { state: ALZA_STATES.waiting, details: false };
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
    if (everyNth(this.faults.unknownStateEvery, i)) return UNKNOWN_STATE_VALUE;
    return this.base(i).state;
  }

  isMalformed(i: number): boolean {
    return everyNth(this.faults.malformedEvery, i);
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
    const numbers = this.append(count);
    if (count > 0) this.version++;
    return numbers;
  }

  private random(n: number): number {
    return this.mutations.next() % n;
  }

  /**
   * Moves `count` random open orders one plausible step on (Waiting → AwaitingLabelCreation,
   * AwaitingLabelCreation → Shipped, Shipped → Delivered, sometimes a cancellation); with the
   * lateChangeEvery knob every n-th one is a Delivered order returned instead (CancelledAfterShipment).
   * With `olderThanSec` only orders created before that time are picked. Deterministic for a seed
   * and call sequence.
   */
  changeRandomOldOrders(count: number, olderThanSec = Infinity): StateChange[] {
    const changes: StateChange[] = [];
    const pool = Math.min(this.count(), this.firstAtOrAfter(olderThanSec));
    if (pool === 0) return changes;
    const picked = new Set<number>();
    for (let tries = 0; changes.length < count && tries < count * 200; tries++) {
      const i = this.random(pool);
      if (picked.has(i)) continue;
      const options = (everyNth(this.faults.lateChangeEvery, this.randomChanges) ? LATE : NEXT)[this.trueState(i)];
      if (!options) continue;
      picked.add(i);
      this.randomChanges++;
      changes.push(this.changeState(this.idOf(i), options[this.random(options.length)]!));
    }
    return changes;
  }

  isKnownState(state: string): boolean {
    return (ALL_ALZA_STATES as readonly string[]).includes(state);
  }

  /** forgets inserted orders and state changes (the knobs are the harness's) */
  override reset(): void {
    super.reset();
    this.overlay = new Map();
    this.mutations.restart();
    this.randomChanges = 0;
    this.cache = null;
    this.version++;
  }
}
