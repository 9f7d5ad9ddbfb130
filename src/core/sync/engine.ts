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
 * - Orders older than the windows are re-read (refresh.ts), because channels filter by creation date
 *   and would never show a change to an old order otherwise: open ones every run, closed ones (which
 *   change too: returns, complaints) for a while after they closed, spread over `refreshClosedEvery`.
 * - A record that cannot be mapped is stored raw in sync_failures and reported; the rest goes on.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { parseDuration, startOfLocalDay } from '../canonical/time.ts';
import type { BaseConnectionConfig } from '../config.ts';
import type { ChannelDefinition, Connector, PullQuery } from '../connector.ts';
import { AuthError } from '../http/errors.ts';
import { isStorageFull, type StoreHandle } from '../store/db.ts';
import {
  acquireLease, ensureConnection, getState, readCheckpoint, releaseLease, setState, takeOverLease, writeCheckpoint,
} from '../store/connections.ts';
import { ORDERHUB_VERSION } from '../version.ts';
import { closeAbandonedRuns, startRun, type RunCounts } from '../store/runs.ts';
import { describeError, ingestRecords, WarningLog } from './ingest.ts';
import { recordRunOutcome } from './outcome.ts';
import { walkPages } from './pager.ts';
import { createConnectorRuntime } from './runtime.ts';
import { refreshClosedOrders, refreshOpenOrders, windowQuery } from './refresh.ts';
import { planWindows } from './windows.ts';

const DAY_MS = 86_400_000;
/** Without a configured `since`, the first sync reaches back this far. */
export const DEFAULT_BACKFILL_DAYS = 30;
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
  /** closed orders re-checked for late changes (returns, complaints) */
  rechecked: number;
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
    connection: config.name, runId, mode, status, counts, windows: 0, refreshed: 0, rechecked: 0, requests: 0,
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
  let rechecked = 0;

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
      const refresh = { store, config, connector, partitions, signal, walk, storeRecords: storePage, log, warnings, covered: [] };
      const onRefresh = () => progress('refresh', windows.length, windows.length);
      refreshed = await refreshOpenOrders(refresh, from, runStart, onRefresh);
      rechecked = await refreshClosedOrders(refresh, from, runStart, onRefresh);
    }

    const status = 'succeeded' as const;
    if (mapping !== null && mode !== 'since' && recorded !== mapping) await setState(store.db, config.name, MAPPING_STATE_KEY, mapping);
    await recordRunOutcome(store, log, { connection: config.name, runId, counts, warnings: warnings.lines(), error: null, needsAttention: null }, now());
    log.info({ ...counts, windows: windowsWalked, refreshed, rechecked }, 'sync finished');
    return summary(status, runId, { windows: windowsWalked, refreshed, rechecked, requests: runtime.httpStats().requests });
  } catch (err) {
    const message = describeError(err);
    // A full disk, like refused credentials, will not go away by syncing again: someone must act.
    const needsAttention = err instanceof AuthError || isStorageFull(err) ? message : null;
    // Recording may fail for the same reason (no room); recordRunOutcome then tries each record on its
    // own, the lease is released below whatever happens, and the run's own error is what is reported.
    await recordRunOutcome(store, log, { connection: config.name, runId, counts, warnings: warnings.lines(), error: message, needsAttention }, now())
      .catch((recordErr: unknown) => log.error({ err: describeError(recordErr), cause: message }, 'sync failed and its outcome could not be recorded'));
    log.error({ err: message, ...counts }, 'sync failed');
    return summary('failed', runId, { windows: windowsWalked, refreshed, rechecked, requests: runtime.httpStats().requests, error: message });
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

export { describeError };
