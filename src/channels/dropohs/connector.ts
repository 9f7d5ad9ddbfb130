/**
 * The Dropohs connector: every e-shop of the token is a partition; orders have no date or status
 * filter and no documented sort, so every sync is a full scan (listing 'full-scan') with record-offset
 * paging (paging 'offset'). The engine pages to the empty page, dedups and writes only what changed.
 *
 * The basket names variant ids only. mapOrder is synchronous, so fetchPage makes sure the shop's
 * catalog knows the page's variants (re-reading it at most once per page) before handing the page
 * over; mapOrder then joins each line with the catalog.
 */
import { parseDuration } from '../../core/canonical/time.ts';
import type { Connector, ConnectorContext, FetchedPage, PageParams, PullQuery } from '../../core/connector.ts';
import { ConfigError, OrderhubError } from '../../core/errors.ts';
import { headerAuth } from '../../core/http/auth.ts';
import { CatalogCache } from './catalog.ts';
import { DropohsClient } from './client.ts';
import type { DropohsConfig } from './config.ts';
import { dropohsOrderId, mapDropohsOrder } from './mapping.ts';
import type { DropohsShop } from './schemas.ts';

/** What fetchPage learnt about a record: the e-shop it came from (the order itself does not say). */
type RecordShops = WeakMap<object, number>;

/** Variant ids named by the baskets of raw records (malformed lines are the mapping's business). */
export function variantIdsOf(records: readonly unknown[]): Set<string> {
  const ids = new Set<string>();
  for (const r of records) {
    const basket = r && typeof r === 'object' ? (r as { basket?: unknown }).basket : undefined;
    if (!Array.isArray(basket)) continue;
    for (const line of basket) {
      const id = line && typeof line === 'object' ? (line as { id?: unknown }).id : undefined;
      if (typeof id === 'number' || (typeof id === 'string' && /^\d+$/.test(id))) ids.add(String(id));
    }
  }
  return ids;
}

/** What one walk over a shop's listing has seen so far (walks of one shop run one after another). */
interface WalkState {
  /** where the next page of this walk starts */
  nextOffset: number;
  /** ids of the previous page */
  previous: Set<string>;
  /** the longest page received in this walk (>= the server's page cap, if any) */
  maxLength: number;
}

/**
 * Orders inserted at the START of the listing while we page shift every record: the page at the
 * next offset then repeats records of the previous one. At the tail this can go on for as long as
 * orders keep arriving (each new order pushes the last record we read back into the next page), and
 * a page equal to the previous one would make the engine give up ("same page twice").
 *
 * A page that (a) continues the previous page of the same walk, (b) is shorter than the longest page
 * of this walk — so the server returned everything it had from this offset, whatever its page cap —
 * and (c) holds only records of the previous page, proves the end of the listing: everything at or
 * after the offset was already handed over. The orders that caused the shift are picked up by the
 * next scan. Anything else is handed to the engine as is (duplicates are harmless, it dedups).
 */
export function isRepeatedTail(walks: Map<number, WalkState>, shopId: number, offset: number, records: readonly unknown[]): boolean {
  let walk = walks.get(shopId);
  if (offset === 0 || !walk || walk.nextOffset !== offset) {
    walk = { nextOffset: offset, previous: new Set(), maxLength: 0 };
    walks.set(shopId, walk);
  }
  const ids = records.map(dropohsOrderId);
  if (
    records.length > 0 &&
    records.length < walk.maxLength &&
    ids.every((id) => id !== null && walk.previous.has(id))
  ) {
    return true;
  }
  walk.nextOffset = offset + records.length;
  walk.previous = new Set(ids.filter((id): id is string => id !== null));
  walk.maxLength = Math.max(walk.maxLength, records.length);
  return false;
}

export interface DropohsConnector extends Connector {
  readonly client: DropohsClient;
  readonly catalogs: CatalogCache;
  /** the e-shops this connection syncs (after prepare/partitions) */
  shops(signal: AbortSignal): Promise<DropohsShop[]>;
}

export function createDropohsConnector(config: DropohsConfig, ctx: ConnectorContext): DropohsConnector {
  const http = ctx.http({ baseUrl: config.baseUrl.replace(/\/+$/, ''), auth: headerAuth('Authorization', config.token) });
  const client = new DropohsClient(http, { connection: ctx.connection, maxAttempts: config.http.maxAttempts });
  const zone = ctx.timeZone;
  const maxAgeMs = parseDuration(config.catalogMaxAge) ?? 86_400_000;
  const catalogs = new CatalogCache(
    { listAllProducts: (shopId, signal) => client.listAllProducts(shopId, config.pageSize, signal) },
    ctx.state,
    ctx.logger,
    maxAgeMs,
  );
  const recordShops: RecordShops = new WeakMap();
  const walks = new Map<number, WalkState>();
  let shopsPromise: Promise<DropohsShop[]> | null = null;

  /** GET /shops once per run; the configured shopIds must all be the token's. */
  function shops(signal: AbortSignal): Promise<DropohsShop[]> {
    shopsPromise ??= (async () => {
      const all = await client.listShops(signal);
      if (all.length === 0) {
        throw new OrderhubError('no_shops', `${ctx.connection}: Dropohs GET /shops lists no e-shop for this token; nothing can be synced`);
      }
      if (!config.shopIds) return all;
      const byId = new Map(all.map((s) => [s.id, s]));
      const unknown = config.shopIds.filter((id) => !byId.has(id));
      if (unknown.length > 0) {
        const known = all.map((s) => `${s.id}${s.name ? ` (${s.name})` : ''}`).join(', ');
        throw new ConfigError(`connection ${ctx.connection}`, [
          `shopIds: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not an e-shop' : 'are not e-shops'} of this token; its e-shops are: ${known}`,
        ]);
      }
      return [...new Set(config.shopIds)].map((id) => byId.get(id)!);
    })();
    // a failed look-up is not cached: the next call asks again
    shopsPromise.catch(() => {
      shopsPromise = null;
    });
    return shopsPromise;
  }

  function shopOf(query: PullQuery): number {
    if (query.kind !== 'all') {
      throw new Error(`Dropohs has no date or status filter: a "${query.kind}" query is not supported (listing is full-scan)`);
    }
    if (query.partition === undefined) throw new Error('Dropohs orders are listed per e-shop: the query names no partition (e-shop id)');
    const id = Number(query.partition);
    if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`Dropohs e-shop partition must be an id, got "${query.partition}"`);
    return id;
  }

  async function fetchPage(query: PullQuery, page: PageParams, signal: AbortSignal): Promise<FetchedPage> {
    const shopId = shopOf(query);
    // `offset` is a RECORD offset here (the engine advances it by the records received)
    const records = await client.listOrders(shopId, page.offset, page.size, signal);
    if (isRepeatedTail(walks, shopId, page.offset, records)) {
      ctx.logger.debug({ shopId, offset: page.offset, records: records.length }, 'tail re-read after inserts at the start of the listing: end of the listing');
      return { records: [], last: true };
    }
    if (records.length > 0) {
      await catalogs.load(shopId, signal);
      await catalogs.ensureKnown(shopId, variantIdsOf(records), signal);
    }
    for (const r of records) if (r !== null && typeof r === 'object') recordShops.set(r, shopId);
    return { records };
  }

  function mapOrder(record: unknown) {
    const shopId = record !== null && typeof record === 'object' ? recordShops.get(record) : undefined;
    const catalog = shopId === undefined ? catalogs.sole() : catalogs.get(shopId);
    return mapDropohsOrder(record, {
      zone,
      currency: config.currency,
      lookup: catalog ? (id) => catalog.variants.get(id) : null,
      shopLabel: `e-shop ${shopId ?? catalog?.shopId ?? '(unknown)'}`,
    });
  }

  return {
    listing: 'full-scan',
    paging: 'offset',
    pageSize: config.pageSize,
    client,
    catalogs,
    shops,
    async partitions(signal) {
      return (await shops(signal)).map((s) => String(s.id));
    },
    async prepare(signal) {
      // the catalogs of every synced shop, from the state or (first run, stale) from the API
      for (const shop of await shops(signal)) await catalogs.load(shop.id, signal);
    },
    fetchPage,
    externalIdOf: dropohsOrderId,
    mapOrder,
    close: () => http.close(),
  };
}
