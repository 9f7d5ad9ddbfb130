/**
 * The simulated ecom.md API (Fastify), Django-REST-Framework style as the docs suggest (drf.ts):
 * trailing slashes (a GET without one is redirected, as Django's APPEND_SLASH does), page-number
 * pages, `{"detail": …}` for auth/404/throttling, `{"field": ["msg"]}` for validation, Django's HTML
 * page on a 500. The token is accepted in `API-Token` or `token` (the seed shows both). Names follow
 * Accept-Language (ro; ru/uk → Russian). Routes: order-routes.ts and reference-routes.ts; the
 * /__sim control API is the kit's.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { answerFault, guardApi } from '../../kit/simulator/api-hooks.ts';
import type { EcommdRequestCounters } from './counters.ts';
import type { FaultKnobs } from '../../kit/simulator/faults.ts';
import { DrfAnswers, JSON_TYPE, MSG_INVALID_TOKEN, MSG_NO_CREDENTIALS, SERVER_ERROR_HTML } from './drf.ts';
import { registerOrderRoutes } from './order-routes.ts';
import { registerReferenceRoutes } from './reference-routes.ts';
import type { EcommdFaults, EcommdStore } from './store.ts';

export interface EcommdServerState {
  store: EcommdStore;
  apiToken: string;
  counters: EcommdRequestCounters;
  faults: FaultKnobs<EcommdFaults>;
}

export async function buildEcommdServer(state: EcommdServerState): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024, return503OnClosing: false });
  const { store, counters } = state;
  const drf = new DrfAnswers(state.faults);

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    if (error.statusCode === 400 || error.statusCode === 415) return drf.send(request, reply, 400, { detail: `JSON parse error - ${error.message}` });
    if (error.statusCode === 413) return drf.send(request, reply, 413, { detail: 'Request body too large.' });
    return reply.code(500).header('content-type', 'text/html; charset=utf-8').send(SERVER_ERROR_HTML);
  });

  guardApi(app, {
    isApi: (url) => url.startsWith('/external/'),
    counters,
    faults: state.faults,
    screen(turn, request, reply) {
      const key = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
      const lang = request.headers['accept-language'];
      const langKey = Array.isArray(lang) ? lang.join(',') : (lang ?? '(none)');
      counters.languages[langKey] = (counters.languages[langKey] ?? 0) + 1;
      const wait = store.faults.retryAfterSeconds;
      if (turn.rateLimited) return answerFault(reply, 429, JSON_TYPE, { detail: `Request was throttled. Expected available in ${wait} seconds.` }, wait);
      if (turn.failed) return answerFault(reply, 500, 'text/html; charset=utf-8', SERVER_ERROR_HTML);

      const apiToken = request.headers['api-token'];
      const token = request.headers.token;
      const seen = (counters.tokenHeaders[key] ??= {});
      if (apiToken !== undefined) seen['api-token'] = (seen['api-token'] ?? 0) + 1;
      if (token !== undefined) seen.token = (seen.token ?? 0) + 1;
      if (apiToken === undefined && token === undefined) {
        return reply.code(401).header('content-type', JSON_TYPE).send({ detail: MSG_NO_CREDENTIALS });
      }
      if (apiToken !== state.apiToken && token !== state.apiToken) {
        return reply.code(403).header('content-type', JSON_TYPE).send({ detail: MSG_INVALID_TOKEN });
      }
      return undefined;
    },
  });

  registerOrderRoutes(app, store, counters, drf);
  registerReferenceRoutes(app, drf);
  return app;
}
