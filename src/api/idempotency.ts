/**
 * Idempotency keys for write requests (`Idempotency-Key` header), scoped per API key, kept 24 h:
 * the first request's status and body are stored in the same transaction as its effect (e.g. the
 * write-back outbox row); the same key with the same request gets the stored response again (with
 * `Idempotent-Replayed: true`); the same key with a different request is refused with 422
 * `idempotency_conflict`. Two concurrent requests with one key: one commits, the other finds its
 * row at insert (unique key), rolls its own effect back and replays the winner's response.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { stableJson } from '../core/stable-json.ts';
import type { StoreHandle } from '../core/store/db.ts';
import { apiTables, type ApiDatabase } from './store/tables.ts';
import type { Database } from '../core/store/schema.ts';
import { ApiError, toErrorResponse } from './errors.ts';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

export interface IdempotencyContext {
  store: StoreHandle;
  apiKeyId: string;
  key: string | undefined;
  method: string;
  path: string;
  body: unknown;
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${stableJson(body ?? null)}`).digest('hex');
}

class KeyTaken extends Error {}

/**
 * Runs a write under an optional idempotency key. `prepare` validates and reads (outside any
 * transaction; an ApiError it throws becomes the stored response), `commit` writes inside the
 * transaction that also stores the key.
 */
export async function idempotent<T>(
  ctx: IdempotencyContext,
  prepare: () => Promise<T>,
  commit: (trx: Kysely<Database>, prepared: T) => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const { store, key } = ctx;
  if (key === undefined) {
    const prepared = await prepare();
    const res = await store.db.transaction().execute((trx) => commit(trx, prepared));
    return { ...res, replayed: false };
  }
  if (key.length === 0 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new ApiError(400, 'validation_failed', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
  }
  const hash = requestHash(ctx.method, ctx.path, ctx.body);
  const existing = await lookup(store.db, ctx.apiKeyId, key);
  if (existing) return replay(existing, hash);

  let prepared: T | undefined;
  let early: StoredResponse | undefined;
  try {
    prepared = await prepare();
  } catch (err) {
    const mapped = toErrorResponse(err);
    if (mapped.internal) throw err;
    early = { statusCode: mapped.statusCode, body: mapped.body };
  }
  try {
    const res = await store.db.transaction().execute(async (trx) => {
      const out = early ?? (await commit(trx, prepared as T));
      const inserted = await apiTables(trx)
        .insertInto('idempotency_keys')
        .values({
          api_key_id: ctx.apiKeyId, key, method: ctx.method, path: ctx.path, request_hash: hash, status_code: out.statusCode,
          response: JSON.stringify(out.body), created_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.columns(['api_key_id', 'key']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) throw new KeyTaken();
      return out;
    });
    return { ...res, replayed: false };
  } catch (err) {
    if (!(err instanceof KeyTaken)) throw err;
    const winner = await lookup(store.db, ctx.apiKeyId, key);
    if (!winner) throw new ApiError(409, 'idempotency_in_progress', 'a request with this Idempotency-Key is being processed; retry shortly');
    return replay(winner, hash);
  }
}

async function lookup(coreDb: Kysely<Database>, apiKeyId: string, key: string) {
  const db = apiTables(coreDb);
  return db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status_code', 'response', 'created_at'])
    .where('api_key_id', '=', apiKeyId)
    .where('key', '=', key)
    .executeTakeFirst();
}

function replay(row: { request_hash: string; status_code: number; response: string }, hash: string): StoredResponse & { replayed: boolean } {
  if (row.request_hash !== hash) {
    throw new ApiError(422, 'idempotency_conflict', 'this Idempotency-Key was already used with a different request');
  }
  return { statusCode: row.status_code, body: JSON.parse(row.response) as unknown, replayed: true };
}

export async function pruneIdempotencyKeys(coreDb: Kysely<Database>, now = new Date()): Promise<number> {
  const db = apiTables(coreDb);
  const res = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString())
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
