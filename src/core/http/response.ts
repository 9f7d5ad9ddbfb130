/** What a request returns: the whole body as text, parsed as JSON on demand (once). */
import { InvalidResponseError } from './errors.ts';
import { snippet } from './snippet.ts';

export interface HttpResponse {
  status: number;
  /** lower-case names, multi-values joined with ', ' */
  headers: Record<string, string>;
  text: string;
  /** with secrets in the query redacted */
  url: string;
  /** the parsed body; throws InvalidResponseError with a snippet when it is not JSON */
  json(): unknown;
}

/** An answer as read off the wire, before it is judged. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Who asked what, for messages: `where` is "<connection>: <METHOD> <redacted url>". */
export interface RequestTarget {
  safeUrl: string;
  where: string;
}

/** How much of a bad body an InvalidResponseError keeps. */
const SNIPPET = 200;

export function makeResponse(raw: RawResponse, target: RequestTarget): HttpResponse {
  let parsed: { value: unknown } | undefined;
  return {
    status: raw.status,
    headers: raw.headers,
    text: raw.text,
    url: target.safeUrl,
    json() {
      if (!parsed) {
        if (raw.text.trim() === '') {
          throw new InvalidResponseError(`${target.where}: empty body where JSON was expected (HTTP ${raw.status})`);
        }
        try {
          parsed = { value: JSON.parse(raw.text) };
        } catch (e) {
          throw new InvalidResponseError(
            `${target.where}: body is not valid JSON (${(e as Error).message}; ${raw.text.length} characters): ${snippet(raw.text, SNIPPET)}`,
            { snippet: raw.text.slice(0, SNIPPET), cause: e },
          );
        }
      }
      return parsed.value;
    },
  };
}
