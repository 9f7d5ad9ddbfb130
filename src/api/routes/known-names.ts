/** Filters naming a connection, channel or status that does not exist answer 400, not an empty list. */
import { findUnknownNames, type NameFilter } from '../../core/known-names.ts';
import { ApiError } from '../errors.ts';
import type { ApiContext } from '../context.ts';

/**
 * Names found in the store per server: after its first request, a filter on a connection that is
 * in the store but not in the config costs GET /v1/orders no extra query either.
 */
const confirmed = new WeakMap<ApiContext, { connection: Set<string>; channel: Set<string> }>();

/** Throws 400 validation_failed naming every unknown value and the known ones (details.issues, as zod's). */
export async function rejectUnknownNames(ctx: ApiContext, filter: NameFilter): Promise<void> {
  let seen = confirmed.get(ctx);
  if (!seen) confirmed.set(ctx, (seen = { connection: new Set(), channel: new Set() }));
  const unknown = await findUnknownNames(filter, {
    db: ctx.store.db, connections: ctx.config.connections, kinds: ctx.registry.kinds(), alsoKnown: seen,
  });
  if (unknown.length === 0) {
    for (const field of ['connection', 'channel'] as const) {
      for (const name of [filter[field] ?? []].flat()) seen[field].add(name);
    }
    return;
  }
  throw new ApiError(400, 'validation_failed', unknown.map((u) => u.message).join('; '), {
    issues: unknown.map((u) => ({ in: 'querystring', path: u.field, message: u.message, unknown: u.unknown, known: u.known })),
  });
}
