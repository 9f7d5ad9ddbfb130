/** Tinyshop's raw API shapes (zod): what the channel sends, validated at the boundary. */
import { z } from 'zod';

export const TINYSHOP_STATUSES = ['open', 'sent', 'cancelled', 'returned'] as const;

export const tinyOrderSchema = z.object({
  id: z.string().min(1),
  /** local wall time in the shop's zone, no offset (like many CEE channels) */
  placed: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
  status: z.string(),
  buyer: z.string(),
  currency: z.string().length(3),
  /** a JSON number on the wire: read as an exact decimal by the kit */
  total: z.union([z.number(), z.string()]),
});
export type TinyOrder = z.infer<typeof tinyOrderSchema>;

/** One page of GET /orders: only the envelope is checked here, each order by the mapping. */
export const tinyPageSchema = z.object({ orders: z.array(z.unknown()), next: z.string().nullable() });
