/**
 * The ecom.md connector: window listing by `created_after` (Unix seconds, a lower bound only), DRF
 * `next`-link paging, re-polling of open orders by a status list and by id, re-checking of closed
 * orders by the closed status list, status write-back through the bulk upsert with a read-back.
 *
 * Ordering: we ask for `ordering=created_at` (ascending), not the documented `-created_at`. With page
 * numbers, an order created while we page lands at the END of an ascending list and shifts nothing
 * we have yet to read. Newest-first, each new order pushes every later page down by one: the walk
 * re-reads records (the engine dedups them) and grows with every insert. Ascending also proves a
 * window's end: once a page reaches the window's `to`, every later page lies beyond it, so a window
 * costs its own pages instead of everything created after its start.
 *
 * What page numbers cannot survive is a list that SHRINKS while we page: with `status=…` (the open
 * or closed query) an order that turns terminal (or re-opens) leaves the list and the next page skips
 * one. The engine covers that: every due order the walk did not return is re-polled by id (few) or by
 * window (many).
 */
import type { CanonicalOrder } from '../../core/canonical/order.ts';
import type { Connector, ConnectorContext, FetchedPage, PageParams, PullQuery } from '../../core/connector.ts';
import { fetchEachById } from '../kit/fetch-by-ids.ts';
import { EcommdClient } from './client.ts';
import type { EcommdConfig } from './config.ts';
import { ecommdTimeToUtc } from './datetime.ts';
import { ecommdIdOf, mapEcommdOrder } from './mapping.ts';
import { ECOMMD_CLOSED_STATUSES, ECOMMD_OPEN_STATUSES, ECOMMD_STATUS_TABLE, ECOMMD_STATUSES } from './status-map.ts';
import { setEcommdStatus } from './write-back.ts';

export const ECOMMD_MAX_WINDOW_DAYS = 31;
export const ECOMMD_ORDERING = 'created_at';
export const ECOMMD_FETCH_BY_ID_CONCURRENCY = 4;
const DAY_MS = 86_400_000;

/**
 * `created_after` for a window starting at `from`: one second before it, floored — whether the API
 * compares with > or >=, and whatever sub-second part `from` has, nothing at or after `from` is left
 * out. Orders after the window's end come too; the engine dedups.
 */
export function createdAfterFor(from: Date): number {
  return Math.floor(from.getTime() / 1000) - 1;
}

export function createEcommdClient(config: EcommdConfig, ctx: ConnectorContext): EcommdClient {
  return new EcommdClient({ baseUrl: config.baseUrl, apiToken: config.apiToken, language: config.language, http: ctx.http.bind(ctx) });
}

/**
 * True when this (ascending) page proves that every later page lies at or after `to`: its records
 * are in non-decreasing creation order and the last one is at or after `to`. Records whose
 * created_at cannot be read are ignored here (the mapping quarantines them); if the order does not
 * hold, nothing is proven and the walk simply follows `next`.
 */
export function reachesWindowEnd(records: readonly unknown[], to: Date, zone: string): boolean {
  let previous = -Infinity;
  for (const r of records) {
    const raw = r && typeof r === 'object' ? (r as { created_at?: unknown }).created_at : undefined;
    if (typeof raw !== 'string' && typeof raw !== 'number') continue;
    let t: number;
    try {
      t = Date.parse(ecommdTimeToUtc(raw, zone));
    } catch {
      continue;
    }
    if (t < previous) return false;
    previous = t;
  }
  return previous >= to.getTime();
}

export function createEcommdConnector(config: EcommdConfig, ctx: ConnectorContext): Connector {
  const client = createEcommdClient(config, ctx);
  const zone = ctx.timeZone;

  async function fetchPage(query: PullQuery, page: PageParams, signal: AbortSignal): Promise<FetchedPage> {
    if (query.kind === 'all') throw new Error('ecom.md lists orders by creation date; an "all" query is not supported');
    let body;
    if (page.token) {
      body = await client.listOrdersNext(page.token, signal);
      if ('invalidPage' in body) {
        ctx.logger.warn({ query: query.kind }, 'ecom.md answered "Invalid page." to a next link: the result set shrank while paging; the walk ends here');
      }
    } else if (query.kind === 'window') {
      body = await client.listOrders({ createdAfter: createdAfterFor(query.from), ordering: ECOMMD_ORDERING, pageSize: page.size }, signal);
    } else if (query.kind === 'open') {
      // open orders: the non-terminal statuses, bounded to the re-poll horizon (+1 day of slack)
      const horizon = new Date(Date.now() - (config.refreshOpenDays + 1) * DAY_MS);
      body = await client.listOrders(
        { createdAfter: createdAfterFor(horizon), statuses: ECOMMD_OPEN_STATUSES, ordering: ECOMMD_ORDERING, pageSize: page.size },
        signal,
      );
    } else {
      // closed orders the engine re-checks for late changes (customerrefusal → returnedtowarehouse …)
      body = await client.listOrders(
        { createdAfter: createdAfterFor(query.from), statuses: ECOMMD_CLOSED_STATUSES, ordering: ECOMMD_ORDERING, pageSize: page.size },
        signal,
      );
    }
    const records = body.results;
    let last = body.next === null;
    if (!last && query.kind === 'window' && reachesWindowEnd(records, query.to, zone)) last = true;
    return { records, nextToken: last ? null : body.next, last };
  }

  // one GET per id, ECOMMD_FETCH_BY_ID_CONCURRENCY at a time, yielded in id order; unknown ids (404) are skipped
  const fetchByIds = (externalIds: readonly string[], signal: AbortSignal): AsyncIterable<unknown> =>
    fetchEachById(externalIds, (id, s) => client.getOrder(id, s), { concurrency: ECOMMD_FETCH_BY_ID_CONCURRENCY, signal });

  return {
    listing: 'window',
    paging: 'token',
    pageSize: config.pageSize,
    maxWindowDays: ECOMMD_MAX_WINDOW_DAYS,
    supportsOpenQuery: true,
    supportsClosedQuery: true,
    mapsRecordAlone: true,
    fetchPage,
    fetchByIds,
    externalIdOf: ecommdIdOf,
    mapOrder: (record) => mapEcommdOrder(record, zone),
    writeBack: {
      settableStatuses: ECOMMD_STATUSES,
      statusTable: ECOMMD_STATUS_TABLE,
      setStatus: (order: CanonicalOrder, status: string, signal?: AbortSignal) => setEcommdStatus(client, order.externalId, status, signal),
    },
  };
}
