/**
 * The control API every channel simulator serves under /__sim, unauthenticated (tests, child
 * processes, the demo): the same routes, bodies and answers on every simulator. A simulator that
 * cannot do something answers that route 501 with the reason; a channel adds its own routes under
 * /__sim through `own` (e.g. Alza Trade's identity settings), with the same error answers.
 *
 * | route                            | body                               | answer                              |
 * | -------------------------------- | ---------------------------------- | ----------------------------------- |
 * | GET    /__sim/stats              |                                    | {requests, faults, orders, …}       |
 * | GET    /__sim/faults             |                                    | the knobs in force                  |
 * | POST   /__sim/faults             | knobs to change (null = default)   | the knobs; 400 {error} on a bad one |
 * | DELETE /__sim/faults             |                                    | every knob at its default           |
 * | POST   /__sim/reset              |                                    | {ok: true}                          |
 * | POST   /__sim/tick               |                                    | what one step of activity did       |
 * | GET    /__sim/orders             |                                    | {ids}                               |
 * | POST   /__sim/orders             | {count = 1, …channel options}      | {ids} of the orders inserted        |
 * | GET    /__sim/orders/:id         |                                    | the order as the API serves it; 404 |
 * | POST   /__sim/orders/:id/status  | {status, …channel details}         | the change; 404, 400                |
 * | POST   /__sim/change-random      | {count = 1}                        | {changes}                           |
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const CONTROL_PREFIX = '/__sim';

/** An answer other than 400 from a control route (404 for an unknown e-shop, say). */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Id = string | number;

/** What the order routes do; a missing one answers 501 with `unsupported` as the reason. */
export interface OrderControls {
  /** every order id the channel has */
  ids(): readonly Id[];
  /** the order as the API serves it now (a string is sent as JSON text), or null when unknown */
  get(id: string, request: FastifyRequest): unknown;
  /** inserts `count` orders created now; returns their ids */
  insert?(count: number, body: Record<string, unknown>): readonly Id[];
  /** sets an order's status directly (no API rules); null when the order is unknown */
  setStatus?(id: string, status: string, body: Record<string, unknown>): unknown;
  /** moves `count` random older orders one plausible step on */
  changeRandom?(count: number): readonly unknown[];
  /** why the missing controls are missing */
  unsupported?: string;
}

export interface ControlApi {
  counters: object;
  faults: { readonly current: object; set(patch: Record<string, unknown>): object; clear(): object };
  /** what the channel reports beside its request counters and knobs (orders, inserted …) */
  stats(): Record<string, unknown>;
  reset(): void;
  tick(): unknown;
  orders: OrderControls;
  /** the channel's own control routes, registered on the /__sim scope (paths relative to it) */
  own?(scope: FastifyInstance): void;
}

const bodyOf = (request: FastifyRequest): Record<string, unknown> =>
  request.body && typeof request.body === 'object' && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};

/** {"count": n}: a positive whole number, else 1 */
const countOf = (body: Record<string, unknown>): number =>
  typeof body.count === 'number' && body.count >= 1 ? Math.floor(body.count) : 1;

export function registerControlApi(app: FastifyInstance, api: ControlApi): void {
  void app.register(
    async (scope) => {
      scope.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
        const status = error instanceof ControlError ? error.status : error.statusCode && error.statusCode < 500 ? error.statusCode : 400;
        return reply.code(status).send({ error: error.message });
      });
      const { orders } = api;
      const missing = (reply: FastifyReply) =>
        reply.code(501).send({ error: `this simulator does not do that${orders.unsupported ? `: ${orders.unsupported}` : ''}` });
      const noOrder = (reply: FastifyReply) => reply.code(404).send({ error: 'no such order' });

      scope.get('/stats', async () => ({ requests: api.counters, ...api.stats(), faults: api.faults.current }));
      scope.get('/faults', async () => api.faults.current);
      scope.post('/faults', async (request) => api.faults.set(bodyOf(request)));
      scope.delete('/faults', async () => api.faults.clear());
      scope.post('/reset', async () => {
        api.reset();
        return { ok: true };
      });
      scope.post('/tick', async () => (await api.tick()) ?? { ok: true });

      scope.get('/orders', async () => ({ ids: orders.ids() }));
      scope.post('/orders', async (request, reply) => {
        if (!orders.insert) return missing(reply);
        const body = bodyOf(request);
        return { ids: orders.insert(countOf(body), body) };
      });
      scope.get('/orders/:id', async (request, reply) => {
        const order = orders.get((request.params as { id: string }).id, request);
        if (order === null || order === undefined) return noOrder(reply);
        return typeof order === 'string' ? reply.header('content-type', 'application/json; charset=utf-8').send(order) : order;
      });
      scope.post('/orders/:id/status', async (request, reply) => {
        if (!orders.setStatus) return missing(reply);
        const body = bodyOf(request);
        if (typeof body.status !== 'string' || body.status === '') return reply.code(400).send({ error: 'body must be {"status": "…"}' });
        const change = orders.setStatus((request.params as { id: string }).id, body.status, body);
        return change === null || change === undefined ? noOrder(reply) : change;
      });
      scope.post('/change-random', async (request, reply) => {
        if (!orders.changeRandom) return missing(reply);
        return { changes: orders.changeRandom(countOf(bodyOf(request))) };
      });
      api.own?.(scope);
    },
    { prefix: CONTROL_PREFIX },
  );
}
