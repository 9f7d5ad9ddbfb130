/**
 * Reading single orders again from their channel, for the console's "re-sync this order" and
 * "retry a quarantined record": fetched by id where the channel can (`fetchByIds`), otherwise the
 * stored raw record is mapped again (after a mapping fix), both through the normal ingest path, so
 * the journal, change feed and quarantine see it like any sync.
 */
import type { BaseConnectionConfig } from '../core/config.ts';
import { OrderhubError } from '../core/errors.ts';
import { ingestRecords, WarningLog, type IngestResult } from '../core/sync/ingest.ts';
import { createConnectorRuntime } from '../core/sync/runtime.ts';
import type { ApiContext } from './context.ts';
import { ApiError } from './errors.ts';

export function configuredConnection(ctx: ApiContext, name: string): BaseConnectionConfig {
  const config = ctx.config.connections.find((c) => c.name === name);
  if (!config) throw new ApiError(404, 'not_found', `connection ${name} is not configured on this server`);
  return config;
}

export interface Refetched extends IngestResult {
  /** how the record was read: from the channel by its id, or the stored raw record mapped again */
  source: 'channel' | 'stored';
  warnings: string[];
}

/**
 * Reads `externalId` from the channel by id when it can; when it cannot (or `stored` is given and
 * the channel has no by-id read) ingests `stored` instead. Throws write_back_unsupported when there is
 * neither.
 */
export async function refetchRecord(ctx: ApiContext, who: { actor: string }, connection: string, externalId: string | null, stored?: unknown): Promise<Refetched> {
  const config = configuredConnection(ctx, connection);
  const channel = ctx.registry.get(config.kind);
  const rt = createConnectorRuntime(ctx.store, channel, config, ctx.logger);
  try {
    const signal = AbortSignal.any([ctx.shutdown, AbortSignal.timeout(config.http.deadlineMs)]);
    let records: unknown[] = [];
    let source: Refetched['source'] = 'channel';
    if (rt.connector.fetchByIds && externalId !== null) {
      for await (const r of rt.connector.fetchByIds([externalId], signal)) records.push(r);
    }
    if (records.length === 0) {
      if (stored === undefined) {
        throw new OrderhubError(
          'write_back_unsupported',
          rt.connector.fetchByIds ? `${channel.title} no longer returns order ${externalId}` : `${channel.title} cannot be asked for one order; sync the connection instead`,
        );
      }
      records = [stored];
      source = 'stored';
    }
    await rt.connector.prepare?.(signal); // (catalog joins, e.g. Dropohs' product lines)
    const warnings = new WarningLog();
    const result = await ingestRecords({
      store: ctx.store, connection, channel: channel.kind, connector: rt.connector, runId: null, records, warnings, now: new Date(),
      actor: who.actor,
    });
    return { ...result, source, warnings: warnings.lines() };
  } finally {
    await rt.close();
  }
}
