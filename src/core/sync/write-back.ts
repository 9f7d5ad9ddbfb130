/**
 * Writing back to a channel (status changes, documents) and reading the order back afterwards, so
 * the store shows what the channel now says rather than what we asked for.
 */
import type { Logger } from 'pino';
import type { CanonicalOrder } from '../canonical/order.ts';
import type { BaseConnectionConfig } from '../config.ts';
import type { ChannelDefinition, DocumentUpload } from '../connector.ts';
import { OrderhubError, WriteBackRuleError } from '../errors.ts';
import type { StoreHandle } from '../store/db.ts';
import { findOrder } from '../store/orders.ts';
import { ingestRecords, WarningLog } from './ingest.ts';
import { createConnectorRuntime, type ConnectorRuntime } from './runtime.ts';

export interface WriteBackDeps {
  store: StoreHandle;
  logger: Logger;
  channel: ChannelDefinition;
  config: BaseConnectionConfig;
}

export async function withRuntime<T>(deps: WriteBackDeps, fn: (rt: ConnectorRuntime) => Promise<T>): Promise<T> {
  const rt = createConnectorRuntime(deps.store, deps.channel, deps.config, deps.logger);
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/**
 * Re-fetches one order from the channel and stores it through the normal ingest path; what changed
 * is journalled as `actor`'s (who asked for the write-back).
 */
export async function readBack(deps: WriteBackDeps, rt: ConnectorRuntime, order: CanonicalOrder, actor?: string): Promise<CanonicalOrder> {
  if (rt.connector.fetchByIds) {
    const records: unknown[] = [];
    for await (const r of rt.connector.fetchByIds([order.externalId], new AbortController().signal)) records.push(r);
    if (records.length > 0) {
      await ingestRecords({
        store: deps.store, connection: deps.config.name, channel: deps.channel.kind, connector: rt.connector,
        runId: null, records, warnings: new WarningLog(), now: new Date(), actor,
      });
    }
  }
  return (await findOrder(deps.store.db, order.id)) ?? order;
}

/** Sets the channel status and reads the order back; `actor` is who asked (see readBack; default: the sync's name). */
export async function writeBackStatus(deps: WriteBackDeps, order: CanonicalOrder, channelStatus: string, actor?: string): Promise<CanonicalOrder> {
  return withRuntime(deps, async (rt) => {
    const wb = rt.connector.writeBack;
    if (!wb?.setStatus) throw new OrderhubError('write_back_unsupported', `${deps.channel.title} does not accept status changes through its API`);
    if (!wb.settableStatuses.includes(channelStatus)) {
      throw new WriteBackRuleError(`"${channelStatus}" is not a ${deps.channel.title} status; allowed: ${wb.settableStatuses.join(', ')}`);
    }
    await wb.setStatus(order, channelStatus);
    return readBack(deps, rt, order, actor);
  });
}

export async function uploadDocument(deps: WriteBackDeps, order: CanonicalOrder, doc: DocumentUpload): Promise<void> {
  await withRuntime(deps, async (rt) => {
    const wb = rt.connector.writeBack;
    if (!wb?.uploadDocument) throw new OrderhubError('write_back_unsupported', `${deps.channel.title} does not accept documents through its API`);
    await wb.uploadDocument(order, doc);
  });
}
