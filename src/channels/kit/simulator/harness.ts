/**
 * What every channel simulator does around its API: the history it generates, its request
 * counters, its fault knobs, its live activity (tick), reset, the /__sim control API, listening
 * and closing. A channel's simulator/index.ts builds its store and server and hands them over.
 */
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import type { RequestCounters } from './api-hooks.ts';
import { registerControlApi, type ControlApi } from './control.ts';
import type { FaultKnobs } from './faults.ts';
import { listenLocal } from '../../../core/http/listen.ts';
import { HashChain, hash2 } from './random.ts';

/** The span a simulator generates orders over: from `since` (default `days` before now) to now. */
export interface SimulatedHistory {
  /** "now" at the start (UTC ms): the end of the generated orders */
  nowMs: number;
  /** UTC seconds of local midnight starting `since` */
  sinceSec: number;
  /** UTC seconds of nowMs */
  untilSec: number;
  /** the clock inserted orders are created at (UTC seconds): the real one, or nowMs when pinned */
  nowSec: () => number;
}

export function simulatedHistory(options: { since?: string; now?: number; historyEnd?: number }, zone: string, days: number): SimulatedHistory {
  const nowMs = options.now ?? options.historyEnd ?? Date.now();
  const since = options.since ?? DateTime.fromMillis(nowMs, { zone }).minus({ days }).toISODate()!;
  const start = DateTime.fromISO(since, { zone }).startOf('day');
  if (!start.isValid) throw new TypeError(`since: "${since}" is not a date (YYYY-MM-DD)`);
  const pinned = options.now !== undefined;
  return {
    nowMs,
    sinceSec: Math.floor(start.toMillis() / 1000),
    untilSec: Math.floor(nowMs / 1000),
    nowSec: pinned ? () => Math.floor(nowMs / 1000) : () => Math.floor(Date.now() / 1000),
  };
}

/** What a tick does to a simulator's orders. */
export interface LiveOrders<I, C> {
  insertOrders(count: number): I[];
  changeRandomOldOrders(count: number): C[];
}

export interface HarnessParts<F extends object, K extends RequestCounters> {
  seed: number;
  faults: FaultKnobs<F>;
  /** fresh request counters (the harness keeps one object and refills it on reset) */
  counters: () => K;
  /** the channel's own state back to the start (store, identity …); counters, knobs and ticks are the harness's */
  reset(): void;
}

/** The members every simulator has, whatever its channel. */
export interface SimulatorControls<F extends object, K extends RequestCounters> {
  /** http://host:port of the server */
  baseUrl: string;
  port: number;
  /** live request counters (API requests only) */
  readonly requests: K;
  /** the knobs in force (a copy) */
  readonly faults: F;
  /** merges knobs (null/undefined → default/off) and restarts the fault cycle */
  setFaults(faults: Partial<F>): F;
  clearFaults(): void;
  /** back to the start: the channel's changes, counters and knobs */
  reset(): void;
  close(): Promise<void>;
}

/** The control API's parts that are the channel's (see control.ts). */
export type ChannelControls = Pick<ControlApi, 'stats' | 'tick' | 'orders' | 'own'>;

export class SimulatorHarness<F extends object, K extends RequestCounters> {
  readonly counters: K;
  readonly faults: FaultKnobs<F>;
  private readonly ticks: HashChain;

  constructor(private readonly parts: HarnessParts<F, K>) {
    this.counters = parts.counters();
    this.faults = parts.faults;
    this.ticks = new HashChain(hash2(parts.seed, 0x51ed), 0x9e37);
  }

  /** one step of live activity: 1–3 orders created now, 1–3 older ones moved on (replayable per seed) */
  tick<I, C>(orders: LiveOrders<I, C>): { inserted: I[]; changed: C[] } {
    const r = this.ticks.next();
    const inserted = orders.insertOrders(1 + (r % 3));
    const changed = orders.changeRandomOldOrders(1 + ((r >>> 8) % 3));
    return { inserted, changed };
  }

  reset(): void {
    this.parts.reset();
    Object.assign(this.counters, this.parts.counters());
    this.faults.clear();
    this.ticks.restart();
  }

  /** Adds the /__sim control API to `app`, listens, and returns the members every simulator has. */
  async listen(app: FastifyInstance, at: { host?: string; port: number }, controls: ChannelControls): Promise<SimulatorControls<F, K>> {
    registerControlApi(app, {
      ...controls,
      counters: this.counters,
      faults: this.faults as unknown as ControlApi['faults'],
      reset: () => this.reset(),
    });
    const { port, baseUrl } = await listenLocal(app, at.host, at.port);
    const harness = this;
    return {
      baseUrl,
      port,
      get requests() {
        return harness.counters;
      },
      get faults() {
        return { ...harness.faults.current };
      },
      setFaults: (f) => ({ ...harness.faults.set(f) }),
      clearFaults: () => void harness.faults.clear(),
      reset: () => harness.reset(),
      close: () => app.close(),
    };
  }
}

/**
 * `own` with the members of `common` it does not have itself, getters kept as getters (a spread
 * would read them once): a channel's simulator object on top of the harness's members.
 */
export function simulatorWith<A extends object, B extends object>(common: A, own: B): A & B {
  const shared = Object.getOwnPropertyDescriptors(common) as Record<string, PropertyDescriptor>;
  for (const key of Object.keys(own)) delete shared[key];
  return Object.defineProperties(own, shared) as A & B;
}
