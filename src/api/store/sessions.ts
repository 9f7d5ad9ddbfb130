/**
 * Console sessions: an API key exchanged for a random session token kept in an HttpOnly cookie
 * (session-auth.ts). Only the sha256 of the token is stored, as with API keys; its CSRF token is an
 * HMAC of the token, so the server recomputes it from the cookie and stores nothing more;
 * a session acts with its key's scope and dies with its key (revoked keys end their sessions).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../core/store/schema.ts';
import type { ApiScope, Principal } from './api-keys.ts';
import { apiTables } from './tables.ts';

export interface ConsoleSessionsTable {
  /** sha256 hex of the session token (the cookie's value) */
  token_hash: string;
  api_key_id: string;
  created_at: string;
  expires_at: string;
}

type SessionTables = { console_sessions: ConsoleSessionsTable };

function sessionTables(db: Kysely<Database>) {
  return apiTables(db).withTables<SessionTables>();
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: string;
}

export async function createSession(db: Kysely<Database>, apiKeyId: string, ttlMs: number, now = new Date()): Promise<NewSession> {
  const token = `ohs_${randomBytes(32).toString('base64url')}`;
  const csrfToken = csrfTokenOf(token);
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  const sdb = sessionTables(db);
  // expired sessions are removed whenever a new one starts: the table stays as small as its live sessions
  await sdb.deleteFrom('console_sessions').where('expires_at', '<=', now.toISOString()).execute();
  await sdb
    .insertInto('console_sessions')
    .values({ token_hash: sha256(token), api_key_id: apiKeyId, created_at: now.toISOString(), expires_at: expiresAt })
    .execute();
  return { token, csrfToken, expiresAt };
}

export interface LiveSession {
  principal: Principal;
  expiresAt: string;
}

/** The session of a token when it has not expired and its API key is not revoked. */
export async function findSession(db: Kysely<Database>, token: string, now = new Date()): Promise<LiveSession | null> {
  if (token.length < 10 || token.length > 200) return null;
  const row = await sessionTables(db)
    .selectFrom('console_sessions')
    .innerJoin('api_keys', 'api_keys.id', 'console_sessions.api_key_id')
    .select(['console_sessions.expires_at', 'api_keys.id', 'api_keys.name', 'api_keys.scope', 'api_keys.revoked_at'])
    .where('console_sessions.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || row.expires_at <= now.toISOString()) return null;
  return { principal: { keyId: row.id, name: row.name, scope: row.scope as ApiScope }, expiresAt: row.expires_at };
}

/** The CSRF token of a session: sent with writes in a header, which a cross-site page cannot read or forge. */
export function csrfTokenOf(token: string): string {
  return createHmac('sha256', token).update('orderhub console csrf').digest('base64url');
}

export function csrfMatches(token: string, presented: string | undefined): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 100) return false;
  const expected = Buffer.from(csrfTokenOf(token));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function deleteSession(db: Kysely<Database>, token: string): Promise<void> {
  await sessionTables(db).deleteFrom('console_sessions').where('token_hash', '=', sha256(token)).execute();
}
