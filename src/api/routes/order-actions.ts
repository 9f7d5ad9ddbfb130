/**
 * Actions on chosen orders that the console offers and scripts can call too: re-sync one order
 * from its channel, and export a selection (the same bytes as GET /v1/orders/export, for the ids given).
 */
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { CanonicalOrder } from '../../core/canonical/order.ts';
import { csvOptionsProblem, exportOrders, OutputClosedError } from '../../core/export.ts';
import { CSV_LAYOUTS } from '../../core/export-csv.ts';
import { findOrder } from '../../core/store/orders.ts';
import { ApiError } from '../errors.ts';
import { ordersById } from '../events.ts';
import { refetchRecord } from '../refetch.ts';
import { errorSchema, orderIdParams, orderSchema } from '../schemas.ts';
import { apiActor, principalOf, sendJson, type ApiContext, type ZodApp } from '../context.ts';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };

const selectionBody = z
  .object({
    ids: z.array(z.string().min(1).max(300)).min(1).max(5000).describe('hub order ids, in the order wanted in the file'),
    format: z.enum(['ndjson', 'csv']).default('ndjson'),
    layout: z.enum(CSV_LAYOUTS).optional().describe('CSV only: orders (default) or items'),
    bom: z.boolean().optional().describe('CSV only: start with a UTF-8 byte order mark (for Excel)'),
  })
  .strict()
  .superRefine((b, check) => {
    const problem = csvOptionsProblem(b.format, { layout: b.layout, bom: b.bom });
    if (problem) check.addIssue({ code: 'custom', path: [b.layout !== undefined ? 'layout' : 'bom'], message: problem });
  });

export function registerOrderActionRoutes(app: ZodApp, ctx: ApiContext): void {
  const { store } = ctx;

  app.post('/v1/orders/:id/resync', {
    schema: {
      tags: ['orders'],
      summary: 'Read one order again from its channel now',
      description: 'For channels that can be asked for one order by id (drinks2cash, ecom.md); others answer 422 (sync the connection instead).',
      params: orderIdParams,
      response: { 200: z.object({ order: orderSchema, changed: z.boolean() }), ...errors, 422: errorSchema },
    },
  }, async (request, reply) => {
    const order = await findOrder(store.db, request.params.id);
    if (!order) throw new ApiError(404, 'not_found', `no order ${request.params.id}`);
    const result = await refetchRecord(ctx, { actor: apiActor(principalOf(request)) }, order.connection, order.externalId);
    if (result.failures.length > 0) throw new ApiError(422, 'write_back_unsupported', `the channel's record could not be mapped: ${result.failures[0]!.error}`);
    const now = (await findOrder(store.db, order.id)) ?? order;
    return sendJson(reply, 200, { order: now, changed: result.created + result.updated > 0 });
  });

  app.post('/v1/orders/export', {
    config: { readScope: true },
    schema: {
      tags: ['orders'],
      summary: 'Export chosen orders (by id) as NDJSON or CSV',
      description: 'The same columns and bytes as GET /v1/orders/export, for a selection. A read key may call it (it changes nothing).',
      body: selectionBody,
      response: { ...errors },
    },
  }, async (request, reply) => {
    const b = request.body;
    const found = await ordersById(store.db, b.ids);
    const missing = b.ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw new ApiError(404, 'not_found', `no order ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
    const out = new PassThrough();
    async function* orders(): AsyncGenerator<CanonicalOrder> {
      for (const id of b.ids) yield found.get(id)!;
    }
    const layout = b.layout ?? 'orders';
    exportOrders(orders(), b.format, out, { layout, bom: b.bom === true }).then(
      () => out.end(),
      (err: unknown) => {
        if (!(err instanceof OutputClosedError)) out.destroy(err as Error);
      },
    );
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    return reply
      .header('content-type', b.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="${layout === 'items' ? 'order-items' : 'orders'}-${stamp}.${b.format}"`)
      .send(out as never);
  });
}
