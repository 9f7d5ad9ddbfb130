/**
 * The second way to present an API key: a console session (store/sessions.ts) in an HttpOnly,
 * SameSite=Strict cookie, Secure when the request came over TLS. Requests with an Authorization
 * header are authenticated by it as before; a request without one but with the session cookie acts
 * as the session's key. Writes by cookie must carry the session's CSRF token in `x-orderhub-csrf`
 * (synchroniser token: a cross-site page cannot read it, and SameSite=Strict keeps the cookie off
 * cross-site requests besides).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../core/store/schema.ts';
import { ApiError } from './errors.ts';
import type { Principal } from './store/api-keys.ts';
import { csrfMatches, findSession } from './store/sessions.ts';

export const SESSION_COOKIE = 'orderhub_session';
export const CSRF_HEADER = 'x-orderhub-csrf';
/** how long a session lives (a working day and a half); signing in again starts a new one */
export const SESSION_TTL_MS = 12 * 3_600_000;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** no key needed (signing in) */
    publicRoute?: boolean;
    /** a read key may call it although it is not a GET (signing out, exporting a selection) */
    readScope?: boolean;
  }
}

export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * Over TLS to this server, or to a proxy in front of it that says so: Secure can only keep the cookie
 * off plain HTTP, so a forged X-Forwarded-Proto gains an attacker nothing.
 */
function secure(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: string): void {
  const maxAge = Math.max(0, Math.round((Date.parse(expiresAt) - Date.now()) / 1000));
  reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure(request) ? '; Secure' : ''}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure(request) ? '; Secure' : ''}`);
}

/** The principal of the request's session cookie, or the error to answer (401, or 403 for a write without its CSRF token). */
export async function authenticateSession(db: Kysely<Database>, request: FastifyRequest, token: string): Promise<Principal | ApiError> {
  const session = await findSession(db, token);
  if (!session) return new ApiError(401, 'unauthorized', 'the session has expired or was signed out; sign in again');
  const writes = request.method !== 'GET' && request.method !== 'HEAD';
  const csrf = request.headers[CSRF_HEADER];
  if (writes && !csrfMatches(token, typeof csrf === 'string' ? csrf : undefined)) {
    return new ApiError(403, 'forbidden', `a write by session cookie needs the session's CSRF token in the ${CSRF_HEADER} header`);
  }
  return session.principal;
}
