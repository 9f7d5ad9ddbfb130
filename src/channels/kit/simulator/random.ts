/**
 * The simulators' one source of deterministic randomness: the same seed always generates the same
 * orders, lazily by index, so a simulator of a million orders holds none of them in memory.
 */

/** 32-bit avalanche hash of (seed, i): the per-order seed of lazily generated order i. */
export function hash2(seed: number, i: number): number {
  let h = (Math.imul(seed | 0, 0x27d4eb2d) ^ Math.imul(i | 0, 0x9e3779b1) ^ Math.imul((i / 4294967296) | 0, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A small seeded PRNG (mulberry32). Reseeding instead of allocating keeps per-order generation free
 * of garbage: a generator holds one Rng and reseeds it with hash2(seed, i) for order i.
 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0;
  }
  reseed(seed: number): this {
    this.s = seed | 0;
    return this;
  }
  /** uniform uint32 */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** uniform in [0, 1) */
  float(): number {
    return this.next() / 4_294_967_296;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.next() % list.length]!;
  }
  digits(n: number): string {
    let s = '';
    for (let k = 0; k < n; k++) s += String(this.next() % 10);
    return s;
  }
}

/**
 * A lookup table in which each value stands `weight` times: table[hash % table.length] picks a
 * value by weight with one hash and no search (base statuses of generated orders).
 */
export function weightedTable<T>(weights: ReadonlyArray<readonly [T, number]>): T[] {
  const table: T[] = [];
  for (const [value, weight] of weights) for (let k = 0; k < weight; k++) table.push(value);
  return table;
}

/** A `Math.random`-shaped stream of floats in [0, 1) from a seed (the same numbers as Rng.float). */
export function randomFloats(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.float();
}

/**
 * A replayable chain of hashes: next() = hash2(previous, step), starting from `start`. The
 * simulators' live activity (ticks, random status changes) draws from one, so a seed and a sequence
 * of calls always make the same changes; restart() replays it from the beginning.
 */
export class HashChain {
  private state: number;
  constructor(
    private readonly start: number,
    private readonly step: number,
  ) {
    this.state = start;
  }
  next(): number {
    this.state = hash2(this.state, this.step);
    return this.state;
  }
  restart(): void {
    this.state = this.start;
  }
}
