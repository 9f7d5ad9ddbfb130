/**
 * zod issues said in a channel's terms: which field, what is wrong with it and what it held. Every
 * channel reports malformed records and answers this way, so a quarantined order reads the same
 * whichever channel it came from.
 */
import type { z } from 'zod';

/** `["items", 0, "quantity"]` → `items[0].quantity`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** What `raw` holds at `path`: ` (got "x")`, ` (missing)`, or nothing for the whole value. */
function heldAt(raw: unknown, path: readonly PropertyKey[]): string {
  if (path.length === 0) return '';
  let cursor: unknown = raw;
  for (const p of path) cursor = cursor && typeof cursor === 'object' ? (cursor as Record<PropertyKey, unknown>)[p] : undefined;
  return cursor === undefined ? ' (missing)' : ` (got ${JSON.stringify(cursor)?.slice(0, 60)})`;
}

export interface DescribeIssuesOptions {
  /** the name of the whole value, for an issue without a path: `(order)`, `(record)` */
  root: string;
  /** how many issues to name; the others are counted ("; and 3 more") */
  max?: number;
}

/**
 * `items[0].quantity: must be a whole number (got "two"); created: … (missing)` — the first issues
 * of parsing `raw`, each naming the field and the value it held (cut to 60 characters), so the
 * reader of a quarantine can see what the channel sent without opening the payload.
 */
export function describeIssues(raw: unknown, error: z.ZodError, options: DescribeIssuesOptions): string {
  const max = options.max ?? 5;
  const problems = error.issues.slice(0, max).map((issue) => `${issuePath(issue.path) || options.root}: ${issue.message}${heldAt(raw, issue.path)}`);
  const more = error.issues.length > max ? `; and ${error.issues.length - max} more` : '';
  return `${problems.join('; ')}${more}`;
}

/** `path: message` of the first issue: the short form for an answer that is not the expected shape. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'unexpected shape';
}
