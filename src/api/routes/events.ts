/** GET /v1/events (the change feed) and /v1/webhooks (subscriptions, deliveries, redelivery). */
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { decodeFeedCursor, encodeFeedCursor, EVENT_TYPES, readFeed, type EventType } from '../events.ts';
import { idempotent } from '../idempotency.ts';
import {
  deliveriesQuery, deliverySchema, errorSchema, eventPageSchema, eventsQuery, idempotencyHeaders, redeliverBody, splitList,
  webhookCreateBody, webhookIdParams, webhookSchema,
} from '../schemas.ts';
import { principalOf, sendJson, type ApiContext, type ZodApp } from '../context.ts';
import { rejectUnknownNames } from './known-names.ts';
import {
  createSubscription, deleteSubscription, getSubscription, listDeliveries, listSubscriptions, redeliver, subscriptionProblems,
} from '../../webhooks/store.ts';
import { TargetPolicy } from '../../webhooks/targets.ts';
import { webhookTables } from '../../webhooks/tables.ts';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };

export function registerEventRoutes(app: ZodApp, ctx: ApiContext): void {
  const { store } = ctx;
  const targets = new TargetPolicy(ctx.config.webhooks.allowPrivateTargets);

  app.get('/v1/events', {
    schema: {
      tags: ['events'],
      summary: 'The durable change feed, in commit order',
      description:
        'Every order change as an event (order.created, order.changed with a field diff, order.status_changed) and the ' +
        'system events (connection.needs_attention, connection.silent, sync.failed, sync.recovered, write_back.failed, ' +
        'webhook.dead_lettered, each with its `data`) in one sequence, oldest first; ?types= selects some of them. ' +
        'Keep `next` and ask again with ?after=<next>: a consumer that does so never misses or reorders an event.',
      querystring: eventsQuery,
      response: { 200: eventPageSchema, ...errors },
    },
  }, async (request, reply) => {
    const q = request.query;
    const after = decodeFeedCursor(q.after);
    if (after === null) throw new ApiError(400, 'validation_failed', 'after is not a cursor this API returned');
    const types = splitList(q.types);
    const unknown = types?.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
    if (unknown && unknown.length > 0) throw new ApiError(400, 'validation_failed', `unknown event type ${unknown.join(', ')}`);
    const connections = splitList(q.connection);
    await rejectUnknownNames(ctx, { connection: connections });
    const { events, next } = await readFeed(store.db, {
      after, limit: q.limit, types: types as EventType[] | undefined, connection: connections, orderId: q.orderId, includeOrder: q.include === 'order',
    });
    return sendJson(reply, 200, { data: events, next: encodeFeedCursor(next) });
  });

  app.get('/v1/webhooks', {
    schema: { tags: ['webhooks'], summary: 'Webhook subscriptions', response: { 200: z.object({ data: z.array(webhookSchema) }), ...errors } },
  }, async (_request, reply) => sendJson(reply, 200, { data: await listSubscriptions(store.db) }));

  app.post('/v1/webhooks', {
    schema: {
      tags: ['webhooks'],
      summary: 'Subscribe a URL to events (by default the order events)',
      description:
        'The answer carries the signing secret; it is shown this once. Private, loopback and link-local targets ' +
        '(10/8, 127/8, 169.254/16, fc00::/7, …) are refused unless the config allows them (webhooks.allowPrivateTargets).',
      headers: idempotencyHeaders,
      body: webhookCreateBody,
      response: { 201: webhookSchema.extend({ secret: z.string() }), ...errors, 422: errorSchema },
    },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const key = request.headers['idempotency-key'];
    const b = request.body;
    const problems = subscriptionProblems(b, targets);
    if (problems.length > 0) {
      throw new ApiError(400, 'validation_failed', `invalid body at ${problems[0]!.path}: ${problems[0]!.message}`, {
        issues: problems.map((p) => ({ in: 'body', ...p })),
      });
    }
    const res = await idempotent(
      { store, apiKeyId: principal.keyId, key: typeof key === 'string' ? key : undefined, method: 'POST', path: '/v1/webhooks', body: b },
      async () => null,
      async (trx) => {
        const { subscription, secret } = await createSubscription(trx, {
          url: b.url, events: b.events, secret: b.secret, description: b.description, includeOrder: b.includeOrder, fromStart: b.fromStart, signing: b.signing,
        });
        return { statusCode: 201, body: { ...subscription, secret } };
      },
    );
    if (res.replayed) reply.header('idempotent-replayed', 'true');
    else ctx.dispatcher?.wake();
    return sendJson(reply, res.statusCode, res.body);
  });

  app.get('/v1/webhooks/:id', {
    schema: { tags: ['webhooks'], summary: 'One webhook subscription', params: webhookIdParams, response: { 200: webhookSchema, ...errors } },
  }, async (request, reply) => {
    const sub = await getSubscription(store.db, request.params.id);
    if (!sub) throw new ApiError(404, 'not_found', `no webhook ${request.params.id}`);
    return sendJson(reply, 200, sub);
  });

  app.delete('/v1/webhooks/:id', {
    schema: { tags: ['webhooks'], summary: 'Remove a webhook subscription (and its queued deliveries)', params: webhookIdParams, response: { 204: z.null(), ...errors } },
  }, async (request, reply) => {
    if (!(await deleteSubscription(store.db, request.params.id))) throw new ApiError(404, 'not_found', `no webhook ${request.params.id}`);
    return reply.code(204).send(null);
  });

  app.get('/v1/webhooks/:id/deliveries', {
    schema: {
      tags: ['webhooks'],
      summary: 'Deliveries of a webhook, newest first',
      params: webhookIdParams,
      querystring: deliveriesQuery,
      response: { 200: z.object({ data: z.array(deliverySchema) }), ...errors },
    },
  }, async (request, reply) => {
    if (!(await getSubscription(store.db, request.params.id))) throw new ApiError(404, 'not_found', `no webhook ${request.params.id}`);
    const q = request.query;
    const data = await listDeliveries(store.db, { subscriptionId: request.params.id, state: q.state, orderId: q.orderId, before: q.before, limit: q.limit });
    return sendJson(reply, 200, { data });
  });

  app.post('/v1/webhooks/:id/redeliver', {
    schema: {
      tags: ['webhooks'],
      summary: 'Queue one delivery again, or every dead-lettered one',
      params: webhookIdParams,
      body: redeliverBody.nullish(),
      response: { 202: z.object({ requeued: z.number() }), ...errors },
    },
  }, async (request, reply) => {
    const id = request.params.id;
    if (!(await getSubscription(store.db, id))) throw new ApiError(404, 'not_found', `no webhook ${id}`);
    const deliveryId = request.body?.deliveryId;
    let n: number;
    if (deliveryId !== undefined) {
      const [d] = await webhookTables(store.db).selectFrom('webhook_deliveries').select('id').where('id', '=', deliveryId).where('subscription_id', '=', id).execute();
      if (!d) throw new ApiError(404, 'not_found', `no delivery ${deliveryId} for webhook ${id}`);
      n = await redeliver(store.db, { id: deliveryId });
    } else {
      n = await redeliver(store.db, { subscriptionId: id, state: 'dead' });
    }
    ctx.dispatcher?.wake();
    return sendJson(reply, 202, { requeued: n });
  });
}
