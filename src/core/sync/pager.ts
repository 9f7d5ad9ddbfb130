/**
 * Walks every page of one query: pages to the end or fails loudly. A short page is never taken as the
 * end (channels cap page sizes silently); the walk ends on an empty page or when the channel proves
 * the end (a `next: null` link, or `last`). The next page is fetched while the current one is stored.
 */
import { PagingError } from '../errors.ts';
import type { Connector, FetchedPage, PageParams, PullQuery } from '../connector.ts';

/** A safety stop against channels that never return an empty page (e.g. ignore the offset). */
const MAX_PAGES = 1_000_000;

export async function walkPages(
  connector: Connector,
  query: PullQuery,
  signal: AbortSignal,
  onPage: (records: unknown[]) => Promise<void>,
): Promise<number> {
  let params: PageParams = { index: 0, offset: 0, size: connector.pageSize, token: null };
  let pending: Promise<FetchedPage> | null = connector.fetchPage(query, params, signal);
  let previousSignature: string | null = null;
  let repeats = 0;
  let pages = 0;
  while (pending) {
    const page: FetchedPage = await pending;
    pending = null;
    if (page.records.length === 0) break;
    pages++;
    if (pages > MAX_PAGES) throw new PagingError(`more than ${MAX_PAGES} pages for one query: the channel never returned an empty page`);

    const signature = pageSignature(connector, page.records);
    // One repeat can be honest: with record offsets, orders inserted at the front of the listing
    // shift the tail, so the last short page may come back once more. A channel that ignores the
    // offset repeats for ever; a third identical page proves paging makes no progress.
    repeats = signature !== null && signature === previousSignature ? repeats + 1 : 0;
    if (repeats >= 2) {
      throw new PagingError(
        `the channel returned the same page ${repeats + 1} times (page ${params.index}, offset ${params.offset}): it seems to ignore paging, so the result cannot be proven complete`,
      );
    }
    previousSignature = signature;

    const next: PageParams = {
      index: params.index + 1,
      // Advance by what was received, not by what was asked for: a silent cap must not skip records.
      offset: params.offset + page.records.length,
      size: params.size,
      token: page.nextToken ?? null,
    };
    const proven = page.last === true || (connector.paging === 'token' && !page.nextToken);
    if (!proven) {
      pending = connector.fetchPage(query, next, signal);
      // If storing this page fails, the prefetch must not surface as an unhandled rejection.
      pending.catch(() => undefined);
    }
    await onPage(page.records);
    params = next;
  }
  return pages;
}

function pageSignature(connector: Connector, records: unknown[]): string | null {
  const first = connector.externalIdOf(records[0]);
  const last = connector.externalIdOf(records[records.length - 1]);
  if (first === null || last === null) return null;
  return `${records.length}|${first}|${last}`;
}
