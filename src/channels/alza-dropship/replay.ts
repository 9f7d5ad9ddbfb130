/**
 * A Supplier API token may be used with one body only.
 *
 * The token signs "{client}+{METHOD}+{path}+{timestamp}" [DOC "Authentication"], not the body: a
 * captured request's token would carry any other body to the same operation on the same order while
 * its timestamp is accepted (timestampToleranceMinutes, 24 h by default). So each token is remembered
 * with the hash of its body, in the store (every server process on it agrees), for as long as its
 * timestamp is accepted: the same token with the same body is a resend and passes, with another body
 * it is refused. A resend of Alza's own carries a new timestamp, hence a new token, anyway.
 */
import { createHash } from 'node:crypto';
import { stableJson } from '../../core/stable-json.ts';
import { sha1 } from '../../core/store/orders.ts';
import type { StoreHandle } from '../../core/store/db.ts';
import { dropshipDb } from './store.ts';

/** How long a token is remembered when timestamps are not checked (timestampToleranceMinutes: 0). */
export const UNCHECKED_TOKEN_MEMORY_MINUTES = 7 * 24 * 60;

export type TokenUse = 'first' | 'same-body' | 'other-body';

/**
 * Records `token` with `body` (the parsed request) until `expiresAt`, or compares with what it was
 * first used with.
 */
export async function useToken(store: StoreHandle, connection: string, token: string, body: unknown, expiresAt: Date): Promise<TokenUse> {
  const db = dropshipDb(store);
  const tokenHash = createHash('sha256').update(token, 'utf8').digest('hex');
  const bodyHash = sha1(stableJson(body));
  const inserted = await db
    .insertInto('dropship_tokens')
    .values({ connection, token_hash: tokenHash, body_hash: bodyHash, expires_at: expiresAt.toISOString() })
    .onConflict((oc) => oc.columns(['connection', 'token_hash']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return 'first';
  const seen = await db
    .selectFrom('dropship_tokens')
    .select('body_hash')
    .where('connection', '=', connection)
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  // (a row pruned between the two statements was expired: the timestamp check refuses the token)
  return seen === undefined || seen.body_hash === bodyHash ? 'same-body' : 'other-body';
}

/** Forgets tokens whose timestamps are no longer accepted anyway. */
export async function pruneTokens(store: StoreHandle, now: Date): Promise<number> {
  const res = await dropshipDb(store).deleteFrom('dropship_tokens').where('expires_at', '<', now.toISOString()).executeTakeFirst();
  return Number(res.numDeletedRows);
}
