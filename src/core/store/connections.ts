/**
 * Connection rows: checkpoints, the per-connection sync lease, health ("needs attention") and small
 * key/value state (token cache, catalogs) shared by every process on the same store.
 */
import type { Kysely } from 'kysely';
import type { CachedToken, TokenCache } from '../http/auth.ts';
import type { ConnectionState } from '../connector.ts';
import type { Database, ConnectionRow } from './schema.ts';

export async function ensureConnection(db: Kysely<Database>, name: string, kind: string, now = new Date()): Promise<void> {
  const iso = now.toISOString();
  await db
    .insertInto('connections')
    .values({ name, kind, health: 'ok', created_at: iso, updated_at: iso })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

export async function getConnection(db: Kysely<Database>, name: string): Promise<ConnectionRow | undefined> {
  return db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function listConnections(db: Kysely<Database>): Promise<ConnectionRow[]> {
  return db.selectFrom('connections').selectAll().orderBy('name').execute();
}

export async function readCheckpoint<T>(db: Kysely<Database>, name: string): Promise<T | null> {
  const row = await db.selectFrom('connections').select('checkpoint').where('name', '=', name).executeTakeFirst();
  return row?.checkpoint ? (JSON.parse(row.checkpoint) as T) : null;
}

/** Called inside the transaction that committed the data the checkpoint covers. */
export async function writeCheckpoint(db: Kysely<Database>, name: string, checkpoint: unknown, now = new Date()): Promise<void> {
  await db
    .updateTable('connections')
    .set({ checkpoint: JSON.stringify(checkpoint), updated_at: now.toISOString() })
    .where('name', '=', name)
    .execute();
}

export async function resetCheckpoint(db: Kysely<Database>, name: string): Promise<void> {
  await db.updateTable('connections').set({ checkpoint: null }).where('name', '=', name).execute();
}

/**
 * Takes the sync lease of a connection (compare-and-set): only one process syncs a connection at a
 * time, whether it is the scheduler, a worker or a CLI run. A lease whose holder died expires.
 * Returns the current holder when the lease is taken by someone else.
 */
export async function acquireLease(
  db: Kysely<Database>,
  name: string,
  owner: string,
  ttlMs: number,
  now = new Date(),
): Promise<{ acquired: true } | { acquired: false; holder: string; until: string }> {
  const until = new Date(now.getTime() + ttlMs).toISOString();
  const res = await db
    .updateTable('connections')
    .set({ lock_owner: owner, lock_until: until })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('lock_owner', 'is', null), eb('lock_until', '<', now.toISOString()), eb('lock_owner', '=', owner)]))
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 1) return { acquired: true };
  const row = await db.selectFrom('connections').select(['lock_owner', 'lock_until']).where('name', '=', name).executeTakeFirst();
  return { acquired: false, holder: row?.lock_owner ?? 'unknown', until: row?.lock_until ?? '' };
}

/** Takes a lease from a holder known to be dead (compare-and-set on the exact holder). */
export async function takeOverLease(db: Kysely<Database>, name: string, deadOwner: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
  const res = await db
    .updateTable('connections')
    .set({ lock_owner: owner, lock_until: new Date(now.getTime() + ttlMs).toISOString() })
    .where('name', '=', name)
    .where('lock_owner', '=', deadOwner)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function releaseLease(db: Kysely<Database>, name: string, owner: string): Promise<void> {
  await db
    .updateTable('connections')
    .set({ lock_owner: null, lock_until: null })
    .where('name', '=', name)
    .where('lock_owner', '=', owner)
    .execute();
}

export async function recordSyncOutcome(
  db: Kysely<Database>,
  name: string,
  outcome: { ok: boolean; error?: string | null; needsAttention?: string | null },
  now = new Date(),
): Promise<void> {
  const iso = now.toISOString();
  await db
    .updateTable('connections')
    .set({
      last_sync_at: iso,
      ...(outcome.ok ? { last_success_at: iso, last_error: null } : { last_error: outcome.error ?? 'failed' }),
      ...(outcome.needsAttention
        ? { health: 'needs_attention', attention: outcome.needsAttention }
        : outcome.ok
          ? { health: 'ok', attention: null }
          : {}),
      updated_at: iso,
    })
    .where('name', '=', name)
    .execute();
}

export async function getState<T>(db: Kysely<Database>, connection: string, key: string): Promise<T | null> {
  const row = await db
    .selectFrom('connection_state')
    .select('value')
    .where('connection', '=', connection)
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? (JSON.parse(row.value) as T) : null;
}

export async function setState(db: Kysely<Database>, connection: string, key: string, value: unknown): Promise<void> {
  const now = new Date().toISOString();
  const json = JSON.stringify(value);
  await db
    .insertInto('connection_state')
    .values({ connection, key, value: json, updated_at: now })
    .onConflict((oc) => oc.columns(['connection', 'key']).doUpdateSet({ value: json, updated_at: now }))
    .execute();
}

export async function deleteState(db: Kysely<Database>, connection: string, key: string): Promise<void> {
  await db.deleteFrom('connection_state').where('connection', '=', connection).where('key', '=', key).execute();
}

/**
 * Compare-and-set on one state value: a conditional UPDATE (or an INSERT that loses to any existing
 * row), so exactly one of several processes racing from the same `expected` wins, on SQLite and on
 * PostgreSQL alike. Values compare as their JSON text, which is how `get` read them.
 */
export async function compareAndSetState(db: Kysely<Database>, connection: string, key: string, expected: unknown, value: unknown): Promise<boolean> {
  const now = new Date().toISOString();
  const json = JSON.stringify(value ?? null);
  const matches = expected === null || expected === undefined ? ['null'] : [JSON.stringify(expected)];
  const updated = await db
    .updateTable('connection_state')
    .set({ value: json, updated_at: now })
    .where('connection', '=', connection)
    .where('key', '=', key)
    .where('value', 'in', matches)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 1) return true;
  if (expected !== null && expected !== undefined) return false;
  const inserted = await db
    .insertInto('connection_state')
    .values({ connection, key, value: json, updated_at: now })
    .onConflict((oc) => oc.columns(['connection', 'key']).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
}

export function connectionState(db: Kysely<Database>, connection: string): ConnectionState {
  return {
    get: <T>(key: string) => getState<T>(db, connection, key),
    set: (key, value) => setState(db, connection, key, value),
    compareAndSet: (key, expected, value) => compareAndSetState(db, connection, key, expected, value),
  };
}

/**
 * The token cache every process shares: one bearer token per connection, kept in the store, so the
 * CLI, the scheduler and workers never each ask the channel for their own (Alza blacklists that).
 */
export function storeTokenCache(db: Kysely<Database>, connection: string): TokenCache {
  const KEY = 'auth.token';
  return {
    async get(): Promise<CachedToken | null> {
      const v = await getState<{ accessToken: string; expiresAt: string }>(db, connection, KEY);
      return v ? { accessToken: v.accessToken, expiresAt: new Date(v.expiresAt) } : null;
    },
    async set(token: CachedToken | null): Promise<void> {
      if (token === null) await deleteState(db, connection, KEY);
      else await setState(db, connection, KEY, { accessToken: token.accessToken, expiresAt: token.expiresAt.toISOString() });
    },
  };
}
