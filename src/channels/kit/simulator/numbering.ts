/** Order numbers of lazily generated orders: a pure function of (seed, index), and back. */
import { hash2 } from './random.ts';

/**
 * Numbers that grow with the index by 1..step (gaps, like real numbering): number(i) =
 * base + step * i + a hashed 0..step-1, so the index of a number is found without a table.
 */
export class GappedNumbers {
  constructor(
    private readonly seed: number,
    readonly base: number,
    readonly step: number,
  ) {}

  /** the number of index i */
  at(i: number): number {
    return this.base + this.step * i + (hash2(this.seed ^ 0x68e31da4, i) % this.step);
  }

  /** the index numbered n, or -1 when no index has that number */
  indexOf(n: number): number {
    if (!Number.isSafeInteger(n) || n < this.base) return -1;
    const i = Math.floor((n - this.base) / this.step);
    return this.at(i) === n ? i : -1;
  }
}

/** A numeric order id given as a number or as its digits (a URL path, a test); NaN otherwise. */
export function numericId(id: number | string): number {
  return typeof id === 'number' ? id : /^\d+$/.test(id.trim()) ? Number(id) : NaN;
}
