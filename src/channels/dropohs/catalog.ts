/**
 * The product catalog of an e-shop, reduced to what order items need: variant id → code, display
 * name, VAT rate, EAN. Order baskets carry variant ids only, so the mapping joins them with this.
 *
 * Kept per shop in the connection's state (it survives between runs); re-read when it is older than
 * `catalogMaxAge` or when a page of orders names a variant it does not know. Variants a re-read did not
 * find either (delisted products) are remembered as `missing`, so they do not force a re-read of the
 * whole catalog on every page of every full scan; they are looked for again at the next periodic re-read.
 */
import type { Logger } from 'pino';
import { decimalFromJsonNumber, parseDecimal } from '../../core/canonical/money.ts';
import type { ConnectionState } from '../../core/connector.ts';
import { describeIssues } from '../kit/issues.ts';
import { productSchema, type DropohsProduct } from './schemas.ts';

export interface CatalogVariant {
  /** variant code ("TE14357956"), or the product code when the product has a single variant */
  sku: string | null;
  /** product name + " (parameter: value)" */
  name: string | null;
  /** VAT percent as a decimal string ("21") */
  vatRate: string | null;
  /** the product EAN, only when the product has a single variant (it cannot name one of several) */
  ean: string | null;
}

export interface ShopCatalog {
  shopId: number;
  fetchedAt: string;
  /** by variant id as a string (the API may send ids as numbers or digit strings) */
  variants: Map<string, CatalogVariant>;
  /** variant ids a re-read did not find */
  missing: Set<string>;
}

/** What the state keeps (compact: a catalog of 50 000 variants stays a few MB). */
interface StoredCatalog {
  version: 1;
  shopId: number;
  fetchedAt: string;
  /** [id, sku, name, vatRate, ean] */
  variants: Array<[string, string | null, string | null, string | null, string | null]>;
  missing: string[];
}

export function catalogStateKey(shopId: number): string {
  return `catalog:${shopId}`;
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const t = String(value).trim();
  return t === '' ? null : t;
}

function vatOf(value: number | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  try {
    return typeof value === 'number' ? decimalFromJsonNumber(value) : parseDecimal(value).toString();
  } catch {
    return null;
  }
}

/** "Tričko Basic" + Velikost/M → "Tričko Basic (Velikost: M)". */
export function variantDisplayName(productName: string | null, parameter: string | null, value: string | null): string | null {
  if (productName === null) return null;
  if (value === null) return productName;
  return parameter === null ? `${productName} (${value})` : `${productName} (${parameter}: ${value})`;
}

export function catalogVariantsOf(product: DropohsProduct): Array<[string, CatalogVariant]> {
  const single = product.variants.length === 1;
  const productName = text(product.name);
  return product.variants.map((v) => [
    String(v.id),
    {
      sku: text(v.code) ?? (single ? text(product.code) : null),
      name: variantDisplayName(productName, text(v.parameter), text(v.value)),
      vatRate: vatOf(v.vat),
      ean: single ? text(product.ean) : null,
    },
  ]);
}

/**
 * Builds a catalog from raw /products records. A malformed product is skipped and reported through
 * `onSkip` (its variants then map with empty names), rather than failing every order of the shop.
 */
export function buildCatalog(
  shopId: number,
  rawProducts: readonly unknown[],
  fetchedAt: string,
  onSkip: (problem: string) => void,
): ShopCatalog {
  const variants = new Map<string, CatalogVariant>();
  for (const raw of rawProducts) {
    const parsed = productSchema.safeParse(raw);
    if (!parsed.success) {
      const id = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
      onSkip(`product ${JSON.stringify(id ?? null)} of e-shop ${shopId} skipped: ${describeIssues(raw, parsed.error, { root: '(record)' })}`);
      continue;
    }
    for (const [id, v] of catalogVariantsOf(parsed.data)) variants.set(id, v);
  }
  return { shopId, fetchedAt, variants, missing: new Set() };
}

export function toStored(c: ShopCatalog): StoredCatalog {
  return {
    version: 1,
    shopId: c.shopId,
    fetchedAt: c.fetchedAt,
    variants: [...c.variants].map(([id, v]) => [id, v.sku, v.name, v.vatRate, v.ean]),
    missing: [...c.missing],
  };
}

export function fromStored(s: unknown, shopId: number): ShopCatalog | null {
  if (!s || typeof s !== 'object') return null;
  const c = s as Partial<StoredCatalog>;
  if (c.version !== 1 || c.shopId !== shopId || typeof c.fetchedAt !== 'string' || !Array.isArray(c.variants)) return null;
  const variants = new Map<string, CatalogVariant>();
  for (const row of c.variants) {
    if (!Array.isArray(row) || row.length !== 5) return null;
    const [id, sku, name, vatRate, ean] = row;
    variants.set(String(id), { sku, name, vatRate, ean });
  }
  return { shopId, fetchedAt: c.fetchedAt, variants, missing: new Set(Array.isArray(c.missing) ? c.missing.map(String) : []) };
}

export interface CatalogSource {
  /** every raw product of a shop (all pages) */
  listAllProducts(shopId: number, signal: AbortSignal): Promise<unknown[]>;
}

export interface CatalogStats {
  /** catalogs read from the API in this connector's life */
  fetched: number;
  /** catalogs taken from the connection state */
  fromState: number;
}

/** The catalogs of one connector run: state-backed, re-read on demand, one re-read per shop at a time. */
export class CatalogCache {
  private readonly catalogs = new Map<number, ShopCatalog>();
  private readonly inflight = new Map<number, Promise<ShopCatalog>>();
  readonly stats: CatalogStats = { fetched: 0, fromState: 0 };

  constructor(
    private readonly source: CatalogSource,
    private readonly state: ConnectionState,
    private readonly logger: Logger,
    private readonly maxAgeMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get(shopId: number): ShopCatalog | undefined {
    return this.catalogs.get(shopId);
  }

  /** The only loaded catalog, when exactly one is (records not fetched through fetchPage). */
  sole(): ShopCatalog | undefined {
    return this.catalogs.size === 1 ? this.catalogs.values().next().value : undefined;
  }

  /** Loads a shop's catalog from the state, or from the API when absent or older than maxAge. */
  async load(shopId: number, signal: AbortSignal): Promise<ShopCatalog> {
    const loaded = this.catalogs.get(shopId);
    if (loaded) return loaded;
    const stored = fromStored(await this.state.get<unknown>(catalogStateKey(shopId)), shopId);
    if (stored && this.now().getTime() - new Date(stored.fetchedAt).getTime() <= this.maxAgeMs) {
      this.catalogs.set(shopId, stored);
      this.stats.fromState++;
      return stored;
    }
    return this.refresh(shopId, signal, stored?.missing ?? new Set());
  }

  /** Variant ids of `ids` that the shop's catalog neither knows nor already failed to find. */
  unknownOf(shopId: number, ids: Iterable<string>): string[] {
    const c = this.catalogs.get(shopId);
    const out = new Set<string>();
    for (const id of ids) if (!c || (!c.variants.has(id) && !c.missing.has(id))) out.add(id);
    return [...out];
  }

  /**
   * Makes sure the catalog was re-read since these variant ids were seen: at most one re-read per
   * call. Ids still absent afterwards are remembered as missing (and mapped without names).
   */
  async ensureKnown(shopId: number, ids: Iterable<string>, signal: AbortSignal): Promise<void> {
    const wanted = [...ids];
    let unknown = this.unknownOf(shopId, wanted);
    if (unknown.length === 0) return;
    const running = this.inflight.get(shopId);
    if (running) {
      // A re-read already under way may have started before these orders existed: wait, look again.
      await running;
      unknown = this.unknownOf(shopId, wanted);
      if (unknown.length === 0) return;
    }
    this.logger.info({ shopId, unknownVariants: unknown.slice(0, 10), count: unknown.length }, 'orders name variants the cached catalog does not know; re-reading the catalog');
    await this.refresh(shopId, signal, new Set(unknown));
  }

  /** Re-reads a shop's catalog (single flight), persists it, remembers `lookFor` ids it lacks. */
  async refresh(shopId: number, signal: AbortSignal, lookFor: ReadonlySet<string> = new Set()): Promise<ShopCatalog> {
    let flight = this.inflight.get(shopId);
    if (!flight) {
      flight = (async () => {
        const startedAt = this.now().toISOString();
        const raw = await this.source.listAllProducts(shopId, signal);
        const previous = this.catalogs.get(shopId);
        const c = buildCatalog(shopId, raw, startedAt, (problem) => this.logger.warn({ shopId }, problem));
        for (const id of previous?.missing ?? []) if (!c.variants.has(id)) c.missing.add(id);
        for (const id of lookFor) if (!c.variants.has(id)) c.missing.add(id);
        this.catalogs.set(shopId, c);
        this.stats.fetched++;
        await this.persist(c);
        return c;
      })();
      this.inflight.set(shopId, flight);
      flight.then(
        () => this.inflight.delete(shopId),
        () => this.inflight.delete(shopId),
      );
    }
    const c = await flight;
    // joined a re-read started by someone else: remember what it did not find for us too
    let added = false;
    for (const id of lookFor) {
      if (!c.variants.has(id) && !c.missing.has(id)) {
        c.missing.add(id);
        added = true;
      }
    }
    if (added) await this.persist(c);
    return c;
  }

  private async persist(c: ShopCatalog): Promise<void> {
    await this.state.set(catalogStateKey(c.shopId), toStored(c));
  }
}
