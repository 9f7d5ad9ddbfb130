/**
 * The simulator's truth: generated orders (a pure function of seed and index, never stored) plus
 * small overlays — inserted orders (their creation instants only) and changed statuses — and the
 * fault knobs. Global index: 0..generated-1 generated, then inserted. Creation instants are
 * non-decreasing and ids strictly increasing in the index, so ordering by created_at or by id is
 * index order and `created_after` is a binary search.
 */
import type { Lang } from './data.ts';
import { EcommdGenerator, ITEM_ID_BASE, MAX_LINES, hash2 } from './generator.ts';
import { ECOMMD_STATUS_TABLE, isEcommdStatus } from '../status-map.ts';
import { isOpenStatus } from '../../../core/canonical/status.ts';

export interface EcommdFaults {
  /** delay before every /external/ answer */
  latencyMs: number;
  /** every n-th /external/ request answers 429 with `Retry-After: retryAfterSeconds` (0 = off) */
  rateLimitEvery: number;
  retryAfterSeconds: number;
  /** every n-th /external/ request answers 500 (Django's HTML error page) (0 = off) */
  errorEvery: number;
  /** every n-th /external/ request answers 200 with the JSON body cut in half (0 = off) */
  truncateEvery: number;
  /** every n-th order (by index) has created_at "not-a-date" (0 = off) */
  malformedEvery: number;
  /** silent page-size cap below the API's own 5000 (0 = only the API's cap) */
  pageCap: number;
  /** when a list page >= 2 is served, first insert n orders created now (0 = off) */
  insertDuringPaging: number;
  /** created_at without an offset (naive Europe/Chisinau wall time) */
  naiveTimes: boolean;
  /** DRF behind a proxy: `next`/`previous` links use this origin (e.g. "http://backend:8000") */
  nextLinkOrigin: string | null;
  /** the upsert answers 200 but changes nothing */
  ignoreWrites: boolean;
}

export const NO_FAULTS: Readonly<EcommdFaults> = Object.freeze({
  latencyMs: 0,
  rateLimitEvery: 0,
  retryAfterSeconds: 1,
  errorEvery: 0,
  truncateEvery: 0,
  malformedEvery: 0,
  pageCap: 0,
  insertDuringPaging: 0,
  naiveTimes: false,
  nextLinkOrigin: null,
  ignoreWrites: false,
});

/** [SIM] statuses the channel keeps once reached: an upsert of another status is accepted and ignored */
export const CLOSED_STATUSES: ReadonlySet<string> = new Set(['completedandclosed', 'changedandclosed']);

export interface StatusChange {
  id: number;
  from: string;
  to: string;
}

/** Plausible next statuses of an open order (for changeRandomOldOrders / tick). */
const NEXT: Readonly<Record<string, readonly string[]>> = {
  new: ['confirmed', 'confirmed', 'canceled'],
  confirmed: ['incollection', 'incollection', 'canceled'],
  incollection: ['collected', 'collected', 'collectedwithchanges'],
  collected: ['atcouriersortcenter', 'ondelivery'],
  collectedwithchanges: ['atcouriersortcenter', 'ondelivery'],
  atcouriersortcenter: ['ondelivery'],
  ondelivery: ['done', 'done', 'done', 'clientnoanswer', 'recipientnotathome', 'deliverydatemoved', 'customerrefusal'],
  deliverydatemoved: ['ondelivery', 'done'],
  clientnoanswer: ['ondelivery', 'tobereturnedintwodays'],
  recipientnotathome: ['ondelivery', 'tobereturnedintwodays'],
  tobereturnedintwodays: ['returnedtowarehouse', 'ondelivery'],
};

export interface EcommdStoreOptions {
  seed: number;
  orders: number;
  /** UTC ms of the first creation instant */
  sinceMs: number;
  /** UTC ms: generated orders are created before this */
  untilMs: number;
  /** clock for inserted orders (ms) */
  now?: () => number;
}

export class EcommdStore {
  readonly gen: EcommdGenerator;
  faults: EcommdFaults = { ...NO_FAULTS };
  /** creation instants (µs) of inserted orders, index = generated + k */
  private inserted: number[] = [];
  private statusOverlay = new Map<number, string>();
  /** bumped on every change (insert, status): invalidates cached filtered lists */
  version = 0;
  private readonly sinceUs: number;
  private readonly stepUs: number;
  private rng: number;
  private readonly now: () => number;

  constructor(readonly options: EcommdStoreOptions) {
    if (!Number.isSafeInteger(options.orders) || options.orders < 0) throw new RangeError('orders must be a non-negative integer');
    this.gen = new EcommdGenerator(options.seed);
    this.sinceUs = options.sinceMs * 1000;
    const span = Math.max(0, options.untilMs - options.sinceMs) * 1000;
    // float step: i * step is monotonic in i and stays an exact integer range (< 2^53 µs)
    this.stepUs = options.orders > 0 ? span / options.orders : 0;
    this.rng = hash2(options.seed, 0x7fff_fff0);
    this.now = options.now ?? (() => Date.now());
  }

  get generated(): number {
    return this.options.orders;
  }

  get insertedCount(): number {
    return this.inserted.length;
  }

  count(): number {
    return this.options.orders + this.inserted.length;
  }

  /** creation instant of an index, µs since the epoch */
  timeUs(index: number): number {
    const n = this.options.orders;
    return index < n ? this.sinceUs + Math.floor(index * this.stepUs) : this.inserted[index - n]!;
  }

  idOf(index: number): number {
    return this.gen.orderId(index);
  }

  indexOf(id: number): number {
    const i = this.gen.indexOf(id);
    return i >= 0 && i < this.count() ? i : -1;
  }

  /** smallest index created strictly after `us` (count() when none) */
  firstAfter(us: number): number {
    let lo = 0;
    let hi = this.count();
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.timeUs(mid) > us) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  baseStatus(index: number): string {
    return index < this.options.orders ? this.gen.baseStatus(index) : 'new';
  }

  status(index: number): string {
    return this.statusOverlay.get(index) ?? this.baseStatus(index);
  }

  isMalformed(index: number): boolean {
    const n = this.faults.malformedEvery;
    return n > 0 && (index + 1) % n === 0;
  }

  /** the order as the API serves it now (faults applied) */
  order(index: number, lang: Lang): Record<string, unknown> {
    return this.gen.order(index, this.timeUs(index), {
      status: this.status(index),
      lang,
      malformed: this.isMalformed(index),
      naive: this.faults.naiveTimes,
    });
  }

  /** ids of the items of an order (for upsert validation) */
  itemIds(index: number): number[] {
    const n = this.gen.lineCount(index);
    return Array.from({ length: n }, (_, k) => ITEM_ID_BASE + index * MAX_LINES + k);
  }

  allOrderIds(): number[] {
    const n = this.count();
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = this.gen.orderId(i);
    return out;
  }

  malformedIds(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count(); i++) if (this.isMalformed(i)) out.push(this.gen.orderId(i));
    return out;
  }

  /** sets a status directly (the truth; no API rules). Throws on an unknown order or status. */
  changeStatus(id: number, status: string): StatusChange {
    const i = this.indexOf(id);
    if (i < 0) throw new RangeError(`order ${id} does not exist`);
    if (!isEcommdStatus(status)) throw new RangeError(`"${status}" is not an ecom.md status`);
    const from = this.status(i);
    this.statusOverlay.set(i, status);
    this.version++;
    return { id, from, to: status };
  }

  get statusChanges(): number {
    return this.statusOverlay.size;
  }

  /** inserts orders created now (after every existing one); returns their ids */
  insertOrders(count: number): number[] {
    const ids: number[] = [];
    for (let k = 0; k < count; k++) {
      const last = this.count() > 0 ? this.timeUs(this.count() - 1) : 0;
      // strictly later than the last one: created_at order = index order
      this.inserted.push(Math.max(this.now() * 1000, last + 1));
      ids.push(this.gen.orderId(this.count() - 1));
    }
    if (count > 0) this.version++;
    return ids;
  }

  private random(): number {
    this.rng = hash2(this.rng, 0x9e37);
    return this.rng;
  }

  /** moves random open orders from the older half one plausible step on */
  changeRandomOldOrders(count: number): StatusChange[] {
    const changes: StatusChange[] = [];
    const pool = Math.max(1, Math.floor(this.count() / 2));
    for (let tries = 0; changes.length < count && tries < count * 200 && this.count() > 0; tries++) {
      const i = this.random() % pool;
      const current = this.status(i);
      const next = NEXT[current];
      if (!next || !isOpenStatus(ECOMMD_STATUS_TABLE[current as keyof typeof ECOMMD_STATUS_TABLE])) continue;
      changes.push(this.changeStatus(this.gen.orderId(i), next[this.random() % next.length]!));
    }
    return changes;
  }

  reset(): void {
    this.inserted = [];
    this.statusOverlay.clear();
    this.faults = { ...NO_FAULTS };
    this.version++;
  }
}
