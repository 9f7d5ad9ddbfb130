/**
 * /v1/session: the console's sign-in (an API key exchanged for a session cookie), who is signed in,
 * and sign-out. Scripts keep using `Authorization: Bearer`; these routes exist for browsers.
 */
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { errorSchema } from '../schemas.ts';
import { clearSessionCookie, CSRF_HEADER, SESSION_TTL_MS, sessionCookieOf, setSessionCookie } from '../session-auth.ts';
import type { ApiKeyVerifier } from '../store/api-keys.ts';
import { createSession, csrfTokenOf, deleteSession, findSession } from '../store/sessions.ts';
import { sendJson, type ApiContext, type ZodApp } from '../context.ts';

const signInBody = z.object({ apiKey: z.string().min(1).max(200).describe('an API key from `orderhub apikey create`') }).strict();

export const sessionSchema = z.object({
  key: z.object({ id: z.string(), name: z.string(), scope: z.enum(['read', 'write']) }),
  expiresAt: z.string(),
  csrfToken: z.string().describe(`send it as the ${CSRF_HEADER} header on every write made with the session cookie`),
});

export function registerSessionRoutes(app: ZodApp, ctx: ApiContext, verifier: ApiKeyVerifier): void {
  const { store } = ctx;

  app.post('/v1/session', {
    config: { publicRoute: true },
    schema: {
      tags: ['session'],
      summary: 'Sign in (the console): exchange an API key for a session cookie',
      description:
        'Sets an HttpOnly, SameSite=Strict session cookie (Secure over TLS) that acts with the key\'s scope for 12 hours or until ' +
        `signed out. Writes made with the cookie must send the answer's csrfToken in the ${CSRF_HEADER} header.`,
      security: [],
      body: signInBody,
      response: { 201: sessionSchema, 400: errorSchema, 401: errorSchema },
    },
  }, async (request, reply) => {
    const principal = await verifier.verify(request.body.apiKey);
    if (!principal) throw new ApiError(401, 'unauthorized', 'the API key is unknown or revoked');
    const s = await createSession(store.db, principal.keyId, SESSION_TTL_MS);
    setSessionCookie(request, reply, s.token, s.expiresAt);
    reply.header('cache-control', 'no-store');
    return sendJson(reply, 201, { key: { id: principal.keyId, name: principal.name, scope: principal.scope }, expiresAt: s.expiresAt, csrfToken: s.csrfToken });
  });

  app.get('/v1/session', {
    config: { publicRoute: true },
    schema: {
      tags: ['session'],
      summary: 'The signed-in session and its CSRF token (a reloaded console asks here)',
      description: 'Answers { session: null } when the request carries no live session cookie (never 401, so a page can ask before signing in).',
      security: [],
      response: { 200: z.object({ session: sessionSchema.nullable() }) },
    },
  }, async (request, reply) => {
    const token = sessionCookieOf(request);
    const session = token === undefined ? null : await findSession(store.db, token);
    reply.header('cache-control', 'no-store');
    if (!token || !session) return sendJson(reply, 200, { session: null });
    const { keyId, name, scope } = session.principal;
    return sendJson(reply, 200, { session: { key: { id: keyId, name, scope }, expiresAt: session.expiresAt, csrfToken: csrfTokenOf(token) } });
  });

  app.delete('/v1/session', {
    config: { readScope: true },
    schema: {
      tags: ['session'],
      summary: 'Sign out: end the session and clear its cookie',
      response: { 204: z.null(), 401: errorSchema, 403: errorSchema },
    },
  }, async (request, reply) => {
    const token = request.headers.authorization === undefined ? sessionCookieOf(request) : undefined;
    if (token) await deleteSession(store.db, token);
    clearSessionCookie(request, reply);
    return reply.code(204).send(null);
  });
}
