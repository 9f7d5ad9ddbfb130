/**
 * API keys: `ohk_` + 32 random bytes (base64url). Only the sha256 of a key is stored, so a leaked
 * database gives no usable key; the key is shown once when created. A key has one scope: `read`
 * (GET only) or `write` (everything).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { apiTables, type ApiDatabase } from './tables.ts';
import type { Database } from '../../core/store/schema.ts';

export type ApiScope = 'read' | 'write';
export const API_SCOPES: readonly ApiScope[] = ['read', 'write'];

export interface ApiKeyInfo {
  id: string;
  name: string;
  scope: ApiScope;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export async function createApiKey(
  coreDb: Kysely<Database>,
  params: { name?: string | undefined; scope: ApiScope },
  now = new Date(),
): Promise<{ key: string; info: ApiKeyInfo }> {
  const db = apiTables(coreDb);
  const key = `ohk_${randomBytes(32).toString('base64url')}`;
  const id = `key_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const row = {
    id,
    name: params.name ?? id,
    scope: params.scope,
    key_prefix: key.slice(0, 10),
    key_hash: hashApiKey(key),
    created_at: now.toISOString(),
    last_used_at: null,
    revoked_at: null,
  };
  await db.insertInto('api_keys').values(row).execute();
  return { key, info: toInfo(row) };
}

function toInfo(r: ApiDatabase['api_keys']): ApiKeyInfo {
  return {
    id: r.id, name: r.name, scope: r.scope as ApiScope, prefix: r.key_prefix, createdAt: r.created_at,
    lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
  };
}

export async function listApiKeys(coreDb: Kysely<Database>): Promise<ApiKeyInfo[]> {
  const db = apiTables(coreDb);
  const rows = await db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
  return rows.map(toInfo);
}

/** Revokes by id, name or key prefix. Returns how many keys were revoked. */
export async function revokeApiKey(coreDb: Kysely<Database>, ref: string, now = new Date()): Promise<number> {
  const db = apiTables(coreDb);
  const res = await db
    .updateTable('api_keys')
    .set({ revoked_at: now.toISOString() })
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref), eb('key_prefix', '=', ref)]))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export interface Principal {
  keyId: string;
  name: string;
  scope: ApiScope;
}

/**
 * Verifies presented keys. The lookup is by the sha256 of the presented key (an index seek; the
 * hash of a 256-bit random key leaks nothing about other keys), then the stored and computed hashes
 * are compared in constant time. Verified keys are cached for `cacheMs` (default 5 s), so a
 * revocation takes effect within that time; last_used_at is written at most once a minute per key.
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  private readonly lastTouched = new Map<string, number>();

  private readonly db: Kysely<ApiDatabase>;

  constructor(
    db: Kysely<Database>,
    private readonly cacheMs = 5_000,
  ) {
    this.db = apiTables(db);
  }

  async verify(presented: string): Promise<Principal | null> {
    if (presented.length < 10 || presented.length > 200) return null;
    const hash = hashApiKey(presented);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.principal;
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'name', 'scope', 'key_hash', 'revoked_at'])
      .where('key_hash', '=', hash)
      .executeTakeFirst();
    let principal: Principal | null = null;
    if (row && row.revoked_at === null && timingSafeEqual(Buffer.from(row.key_hash, 'hex'), Buffer.from(hash, 'hex'))) {
      principal = { keyId: row.id, name: row.name, scope: row.scope === 'write' ? 'write' : 'read' };
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: now + this.cacheMs });
    if (principal) this.touch(principal.keyId, now);
    return principal;
  }

  private touch(keyId: string, now: number): void {
    if ((this.lastTouched.get(keyId) ?? 0) > now - 60_000) return;
    this.lastTouched.set(keyId, now);
    this.db
      .updateTable('api_keys')
      .set({ last_used_at: new Date(now).toISOString() })
      .where('id', '=', keyId)
      .execute()
      .catch(() => undefined);
  }
}
