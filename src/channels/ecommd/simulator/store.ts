/**
 * The simulator's truth: generated orders (a pure function of seed and index, never stored, in the
 * kit's OrderLog, in µs) plus small overlays — changed statuses — and the fault knobs. Creation
 * instants strictly increase with the index and so do ids, so ordering by created_at or by id is
 * index order and `created_after` is a binary search.
 */
import { everyNth, NO_REQUEST_FAULTS, type RequestFaults } from '../../kit/simulator/faults.ts';
import { OrderLog } from '../../kit/simulator/order-log.ts';
import { HashChain, hash2 } from '../../kit/simulator/random.ts';
import type { Lang } from './data.ts';
import { EcommdGenerator, ITEM_ID_BASE, MAX_LINES } from './generator.ts';
import { ECOMMD_STATUS_TABLE, isEcommdStatus } from '../status-map.ts';
import { isOpenStatus } from '../../../core/canonical/status.ts';

/** Request faults hit /external/ requests (errorEvery answers Django's HTML error page). */
export interface EcommdFaults extends RequestFaults {
  /** the `Retry-After` of a rateLimitEvery 429 */
  retryAfterSeconds: number;
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
  /**
   * every n-th order moved by random activity (tick, change-random) is an old closed order moved on
   * (customerrefusal or done → returnedtowarehouse); 0 = random activity moves open orders only
   */
  lateChangeEvery: number;
}

export const NO_FAULTS: Readonly<EcommdFaults> = Object.freeze({
  ...NO_REQUEST_FAULTS,
  retryAfterSeconds: 1,
  malformedEvery: 0,
  pageCap: 0,
  insertDuringPaging: 0,
  naiveTimes: false,
  nextLinkOrigin: null,
  ignoreWrites: false,
  lateChangeEvery: 0,
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

/** Later statuses of a closed order: the refused parcel, or goods returned after fulfilment, back in the warehouse. */
const LATE: Readonly<Record<string, readonly string[]>> = {
  customerrefusal: ['returnedtowarehouse'],
  done: ['returnedtowarehouse'],
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

/** An order log in µs since the epoch (DRF renders microseconds). */
export class EcommdStore extends OrderLog<number> {
  readonly gen: EcommdGenerator;
  faults: EcommdFaults = { ...NO_FAULTS };
  private statusOverlay = new Map<number, string>();
  /** bumped on every change (insert, status): invalidates cached filtered lists */
  version = 0;
  /** draws of the random status changes (reset does not replay them) */
  private readonly mutations: HashChain;
  /** orders moved by random activity since the start (lateChangeEvery counts them) */
  private randomChanges = 0;

  constructor(readonly options: EcommdStoreOptions) {
    const now = options.now ?? (() => Date.now());
    const gen = new EcommdGenerator(options.seed);
    super({ ids: gen.ids, orders: options.orders, since: options.sinceMs * 1000, until: options.untilMs * 1000, now: () => now() * 1000, floatStep: true, strictlyIncreasing: true });
    this.gen = gen;
    this.mutations = new HashChain(hash2(options.seed, 0x7fff_fff0), 0x9e37);
  }

  baseStatus(index: number): string {
    return index < this.generated ? this.gen.baseStatus(index) : 'new';
  }

  status(index: number): string {
    return this.statusOverlay.get(index) ?? this.baseStatus(index);
  }

  isMalformed(index: number): boolean {
    return everyNth(this.faults.malformedEvery, index);
  }

  /** the order as the API serves it now (faults applied) */
  order(index: number, lang: Lang): Record<string, unknown> {
    return this.gen.order(index, this.timeOf(index), {
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

  malformedIds(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count(); i++) if (this.isMalformed(i)) out.push(this.idOf(i));
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

  /** inserts orders created now, each strictly after the last (created_at order = index order); returns their ids */
  insertOrders(count: number): number[] {
    const ids = this.append(count);
    if (count > 0) this.version++;
    return ids;
  }

  /**
   * Moves random open orders from the older half one plausible step on; with the lateChangeEvery knob
   * every n-th one is a closed order moved on instead (customerrefusal/done → returnedtowarehouse).
   */
  changeRandomOldOrders(count: number): StatusChange[] {
    const changes: StatusChange[] = [];
    const pool = Math.max(1, Math.floor(this.count() / 2));
    for (let tries = 0; changes.length < count && tries < count * 200 && this.count() > 0; tries++) {
      const i = this.mutations.next() % pool;
      const current = this.status(i);
      const late = everyNth(this.faults.lateChangeEvery, this.randomChanges);
      const next = late ? LATE[current] : isOpenStatus(ECOMMD_STATUS_TABLE[current as keyof typeof ECOMMD_STATUS_TABLE]) ? NEXT[current] : undefined;
      if (!next) continue;
      this.randomChanges++;
      changes.push(this.changeStatus(this.idOf(i), next[this.mutations.next() % next.length]!));
    }
    return changes;
  }

  /** forgets inserted orders and status changes (the knobs are the harness's) */
  override reset(): void {
    super.reset();
    this.statusOverlay.clear();
    this.randomChanges = 0;
    this.version++;
  }
}
