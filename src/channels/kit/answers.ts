/**
 * Checking a channel's answer against its zod schema. The core HttpClient parses the JSON inside its
 * retry loop (a truncated body is retried); what is left for a channel is to say, when the JSON is
 * not the shape it expects, which field is wrong and what came back.
 */
import type { z } from 'zod';
import type { HttpResponse } from '../../core/http/client.ts';
import { InvalidResponseError } from '../../core/http/errors.ts';
import { snippet } from '../../core/http/snippet.ts';
import { firstIssue } from './issues.ts';

/**
 * The answer's JSON as `schema` reads it, or an InvalidResponseError:
 * `<context> (<field>: <problem>) from <url>: <the body, cut>`. `context` is the channel's own
 * sentence, e.g. "drinks2cash GET /api/order: the answer is not the documented shape".
 */
export function parseAnswer<T>(schema: z.ZodType<T>, res: HttpResponse, context: string): T {
  const parsed = schema.safeParse(res.json());
  if (parsed.success) return parsed.data;
  throw new InvalidResponseError(`${context} (${firstIssue(parsed.error)}) from ${res.url}: ${snippet(res.text)}`, {
    snippet: res.text.slice(0, 200),
  });
}
