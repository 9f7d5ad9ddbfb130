/**
 * A body for an error message: whitespace folded, cut to `max` characters, and said to be empty when
 * it is. Messages quote what a channel answered, and a whole HTML error page would drown them.
 */
export function snippet(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t || '(empty body)';
}
