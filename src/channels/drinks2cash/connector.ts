/**
 * The drinks2cash connector: window listing by creation date (dates only, widened by the zone's
 * largest offset: filters.ts), page-index paging, status and document write-back (no tracking
 * write-back: the API has none). No status filter: the engine re-polls open orders and re-checks
 * closed ones by id (few) or by creation-date windows (many).
 */
import type { CanonicalOrder } from '../../core/canonical/order.ts';
import type { Connector, ConnectorContext, DocumentUpload, FetchedPage, PageParams, PullQuery } from '../../core/connector.ts';
import { ChannelRefusedError, WriteBackRuleError } from '../../core/errors.ts';
import { headerAuth } from '../../core/http/auth.ts';
import { fetchEachById } from '../kit/fetch-by-ids.ts';
import { DrinksClient } from './client.ts';
import type { DrinksConfig } from './config.ts';
import { dateFilter } from './filters.ts';
import { mapDrinksOrder, normalizeOrderNumber } from './mapping.ts';
import { DRINKS_STATUS_TABLE } from './status-map.ts';
import {
  DRINKS_DOCUMENT_TYPES,
  DRINKS_FINAL_STATUSES,
  DRINKS_FINAL_STATUS_MESSAGE,
  DRINKS_STATUSES,
} from './schemas.ts';

export const DRINKS_MAX_WINDOW_DAYS = 31;
export const DRINKS_FETCH_BY_ID_CONCURRENCY = 4;

/** The help page's spelling of the pro-forma type; the API itself lists PRO_FORMA_INVOICE. */
const DOCUMENT_TYPE_ALIASES: Readonly<Record<string, string>> = { PRO_FORM_INVOICE: 'PRO_FORMA_INVOICE' };

/** `https://drinks2cash.com/api/` → `https://drinks2cash.com` (the client adds `/api/…`). */
export function normalizeDrinksBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/api$/i, '');
}

/** The document type the API accepts for a user-given one, or null. */
export function drinksDocumentType(type: string): string | null {
  const t = type.trim().toUpperCase();
  const resolved = DOCUMENT_TYPE_ALIASES[t] ?? t;
  return (DRINKS_DOCUMENT_TYPES as readonly string[]).includes(resolved) ? resolved : null;
}

/**
 * Refuses locally what the channel would refuse (no request is sent): an unknown status value, and a
 * change away from CANCELLED or REALIZED (same message as the channel's).
 */
export function checkDrinksStatusChange(currentChannelStatus: string | null, target: string): void {
  if (!(DRINKS_STATUSES as readonly string[]).includes(target)) {
    throw new WriteBackRuleError(
      `drinks2cash has no status "${target}"; possible values are: ${DRINKS_STATUSES.join(', ')}`,
    );
  }
  if (currentChannelStatus !== null && DRINKS_FINAL_STATUSES.has(currentChannelStatus) && target !== currentChannelStatus) {
    throw new WriteBackRuleError(DRINKS_FINAL_STATUS_MESSAGE);
  }
}

export function createDrinksConnector(config: DrinksConfig, ctx: ConnectorContext): Connector {
  const http = ctx.http({
    baseUrl: normalizeDrinksBaseUrl(config.baseUrl),
    auth: headerAuth('Authorization', config.apiKey),
  });
  const client = new DrinksClient(http);
  const zone = ctx.timeZone;

  async function fetchPage(query: PullQuery, page: PageParams, signal: AbortSignal): Promise<FetchedPage> {
    if (query.kind !== 'window') {
      throw new Error(`drinks2cash lists orders by creation date only; a "${query.kind}" query is not supported`);
    }
    // The API takes dates only, in a zone it does not name: widened so no reading skips an order (filters.ts).
    const { from, to } = dateFilter(query.from, query.to, zone);
    const records = await client.listOrders({ from, to, limit: page.size, offset: page.index }, signal);
    return { records };
  }

  // one GET per id, DRINKS_FETCH_BY_ID_CONCURRENCY at a time, yielded in id order
  const fetchByIds = (externalIds: readonly string[], signal: AbortSignal): AsyncIterable<unknown> =>
    fetchEachById(externalIds, (id, s) => client.getOrder(id, s), { concurrency: DRINKS_FETCH_BY_ID_CONCURRENCY, signal });

  async function setStatus(order: CanonicalOrder, status: string, signal?: AbortSignal): Promise<void> {
    checkDrinksStatusChange(order.channelStatus, status);
    try {
      await client.setStatus(order.externalId, status, signal);
    } catch (err) {
      // A retried PATCH (its first answer lost) to a final status meets the final-status rule with
      // the change already done: look before reporting a refusal that is really a success.
      if (err instanceof ChannelRefusedError && err.message.includes(DRINKS_FINAL_STATUS_MESSAGE) && DRINKS_FINAL_STATUSES.has(status)) {
        const current = (await client.getOrder(order.externalId, signal)) as { status?: unknown } | null;
        if (current?.status === status) return;
      }
      throw err;
    }
  }

  async function uploadDocument(order: CanonicalOrder, doc: DocumentUpload, signal?: AbortSignal): Promise<void> {
    const type = drinksDocumentType(doc.type);
    if (type === null) {
      throw new WriteBackRuleError(
        `drinks2cash has no document type "${doc.type}"; acceptable values are: ${DRINKS_DOCUMENT_TYPES.join(', ')}` +
          ' (PRO_FORM_INVOICE is accepted as PRO_FORMA_INVOICE)',
      );
    }
    if (doc.data.length === 0) throw new WriteBackRuleError('drinks2cash needs a file: the document is empty');
    if (normalizeOrderNumber(order.externalId) === null) {
      throw new WriteBackRuleError(`drinks2cash order ids are numbers; "${order.externalId}" is not one`);
    }
    await client.uploadDocument(
      order.externalId,
      {
        fileName: doc.fileName.trim() || 'document',
        contentType: doc.contentType,
        data: doc.data,
        documentType: type,
        informClient: doc.informClient,
      },
      signal,
    );
  }

  return {
    listing: 'window',
    paging: 'index',
    pageSize: config.pageSize,
    maxWindowDays: DRINKS_MAX_WINDOW_DAYS,
    mapsRecordAlone: true,
    fetchPage,
    fetchByIds,
    externalIdOf(record: unknown): string | null {
      if (record === null || typeof record !== 'object') return null;
      return normalizeOrderNumber((record as { order_number?: unknown }).order_number);
    },
    mapOrder(record: unknown) {
      return mapDrinksOrder(record, zone);
    },
    writeBack: {
      settableStatuses: DRINKS_STATUSES,
      statusTable: DRINKS_STATUS_TABLE,
      setStatus,
      uploadDocument,
    },
    close: () => http.close(),
  };
}
