/**
 * The simulator's truth: generated orders (a pure function of seed and index, never stored) plus
 * small overlays — inserted orders (their creation times only), changed statuses, uploaded
 * documents — and the data-level fault knobs (malformed orders, unknown statuses).
 *
 * Global index: 0..generated-1 are generated orders, generated.. are inserted ones. Creation times
 * are non-decreasing in the index (inserted orders are created "now", after every generated one) and
 * order numbers strictly increasing, so the API's sort (create_time, then order_number) is simply
 * index order and a date window is an index range found by binary search.
 */
import { ByteSink, DrinksGenerator, GeneratedSchedule, UNKNOWN_STATUS_VALUE, hash2 } from './generator.ts';

export interface DrinksFaults {
  /** delay before every /api answer */
  latencyMs: number;
  /** every n-th /api request answers 429 with `Retry-After: retryAfterSeconds` (0 = off) */
  rateLimitEvery: number;
  retryAfterSeconds: number;
  /** every n-th /api request answers 500 (0 = off) */
  errorEvery: number;
  /** every n-th /api request answers 200 with the JSON body cut in half (0 = off) */
  truncateEvery: number;
  /** every n-th order (by index) has create_time "not-a-date" (0 = off) */
  malformedEvery: number;
  /** every n-th order (by index) shows the undocumented status PARTIALLY_REALIZED (0 = off) */
  unknownStatusEvery: number;
  /** serve at most n orders per page whatever `limit` says; offsets count capped pages (0 = off) */
  pageCap: number;
  /** when a list page with offset >= 1 is served, first insert n orders created now (0 = off) */
  insertDuringPaging: number;
  /** unknown id on GET /api/order/{id} → 404 instead of the default 200 with `data: []` */
  unknownOrder404: boolean;
  /** PATCH to REALIZED needs an uploaded INVOICE first (the help page says some distributors have it) */
  requireInvoiceForRealized: boolean;
  /** refuse CANCELLED→CANCELLED and REALIZED→REALIZED too (by default a same-status PATCH is accepted) */
  strictFinalStatus: boolean;
}

export const NO_FAULTS: Readonly<DrinksFaults> = Object.freeze({
  latencyMs: 0,
  rateLimitEvery: 0,
  retryAfterSeconds: 1,
  errorEvery: 0,
  truncateEvery: 0,
  malformedEvery: 0,
  unknownStatusEvery: 0,
  pageCap: 0,
  insertDuringPaging: 0,
  unknownOrder404: false,
  requireInvoiceForRealized: false,
  strictFinalStatus: false,
});

export interface StoredDocument {
  orderNumber: number;
  documentType: string;
  informClient: boolean;
  fileName: string;
  contentType: string;
  data: Buffer;
  receivedAt: string;
}

export interface StatusChange {
  orderNumber: number;
  from: string;
  to: string;
}

const OPEN_NEXT: Readonly<Record<string, readonly string[]>> = {
  NEW: ['RECEIVED_BY_DISTRIBUTOR', 'RECEIVED_BY_DISTRIBUTOR', 'IN_REALIZATION', 'CANCELLED'],
  RECEIVED_BY_DISTRIBUTOR: ['IN_REALIZATION', 'IN_REALIZATION', 'WAITING_FOR_CLIENT_CONFIRMATION', 'CANCELLED'],
  WAITING_FOR_CLIENT_CONFIRMATION: ['IN_REALIZATION', 'IN_REALIZATION', 'CANCELLED'],
  IN_REALIZATION: ['REALIZED', 'REALIZED', 'REALIZED', 'REALIZED', 'CANCELLED'],
};

export interface DrinksStoreOptions {
  seed: number;
  orders: number;
  /** UTC seconds of the first creation time */
  sinceSec: number;
  /** UTC seconds: generated orders are created before this (the simulator's start) */
  untilSec: number;
  zone?: string;
  /** clock for inserted orders (tests may pin it) */
  now?: () => number;
}

export class DrinksStore {
  readonly gen: DrinksGenerator;
  readonly schedule: GeneratedSchedule;
  faults: DrinksFaults = { ...NO_FAULTS };
  /** creation times (UTC seconds) of inserted orders, index = generated + k */
  private inserted: number[] = [];
  /** index → status set after generation */
  private statusOverlay = new Map<number, string>();
  documents: StoredDocument[] = [];
  private mutationState: number;
  private readonly now: () => number;

  constructor(readonly options: DrinksStoreOptions) {
    if (!Number.isSafeInteger(options.orders) || options.orders < 0) throw new RangeError('orders must be a non-negative integer');
    this.gen = new DrinksGenerator(options.seed, options.zone);
    this.schedule = new GeneratedSchedule(options.orders, options.sinceSec, options.untilSec);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.mutationState = hash2(options.seed, 0x7fff_fff0);
  }

  get generated(): number {
    return this.schedule.count;
  }

  count(): number {
    return this.schedule.count + this.inserted.length;
  }

  timeOf(index: number): number {
    const n = this.schedule.count;
    return index < n ? this.schedule.timeOf(index) : this.inserted[index - n]!;
  }

  numberOf(index: number): number {
    return this.gen.orderNumber(index);
  }

  /** global index of an order number, or -1 */
  indexOf(orderNumber: number): number {
    const i = this.gen.indexOf(orderNumber);
    return i >= 0 && i < this.count() ? i : -1;
  }

  /** smallest index created at or after `sec` (count() when none) */
  firstAtOrAfter(sec: number): number {
    let lo = 0;
    let hi = this.count();
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.timeOf(mid) >= sec) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** [first, end) indices of orders created in [fromSec, toSecExclusive) */
  range(fromSec: number, toSecExclusive: number): [number, number] {
    const first = this.firstAtOrAfter(fromSec);
    const end = Math.max(first, this.firstAtOrAfter(toSecExclusive));
    return [first, end];
  }

  private baseStatus(index: number): string {
    return index < this.schedule.count ? this.gen.baseStatus(index) : 'NEW';
  }

  /** the status as the channel knows it (changes applied, no faults) */
  trueStatus(index: number): string {
    return this.statusOverlay.get(index) ?? this.baseStatus(index);
  }

  /** the status the API shows (the unknownStatusEvery fault applied to unchanged orders) */
  servedStatus(index: number): string {
    const changed = this.statusOverlay.get(index);
    if (changed !== undefined) return changed;
    const n = this.faults.unknownStatusEvery;
    if (n > 0 && (index + 1) % n === 0) return UNKNOWN_STATUS_VALUE;
    return this.baseStatus(index);
  }

  isMalformed(index: number): boolean {
    const n = this.faults.malformedEvery;
    return n > 0 && (index + 1) % n === 0;
  }

  writeOrder(sink: ByteSink, index: number): void {
    this.gen.writeOrder(sink, index, this.timeOf(index), this.servedStatus(index), this.isMalformed(index), this.baseStatus(index));
  }

  /** the order as the API serves it now (faults included), parsed; null when unknown */
  getOrder(orderNumber: number): Record<string, unknown> | null {
    const i = this.indexOf(orderNumber);
    if (i < 0) return null;
    return JSON.parse(this.gen.orderJson(i, this.timeOf(i), this.servedStatus(i), this.isMalformed(i), this.baseStatus(i))) as Record<string, unknown>;
  }

  allOrderNumbers(): number[] {
    const n = this.count();
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.gen.orderNumber(i);
    return out;
  }

  /** sets a status directly (the truth; no API rules). Throws on an unknown order. */
  changeStatus(orderNumber: number, status: string): StatusChange {
    const i = this.indexOf(orderNumber);
    if (i < 0) throw new RangeError(`order ${orderNumber} does not exist`);
    const from = this.trueStatus(i);
    this.statusOverlay.set(i, status);
    return { orderNumber, from, to: status };
  }

  /** inserts orders created now (after every existing one); returns their numbers */
  insertOrders(count: number): number[] {
    const numbers: number[] = [];
    const last = this.count() > 0 ? this.timeOf(this.count() - 1) : this.schedule.sinceSec;
    const at = Math.max(this.now(), last, this.schedule.untilSec);
    for (let k = 0; k < count; k++) {
      this.inserted.push(at);
      numbers.push(this.gen.orderNumber(this.count() - 1));
    }
    return numbers;
  }

  private mutationRandom(n: number): number {
    this.mutationState = hash2(this.mutationState, 0x3c6ef372);
    return this.mutationState % n;
  }

  /**
   * Moves `count` random older open orders (generated ones; NEW, RECEIVED_BY_DISTRIBUTOR,
   * WAITING_FOR_CLIENT_CONFIRMATION, IN_REALIZATION) one plausible step on (→ IN_REALIZATION,
   * REALIZED, CANCELLED …). Deterministic for a seed and call sequence.
   */
  changeRandomOldOrders(count: number): StatusChange[] {
    const changes: StatusChange[] = [];
    const pool = this.schedule.count > 0 ? this.schedule.count : this.count();
    if (pool === 0) return changes;
    for (let tries = 0; changes.length < count && tries < count * 100; tries++) {
      const i = this.mutationRandom(pool);
      const from = this.trueStatus(i);
      const options = OPEN_NEXT[from];
      if (!options) continue;
      const to = options[this.mutationRandom(options.length)]!;
      this.statusOverlay.set(i, to);
      changes.push({ orderNumber: this.gen.orderNumber(i), from, to });
    }
    return changes;
  }

  get statusChanges(): number {
    return this.statusOverlay.size;
  }

  get insertedCount(): number {
    return this.inserted.length;
  }

  reset(): void {
    this.inserted = [];
    this.statusOverlay = new Map();
    this.documents = [];
    this.faults = { ...NO_FAULTS };
    this.mutationState = hash2(this.options.seed, 0x7fff_fff0);
  }
}
