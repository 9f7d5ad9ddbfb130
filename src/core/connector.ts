/**
 * The contract between the channel-agnostic core and a channel folder.
 *
 * A channel says only how to fetch one page and how to map one raw order. The sync engine owns
 * windows, watermarks, overlap, paging to the end, dedup, journal, checkpoints and re-polling of open
 * orders. A new channel is one folder under src/channels/ plus one line in src/channels/registry.ts.
 */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { CanonicalOrder, MappedOrder } from './canonical/order.ts';
import type { StatusTable } from './canonical/status.ts';
import type { HttpClient, HttpClientOptions } from './http/client.ts';
import type { TokenCache } from './http/auth.ts';
import type { BaseConnectionConfig } from './config.ts';
import type { StoreHandle } from './store/db.ts';
import type { StoreModule } from './store/module.ts';

/** What the engine asks a connector for. */
export type PullQuery =
  /** orders created in [from, to) — a connector may widen it (e.g. to whole days); the engine dedups */
  | { kind: 'window'; from: Date; to: Date; partition?: string }
  /** every order the channel has (channels without filters) */
  | { kind: 'all'; partition?: string }
  /** orders the channel itself still considers open (status filter); only if supportsOpenQuery */
  | { kind: 'open'; partition?: string }
  /**
   * orders in the channel's closed statuses created from `from` on (status and date filters), to
   * catch late changes (returns after delivery, complaints); only if supportsClosedQuery
   */
  | { kind: 'closed'; from: Date; partition?: string };

/**
 * Where the next page starts. The engine computes all of these from the paging style, so a connector
 * just reads the one its API uses: `index` for page numbers from 0, `offset` for record offsets
 * (advanced by the number of records actually received, never by the requested size — channels cap
 * page sizes silently), `token` for next links/cursors returned by the previous page.
 */
export interface PageParams {
  index: number;
  offset: number;
  size: number;
  token: string | null;
}

export interface FetchedPage {
  records: unknown[];
  /** next link/cursor for token paging; null means the channel proved the end */
  nextToken?: string | null;
  /** true when the channel proved this is the last page (e.g. a `next: null` link) */
  last?: boolean;
}

export interface MapResult {
  order: MappedOrder;
  /** things worth reporting but not failing on, e.g. a status the mapping table does not know */
  warnings: string[];
}

export type PagingStyle = 'index' | 'offset' | 'token';

export interface DocumentUpload {
  fileName: string;
  contentType: string;
  data: Buffer;
  /** channel document type, e.g. INVOICE */
  type: string;
  informClient: boolean;
}

/** Writing back to the channel. Methods throw ChannelRefusedError with the channel's own message. */
export interface WriteBack {
  /** channel statuses a user may set, in the channel's own names */
  readonly settableStatuses: readonly string[];
  /**
   * The channel's status table (its status -> canonical, as status-map.ts maps them), so a canonical
   * status can be asked for too: it is set as the one settable status that maps to it.
   */
  readonly statusTable?: StatusTable;
  setStatus?(order: CanonicalOrder, channelStatus: string, signal?: AbortSignal): Promise<void>;
  addTracking?(order: CanonicalOrder, trackingNumber: string, carrier: string | null, signal?: AbortSignal): Promise<void>;
  uploadDocument?(order: CanonicalOrder, doc: DocumentUpload, signal?: AbortSignal): Promise<void>;
}

export interface Connector {
  /**
   * 'window': the channel filters by creation date; the engine walks windows with a watermark.
   * 'full-scan': no usable filter; every sync reads everything and the content hash skips the unchanged.
   */
  readonly listing: 'window' | 'full-scan';
  readonly paging: PagingStyle;
  /** page size to ask for */
  readonly pageSize: number;
  /** longest window one query may cover (channels time out on huge ranges); default 31 */
  readonly maxWindowDays?: number;
  /** fetchPage understands { kind: 'open' } */
  readonly supportsOpenQuery?: boolean;
  /** fetchPage understands { kind: 'closed', from } */
  readonly supportsClosedQuery?: boolean;
  /**
   * mapOrder depends on nothing but the record and the connection's time zone (no catalog, no other
   * state). The engine may then skip mapping a record whose raw payload is exactly the stored one.
   */
  readonly mapsRecordAlone?: boolean;

  /** Sub-accounts walked one after another (Dropohs e-shops). Default: one, unnamed. */
  partitions?(signal: AbortSignal): Promise<string[]>;
  /** Called once at the start of a sync run (e.g. load a product catalog). */
  prepare?(signal: AbortSignal): Promise<void>;
  fetchPage(query: PullQuery, page: PageParams, signal: AbortSignal): Promise<FetchedPage>;
  /** Orders by the channel's id, for re-polling open orders. Yields raw records; skips unknown ids. */
  fetchByIds?(externalIds: readonly string[], signal: AbortSignal): AsyncIterable<unknown>;
  /** The channel's id of a raw record, or null when it has none (then the record is quarantined). */
  externalIdOf(record: unknown): string | null;
  /** Maps one raw record. Throws (any Error) on a malformed record: it is kept raw and reported. */
  mapOrder(record: unknown): MapResult;
  readonly writeBack?: WriteBack;
  close?(): Promise<void>;
}

/** What the core hands a connector when it is created. */
export interface ConnectorContext {
  connection: string;
  logger: Logger;
  /** The zone the channel's wall times are in (channel default, or the connection's override). */
  timeZone: string;
  /** Builds an HTTP client with the connection's timeouts, retries, rate limit and concurrency. */
  http(options: Pick<HttpClientOptions, 'baseUrl' | 'auth'> & Partial<HttpClientOptions>): HttpClient;
  /** Token cache shared by every process on the same store (one token per connection). */
  tokenCache: TokenCache;
  /** Small per-connection key/value state kept in the store (e.g. a product catalog). */
  state: ConnectionState;
}

export interface ConnectionState {
  get<T>(key: string): Promise<T | null>;
  set(key: string, value: unknown): Promise<void>;
  /**
   * Atomically stores `value` only if the current value still equals `expected` (null = absent), as
   * every process sharing the store sees it. The building block of cross-process locks (e.g. one
   * token request per connection). Returns whether it was stored.
   */
  compareAndSet(key: string, expected: unknown, value: unknown): Promise<boolean>;
}

export interface WriteBackCapability {
  status: boolean;
  tracking: boolean;
  documents: boolean;
}

export interface ChannelCapabilities {
  pull: boolean;
  push: boolean;
  writeBack: WriteBackCapability;
}

/** A running local simulator of a channel, started by `orderhub sandbox`, `npm start` and tests. */
export interface RunningSimulator {
  baseUrl: string;
  /** the connection entry (without `name`) that points orderhub at this simulator */
  connection: Record<string, unknown>;
  /** one step of simulated live activity: new orders, status changes (used by the demo) */
  tick?(): void;
  /**
   * A push channel's simulator calls orderhub rather than being called: once orderhub's server runs it
   * is told where, and seeds what its channel needs in the store (e.g. the stock its orders draw on).
   */
  connectTo?(target: { serverUrl: string; store: StoreHandle; connection: BaseConnectionConfig }): Promise<void>;
  /** A line on what happened since the last call (for the demo; push orders never show in sync summaries). */
  describeActivity?(): Promise<string | null>;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  host: string;
  port: number;
  /** number of orders to generate */
  orders: number;
  seed: number;
  /** first creation day of generated orders (YYYY-MM-DD); they spread evenly up to now */
  since?: string;
  /**
   * the end of the generated history (UTC ms) instead of now: a demo kept across runs passes its first
   * run's, so the same seed generates the same orders at the same times (new orders are still created now)
   */
  historyEnd?: number;
}

export interface ChannelDefinition<C extends BaseConnectionConfig = BaseConnectionConfig> {
  kind: string;
  title: string;
  /** zone of the channel's wall times, per its documentation */
  defaultTimeZone: string;
  capabilities: ChannelCapabilities;
  /** zod schema of this kind's connection entry (extends the base connection schema) */
  configSchema: z.ZodType<C>;
  /** keys of the connection entry that hold secrets (never printed, never returned by the API) */
  secretFields: readonly string[];
  createConnector(config: C, ctx: ConnectorContext): Connector;
  /** the channel's own tables and their migrations, when it has any (run by every store the product opens) */
  store?: StoreModule;
  simulator?: { start(options: SimulatorOptions): Promise<RunningSimulator> };
  /**
   * A push channel's inbound API (the channel calls us), mounted by `orderhub serve` in its own
   * encapsulated Fastify scope (own body parsers, error handling and auth), when at least one
   * connection of the kind is configured.
   */
  push?: { register(app: FastifyInstance, ctx: PushContext): Promise<void> };
  /** Channel-specific CLI commands, mounted as `orderhub <kind> …` (e.g. reference data lookups). */
  cli?: {
    description: string;
    register(command: Command, ctx: ChannelCliContext): void;
    /** Commands a user reaches for daily, also mounted at the top level (`orderhub stock …`). */
    topLevel?: Array<{ name: string; description: string; register(command: Command, ctx: ChannelCliContext): void }>;
  };
}

/** What a push channel's inbound API is given. */
export interface PushContext {
  store: StoreHandle;
  /** the enabled connections of this channel kind */
  connections: BaseConnectionConfig[];
  logger: Logger;
}

/** What a channel's own CLI commands get: its configured connections, opened on demand. */
export interface ChannelCliContext {
  /**
   * Opens a configured connection of this channel kind: the named one, or the only one configured.
   * The context builds HTTP clients exactly as the sync engine does; close() releases them.
   */
  openConnection(name: string | undefined): Promise<{
    config: BaseConnectionConfig;
    context: ConnectorContext;
    /** the store (always given by `orderhub`; channels whose commands only call the channel ignore it) */
    store?: StoreHandle;
    close(): Promise<void>;
  }>;
}

/** Identity helper so a channel definition is type-checked against its own config type. */
export function defineChannel<C extends BaseConnectionConfig>(def: ChannelDefinition<C>): ChannelDefinition<C> {
  return def;
}
