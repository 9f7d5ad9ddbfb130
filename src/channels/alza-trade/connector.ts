/**
 * The AlzaTrade connector: read-only pull of marketplace orders.
 *
 * - listing 'window' over the creation time (`dateFrom`/`dateTo`, widened, see filters.ts);
 * - 'index' paging with page numbers, sorted by creation time ascending, so orders created while we
 *   page only append at the end; a page is the last one when the orders received so far reach the
 *   API's totalCount (a proven end) — a short page alone is never trusted (silent page caps);
 * - `{kind:'open'}` lists the non-terminal states (Waiting, AwaitingLabelCreation, Shipped) created in
 *   the last refreshOpenDays, so state changes of earlier orders arrive on the next sync;
 * - `{kind:'closed', from}` lists the closed states (Delivered, Cancelled, CancelledAfterShipment)
 *   created from `from`: the engine's re-check of closed orders for late changes (returns);
 * - every time filter carries the instant's explicit offset (filters.ts);
 * - no write-back: the AlzaTrade API is read-only (order processing happens in the portal or the Drop API).
 */
import { startOfLocalDay, localDate } from '../../core/canonical/time.ts';
import type { Connector, ConnectorContext, FetchedPage, PageParams, PullQuery } from '../../core/connector.ts';
import { PagingError } from '../../core/errors.ts';
import { CLOSED_ALZA_STATES, FIRST_PAGE, OPEN_ALZA_STATES, orderIdOf } from './schemas.ts';
import { createAlzaAuth, type AlzaAuth, type AlzaAuthOptions } from './auth.ts';
import { AlzaTradeClient } from './client.ts';
import type { AlzaTradeConfig } from './config.ts';
import { fromBound, toBound } from './filters.ts';
import { mapAlzaOrder } from './mapping.ts';

export const ALZA_MAX_WINDOW_DAYS = 31;
const DAY_MS = 86_400_000;

/** API base: host + prefix (`https://portalapi.alza.cz` + `/api/v2`). */
export function apiBaseUrl(config: Pick<AlzaTradeConfig, 'baseUrl' | 'apiPrefix'>): string {
  return config.baseUrl.replace(/\/+$/, '') + config.apiPrefix;
}

export interface AlzaTradeConnector extends Connector {
  readonly client: AlzaTradeClient;
  readonly auth: AlzaAuth;
}

export function createAlzaTradeConnector(config: AlzaTradeConfig, ctx: ConnectorContext, options: AlzaAuthOptions = {}): AlzaTradeConnector {
  const { auth, tokenHttp } = createAlzaAuth(
    { clientId: config.clientId, clientSecret: config.clientSecret, tokenUrl: config.tokenUrl },
    ctx,
    { maxAttempts: Math.min(3, config.http.maxAttempts), ...options },
  );
  const http = ctx.http({ baseUrl: apiBaseUrl(config), auth });
  const client = new AlzaTradeClient(http);
  const zone = ctx.timeZone;

  async function fetchPage(query: PullQuery, page: PageParams, signal: AbortSignal): Promise<FetchedPage> {
    let dateFrom: string | undefined;
    let dateTo: string | undefined;
    let states: readonly string[] | undefined;
    if (query.kind === 'window') {
      dateFrom = fromBound(query.from, zone);
      dateTo = toBound(query.to, zone);
    } else if (query.kind === 'open') {
      // the open orders the engine may re-poll: created within refreshOpenDays (whole local days)
      const horizon = new Date(Date.now() - (config.refreshOpenDays + 1) * DAY_MS);
      dateFrom = fromBound(startOfLocalDay(localDate(horizon, zone), zone), zone);
      states = OPEN_ALZA_STATES;
    } else if (query.kind === 'closed') {
      // closed orders the engine re-checks for late changes (a return after delivery)
      dateFrom = fromBound(query.from, zone);
      states = CLOSED_ALZA_STATES;
    } else {
      throw new Error('AlzaTrade lists orders by creation time (window) or by state; an "all" query is not supported');
    }
    const requested = FIRST_PAGE + page.index;
    const res = await client.listOrders({ dateFrom, dateTo, states, page: requested, pageSize: page.size }, signal);
    if (res.page !== null && res.page !== requested) {
      throw new PagingError(`AlzaTrade answered page ${res.page} when asked for page ${requested}: the result cannot be proven complete`);
    }
    const received = page.offset + res.records.length;
    if (res.records.length === 0 && page.offset < res.totalCount) {
      // a consistent API cannot run out of pages before totalCount: pages were skipped (size capped?)
      throw new PagingError(
        `AlzaTrade reported ${res.totalCount} orders but page ${requested} was empty after ${page.offset}: pages were skipped, the result cannot be proven complete`,
      );
    }
    // proven end: everything the API counts has arrived (counted by records received, so a silent
    // page-size cap cannot end the walk early)
    return { records: res.records, last: received >= res.totalCount };
  }

  return {
    listing: 'window',
    paging: 'index',
    pageSize: config.pageSize,
    maxWindowDays: ALZA_MAX_WINDOW_DAYS,
    supportsOpenQuery: true,
    supportsClosedQuery: true,
    mapsRecordAlone: true,
    client,
    auth,
    fetchPage,
    externalIdOf: orderIdOf,
    mapOrder: (record) => mapAlzaOrder(record, zone),
    async close() {
      await Promise.all([http.close(), tokenHttp.close()]);
    },
  };
}
