/** Option value parsers: a bad value is a usage error naming the option, never a silent default. */
import { InvalidArgumentError } from 'commander';
import { splitList } from '../api/schemas.ts';

/** `-n 20` -> 20; `-n abc`, `-n 0` (below min), `-n 0x10`, `-n 2.5` are refused. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number${max === Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ` from ${min} to ${max}`}`);
    }
    return n;
  };
}

/**
 * A filter option that takes one name or several, as the REST API's filters do: `-c a,b`, and the
 * option repeated (`-c a -c b`) adds to the list.
 */
export function nameList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...(splitList(value) ?? [])];
}
