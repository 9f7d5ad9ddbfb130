/**
 * The names a filter may use, so that a typo (`-c drinks` for `drinks-pl`) is an error naming the
 * known ones instead of an empty list. Known connections are the configured ones and those the store
 * has rows for (a connection removed from the config keeps its orders); known channels are the
 * registered kinds and the kinds of stored connections; statuses are the canonical ones.
 * The CLI and the API both check their filters here.
 */
import type { Kysely } from 'kysely';
import { CANONICAL_STATUSES } from './canonical/status.ts';
import type { Database } from './store/schema.ts';
import { didYouMean } from './suggest.ts';

export type NameField = 'connection' | 'channel' | 'status';

/** one name or several per field (an API comma list, a CLI option); undefined = no filter */
export type NameFilter = Partial<Record<NameField, string | readonly string[] | undefined>>;

export interface UnknownNames {
  field: NameField;
  unknown: string[];
  known: string[];
  /** `unknown connection "drinks" (did you mean "drinks-pl"?); known: drinks-pl, shop-md` */
  message: string;
}

export interface NameSources {
  db: Kysely<Database>;
  /** the configured connections */
  connections: ReadonlyArray<{ name: string; kind: string }>;
  /** the registered channel kinds */
  kinds: readonly string[];
  /** names already found valid (connection rows are never deleted, so a name once known stays known) */
  alsoKnown?: Partial<Record<'connection' | 'channel', ReadonlySet<string>>>;
}

function describe(field: NameField, unknown: string[], known: string[]): string {
  const names = unknown.map((u) => `"${u}"${didYouMean(u, known)}`).join(', ');
  return `unknown ${field} ${names}; known: ${known.join(', ') || '(none)'}`;
}

/**
 * Every filter value that names nothing, by field (empty when all are known). The store is asked
 * only when a value is not among the configured names, so the common case costs no query.
 */
export async function findUnknownNames(filter: NameFilter, sources: NameSources): Promise<UnknownNames[]> {
  const configured = {
    connection: [...sources.connections.map((c) => c.name), ...(sources.alsoKnown?.connection ?? [])],
    channel: [...new Set([...sources.kinds, ...sources.connections.map((c) => c.kind), ...(sources.alsoKnown?.channel ?? [])])],
    status: [...CANONICAL_STATUSES] as string[],
  };
  const values = (field: NameField): string[] => {
    const v = filter[field];
    return v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
  };
  const missing = (field: NameField, known: readonly string[]) => [...new Set(values(field))].filter((v) => !known.includes(v));
  let stored: Array<{ name: string; kind: string }> | undefined;
  const out: UnknownNames[] = [];
  for (const field of ['connection', 'channel', 'status'] as const) {
    let unknown = missing(field, configured[field]);
    if (unknown.length === 0) continue;
    let known = configured[field];
    if (field !== 'status') {
      stored ??= await sources.db.selectFrom('connections').select(['name', 'kind']).orderBy('name').execute();
      const more = stored.map((r) => (field === 'connection' ? r.name : r.kind));
      known = [...new Set([...known, ...more])];
      unknown = unknown.filter((v) => !known.includes(v));
      if (unknown.length === 0) continue;
    }
    out.push({ field, unknown, known, message: describe(field, unknown, known) });
  }
  return out;
}
