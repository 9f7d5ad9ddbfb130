import { describe, expect, it } from 'vitest';
import type { Connector, FetchedPage, PageParams } from '../../connector.ts';
import { PagingError } from '../../errors.ts';
import { walkPages } from '../pager.ts';

/** A connector over an in-memory listing; `serve` decides what each page request returns. */
function fakeConnector(paging: Connector['paging'], serve: (p: PageParams) => FetchedPage): Connector & { asked: PageParams[] } {
  const asked: PageParams[] = [];
  return {
    listing: 'full-scan', paging, pageSize: 10, asked,
    fetchPage: async (_q, p) => {
      asked.push(p);
      return serve(p);
    },
    externalIdOf: (r) => String((r as { id: number }).id),
    mapOrder: () => { throw new Error('not used'); },
  };
}

const ids = (from: number, n: number) => Array.from({ length: Math.max(0, n) }, (_, i) => ({ id: from + i }));
const signal = new AbortController().signal;

describe('walkPages', () => {
  it('never takes a short page as the end: walks until an empty page, advancing offsets by what arrived', async () => {
    // 25 records, silently capped at 7 per page
    const c = fakeConnector('offset', (p) => ({ records: ids(p.offset, Math.min(7, 25 - p.offset)) }));
    const seen: number[] = [];
    await walkPages(c, { kind: 'all' }, signal, async (r) => void seen.push(...r.map((x) => (x as { id: number }).id)));
    expect(seen).toEqual(ids(0, 25).map((x) => x.id));
    expect(c.asked.map((p) => p.offset)).toEqual([0, 7, 14, 21, 25]);
  });

  it('stops at a proven end without asking for more', async () => {
    const c = fakeConnector('token', (p) => (p.token === null ? { records: ids(0, 10), nextToken: 'b' } : { records: ids(10, 3), nextToken: null }));
    let n = 0;
    await walkPages(c, { kind: 'all' }, signal, async (r) => void (n += r.length));
    expect(n).toBe(13);
    expect(c.asked.length).toBe(2);
  });

  it('fails loudly when the channel ignores the offset', async () => {
    const c = fakeConnector('offset', () => ({ records: ids(0, 10) }));
    await expect(walkPages(c, { kind: 'all' }, signal, async () => undefined)).rejects.toBeInstanceOf(PagingError);
    expect(c.asked.length).toBe(3);
  });

  it('tolerates one repeated tail page (an insert at the front shifted it)', async () => {
    let served = 0;
    const c = fakeConnector('offset', (p) => {
      served++;
      if (p.offset === 0) return { records: ids(0, 10) };
      if (served === 2) return { records: ids(9, 1) };
      if (served === 3) return { records: ids(9, 1) };
      return { records: [] };
    });
    await expect(walkPages(c, { kind: 'all' }, signal, async () => undefined)).resolves.toBe(3);
  });
});
