/** Filters naming a connection, channel or status that does not exist answer 400, not an empty list. */
import { findUnknownNames, type NameFilter } from '../../core/known-names.ts';
import { ApiError } from '../errors.ts';
import type { ApiContext } from '../context.ts';

/** Throws 400 validation_failed naming every unknown value and the known ones (details.issues, as zod's). */
export async function rejectUnknownNames(ctx: ApiContext, filter: NameFilter): Promise<void> {
  const unknown = await findUnknownNames(filter, { db: ctx.store.db, connections: ctx.config.connections, kinds: ctx.registry.kinds() });
  if (unknown.length === 0) return;
  throw new ApiError(400, 'validation_failed', unknown.map((u) => u.message).join('; '), {
    issues: unknown.map((u) => ({ in: 'querystring', path: u.field, message: u.message, unknown: u.unknown, known: u.known })),
  });
}
