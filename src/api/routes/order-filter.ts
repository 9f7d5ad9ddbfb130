/** The order filters of GET /v1/orders (and its export, and bulk changes) as the query module takes them. */
import type { z } from 'zod';
import type { OrderListFilter } from '../orders-query.ts';
import { splitList, toUtcIso, type orderFilterShape } from '../schemas.ts';
import type { ApiContext } from '../context.ts';
import { rejectUnknownNames } from './known-names.ts';

type FilterFields = { [K in keyof typeof orderFilterShape]?: z.infer<(typeof orderFilterShape)[K]> };

/** The filter of a query or body; a connection, channel or status that does not exist is a 400 (known-names.ts). */
export async function toFilter(ctx: ApiContext, q: FilterFields): Promise<OrderListFilter> {
  const filter = { connection: splitList(q.connection), channel: splitList(q.channel), status: splitList(q.status) };
  await rejectUnknownNames(ctx, filter);
  return {
    ...filter,
    createdFrom: toUtcIso(q.createdFrom),
    createdTo: toUtcIso(q.createdTo),
    updatedFrom: toUtcIso(q.updatedFrom),
    updatedTo: toUtcIso(q.updatedTo),
    q: q.q,
  };
}
