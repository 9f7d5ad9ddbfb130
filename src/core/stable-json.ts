/**
 * JSON with the keys of every object sorted: the same content always gives the same text, whatever
 * order its keys were written in. For hashing content (idempotency keys, resend detection), where
 * `{"a":1,"b":2}` and `{"b":2,"a":1}` must be one request. Keys whose value is undefined are left out
 * and an undefined array element is null, as JSON.stringify does. Keys are sorted as strings, integer
 * keys too ("10" before "2"): the text is built here, not by JSON.stringify of a re-sorted object,
 * because JS enumerates integer keys first in numeric order whatever order they were added in.
 */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`;
}
