/**
 * Retry timing. Full jitter spreads the retries of many clients hit by the same outage, so they do not
 * come back in lock-step; Retry-After is the channel telling us exactly how long to stay away.
 */

/**
 * Delay before retry number `attempt` (1 = first retry): a uniformly random value in
 * [0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))] ("full jitter").
 */
export function backoffDelayMs(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  // cap the exponent so 2^n stays finite for absurd attempt numbers
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(exponent, 52));
  return Math.max(0, Math.floor(random() * ceiling));
}

/**
 * Retry-After in milliseconds: delta-seconds ("120", fractions tolerated) or an HTTP-date.
 * null when absent or unparsable; a date in the past gives 0, never a negative wait.
 */
export function parseRetryAfter(value: string | undefined | null, now: Date = new Date()): number | null {
  if (value === undefined || value === null) return null;
  const v = value.trim();
  if (v === '') return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  // only accept things that look like a date: Date.parse is lenient with garbage like "1 2"
  if (!/[A-Za-z]/.test(v)) return null;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}

/** POST and PATCH are not idempotent: they are retried only when the caller says it is safe. */
export function retriesByDefault(method: string): boolean {
  return !(method === 'POST' || method === 'PATCH');
}
