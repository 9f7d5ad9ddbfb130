/** What the ecom.md simulator counts of its API, beside every simulator's request counters. */
import { emptyRequestCounters, type RequestCounters } from '../../kit/simulator/api-hooks.ts';

/** /external/ requests ("GET /external/external-order/" …) */
export interface EcommdRequestCounters extends RequestCounters {
  /** which token header(s) each endpoint received: {"GET /external/shop/": {"token": 2, "api-token": 2}} */
  tokenHeaders: Record<string, Record<string, number>>;
  /** Accept-Language values seen */
  languages: Record<string, number>;
  /** orders put into list/detail answers */
  ordersServed: number;
  /** the query of the last (up to 200) order-list requests */
  listQueries: Array<Record<string, string>>;
  /** upsert bodies received (last 50) */
  upserts: unknown[];
}

export function emptyCounters(): EcommdRequestCounters {
  return { ...emptyRequestCounters(), tokenHeaders: {}, languages: {}, ordersServed: 0, listQueries: [], upserts: [] };
}
