/**
 * A local AlzaTrade (identity server + orders API) for tests, `orderhub sandbox` and the demo.
 * `connection` points orderhub at it: baseUrl = the server root, tokenUrl = `<root>/connect/token`,
 * credentials the simulator accepts (the secret deliberately contains & ^ % = + /).
 */
import { listenLocal } from '../../../sandbox/sim-kit.ts';
import { DateTime } from 'luxon';
import type { RunningSimulator, SimulatorOptions } from '../../../core/connector.ts';
import { DEFAULT_API_PREFIX } from '../schemas.ts';
import { SIM_ZONE, hash2 } from './generator.ts';
import { DEFAULT_IDENTITY, Identity, type IdentitySettings, type TokenCounters } from './identity.ts';
import { TOKEN_PATH, buildAlzaServer, emptyApiCounters, setFaults, setIdentity, type AlzaServerState, type ApiCounters } from './server.ts';
import { AlzaSimStore, NO_FAULTS, UNKNOWN_STATE_VALUE, type AlzaFaults, type StateChange } from './store.ts';

export type { AlzaFaults, StateChange, IdentitySettings, TokenCounters, ApiCounters };
export { NO_FAULTS, UNKNOWN_STATE_VALUE, DEFAULT_IDENTITY, TOKEN_PATH };

export interface AlzaSimulatorOptions extends SimulatorOptions {
  /** resource prefix served (default /api/v2) */
  apiPrefix?: string;
  /** identity server settings: credentials, token lifetime, blacklist thresholds */
  identity?: Partial<IdentitySettings>;
  /** pins "now" (UTC ms) for the schedule's end; default the real clock */
  now?: number;
}

export type AlzaConnectionEntry = {
  kind: 'alza-trade';
  baseUrl: string;
  tokenUrl: string;
  apiPrefix: string;
  clientId: string;
  clientSecret: string;
};

export interface AlzaTradeSimulator extends RunningSimulator {
  baseUrl: string;
  tokenUrl: string;
  connection: AlzaConnectionEntry;
  port: number;
  /** token endpoint counters: total, good (issued), bad (wrong credentials), refusedBlacklisted, invalid */
  readonly tokenRequests: TokenCounters;
  /** API request counters (token requests not included) */
  readonly requests: ApiCounters;
  readonly blacklisted: boolean;
  readonly faults: AlzaFaults;
  readonly identitySettings: IdentitySettings;
  setFaults(faults: Partial<AlzaFaults>): AlzaFaults;
  clearFaults(): void;
  /** credentials, token lifetime, blacklist thresholds */
  setIdentity(settings: Partial<IdentitySettings>): IdentitySettings;
  /** every issued token expires now: the next API request answers 401 */
  expireTokens(): void;
  changeStatus(orderNumber: string, state: string): StateChange;
  /** moves random open orders (created before olderThan, default: all) one step on */
  changeRandomOldOrders(count: number, olderThan?: Date): StateChange[];
  /** inserts Waiting orders created now; returns their numbers */
  insertOrders(count: number): string[];
  allOrderIds(): string[];
  orderCount(): number;
  /** the true state (no faults), or null for an unknown order */
  stateOf(orderNumber: string): string | null;
  /** the order as the API serves it now (faults included), or null */
  getOrder(orderNumber: string): Record<string, unknown> | null;
  /** order numbers served malformed under the current malformedEvery knob */
  malformedIds(): string[];
  /** clears the blacklist, counters, inserted orders, state changes and faults */
  reset(): void;
  tick(): { inserted: string[]; changed: StateChange[] };
  close(): Promise<void>;
}

export async function startAlzaTradeSimulator(options: AlzaSimulatorOptions): Promise<AlzaTradeSimulator> {
  const nowMs = options.now ?? Date.now();
  const since = options.since ?? DateTime.fromMillis(nowMs, { zone: SIM_ZONE }).minus({ days: 60 }).toISODate()!;
  const sinceDt = DateTime.fromISO(since, { zone: SIM_ZONE }).startOf('day');
  if (!sinceDt.isValid) throw new TypeError(`since: "${since}" is not a date (YYYY-MM-DD)`);
  const store = new AlzaSimStore({
    seed: options.seed,
    orders: options.orders,
    sinceSec: Math.floor(sinceDt.toSeconds()),
    untilSec: Math.floor(nowMs / 1000),
    now: options.now === undefined ? undefined : () => Math.floor(nowMs / 1000),
  });
  const identity = new Identity(options.identity);
  const apiPrefix = (options.apiPrefix ?? DEFAULT_API_PREFIX).replace(/\/+$/, '');
  let tickState = hash2(options.seed, 0x51ed);
  const state: AlzaServerState = {
    store,
    identity,
    apiPrefix,
    counters: emptyApiCounters(),
    faultTick: 0,
    recent: [],
    tick() {
      tickState = hash2(tickState, 0x9e37);
      const inserted = store.insertOrders(1 + (tickState % 3));
      const changed = store.changeRandomOldOrders(1 + ((tickState >>> 8) % 3));
      return { inserted, changed };
    },
    reset() {
      store.reset();
      identity.reset();
      Object.assign(state.counters, emptyApiCounters());
      state.faultTick = 0;
      state.recent = [];
      tickState = hash2(options.seed, 0x51ed);
    },
  };
  const app = await buildAlzaServer(state);
  const { port, baseUrl } = await listenLocal(app, options.host, options.port);
  const tokenUrl = `${baseUrl}${TOKEN_PATH}`;

  const idx = (n: string) => store.indexOf(String(n).trim());

  return {
    baseUrl,
    tokenUrl,
    get connection(): AlzaConnectionEntry {
      const s = identity.settings;
      return { kind: 'alza-trade', baseUrl, tokenUrl, apiPrefix, clientId: s.clientId, clientSecret: s.clientSecret };
    },
    port,
    get tokenRequests() {
      return identity.counters;
    },
    get requests() {
      return state.counters;
    },
    get blacklisted() {
      return identity.blacklisted;
    },
    get faults() {
      return { ...store.faults };
    },
    get identitySettings() {
      return { ...identity.settings };
    },
    setFaults: (f) => setFaults(state, f),
    clearFaults() {
      store.faults = { ...NO_FAULTS };
      state.faultTick = 0;
    },
    setIdentity: (s) => setIdentity(state, s),
    expireTokens: () => identity.expireAll(),
    changeStatus: (n, s) => store.changeState(String(n).trim(), s),
    changeRandomOldOrders: (count, olderThan) =>
      store.changeRandomOldOrders(count, olderThan === undefined ? Infinity : Math.floor(olderThan.getTime() / 1000)),
    insertOrders: (count) => store.insertOrders(count),
    allOrderIds: () => store.allOrderNumbers(),
    orderCount: () => store.count(),
    stateOf(n) {
      const i = idx(n);
      return i < 0 ? null : store.trueState(i);
    },
    getOrder(n) {
      const i = idx(n);
      return i < 0 ? null : store.wireOrder(i);
    },
    malformedIds() {
      const out: string[] = [];
      for (let i = 0; i < store.count(); i++) if (store.isMalformed(i)) out.push(store.numberOf(i));
      return out;
    },
    reset: () => state.reset(),
    tick: () => state.tick() as { inserted: string[]; changed: StateChange[] },
    close: () => app.close(),
  };
}
