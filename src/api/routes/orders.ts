/** /v1/orders …: list, export, detail, and write-back requests (status, tracking). */
import { PassThrough } from 'node:stream';
import type { CanonicalOrder } from '../../core/canonical/order.ts';
import { csvOptionsProblem, exportOrders, OutputClosedError } from '../../core/export.ts';
import { CSV_LAYOUTS } from '../../core/export-csv.ts';
import { findOrder, orderJournal, orderPayloads } from '../../core/store/orders.ts';
import { checkWriteBack, type StatusRequest, type TrackingRequest } from '../../outbox/channel.ts';
import { getWriteBack, insertWriteBack, toWriteBackInfo, writeBacksOfOrder, type WriteBackKind } from '../../outbox/store.ts';
import { ApiError } from '../errors.ts';
import { toEvent } from '../events.ts';
import { idempotent } from '../idempotency.ts';
import { listOrders, streamFilteredOrders } from '../orders-query.ts';
import {
  errorSchema, exportOrdersQuery, idempotencyHeaders, listOrdersQuery, orderDetailQuery, orderDetailSchema, orderIdParams,
  orderPageSchema, statusBody, trackingBody, writeBackIdParams, writeBackSchema,
} from '../schemas.ts';
import { apiActor, principalOf, sendJson, type ApiContext, type ZodApp } from '../context.ts';
import { registerBulkStatusRoutes } from './bulk-status.ts';
import { toFilter } from './order-filter.ts';
import { z } from 'zod';

/** The export's query: the filters and format, plus the CSV-only `layout` and `bom` (export-csv.ts). */
const exportQuery = exportOrdersQuery
  .extend({
    layout: z.enum(CSV_LAYOUTS).optional().describe('CSV only: orders = one row per order (default), items = one row per order item'),
    bom: z.enum(['true', 'false']).optional().describe('CSV only: true = start with a UTF-8 byte order mark (for Excel)'),
  })
  .superRefine((q, check) => {
    const problem = csvOptionsProblem(q.format, { layout: q.layout, bom: q.bom === undefined ? undefined : q.bom === 'true' });
    if (problem) check.addIssue({ code: 'custom', path: [q.layout !== undefined ? 'layout' : 'bom'], message: problem });
  });

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };
const DATA_OPEN = Buffer.from('{"data":[');
const COMMA = Buffer.from(',');

export function registerOrderRoutes(app: ZodApp, ctx: ApiContext): void {
  const { store } = ctx;
  // (before /v1/orders/:id/…: its static paths take precedence anyway, this keeps them together)
  registerBulkStatusRoutes(app, ctx);
  const headQuery = () => store.db.selectFrom('order_journal').select((eb) => eb.fn.max('seq').as('m'));
  /** the version of the order data (see response-cache.ts) */
  const journalVersion = async () => Number((await ctx.reader.all(headQuery()))[0]?.m ?? 0);

  app.get('/v1/orders', {
    schema: {
      tags: ['orders'],
      summary: 'List orders (filters, search, keyset pagination)',
      querystring: listOrdersQuery,
      response: { 200: orderPageSchema, ...errors },
    },
  }, async (request, reply) => {
    const q = request.query;
    const filter = await toFilter(ctx, q);
    const cache = ctx.responseCache;
    // (the data version is only needed to use the cache: one query less per request without it)
    const version = cache ? await journalVersion() : 0;
    const key = JSON.stringify(q);
    const cached = cache?.get(key, version);
    if (cached) return reply.header('content-type', 'application/json; charset=utf-8').send(cached as never);
    const page = await listOrders(store.db, store.dialect, { filter, sort: q.sort, limit: q.limit, cursor: q.cursor, reader: ctx.reader, asBytes: true });
    // The stored canonical JSON is spliced in as is: no parse/serialise round trip per order.
    const tail = `],"next":${page.next === null ? 'null' : JSON.stringify(page.next)}}`;
    const parts: Buffer[] = [DATA_OPEN];
    page.rows.forEach((r, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(typeof r === 'string' ? Buffer.from(r) : r);
    });
    parts.push(Buffer.from(tail));
    const body = Buffer.concat(parts);
    cache?.set(key, version, body);
    return reply.header('content-type', 'application/json; charset=utf-8').send(body as never);
  });

  app.get('/v1/orders/export', {
    schema: {
      tags: ['orders'],
      summary: 'Stream every matching order as NDJSON or CSV (one row per order or per item)',
      querystring: exportQuery,
      response: { 400: errorSchema, 401: errorSchema },
    },
  }, async (request, reply) => {
    const q = request.query;
    const filter = await toFilter(ctx, q);
    const out = new PassThrough();
    async function* orders(): AsyncGenerator<CanonicalOrder> {
      for await (const text of streamFilteredOrders(store.db, store.dialect, filter)) yield JSON.parse(text) as CanonicalOrder;
    }
    const layout = q.layout ?? 'orders';
    exportOrders(orders(), q.format, out, { layout, bom: q.bom === 'true' }).then(
      () => out.end(),
      (err: unknown) => {
        if (err instanceof OutputClosedError) return; // the client went away
        request.log.error({ err }, 'export failed mid-stream');
        out.destroy(err as Error);
      },
    );
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    return reply
      .header('content-type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="${layout === 'items' ? 'order-items' : 'orders'}-${stamp}.${q.format === 'csv' ? 'csv' : 'ndjson'}"`)
      .send(out as never);
  });

  app.get('/v1/orders/:id', {
    schema: {
      tags: ['orders'],
      summary: 'One order with its journal, write-backs and (optionally) raw payloads',
      params: orderIdParams,
      querystring: orderDetailQuery,
      response: { 200: orderDetailSchema, ...errors },
    },
  }, async (request, reply) => {
    const order = await findOrder(store.db, request.params.id);
    if (!order) throw new ApiError(404, 'not_found', `no order ${request.params.id}`);
    const [journal, writeBacks] = await Promise.all([orderJournal(store.db, order.id), writeBacksOfOrder(store.db, order.id)]);
    const body: Record<string, unknown> = {
      order,
      journal: journal.map((j) => toEvent(j)),
      writeBacks: writeBacks.map(toWriteBackInfo),
    };
    if (request.query.include === 'raw') {
      body.raw = (await orderPayloads(store.db, order.id)).map((p) => ({ fetchedAt: p.fetched_at, payload: JSON.parse(p.payload) as unknown }));
    }
    return sendJson(reply, 200, body);
  });

  for (const kind of ['status', 'tracking'] as const) {
    app.post(`/v1/orders/:id/${kind}`, {
      schema: {
        tags: ['write-back'],
        summary: kind === 'status' ? "Change the order's status at its channel" : 'Add a tracking number at the channel',
        description:
          'Accepted into the write-back outbox (202) and delivered to the channel in the background with retries; ' +
          'follow it at GET /v1/write-backs/{id} or on the order. Takes an Idempotency-Key header.',
        params: orderIdParams,
        headers: idempotencyHeaders,
        body: kind === 'status' ? statusBody : trackingBody,
        response: { 202: writeBackSchema, ...errors, 422: errorSchema },
      },
    }, async (request, reply) => {
      const principal = principalOf(request);
      const body = request.body as StatusRequest | TrackingRequest;
      const key = request.headers['idempotency-key'];
      const res = await idempotent(
        { store, apiKeyId: principal.keyId, key: typeof key === 'string' ? key : undefined, method: 'POST', path: `/v1/orders/${request.params.id}/${kind}`, body },
        async () => {
          const order = await findOrder(store.db, request.params.id);
          if (!order) throw new ApiError(404, 'not_found', `no order ${request.params.id}`);
          await checkWriteBack({ store, registry: ctx.registry, connections: ctx.config.connections, logger: ctx.logger }, order, kind, body);
          return order;
        },
        async (trx, order) => {
          const row = await insertWriteBack(trx, { orderId: order.id, connection: order.connection, kind, request: body, apiKeyId: principal.keyId, actor: apiActor(principal) });
          return { statusCode: 202, body: toWriteBackInfo(row) };
        },
      );
      if (!res.replayed) ctx.writeBackWorker?.wake();
      if (res.replayed) reply.header('idempotent-replayed', 'true');
      const id = (res.body as { id?: unknown }).id;
      if (res.statusCode === 202 && typeof id === 'string') reply.header('location', `/v1/write-backs/${id}`);
      return sendJson(reply, res.statusCode, res.body);
    });
  }

  app.get('/v1/write-backs/:id', {
    schema: {
      tags: ['write-back'],
      summary: 'A write-back request and its result',
      params: writeBackIdParams,
      response: { 200: writeBackSchema, ...errors },
    },
  }, async (request, reply) => {
    const row = await getWriteBack(store.db, request.params.id);
    if (!row) throw new ApiError(404, 'not_found', `no write-back ${request.params.id}`);
    return sendJson(reply, 200, toWriteBackInfo(row));
  });
}
