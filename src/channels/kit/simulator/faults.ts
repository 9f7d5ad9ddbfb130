/**
 * Fault injection, the same on every simulator: knobs (validated, merged, reset to their defaults)
 * and the cycle that picks which API requests they hit. A knob "every n" hits the n-th, 2n-th …
 * request since the knobs were last set, so a test that sets them knows exactly which request fails.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** The request-level knobs every simulator has; channels add their own (data faults, quirks). */
export interface RequestFaults {
  /** delay before every API answer */
  latencyMs: number;
  /** every n-th API request answers 429 (0 = off) */
  rateLimitEvery: number;
  /** every n-th API request answers 500 (0 = off) */
  errorEvery: number;
  /** every n-th API request answers 200 with its body cut in half (0 = off) */
  truncateEvery: number;
}

/** Every request-level knob off. */
export const NO_REQUEST_FAULTS: Readonly<RequestFaults> = Object.freeze({ latencyMs: 0, rateLimitEvery: 0, errorEvery: 0, truncateEvery: 0 });

/** Checks a value given for a knob and returns what to store; throws a TypeError naming the knob. */
export type KnobRule = (value: unknown, knob: string) => unknown;

/** A knob that takes one of a few strings. */
export function oneOf(...values: readonly string[]): KnobRule {
  const list = values.map((v) => `"${v}"`);
  const said = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list.at(-1)}` : list.join('');
  return (value, knob) => {
    if (typeof value !== 'string' || !values.includes(value)) throw new TypeError(`fault knob "${knob}" must be ${said}`);
    return value;
  };
}

/** The default rule: a boolean where the default is one, else a finite number >= 0. */
function defaultRule(fallback: unknown): KnobRule {
  return (value, knob) => {
    if (typeof fallback === 'boolean') {
      if (typeof value !== 'boolean') throw new TypeError(`fault knob "${knob}" must be a boolean`);
      return value;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`fault knob "${knob}" must be a number >= 0`);
    return value;
  };
}

/** Where the knobs live: by default in FaultKnobs itself; a store whose data they shape may hold them. */
export interface KnobSlot<F> {
  get(): F;
  set(knobs: F): void;
}

/** What the fault cycle decided for one API request. */
export interface FaultTurn {
  /** the request's position in the cycle (1 = the first since the knobs were set) */
  n: number;
  /** rateLimitEvery hits it: answer 429 */
  rateLimited: boolean;
  /** errorEvery hits it: answer 500 */
  failed: boolean;
  /** truncateEvery hits it: a 200 answer goes out cut in half (see payload) */
  truncated: boolean;
}

/** every > 0 and i is its (i+1)-th multiple: the data faults' "every n-th order, by index" */
export function everyNth(every: number, i: number): boolean {
  return every > 0 && (i + 1) % every === 0;
}

export class FaultKnobs<F extends object> {
  private position = 0;
  /** requests picked by truncateEvery */
  private readonly cut = new WeakSet<object>();
  private readonly slot: KnobSlot<F>;

  constructor(
    readonly defaults: Readonly<F>,
    private readonly rules: { readonly [K in keyof F]?: KnobRule } = {},
    slot?: KnobSlot<F>,
  ) {
    let own: F = { ...defaults };
    this.slot = slot ?? { get: () => own, set: (k) => void (own = k) };
  }

  /** the knobs in force (the live object: read it, change it with set) */
  get current(): F {
    return this.slot.get();
  }

  /**
   * Merges knobs (null or undefined puts a knob back to its default) after checking every one, and
   * restarts the cycle. Throws a RangeError for an unknown knob and a TypeError for a bad value.
   */
  set(patch: Partial<Record<keyof F, unknown>> | Record<string, unknown>): F {
    const next: Record<string, unknown> = { ...(this.current as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch)) {
      if (!(k in this.defaults)) throw new RangeError(`unknown fault knob "${k}"; known: ${Object.keys(this.defaults).join(', ')}`);
      const fallback = (this.defaults as Record<string, unknown>)[k];
      const rule = (this.rules as Record<string, KnobRule | undefined>)[k] ?? defaultRule(fallback);
      next[k] = v === null || v === undefined ? fallback : rule(v, k);
    }
    this.slot.set(next as F);
    this.restart();
    return this.current;
  }

  /** every knob back to its default; the cycle restarts */
  clear(): F {
    this.slot.set({ ...this.defaults });
    this.restart();
    return this.current;
  }

  /** the cycle starts again (the next API request is its first) */
  restart(): void {
    this.position = 0;
  }

  /**
   * One API request's turn: counts it in the cycle, waits latencyMs, and says which request-level
   * faults hit it (a request picked by truncateEvery is remembered for payload()).
   */
  async turn(request: object): Promise<FaultTurn> {
    const f = this.current as Partial<RequestFaults>;
    const n = ++this.position;
    if ((f.latencyMs ?? 0) > 0) await sleep(f.latencyMs);
    const hits = (every: number | undefined) => every !== undefined && every > 0 && n % every === 0;
    const turn = { n, rateLimited: hits(f.rateLimitEvery), failed: hits(f.errorEvery), truncated: hits(f.truncateEvery) };
    if (turn.truncated) this.cut.add(request);
    return turn;
  }

  /** the payload of an answer: a 200's cut in half when truncateEvery picked its request */
  payload(request: object, status: number, body: string | Buffer): string | Buffer {
    if (status !== 200 || !this.cut.has(request)) return body;
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    return buf.subarray(0, Math.max(1, Math.floor(buf.length / 2)));
  }
}
