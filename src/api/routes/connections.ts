/** /v1/connections (health), POST /v1/connections/{name}/sync (trigger) and /v1/sync-runs. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { parseDuration } from '../../core/canonical/time.ts';
import { redactUrl } from '../../core/log.ts';
import { listConnections } from '../../core/store/connections.ts';
import type { StoreHandle } from '../../core/store/db.ts';
import type { Database, SyncRunRow } from '../../core/store/schema.ts';
import type { OrderhubConfig } from '../../core/config.ts';
import type { ChannelRegistry } from '../../core/registry.ts';
import { syncConnection } from '../../core/sync/engine.ts';
import { ApiError } from '../errors.ts';
import { connectionNameParams, connectionSchema, errorSchema, splitList, syncQuery, syncRunSchema, syncRunsQuery } from '../schemas.ts';
import { sendJson, type ApiContext, type ZodApp } from '../context.ts';
import { didYouMean } from '../../core/suggest.ts';
import { rejectUnknownNames } from './known-names.ts';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema };

/** A sync run as the API (and `orderhub runs --json`) shows it. */
export function runInfo(r: SyncRunRow) {
  return {
    id: Number(r.id), connection: r.connection, mode: r.mode, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at,
    counts: { fetched: r.fetched, created: r.created, updated: r.updated, unchanged: r.unchanged, failed: r.failed, pages: r.pages },
    error: r.error, warnings: r.warnings ? (JSON.parse(r.warnings) as string[]) : [],
  };
}

/** Sync runs newest first, of one or several connections (all when none), older than `before` when given. */
export async function listSyncRuns(db: Kysely<Database>, q: { connection?: string[] | undefined; limit: number; before?: number | undefined }): Promise<SyncRunRow[]> {
  let query = db.selectFrom('sync_runs').selectAll();
  if (q.connection?.length) query = q.connection.length === 1 ? query.where('connection', '=', q.connection[0]!) : query.where('connection', 'in', q.connection);
  if (q.before) query = query.where('id', '<', q.before);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

/** The engine's checkpoint as stored (JSON text), or null; a row that cannot be read shows as null. */
function parseCheckpoint(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function nextSync(schedule: string, lastSyncAt: string | null): string | null {
  const every = parseDuration(schedule);
  if (every !== null) return new Date((lastSyncAt ? Date.parse(lastSyncAt) : Date.now()) + every).toISOString();
  try {
    return new Cron(schedule, { paused: true }).nextRun()?.toISOString() ?? null;
  } catch {
    return null;
  }
}

export interface ConnectionSources {
  store: StoreHandle;
  config: OrderhubConfig;
  registry: ChannelRegistry;
  /** whether this process is syncing the connection right now */
  running?: (name: string) => boolean;
}

/**
 * Every configured connection with its health, last and next sync, last error (in full) and order
 * counts, as GET /v1/connections (and `orderhub connections --json`) shows it; secrets left out.
 */
export async function describeConnections({ store, config, registry, running = () => false }: ConnectionSources) {
  const rows = new Map((await listConnections(store.db)).map((r) => [r.name, r]));
  const counts = new Map(
    (await store.db
      .selectFrom('orders')
      .select(['connection', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('open').as('open')])
      .groupBy('connection')
      .execute()).map((r) => [r.connection, { orders: Number(r.n), open: Number(r.open ?? 0) }]),
  );
  const data = [];
  for (const c of config.connections) {
    const row = rows.get(c.name);
    let channel: ReturnType<typeof registry.get> | undefined;
    try {
      channel = registry.get(c.kind);
    } catch {
      channel = undefined;
    }
    const secret = new Set(channel?.secretFields ?? []);
    const settings: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c)) {
      if (k === 'name' || k === 'kind' || secret.has(k)) continue;
      settings[k] = k === 'baseUrl' && typeof v === 'string' ? redactUrl(v) : v;
    }
    const last = await store.db.selectFrom('sync_runs').selectAll().where('connection', '=', c.name).orderBy('id', 'desc').limit(1).executeTakeFirst();
    data.push({
      name: c.name,
      kind: c.kind,
      title: channel?.title ?? null,
      enabled: c.enabled,
      schedule: c.schedule,
      health: c.enabled ? (row?.health ?? 'never_synced') : 'disabled',
      attention: row?.attention ?? null,
      running: running(c.name) || (row?.lock_until != null && row.lock_until > new Date().toISOString()),
      lastSyncAt: row?.last_sync_at ?? null,
      lastSuccessAt: row?.last_success_at ?? null,
      nextSyncAt: c.enabled ? nextSync(c.schedule, row?.last_sync_at ?? null) : null,
      lastError: row?.last_error ?? null,
      checkpoint: parseCheckpoint(row?.checkpoint ?? null),
      counts: counts.get(c.name) ?? { orders: 0, open: 0 },
      lastRun: last ? runInfo(last) : null,
      capabilities: channel?.capabilities ?? null,
      settings,
    });
  }
  return data;
}

export function registerConnectionRoutes(app: ZodApp, ctx: ApiContext): void {
  const { store } = ctx;

  app.get('/v1/connections', {
    schema: {
      tags: ['connections'],
      summary: 'Configured connections with their health, last and next sync, last error and order counts',
      description: 'Credentials are never returned: the fields a channel declares secret are left out.',
      response: { 200: z.object({ data: z.array(connectionSchema) }), ...errors },
    },
  }, async (_request, reply) => {
    const data = await describeConnections({ store, config: ctx.config, registry: ctx.registry, running: (name) => ctx.syncs.has(name) });
    return sendJson(reply, 200, { data });
  });

  app.post('/v1/connections/:name/sync', {
    schema: {
      tags: ['connections'],
      summary: 'Start a sync of one connection now',
      description: 'Answers 202 with the run id while the sync goes on in the background, or 200 with the summary when ?wait=true.',
      params: connectionNameParams,
      querystring: syncQuery,
      response: { 200: z.unknown(), 202: z.object({ connection: z.string(), runId: z.number().nullable(), status: z.string() }), ...errors, 409: errorSchema },
    },
  }, async (request, reply) => {
    const name = request.params.name;
    const config = ctx.config.connections.find((c) => c.name === name);
    if (!config) {
      const configured = ctx.config.connections.map((c) => c.name);
      throw new ApiError(404, 'not_found', `no connection named ${name}${didYouMean(name, configured)}; configured: ${configured.join(', ') || '(none)'}`);
    }
    if (ctx.syncs.has(name)) throw new ApiError(409, 'sync_in_progress', `${name} is already being synced by this server`);
    const channel = ctx.registry.get(config.kind);
    const before = await store.db.selectFrom('sync_runs').select((eb) => eb.fn.max('id').as('m')).where('connection', '=', name).executeTakeFirst();
    const beforeId = Number(before?.m ?? 0);
    const q = request.query;
    const run = syncConnection(
      { store, channel, config, logger: ctx.logger },
      { signal: ctx.shutdown, full: q.full === 'true', since: q.since },
    ).finally(() => ctx.syncs.delete(name));
    ctx.syncs.set(name, run);
    run.then((s) => ctx.metrics.observeSync(s), (err: unknown) => ctx.logger.error({ err, connection: name }, 'sync crashed'));

    if (q.wait === 'true') {
      const s = await run;
      if (s.runId === null) throw new ApiError(409, 'sync_in_progress', s.error ?? `${name} is being synced elsewhere`);
      return sendJson(reply, 200, s);
    }
    // Wait (briefly) for the run row, so the client gets an id it can follow in /v1/sync-runs.
    let settled = false;
    run.then(() => (settled = true), () => (settled = true));
    for (let i = 0; i < 100 && !settled; i++) {
      const row = await store.db.selectFrom('sync_runs').select('id').where('connection', '=', name).where('id', '>', beforeId).orderBy('id').limit(1).executeTakeFirst();
      if (row) return sendJson(reply, 202, { connection: name, runId: Number(row.id), status: 'running' });
      await sleep(20);
    }
    if (settled) {
      const s = await run;
      if (s.runId === null) throw new ApiError(409, 'sync_in_progress', s.error ?? `${name} is being synced elsewhere`);
      return sendJson(reply, 202, { connection: name, runId: s.runId, status: s.status });
    }
    return sendJson(reply, 202, { connection: name, runId: null, status: 'starting' });
  });

  app.get('/v1/sync-runs', {
    schema: {
      tags: ['connections'],
      summary: 'Recent sync runs, newest first',
      querystring: syncRunsQuery,
      response: { 200: z.object({ data: z.array(syncRunSchema), next: z.number().nullable() }), ...errors },
    },
  }, async (request, reply) => {
    const q = request.query;
    const connection = splitList(q.connection);
    await rejectUnknownNames(ctx, { connection });
    const rows = await listSyncRuns(store.db, { connection, limit: q.limit, before: q.before });
    const next = rows.length === q.limit ? Number(rows[rows.length - 1]!.id) : null;
    return sendJson(reply, 200, { data: rows.map(runInfo), next });
  });
}
