/**
 * The simulator's truth: generated orders (a pure function of seed and index, never stored, in the
 * kit's OrderLog) plus small overlays — changed statuses, uploaded documents — and the data-level
 * fault knobs (malformed orders, unknown statuses).
 *
 * Creation times are non-decreasing in the index and order numbers strictly increasing, so the API's
 * sort (create_time, then order_number) is simply index order and a date window an index range.
 */
import { everyNth, NO_REQUEST_FAULTS, type RequestFaults } from '../../kit/simulator/faults.ts';
import { OrderLog, logInSeconds, type StoreOptions } from '../../kit/simulator/order-log.ts';
import { HashChain, hash2 } from '../../kit/simulator/random.ts';
import { ByteSink, DrinksGenerator, UNKNOWN_STATUS_VALUE } from './generator.ts';

export interface DrinksFaults extends RequestFaults {
  /** the `Retry-After` of a rateLimitEvery 429 */
  retryAfterSeconds: number;
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
  /**
   * read the `from`/`to` dates as UTC days instead of Warsaw days (the documents do not say which zone
   * the API's dates are in)
   */
  datesAsUtc: boolean;
  /**
   * every n-th order moved by random activity (tick, change-random) is an old order the channel had
   * closed, moved on: RETURN → COMPLAIN (a complaint after the return), REALIZED → RETURN or COMPLAIN
   * (0 = random activity moves open orders only)
   */
  lateChangeEvery: number;
}

export const NO_FAULTS: Readonly<DrinksFaults> = Object.freeze({
  ...NO_REQUEST_FAULTS,
  retryAfterSeconds: 1,
  malformedEvery: 0,
  unknownStatusEvery: 0,
  pageCap: 0,
  insertDuringPaging: 0,
  unknownOrder404: false,
  requireInvoiceForRealized: false,
  strictFinalStatus: false,
  datesAsUtc: false,
  lateChangeEvery: 0,
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

/** Later statuses of orders the channel had closed: a return after delivery, a complaint after the return. */
const LATE_NEXT: Readonly<Record<string, readonly string[]>> = {
  REALIZED: ['RETURN', 'COMPLAIN'],
  RETURN: ['COMPLAIN'],
};

const OPEN_NEXT: Readonly<Record<string, readonly string[]>> = {
  NEW: ['RECEIVED_BY_DISTRIBUTOR', 'RECEIVED_BY_DISTRIBUTOR', 'IN_REALIZATION', 'CANCELLED'],
  RECEIVED_BY_DISTRIBUTOR: ['IN_REALIZATION', 'IN_REALIZATION', 'WAITING_FOR_CLIENT_CONFIRMATION', 'CANCELLED'],
  WAITING_FOR_CLIENT_CONFIRMATION: ['IN_REALIZATION', 'IN_REALIZATION', 'CANCELLED'],
  IN_REALIZATION: ['REALIZED', 'REALIZED', 'REALIZED', 'REALIZED', 'CANCELLED'],
};

export type DrinksStoreOptions = StoreOptions;

export class DrinksStore extends OrderLog<number> {
  readonly gen: DrinksGenerator;
  faults: DrinksFaults = { ...NO_FAULTS };
  /** index → status set after generation */
  private statusOverlay = new Map<number, string>();
  documents: StoredDocument[] = [];
  private readonly mutations: HashChain;
  /** orders moved by random activity since the start (lateChangeEvery counts them) */
  private randomChanges = 0;

  constructor(readonly options: DrinksStoreOptions) {
    const gen = new DrinksGenerator(options.seed, options.zone);
    super(logInSeconds(gen.numbers, options));
    this.gen = gen;
    this.mutations = new HashChain(hash2(options.seed, 0x7fff_fff0), 0x3c6ef372);
  }

  numberOf(index: number): number {
    return this.idOf(index);
  }

  private baseStatus(index: number): string {
    return index < this.generated ? this.gen.baseStatus(index) : 'NEW';
  }

  /** the status as the channel knows it (changes applied, no faults) */
  trueStatus(index: number): string {
    return this.statusOverlay.get(index) ?? this.baseStatus(index);
  }

  /** the status the API shows (the unknownStatusEvery fault applied to unchanged orders) */
  servedStatus(index: number): string {
    const changed = this.statusOverlay.get(index);
    if (changed !== undefined) return changed;
    if (everyNth(this.faults.unknownStatusEvery, index)) return UNKNOWN_STATUS_VALUE;
    return this.baseStatus(index);
  }

  isMalformed(index: number): boolean {
    return everyNth(this.faults.malformedEvery, index);
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
    return this.append(count);
  }

  /**
   * Moves `count` random older open orders (generated ones; NEW, RECEIVED_BY_DISTRIBUTOR,
   * WAITING_FOR_CLIENT_CONFIRMATION, IN_REALIZATION) one plausible step on (→ IN_REALIZATION,
   * REALIZED, CANCELLED …); with the lateChangeEvery knob every n-th one is an order the channel had
   * closed, moved on instead (RETURN → COMPLAIN, REALIZED → RETURN/COMPLAIN). Deterministic for a seed
   * and call sequence.
   */
  changeRandomOldOrders(count: number): StatusChange[] {
    const changes: StatusChange[] = [];
    const pool = this.generated > 0 ? this.generated : this.count();
    if (pool === 0) return changes;
    for (let tries = 0; changes.length < count && tries < count * 100; tries++) {
      const i = this.mutations.next() % pool;
      const from = this.trueStatus(i);
      const options = (everyNth(this.faults.lateChangeEvery, this.randomChanges) ? LATE_NEXT : OPEN_NEXT)[from];
      if (!options) continue;
      this.randomChanges++;
      const to = options[this.mutations.next() % options.length]!;
      this.statusOverlay.set(i, to);
      changes.push({ orderNumber: this.idOf(i), from, to });
    }
    return changes;
  }

  get statusChanges(): number {
    return this.statusOverlay.size;
  }

  /** forgets inserted orders, status changes and documents (the knobs are the harness's) */
  override reset(): void {
    super.reset();
    this.statusOverlay = new Map();
    this.documents = [];
    this.mutations.restart();
    this.randomChanges = 0;
  }
}
