/**
 * Talking to the channel for write-backs: a check made when a request is accepted (so a request the
 * channel can never take is refused at once with 422), and the delivery itself. Status changes (in
 * the channel's names or canonical ones, status-names.ts) go through the core's writeBackStatus; tracking numbers through connector.writeBack.addTracking, then
 * the order is read back through the normal ingest path, as writeBackStatus does.
 */
import type { Logger } from 'pino';
import type { CanonicalOrder } from '../core/canonical/order.ts';
import type { BaseConnectionConfig } from '../core/config.ts';
import { OrderhubError } from '../core/errors.ts';
import type { ChannelRegistry } from '../core/registry.ts';
import type { StoreHandle } from '../core/store/db.ts';
import { findOrder } from '../core/store/orders.ts';
import { ingestRecords, WarningLog } from '../core/sync/ingest.ts';
import { createConnectorRuntime } from '../core/sync/runtime.ts';
import { writeBackStatus } from '../core/sync/write-back.ts';
import { channelStatusFor } from './status-names.ts';
import type { WriteBackKind } from './store.ts';

export interface WriteBackEnv {
  store: StoreHandle;
  registry: ChannelRegistry;
  connections: readonly BaseConnectionConfig[];
  logger: Logger;
}

export interface StatusRequest {
  status: string;
}
export interface TrackingRequest {
  trackingNumber: string;
  carrier?: string | null | undefined;
}

function unsupported(message: string): OrderhubError {
  return new OrderhubError('write_back_unsupported', message);
}

export function resolveConnection(env: WriteBackEnv, connection: string) {
  const config = env.connections.find((c) => c.name === connection);
  if (!config) throw unsupported(`connection "${connection}" is not configured on this server, so nothing can be written back to it`);
  let channel;
  try {
    channel = env.registry.get(config.kind);
  } catch {
    throw unsupported(`channel kind "${config.kind}" is not available in this build`);
  }
  return { config, channel };
}

/**
 * Throws write_back_unsupported (OrderhubError) or WriteBackRuleError when the channel cannot take the
 * request; returns normally when it may.
 */
export async function checkWriteBack(env: WriteBackEnv, order: CanonicalOrder, kind: WriteBackKind, request: StatusRequest | TrackingRequest): Promise<void> {
  const { config, channel } = resolveConnection(env, order.connection);
  if (kind === 'tracking' && !channel.capabilities.writeBack.tracking) throw unsupported(`${channel.title} does not accept tracking numbers through its API`);
  if (kind === 'status') {
    await channelStatusOf(env, order, (request as StatusRequest).status);
    return;
  }
  const rt = createConnectorRuntime(env.store, channel, config, env.logger);
  try {
    if (!rt.connector.writeBack?.addTracking) throw unsupported(`${channel.title} does not accept tracking numbers through its API`);
  } finally {
    await rt.close();
  }
}

/**
 * The channel's own name of the status asked for: the channel's name as given, or the one settable
 * status a canonical name maps to (status-names.ts). Throws write_back_unsupported when the channel
 * takes no status changes, WriteBackRuleError when the name gives no settable status.
 */
export async function channelStatusOf(env: WriteBackEnv, order: CanonicalOrder, requested: string): Promise<string> {
  const { config, channel } = resolveConnection(env, order.connection);
  if (!channel.capabilities.writeBack.status) throw unsupported(`${channel.title} does not accept status changes through its API`);
  const rt = createConnectorRuntime(env.store, channel, config, env.logger);
  try {
    const wb = rt.connector.writeBack;
    if (!wb?.setStatus) throw unsupported(`${channel.title} does not accept status changes through its API`);
    return channelStatusFor(channel.title, wb, requested);
  } finally {
    await rt.close();
  }
}

/** Delivers one write-back to the channel; returns the order as the channel now has it. */
export async function deliverWriteBack(env: WriteBackEnv, order: CanonicalOrder, kind: WriteBackKind, request: StatusRequest | TrackingRequest): Promise<CanonicalOrder> {
  const { config, channel } = resolveConnection(env, order.connection);
  const deps = { store: env.store, logger: env.logger, channel, config };
  if (kind === 'status') return writeBackStatus(deps, order, await channelStatusOf(env, order, (request as StatusRequest).status));
  const rt = createConnectorRuntime(env.store, channel, config, env.logger);
  try {
    const wb = rt.connector.writeBack;
    if (!wb?.addTracking) throw unsupported(`${channel.title} does not accept tracking numbers through its API`);
    const t = request as TrackingRequest;
    await wb.addTracking(order, t.trackingNumber, t.carrier ?? null);
    if (rt.connector.fetchByIds) {
      const records: unknown[] = [];
      for await (const r of rt.connector.fetchByIds([order.externalId], new AbortController().signal)) records.push(r);
      if (records.length > 0) {
        await ingestRecords({
          store: env.store, connection: config.name, channel: channel.kind, connector: rt.connector, runId: null, records,
          warnings: new WarningLog(), now: new Date(),
        });
      }
    }
  } finally {
    await rt.close();
  }
  return (await findOrder(env.store.db, order.id)) ?? order;
}
