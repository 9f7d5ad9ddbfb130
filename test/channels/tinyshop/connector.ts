/**
 * Tinyshop's connector: the example channel of docs/architecture.md ("How to add a channel"). Its
 * API lists every order (no date filter) with next-link paging and serves one order by id. Only what
 * is the channel's own lives here; the engine does paging to the end, dedup, journal and re-polls,
 * and the channel kit the answer checks, decimals, issue descriptions and the by-id window.
 */
import { statusMapper } from '../../../src/core/canonical/status.ts';
import { wallTimeToUtc } from '../../../src/core/canonical/time.ts';
import type { Connector, ConnectorContext } from '../../../src/core/connector.ts';
import { headerAuth } from '../../../src/core/http/auth.ts';
import { parseAnswer } from '../../../src/channels/kit/answers.ts';
import { wireDecimal } from '../../../src/channels/kit/decimals.ts';
import { fetchEachById } from '../../../src/channels/kit/fetch-by-ids.ts';
import { describeIssues } from '../../../src/channels/kit/issues.ts';
import type { TinyshopConfig } from './config.ts';
import { tinyOrderSchema, tinyPageSchema } from './schemas.ts';

const mapStatus = statusMapper({ open: 'new', sent: 'shipped', cancelled: 'cancelled', returned: 'returned' });

export function createTinyshopConnector(config: TinyshopConfig, ctx: ConnectorContext): Connector {
  const http = ctx.http({ baseUrl: config.baseUrl, auth: headerAuth('x-token', config.token) });
  return {
    listing: 'full-scan',
    paging: 'token',
    pageSize: 50,
    mapsRecordAlone: true,
    async fetchPage(_query, page, signal) {
      const res = await http.request({ method: 'GET', path: page.token ?? '/orders', ...(page.token ? {} : { query: { limit: page.size } }), signal, retry: true });
      const body = parseAnswer(tinyPageSchema, res, 'tinyshop GET /orders answered an unexpected page');
      return { records: body.orders, nextToken: body.next };
    },
    fetchByIds: (ids, signal) =>
      fetchEachById(ids, async (id, s) => {
        const res = await http.request({ method: 'GET', path: `/orders/${encodeURIComponent(id)}`, acceptStatuses: [404], signal: s, retry: true });
        return res.status === 404 ? null : res.json();
      }, { concurrency: 2, signal }),
    externalIdOf: (record) => {
      const id = (record as { id?: unknown } | null)?.id;
      return typeof id === 'string' && id !== '' ? id : null;
    },
    mapOrder(record) {
      const parsed = tinyOrderSchema.safeParse(record);
      if (!parsed.success) throw new Error(describeIssues(record, parsed.error, { root: '(order)' }));
      const o = parsed.data;
      const { status, unknown } = mapStatus(o.status);
      const total = wireDecimal(o.total, 'total');
      return {
        order: {
          externalId: o.id, number: o.id, createdAt: wallTimeToUtc(o.placed, ctx.timeZone), status, channelStatus: o.status,
          currency: o.currency, totals: { items: total, shipping: '0', total, taxIncluded: true }, paid: null,
          paymentMethod: null, shippingMethod: null, trackingNumbers: [],
          customer: { name: o.buyer, email: null, phone: null, company: null, companyId: null, vatId: null },
          billingAddress: null, shippingAddress: null, items: [], note: null,
        },
        warnings: unknown ? [`unknown tinyshop status "${o.status}" (kept as on_hold)`] : [],
      };
    },
  };
}
