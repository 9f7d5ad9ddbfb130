/**
 * A local AlzaTrade (identity server + orders API) for tests, `orderhub sandbox` and the demo.
 * `connection` points orderhub at it: baseUrl = the server root, tokenUrl = `<root>/connect/token`,
 * credentials the simulator accepts (the secret deliberately contains & ^ % = + /).
 */
import type { RunningSimulator, SimulatorOptions } from '../../../core/connector.ts';
import { FaultKnobs } from '../../kit/simulator/faults.ts';
import { SimulatorHarness, simulatedHistory, simulatorWith, type SimulatorControls } from '../../kit/simulator/harness.ts';
import { DEFAULT_API_PREFIX } from '../schemas.ts';
import { SIM_ZONE } from './generator.ts';
import { DEFAULT_IDENTITY, Identity, type IdentitySettings, type TokenCounters } from './identity.ts';
import { TOKEN_PATH, buildAlzaServer, emptyApiCounters, type AlzaServerState, type ApiCounters } from './server.ts';
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

export interface AlzaTradeSimulator extends RunningSimulator, SimulatorControls<AlzaFaults, ApiCounters> {
  tokenUrl: string;
  connection: AlzaConnectionEntry;
  /** token endpoint counters: total, good (issued), bad (wrong credentials), refusedBlacklisted, invalid */
  readonly tokenRequests: TokenCounters;
  /** API request counters (token requests not included) */
  readonly requests: ApiCounters;
  readonly blacklisted: boolean;
  readonly identitySettings: IdentitySettings;
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
}

export async function startAlzaTradeSimulator(options: AlzaSimulatorOptions): Promise<AlzaTradeSimulator> {
  const history = simulatedHistory(options, SIM_ZONE, 60);
  const store = new AlzaSimStore({ seed: options.seed, orders: options.orders, sinceSec: history.sinceSec, untilSec: history.untilSec, now: history.nowSec });
  const identity = new Identity(options.identity);
  const apiPrefix = (options.apiPrefix ?? DEFAULT_API_PREFIX).replace(/\/+$/, '');
  const faults = new FaultKnobs<AlzaFaults>(NO_FAULTS, {}, { get: () => store.faults, set: (f) => void (store.faults = f) });
  const state: AlzaServerState = { store, identity, apiPrefix, counters: emptyApiCounters(), faults, recent: [] };
  const harness = new SimulatorHarness({
    seed: options.seed,
    faults,
    counters: emptyApiCounters,
    reset() {
      store.reset();
      identity.reset();
      state.recent = [];
    },
  });
  state.counters = harness.counters;
  const app = await buildAlzaServer(state);
  const tick = () => harness.tick(store);
  const idx = (n: string) => store.indexOf(String(n).trim());
  const controls = await harness.listen(app, options, {
    stats: () => ({ orders: store.count(), tokens: identity.counters, blacklisted: identity.blacklisted, blacklistReason: identity.blacklistReason }),
    tick,
    orders: {
      ids: () => store.allIds(),
      get: (n) => (idx(n) < 0 ? null : store.wireOrder(idx(n))),
      insert: (count) => store.insertOrders(count),
      setStatus: (n, status) => (idx(n) < 0 ? null : store.changeState(String(n).trim(), status)),
      changeRandom: (count) => store.changeRandomOldOrders(count),
    },
    own(sim) {
      sim.post('/identity', async (request) => {
        const { clientSecret: _hidden, ...shown } = identity.update((request.body ?? {}) as Record<string, unknown>);
        return shown;
      });
      sim.post('/expire-tokens', async () => {
        identity.expireAll();
        return { ok: true };
      });
    },
  });
  const tokenUrl = `${controls.baseUrl}${TOKEN_PATH}`;

  return simulatorWith(controls, {
    tokenUrl,
    get connection(): AlzaConnectionEntry {
      const s = identity.settings;
      return { kind: 'alza-trade', baseUrl: controls.baseUrl, tokenUrl, apiPrefix, clientId: s.clientId, clientSecret: s.clientSecret };
    },
    get tokenRequests() {
      return identity.counters;
    },
    get blacklisted() {
      return identity.blacklisted;
    },
    get identitySettings() {
      return { ...identity.settings };
    },
    setIdentity: (s: Partial<IdentitySettings>) => identity.update(s),
    expireTokens: () => identity.expireAll(),
    changeStatus: (n: string, s: string) => store.changeState(String(n).trim(), s),
    changeRandomOldOrders: (count: number, olderThan?: Date) =>
      store.changeRandomOldOrders(count, olderThan === undefined ? Infinity : Math.floor(olderThan.getTime() / 1000)),
    insertOrders: (count: number) => store.insertOrders(count),
    allOrderIds: () => store.allIds(),
    orderCount: () => store.count(),
    stateOf(n: string) {
      const i = idx(n);
      return i < 0 ? null : store.trueState(i);
    },
    getOrder(n: string) {
      const i = idx(n);
      return i < 0 ? null : store.wireOrder(i);
    },
    malformedIds() {
      const out: string[] = [];
      for (let i = 0; i < store.count(); i++) if (store.isMalformed(i)) out.push(store.numberOf(i));
      return out;
    },
    tick,
  });
}
