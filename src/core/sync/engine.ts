/**
 * The incremental sync engine: one tested mechanism for every pulled channel.
 *
 * - The watermark of a window is taken at its start (the run's start time is the last window's end),
 *   and each run reaches back `overlap` before the stored watermark, so orders created while a sync
 *   runs, or stamped late by the channel, are not skipped.
 * - Every page is committed in its own transaction; the checkpoint moves only after every page of a
 *   window is committed, so it never runs ahead of stored data and a failed window never moves it.
 * - Orders are deduplicated by (connection, external id) and a content hash: an unchanged order
 *   writes nothing, a changed one gets a journal entry with the field-level diff.
 * - Open (non-terminal) orders older than the windows are re-polled every run, because channels
 *   filter by creation date only and would never show a status change to an old order otherwise.
 * - A record that cannot be mapped is stored raw in sync_failures and reported; the rest goes on.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { parseDuration, startOfLocalDay } from '../canonical/time.ts';
import type { BaseConnectionConfig } from '../config.ts';
import type { ChannelDefinition, Connector, PullQuery } from '../connector.ts';
import { AuthError } from '../http/errors.ts';
import type { StoreHandle } from '../store/db.ts';
import {
  acquireLease, ensureConnection, getState, readCheckpoint, recordSyncOutcome, releaseLease, setState, takeOverLease, writeCheckpoint,
} from '../store/connections.ts';
import { ORDERHUB_VERSION } from '../version.ts';
import { countOpenOrders, listOpenOrders, openOrderHours } from '../store/orders.ts';
import { closeAbandonedRuns, finishRun, startRun, type RunCounts } from '../store/runs.ts';
import { describeError, ingestRecords, WarningLog } from './ingest.ts';
import { walkPages } from './pager.ts';
import { createConnectorRuntime } from './runtime.ts';
import { planWindows, windowsCovering, type TimeWindow } from './windows.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Without a configured `since`, the first sync reaches back this far. */
export const DEFAULT_BACKFILL_DAYS = 30;
/** Up to this many open orders are re-polled one by one; more are re-read by creation-date windows. */
const REFRESH_BY_ID_LIMIT = 50;
const LEASE_TTL_MS = 120_000;
/** connection_state key: what the stored orders of the connection were last mapped with */
const MAPPING_STATE_KEY = 'mapping';

export interface SyncCheckpoint {
  version: 1;
  /** end of the last fully committed creation-date window (window listing) */
  watermark?: string;
  /** start of the last complete full scan (full-scan listing) */
  lastFullScanAt?: string;
}

export type SyncMode = 'incremental' | 'since' | 'full';

export interface SyncProgress {
  connection: string;
  phase: 'windows' | 'refresh' | 'scan';
  window: number;
  windows: number;
  counts: RunCounts;
}

export interface SyncOptions {
  /** backfill from this local date (YYYY-MM-DD) instead of the checkpoint */
  since?: string | undefined;
  /** fetch and map everything again from the configured `since` (dedup still writes nothing for the unchanged) */
  full?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((p: SyncProgress) => void) | undefined;
  now?: (() => Date) | undefined;
}

export interface SyncSummary {
  connection: string;
  runId: number | null;
  mode: SyncMode;
  status: 'succeeded' | 'failed';
  counts: RunCounts;
  windows: number;
  /** open orders re-polled for status changes */
  refreshed: number;
  requests: number;
  warnings: string[];
  error: string | null;
  durationMs: number;
}

export interface SyncDependencies {
  store: StoreHandle;
  channel: ChannelDefinition;
  config: BaseConnectionConfig;
  logger: Logger;
}

export async function syncConnection(deps: SyncDependencies, options: SyncOptions = {}): Promise<SyncSummary> {
  const { store, channel, config, logger } = deps;
  const now = options.now ?? (() => new Date());
  const started = Date.now();
  const mode: SyncMode = options.full ? 'full' : options.since ? 'since' : 'incremental';
  const counts: RunCounts = { fetched: 0, created: 0, updated: 0, unchanged: 0, failed: 0, pages: 0 };
  const warnings = new WarningLog();
  const summary = (status: 'succeeded' | 'failed', runId: number | null, extra: Partial<SyncSummary> = {}): SyncSummary => ({
    connection: config.name, runId, mode, status, counts, windows: 0, refreshed: 0, requests: 0,
    warnings: warnings.lines(), error: null, durationMs: Date.now() - started, ...extra,
  });

  await ensureConnection(store.db, config.name, channel.kind);
  const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  const lease = await acquireLease(store.db, config.name, owner, LEASE_TTL_MS, now());
  if (!lease.acquired && !(holderIsDead(lease.holder) && (await takeOverLease(store.db, config.name, lease.holder, owner, LEASE_TTL_MS, now())))) {
    return summary('failed', null, {
      error: `${config.name} is being synced by another process (${lease.holder}, lease until ${lease.until}); try again later`,
    });
  }
  await closeAbandonedRuns(store.db, config.name, now());
  const runId = await startRun(store.db, config.name, mode, now());
  const runtime = createConnectorRuntime(store, channel, config, logger);
  const signal = options.signal ?? new AbortController().signal;
  const log = runtime.context.logger.child({ runId });
  let lastRenew = Date.now();
  let windowsWalked = 0;
  let refreshed = 0;

  const progress = (phase: SyncProgress['phase'], window: number, windows: number) =>
    options.onProgress?.({ connection: config.name, phase, window, windows, counts });

  // A record whose raw payload is exactly the stored one maps to the stored content when the mapping
  // is the one it was stored with: same orderhub version, channel, time zone and re-poll horizon, and
  // a connector whose mapping reads nothing else. Incremental runs then skip mapping it, which is most
  // of a re-sync's work (every open order is re-read each run). The mapping is recorded after a
  // successful incremental or full run that mapped everything it fetched: an incremental run only
  // fetches orders such a run fetched too, or new ones. `--since` runs neither use nor record it.
  const mapping = runtime.connector.mapsRecordAlone
    ? `${ORDERHUB_VERSION}|${channel.kind}|${runtime.context.timeZone}|${config.refreshOpenDays}`
    : null;
  const recorded = mapping === null ? null : await getState<string>(store.db, config.name, MAPPING_STATE_KEY);
  const skipUnchangedRaw = mode === 'incremental' && mapping !== null && recorded === mapping;

  /** Maps and commits one page; returns the external ids it contained. */
  const storePage = async (records: unknown[]): Promise<string[]> => {
    const r = await ingestRecords({
      store, connection: config.name, channel: channel.kind, connector: runtime.connector, runId, records, warnings, now: now(),
      skipUnchangedRaw,
    });
    counts.created += r.created;
    counts.updated += r.updated;
    counts.unchanged += r.unchanged;
    counts.fetched += records.length;
    counts.failed += r.failures.length;
    counts.pages++;
    for (const f of r.failures) log.warn({ externalId: f.externalId, error: f.error }, 'record quarantined');
    if (Date.now() - lastRenew > LEASE_TTL_MS / 4) {
      await acquireLease(store.db, config.name, owner, LEASE_TTL_MS, now());
      lastRenew = Date.now();
    }
    return r.ids;
  };

  const walk = async (query: PullQuery, onIds?: (ids: string[]) => void) => {
    await walkPages(runtime.connector, query, signal, async (records) => {
      const ids = await storePage(records);
      onIds?.(ids);
    });
  };

  try {
    const connector = runtime.connector;
    await connector.prepare?.(signal);
    const partitions: Array<string | undefined> = connector.partitions ? await connector.partitions(signal) : [undefined];
    const runStart = now();

    if (connector.listing === 'full-scan') {
      for (const [i, partition] of partitions.entries()) {
        progress('scan', i, partitions.length);
        await walk(partition === undefined ? { kind: 'all' } : { kind: 'all', partition });
      }
      const checkpoint: SyncCheckpoint = { version: 1, lastFullScanAt: runStart.toISOString() };
      await writeCheckpoint(store.db, config.name, checkpoint, now());
    } else {
      const checkpoint = await readCheckpoint<SyncCheckpoint>(store.db, config.name);
      const from = windowStart(config, channel, checkpoint, options, runStart);
      const windows = planWindows(from, runStart, connector.maxWindowDays ?? 31);
      for (const [i, w] of windows.entries()) {
        progress('windows', i, windows.length);
        for (const partition of partitions) await walk(windowQuery(w, partition));
        windowsWalked++;
        // Every page of the window is committed: now, and only now, the watermark may move.
        const previous = checkpoint?.watermark ? new Date(checkpoint.watermark).getTime() : 0;
        if (w.to.getTime() > previous) {
          await writeCheckpoint(store.db, config.name, { version: 1, watermark: w.to.toISOString() } satisfies SyncCheckpoint, now());
        }
      }
      refreshed = await refreshOpenOrders(
        { store, config, connector, partitions, signal, walk, log, warnings },
        from,
        runStart,
        () => progress('refresh', windows.length, windows.length),
        (ids) => storePage(ids),
      );
    }

    const status = 'succeeded' as const;
    if (mapping !== null && mode !== 'since' && recorded !== mapping) await setState(store.db, config.name, MAPPING_STATE_KEY, mapping);
    await finishRun(store.db, runId, { status, counts, error: null, warnings: warnings.lines() }, now());
    await recordSyncOutcome(store.db, config.name, { ok: true }, now());
    log.info({ ...counts, windows: windowsWalked, refreshed }, 'sync finished');
    return summary(status, runId, { windows: windowsWalked, refreshed, requests: runtime.httpStats().requests });
  } catch (err) {
    const message = describeError(err);
    const needsAttention = err instanceof AuthError ? message : null;
    await finishRun(store.db, runId, { status: 'failed', counts, error: message, warnings: warnings.lines() }, now());
    await recordSyncOutcome(store.db, config.name, { ok: false, error: message, needsAttention }, now());
    log.error({ err: message, ...counts }, 'sync failed');
    return summary('failed', runId, { windows: windowsWalked, refreshed, requests: runtime.httpStats().requests, error: message });
  } finally {
    await runtime.close().catch(() => undefined);
    await releaseLease(store.db, config.name, owner).catch(() => undefined);
  }
}

/**
 * A lease holder on this host whose process no longer exists (killed mid-sync) cannot renew its lease;
 * waiting for the lease to expire would only delay the resume. Holders on other hosts are trusted
 * until their lease expires.
 */
function holderIsDead(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function windowQuery(w: TimeWindow, partition: string | undefined): PullQuery {
  return partition === undefined ? { kind: 'window', from: w.from, to: w.to } : { kind: 'window', from: w.from, to: w.to, partition };
}

/** Where this run's first window starts. */
function windowStart(
  config: BaseConnectionConfig,
  channel: ChannelDefinition,
  checkpoint: SyncCheckpoint | null,
  options: SyncOptions,
  runStart: Date,
): Date {
  const zone = config.timeZone ?? channel.defaultTimeZone;
  const configured = config.since ? startOfLocalDay(config.since, zone) : new Date(runStart.getTime() - DEFAULT_BACKFILL_DAYS * DAY_MS);
  if (options.since) return startOfLocalDay(options.since, zone);
  if (options.full || !checkpoint?.watermark) return configured;
  const overlapMs = parseDuration(config.overlap) ?? 0;
  return new Date(new Date(checkpoint.watermark).getTime() - overlapMs);
}

interface RefreshDeps {
  store: StoreHandle;
  config: BaseConnectionConfig;
  connector: Connector;
  partitions: Array<string | undefined>;
  signal: AbortSignal;
  walk: (query: PullQuery, onIds?: (ids: string[]) => void) => Promise<void>;
  log: Logger;
  warnings: WarningLog;
}

/**
 * Re-polls open orders that this run's windows did not cover: the channel's own "open" query when it
 * has one, then by id (few) or by creation-date windows around them (many). Returns how many open
 * orders were due. An order the channel no longer returns is reported, never taken as deleted.
 */
async function refreshOpenOrders(
  deps: RefreshDeps,
  windowsFrom: Date,
  runStart: Date,
  onStart: () => void,
  storeRecords: (records: unknown[]) => Promise<string[]>,
): Promise<number> {
  const { store, config, connector, partitions, signal, walk } = deps;
  const horizon = new Date(runStart.getTime() - config.refreshOpenDays * DAY_MS);
  if (horizon >= windowsFrom) return 0;
  const range = [horizon.toISOString(), windowsFrom.toISOString()] as const;
  const dueCount = await countOpenOrders(store.db, config.name, ...range);
  if (dueCount === 0) return 0;
  onStart();

  const byOpenQuery = connector.supportsOpenQuery === true;
  const byIds = !byOpenQuery && connector.fetchByIds !== undefined && (dueCount <= REFRESH_BY_ID_LIMIT || connector.listing !== 'window');
  if (!byOpenQuery && !byIds) {
    // Many open orders and no status filter: re-read the creation-date windows they fall in, planned
    // from an hourly aggregate so that memory stays flat however many orders are open.
    const hours = await openOrderHours(store.db, config.name, ...range);
    const windows = windowsCovering(hours.map((h) => new Date(`${h}:00:00.000Z`)), connector.maxWindowDays ?? 31);
    for (const w of windows) {
      // windowsCovering ends a window just after its last hour's start; cover that whole hour.
      const window = { from: w.from, to: new Date(w.to.getTime() - 1 + HOUR_MS) };
      for (const partition of partitions) await walk(windowQuery(window, partition));
    }
    return dueCount;
  }

  // Few enough to track one by one (or the channel's own open filter): an order the channel no longer
  // returns is reported.
  const due = await listOpenOrders(store.db, config.name, ...range);
  const pending = new Map(due.map((o) => [o.externalId, o.createdAt]));
  const markSeen = (ids: string[]) => {
    for (const id of ids) pending.delete(id);
  };
  if (byOpenQuery) {
    for (const partition of partitions) {
      await walk(partition === undefined ? { kind: 'open' } : { kind: 'open', partition }, markSeen);
    }
  }
  if (pending.size > 0 && connector.fetchByIds && (byIds || pending.size <= REFRESH_BY_ID_LIMIT || connector.listing !== 'window')) {
    const batch: unknown[] = [];
    for await (const record of connector.fetchByIds([...pending.keys()], signal)) {
      batch.push(record);
      if (batch.length >= 200) markSeen(await storeRecords(batch.splice(0)));
    }
    if (batch.length > 0) markSeen(await storeRecords(batch));
  } else if (pending.size > 0) {
    const windows = windowsCovering([...pending.values()].map((t) => new Date(t)), connector.maxWindowDays ?? 31);
    for (const w of windows) {
      for (const partition of partitions) await walk(windowQuery(w, partition), markSeen);
    }
  }
  if (pending.size > 0) {
    const sample = [...pending.keys()].slice(0, 5).join(', ');
    deps.warnings.add(`${pending.size} open order(s) were not returned by the channel when re-polled (kept as they were): ${sample}`);
  }
  return dueCount;
}

export { describeError };
