/**
 * Thin typed client of the AlzaTrade orders API over the core HttpClient. Paths, parameter names and
 * shapes come from schemas.ts (assumed); every answer is parsed inside the retry loop (a truncated
 * body is retried) and validated with zod, naming the field that is wrong.
 */
import type { HttpClient, HttpResponse } from '../../core/http/client.ts';
import { snippet } from '../../core/http/snippet.ts';
import type { z } from 'zod';
import { parseAnswer } from '../kit/answers.ts';
import { ChannelBadRequestError } from '../kit/errors.ts';
import { PATHS, orderPageSchema, ordersQuery, unshippedQuery, unshippedSchema } from './schemas.ts';

/** The API refused a query (400, ASP.NET ProblemDetails): the kit's error; the name stays for index.ts. */
export { ChannelBadRequestError as AlzaBadRequestError };

export interface OrdersPageRequest {
  dateFrom?: string | undefined;
  dateTo?: string | undefined;
  states?: readonly string[] | undefined;
  /** the API's page number (FIRST_PAGE-based) */
  page: number;
  pageSize: number;
}

export interface OrdersPage {
  records: unknown[];
  totalCount: number;
  /** as echoed by the API, when it does */
  page: number | null;
  pageSize: number | null;
}

/** `{title, errors: {field: [msg]}}` → "title: field: msg; …" */
function problemText(text: string): string {
  try {
    const body = JSON.parse(text) as { title?: unknown; detail?: unknown; errors?: unknown };
    const parts: string[] = [];
    if (typeof body.title === 'string') parts.push(body.title);
    if (typeof body.detail === 'string') parts.push(body.detail);
    if (body.errors && typeof body.errors === 'object') {
      for (const [field, msgs] of Object.entries(body.errors as Record<string, unknown>)) {
        parts.push(`${field}: ${Array.isArray(msgs) ? msgs.join(', ') : String(msgs)}`);
      }
    }
    return parts.length > 0 ? parts.join('; ') : snippet(text);
  } catch {
    return snippet(text);
  }
}

export class AlzaTradeClient {
  constructor(private readonly http: HttpClient) {}

  private async get(path: string, query: Record<string, unknown>, signal?: AbortSignal): Promise<HttpResponse> {
    const res = await this.http.request({
      method: 'GET',
      path,
      query: query as Record<string, string | number | string[] | undefined>,
      signal,
      parseJson: true,
      retry: true,
      acceptStatuses: [400],
    });
    if (res.status === 400) {
      throw new ChannelBadRequestError(`AlzaTrade refused GET ${res.url} (HTTP 400): ${problemText(res.text)}`, { body: res.text });
    }
    return res;
  }

  private validate<T>(schema: z.ZodType<T>, res: HttpResponse, what: string): T {
    return parseAnswer(schema, res, `AlzaTrade ${what}: the answer is not the expected shape`);
  }

  /** GET {prefix}/orders — one page. */
  async listOrders(req: OrdersPageRequest, signal?: AbortSignal): Promise<OrdersPage> {
    const res = await this.get(PATHS.orders, ordersQuery(req), signal);
    const body = this.validate(orderPageSchema, res, `GET ${PATHS.orders}`);
    return { records: body.items, totalCount: body.totalCount, page: body.page ?? null, pageSize: body.pageSize ?? null };
  }

  /** GET {prefix}/orders/unshipped — every unshipped order (optionally by departure window). */
  async listUnshipped(p: { departureFrom?: string; departureTo?: string }, signal?: AbortSignal): Promise<unknown[]> {
    const res = await this.get(PATHS.unshipped, unshippedQuery(p), signal);
    return this.validate(unshippedSchema, res, `GET ${PATHS.unshipped}`);
  }
}
