/**
 * The simulator's truth: generated orders (a pure function of seed and global index, never stored)
 * plus small overlays — inserted orders, changed states, added/delisted products — and the fault knobs.
 *
 * Orders are spread over the e-shops round-robin: generated order g belongs to shop g % S and is the
 * (g / S)-th of that shop's listing. Each shop's listing is
 *   [orders inserted at the START (newest first)] + [generated orders, ascending id] + [orders inserted at the END]
 * so an insert at the start shifts every later record by one — the nasty case for offset paging.
 */
import { everyNth, NO_REQUEST_FAULTS, type RequestFaults } from '../../kit/simulator/faults.ts';
import { GappedNumbers } from '../../kit/simulator/numbering.ts';
import { hash2, Rng } from '../../kit/simulator/random.ts';
import {
  DropohsGenerator, STATE_BY_TEXT, UNKNOWN_STATE, makeProduct, VARIANT_ID_BASE,
  type OrderSpec, type OrderState, type ShopAssortment, type SimProduct, type SimVariant,
} from './generator.ts';
import { CATALOGUE, SHOPS, type ShopSeed } from './data.ts';
import { DROPOHS_CUSTOMER_STATES } from '../status-map.ts';

export type InsertPosition = 'start' | 'end';

/** Request faults hit API requests (errorEvery answers HTTP 500 with an error envelope). */
export interface DropohsFaults extends RequestFaults {
  /** the `Retry-After` of a rateLimitEvery 429 */
  retryAfterSeconds: number;
  /** every n-th API request answers HTTP 200 with `{"code":500,"message":"…"}` (0 = off) */
  envelopeErrorEvery: number;
  /** every n-th order (by global index) has `created` "0000-00-00 00:00:00" (0 = off) */
  malformedEvery: number;
  /** every n-th order (by global index) shows the unlisted state "Čeká na naskladnění" (0 = off) */
  unknownStateEvery: number;
  /** serve at most n records per page whatever `limit` says (silently; 0 = off) */
  pageCap: number;
  /** after each non-empty /orders page served, insert n new orders into that shop (0 = off) */
  insertDuringPaging: number;
  /** where those go: 'start' (shifts everything), 'end', or 'alternate' */
  insertPosition: 'start' | 'end' | 'alternate';
  /** stop inserting during paging after this many (0 = no limit) */
  insertMax: number;
}

export const NO_FAULTS: Readonly<DropohsFaults> = Object.freeze({
  ...NO_REQUEST_FAULTS,
  retryAfterSeconds: 1,
  envelopeErrorEvery: 0,
  malformedEvery: 0,
  unknownStateEvery: 0,
  pageCap: 0,
  insertDuringPaging: 0,
  insertPosition: 'end',
  insertMax: 0,
});

/** First generated order id; ids grow with the index by 1..3 (gaps, like real numbering). */
export const ORDER_ID_BASE = 250_000;
const ID_STEP = 3;

interface ShopState {
  seed: ShopSeed;
  index: number;
  /** what generated orders draw baskets from (frozen: later catalogue changes don't rewrite history) */
  assortment: ShopAssortment;
  /** what /products lists now */
  listed: SimProduct[];
  baseCount: number;
  /** global indices inserted at the start, in insertion order (the last one is listed first) */
  prepended: number[];
  appended: number[];
  /** bumped on every change of the shop's order listing (page cache key) */
  version: number;
}

interface Inserted {
  id: number;
  createdSec: number;
  shop: number;
  variants: number[];
}

export interface StateChange {
  id: number;
  shopId: number;
  from: string;
  to: string;
  complaint: boolean;
}

export interface StoreOptions {
  seed: number;
  orders: number;
  shops: number;
  sinceSec: number;
  startSec: number;
  now?: () => number;
  /** byte budget of the page cache (0 = no cache) */
  pageCacheBytes: number;
}

export class DropohsStore {
  readonly gen: DropohsGenerator;
  readonly shops: ShopState[];
  readonly generated: number;
  faults: DropohsFaults = { ...NO_FAULTS };
  /** bumped when knobs that change order content change (malformed/unknown state) */
  contentVersion = 0;
  readonly startSec: number;
  private readonly sinceSec: number;
  private readonly spanSec: number;
  private readonly inserted: Inserted[] = [];
  private readonly insertedById = new Map<number, number>();
  private readonly states = new Map<number, OrderState>();
  private readonly products: SimProduct[] = [];
  private readonly variantIndex = new Map<number, { variant: SimVariant; product: SimProduct }>();
  private nextVariantId: number;
  private nextOrderId: number;
  /** ids of generated orders */
  private readonly ids: GappedNumbers;
  private readonly now: () => number;
  private readonly rng: Rng;
  private readonly pageCache = new Map<string, Buffer>();
  private pageCacheUsed = 0;
  private readonly pageCacheBytes: number;
  insertedDuringPaging = 0;
  private alternate = 0;
  stateChanges = 0;

  constructor(private readonly opts: StoreOptions) {
    this.gen = new DropohsGenerator(opts.seed);
    this.ids = new GappedNumbers(opts.seed, ORDER_ID_BASE, ID_STEP);
    this.generated = opts.orders;
    this.sinceSec = opts.sinceSec;
    this.startSec = opts.startSec;
    this.spanSec = Math.max(0, opts.startSec - opts.sinceSec);
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.rng = new Rng(hash2(opts.seed, 0x5eed));
    this.pageCacheBytes = opts.pageCacheBytes;

    let variantId = VARIANT_ID_BASE;
    for (let p = 0; p < CATALOGUE.length; p++) {
      const product = makeProduct(opts.seed, p, variantId);
      variantId += product.variants.length;
      this.addToIndex(product);
    }
    this.nextVariantId = variantId;

    const count = Math.max(1, Math.min(opts.shops, SHOPS.length));
    this.shops = SHOPS.slice(0, count).map((seed, index) => {
      let listed = this.products.filter((p) => hash2(opts.seed ^ (0x6a09e667 + index), p.id) % 100 < 70);
      if (listed.length < 6) listed = this.products.slice(0, 6);
      const baseCount = opts.orders > index ? Math.floor((opts.orders - 1 - index) / count) + 1 : 0;
      return { seed, index, assortment: { seed, products: listed }, listed: [...listed], baseCount, prepended: [], appended: [], version: 0 };
    });
    this.nextOrderId = this.generated > 0 ? this.baseId(this.generated - 1) + 1 + ID_STEP : ORDER_ID_BASE;
  }

  private addToIndex(product: SimProduct): void {
    this.products.push(product);
    for (const variant of product.variants) this.variantIndex.set(variant.id, { variant, product });
  }

  // ------------------------------------------------------------------------------ identity

  get shopCount(): number {
    return this.shops.length;
  }

  private baseId(g: number): number {
    return this.ids.at(g);
  }

  idOf(g: number): number {
    return g < this.generated ? this.baseId(g) : this.inserted[g - this.generated]!.id;
  }

  indexOf(id: number): number {
    const ins = this.insertedById.get(id);
    if (ins !== undefined) return ins;
    const g = this.ids.indexOf(id);
    return g < this.generated ? g : -1;
  }

  shopIndexOf(g: number): number {
    return g < this.generated ? g % this.shops.length : this.inserted[g - this.generated]!.shop;
  }

  shopByApiId(id: number): ShopState | undefined {
    return this.shops.find((s) => s.seed.id === id);
  }

  createdSecOf(g: number): number {
    if (g >= this.generated) return this.inserted[g - this.generated]!.createdSec;
    return this.sinceSec + Math.floor((g * this.spanSec) / Math.max(1, this.generated));
  }

  count(): number {
    return this.generated + this.inserted.length;
  }

  /** Every order id the API serves (malformed ones included), in no particular order. */
  allOrderIds(): number[] {
    const out = new Array<number>(this.count());
    for (let g = 0; g < out.length; g++) out[g] = this.idOf(g);
    return out;
  }

  isMalformed(g: number): boolean {
    return everyNth(this.faults.malformedEvery, g);
  }

  // ------------------------------------------------------------------------------ states

  stateOf(g: number): OrderState {
    const changed = this.states.get(g);
    if (changed) return changed;
    const n = this.faults.unknownStateEvery;
    if (n > 0 && (g + 2) % n === 0) return UNKNOWN_STATE;
    if (g >= this.generated) return { stateId: 1, stateText: 'Přijatá', customerStateId: null, customerStateText: null };
    return this.gen.baseState(g, this.startSec - this.createdSecOf(g));
  }

  /** Sets an order's state (any text: unknown ones test the mapping's fallback). */
  changeState(id: number, to: string | Partial<OrderState> & { stateText: string }): StateChange {
    const g = this.indexOf(id);
    if (g < 0) throw new RangeError(`no order ${id}`);
    const from = this.stateOf(g);
    const next: OrderState =
      typeof to === 'string'
        ? { stateId: STATE_BY_TEXT.get(to)?.id ?? 99, stateText: to, customerStateId: null, customerStateText: null }
        : {
            stateId: to.stateId ?? STATE_BY_TEXT.get(to.stateText)?.id ?? 99,
            stateText: to.stateText,
            customerStateId: to.customerStateId ?? null,
            customerStateText: to.customerStateText ?? null,
          };
    this.states.set(g, next);
    this.stateChanges++;
    this.touch(this.shopIndexOf(g));
    return { id, shopId: this.shops[this.shopIndexOf(g)]!.seed.id, from: describe(from), to: describe(next), complaint: next.customerStateId !== null };
  }

  /**
   * Moves random older orders one step on: along the flow (Přijatá → … → Vyřízená), a delivered order
   * is returned instead of closed (Doručeno → Vráceno, one in four: withdrawal within 14 days), a
   * closed order gets a complaint, or a complaint is settled. Cancelled/returned orders are left alone.
   * Closed orders changing later need nothing of the connector: every sync is a full scan.
   */
  changeRandomOldOrders(count: number): StateChange[] {
    const out: StateChange[] = [];
    const limit = Math.max(0, this.generated - Math.floor(this.generated / 10)); // the older 90 %
    for (let k = 0; k < count && limit > 0; k++) {
      for (let tries = 0; tries < 50; tries++) {
        const g = this.rng.int(limit);
        const cur = this.stateOf(g);
        const id = this.idOf(g);
        const step = cur.stateText === 'Doručeno' && this.rng.int(4) === 0 ? 'Vráceno' : NEXT_STATE[cur.stateText];
        if (cur.customerStateId !== null) {
          out.push(this.changeState(id, { ...cur, customerStateId: null, customerStateText: null }));
        } else if (cur.stateText === 'Vyřízená') {
          const cs = DROPOHS_CUSTOMER_STATES[0]!;
          out.push(this.changeState(id, { ...cur, customerStateId: cs.id, customerStateText: cs.text }));
        } else if (step) {
          out.push(this.changeState(id, step));
        } else continue;
        break;
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------ inserts

  /**
   * Inserts orders created now. `shop` is an index (default: spread over the shops); `variants`
   * forces the basket (e.g. a product added after the connector cached the catalogue).
   */
  insertOrders(count: number, options: { position?: InsertPosition; shop?: number; variants?: number[] } = {}): number[] {
    const ids: number[] = [];
    for (let k = 0; k < count; k++) {
      const shop = options.shop ?? this.rng.int(this.shops.length);
      const s = this.shops[shop];
      if (!s) throw new RangeError(`no shop index ${shop}`);
      const id = this.nextOrderId;
      this.nextOrderId += 1 + this.rng.int(ID_STEP);
      const variants = options.variants ?? this.drawVariants(s);
      const g = this.generated + this.inserted.length;
      this.inserted.push({ id, createdSec: Math.max(this.now(), this.startSec), shop, variants });
      this.insertedById.set(id, g);
      if ((options.position ?? 'end') === 'start') s.prepended.push(g);
      else s.appended.push(g);
      this.touch(shop);
      ids.push(id);
    }
    return ids;
  }

  /**
   * Insert during paging, as the knobs say, after a page ending at listing position `pageEnd` was
   * served; returns the ids inserted. Without insertMax, inserts at the END stop once a client reached
   * the tail (it would chase new orders for ever: real orders arrive with time, not per request).
   */
  insertWhilePaging(shop: number, pageEnd: number): number[] {
    const f = this.faults;
    if (f.insertDuringPaging <= 0) return [];
    let n = f.insertDuringPaging;
    if (f.insertMax > 0) n = Math.min(n, f.insertMax - this.insertedDuringPaging);
    if (n <= 0) return [];
    const position: InsertPosition = f.insertPosition === 'alternate' ? (this.alternate++ % 2 === 0 ? 'start' : 'end') : f.insertPosition;
    if (position === 'end' && f.insertMax === 0 && pageEnd >= this.listingLength(shop)) return [];
    this.insertedDuringPaging += n;
    return this.insertOrders(n, { position, shop });
  }

  private drawVariants(s: ShopState): number[] {
    const lines = 1 + this.rng.int(3);
    const out: number[] = [];
    for (let l = 0; l < lines; l++) {
      const p = s.listed[this.rng.int(s.listed.length)]!;
      const v = p.variants[this.rng.int(p.variants.length)]!;
      if (!out.includes(v.id)) out.push(v.id);
    }
    return out;
  }

  // ------------------------------------------------------------------------------ products

  /** Adds a product with fresh variant ids to the given shops (indices; default all). */
  addProduct(shops?: number[], name?: string): SimProduct {
    const index = this.products.length;
    const product = makeProduct(this.opts.seed, index, this.nextVariantId, CATALOGUE[index % CATALOGUE.length], name ?? `${CATALOGUE[index % CATALOGUE.length]!.name} – novinka ${index}`);
    this.nextVariantId += product.variants.length;
    this.addToIndex(product);
    for (const i of shops ?? this.shops.map((s) => s.index)) this.shops[i]!.listed.push(product);
    return product;
  }

  /** Removes a product from the shops' /products listing (orders keep naming its variants). */
  delistProduct(productId: number, shops?: number[]): void {
    for (const i of shops ?? this.shops.map((s) => s.index)) {
      const s = this.shops[i]!;
      s.listed = s.listed.filter((p) => p.id !== productId);
    }
  }

  variant(id: number): { variant: SimVariant; product: SimProduct } | undefined {
    return this.variantIndex.get(id);
  }

  productOfVariant(id: number): SimProduct | undefined {
    return this.variantIndex.get(id)?.product;
  }

  // ------------------------------------------------------------------------------ listing

  listingLength(shop: number): number {
    const s = this.shops[shop]!;
    return s.prepended.length + s.baseCount + s.appended.length;
  }

  /** Global index at a listing position. */
  private atPosition(s: ShopState, pos: number): number {
    const p = s.prepended.length;
    if (pos < p) return s.prepended[p - 1 - pos]!;
    const k = pos - p;
    if (k < s.baseCount) return k * this.shops.length + s.index;
    return s.appended[k - s.baseCount]!;
  }

  /** The JSON of order g as the API serves it now. */
  orderJson(g: number): string {
    const shop = this.shopIndexOf(g);
    const spec: OrderSpec = {
      g,
      id: this.idOf(g),
      createdSec: this.createdSecOf(g),
      shop,
      state: this.stateOf(g),
      malformed: this.isMalformed(g),
      variants: g >= this.generated ? this.inserted[g - this.generated]!.variants : undefined,
    };
    return this.gen.orderJson(spec, this.shops[shop]!.assortment, this.startSec, (id) => this.variantIndex.get(id)?.variant);
  }

  /**
   * The `data` array (UTF-8 JSON) of GET /orders for a shop from a record offset, and its length.
   * Served pages are cached (LRU within a byte budget) until the shop's listing or the content
   * knobs change, so a re-scan of 100 000 unchanged orders costs the simulator next to nothing.
   */
  ordersPage(shop: number, offset: number, limit: number): { data: Buffer; count: number } {
    const s = this.shops[shop]!;
    const end = Math.min(this.listingLength(shop), offset + limit);
    const count = Math.max(0, end - offset);
    const key = `${shop}:${s.version}:${this.contentVersion}:${offset}:${count}`;
    const cached = this.pageCache.get(key);
    if (cached !== undefined) {
      // refresh its LRU position
      this.pageCache.delete(key);
      this.pageCache.set(key, cached);
      return { data: cached, count };
    }
    const parts = new Array<string>(count);
    for (let pos = offset; pos < end; pos++) parts[pos - offset] = this.orderJson(this.atPosition(s, pos));
    const data = Buffer.from(`[${parts.join(',')}]`);
    if (this.pageCacheBytes > 0 && data.length < this.pageCacheBytes / 4) {
      this.pageCache.set(key, data);
      this.pageCacheUsed += data.length;
      for (const [k, v] of this.pageCache) {
        if (this.pageCacheUsed <= this.pageCacheBytes) break;
        this.pageCache.delete(k);
        this.pageCacheUsed -= v.length;
      }
    }
    return { data, count };
  }

  /** The `data` array of GET /products for a shop. */
  productsPage(shop: number, offset: number, limit: number): { json: string; count: number } {
    const list = this.shops[shop]!.listed.slice(offset, offset + limit);
    return { json: `[${list.map((p) => p.json).join(',')}]`, count: list.length };
  }

  /** Order ids as a shop lists them now (for tests; O(listing)). */
  listingIds(shop: number): number[] {
    const s = this.shops[shop]!;
    const out: number[] = [];
    for (let pos = 0; pos < this.listingLength(shop); pos++) out.push(this.idOf(this.atPosition(s, pos)));
    return out;
  }

  /** The shop's listing changed: its cached pages are stale (dropped now, not left to the LRU). */
  private touch(shop: number): void {
    this.shops[shop]!.version++;
    this.dropCachedPages(`${shop}:`);
  }

  private dropCachedPages(prefix: string): void {
    for (const [k, v] of this.pageCache) {
      if (!k.startsWith(prefix)) continue;
      this.pageCache.delete(k);
      this.pageCacheUsed -= v.length;
    }
  }

  setFaults(next: DropohsFaults): void {
    const contentChanged = next.malformedEvery !== this.faults.malformedEvery || next.unknownStateEvery !== this.faults.unknownStateEvery;
    this.faults = next;
    if (contentChanged) {
      this.contentVersion++;
      this.dropCachedPages('');
    }
  }

  /** Bytes held by the served-page cache (for tests and stats). */
  get pageCacheSize(): number {
    return this.pageCacheUsed;
  }

  /** Forgets inserted orders, state changes and catalogue changes (the knobs are the harness's). */
  reset(): void {
    this.inserted.length = 0;
    this.insertedById.clear();
    this.states.clear();
    this.products.length = CATALOGUE.length;
    for (const [id, v] of this.variantIndex) if (this.products.indexOf(v.product) < 0) this.variantIndex.delete(id);
    this.nextVariantId = VARIANT_ID_BASE + this.products.reduce((n, p) => n + p.variants.length, 0);
    for (const s of this.shops) {
      s.listed = [...s.assortment.products];
      s.prepended.length = 0;
      s.appended.length = 0;
      s.version++;
    }
    this.nextOrderId = this.generated > 0 ? this.baseId(this.generated - 1) + 1 + ID_STEP : ORDER_ID_BASE;
    this.insertedDuringPaging = 0;
    this.stateChanges = 0;
    this.pageCache.clear();
    this.pageCacheUsed = 0;
  }
}

const NEXT_STATE: Readonly<Record<string, string>> = {
  'Přijatá': 'Zaplacená',
  'Čeká na platbu': 'Zaplacená',
  'Zaplacená': 'Vyřizuje se',
  'Vyřizuje se': 'Odesláno',
  'Odesláno': 'Doručeno',
  'Doručeno': 'Vyřízená',
};

function describe(s: OrderState): string {
  return s.customerStateId === null ? s.stateText : `${s.stateText} + ${s.customerStateText ?? `customer state ${s.customerStateId}`}`;
}
