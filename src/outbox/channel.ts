/**
 * Talking to the channel for write-backs: a check made when a request is accepted (so a request the
 * channel can never take is refused at once with 422), and the delivery itself. Status changes (in
 * the channel's names or canonical ones, status-names.ts) go through the core's writeBackStatus;
 * tracking numbers through connector.writeBack.addTracking; both then read the order back through
 * the normal ingest path, journalled as the write-back's actor (who asked). Documents are uploaded
 * from the bytes the requester holds: the store keeps their name, size and hash, not the file.
 */
import type { Logger } from 'pino';
import type { CanonicalOrder } from '../core/canonical/order.ts';
import type { BaseConnectionConfig } from '../core/config.ts';
import type { WriteBack } from '../core/connector.ts';
import { OrderhubError } from '../core/errors.ts';
import type { ChannelRegistry } from '../core/registry.ts';
import type { StoreHandle } from '../core/store/db.ts';
import { readBack, uploadDocument, withRuntime, writeBackStatus } from '../core/sync/write-back.ts';
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
/** What the outbox row says about a document (the bytes travel beside it, see DocumentUpload). */
export interface DocumentRequest {
  fileName: string;
  contentType: string;
  /** the channel's document type, e.g. INVOICE */
  type: string;
  informClient: boolean;
  bytes: number;
  sha256: string;
}
export type WriteBackRequest = StatusRequest | TrackingRequest | DocumentRequest;

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

function depsOf(env: WriteBackEnv, connection: string) {
  const { config, channel } = resolveConnection(env, connection);
  return { store: env.store, logger: env.logger, channel, config };
}

/**
 * Throws write_back_unsupported (OrderhubError) or WriteBackRuleError when the channel cannot take the
 * request; returns normally when it may.
 */
export async function checkWriteBack(env: WriteBackEnv, order: CanonicalOrder, kind: WriteBackKind, request: WriteBackRequest): Promise<void> {
  if (kind === 'status') {
    await channelStatusOf(env, order, (request as StatusRequest).status);
    return;
  }
  const deps = depsOf(env, order.connection);
  const { title, capabilities } = deps.channel;
  const what = kind === 'tracking' ? 'tracking numbers' : 'documents';
  const can = kind === 'tracking' ? capabilities.writeBack.tracking : capabilities.writeBack.documents;
  if (!can) throw unsupported(`${title} does not accept ${what} through its API`);
  await withRuntime(deps, async (rt) => {
    const wb = rt.connector.writeBack;
    if (!(kind === 'tracking' ? wb?.addTracking : wb?.uploadDocument)) throw unsupported(`${title} does not accept ${what} through its API`);
  });
}

/** The status names a connection's channel lets us set, with its title; write_back_unsupported when none. */
export async function statusNamesOf(env: WriteBackEnv, connection: string): Promise<{ title: string; names: Pick<WriteBack, 'settableStatuses' | 'statusTable'> }> {
  const deps = depsOf(env, connection);
  const { title } = deps.channel;
  if (!deps.channel.capabilities.writeBack.status) throw unsupported(`${title} does not accept status changes through its API`);
  return withRuntime(deps, async (rt) => {
    const wb = rt.connector.writeBack;
    if (!wb?.setStatus) throw unsupported(`${title} does not accept status changes through its API`);
    return { title, names: { settableStatuses: wb.settableStatuses, statusTable: wb.statusTable } };
  });
}

/**
 * The channel's own name of the status asked for: the channel's name as given, or the one settable
 * status a canonical name maps to (status-names.ts). Throws write_back_unsupported when the channel
 * takes no status changes, WriteBackRuleError when the name gives no settable status.
 */
export async function channelStatusOf(env: WriteBackEnv, order: Pick<CanonicalOrder, 'connection'>, requested: string): Promise<string> {
  const { title, names } = await statusNamesOf(env, order.connection);
  return channelStatusFor(title, names, requested);
}

/**
 * Delivers one write-back to the channel; returns the order as the channel now has it. `actor` (who
 * asked) is the read-back's in the journal; a document needs its bytes (`data`).
 */
export async function deliverWriteBack(
  env: WriteBackEnv,
  order: CanonicalOrder,
  kind: WriteBackKind,
  request: WriteBackRequest,
  actor: string,
  data?: Buffer,
): Promise<CanonicalOrder> {
  const deps = depsOf(env, order.connection);
  if (kind === 'status') return writeBackStatus(deps, order, await channelStatusOf(env, order, (request as StatusRequest).status), actor);
  if (kind === 'document') {
    const d = request as DocumentRequest;
    if (data === undefined) throw new DocumentGoneError();
    await uploadDocument(deps, order, { fileName: d.fileName, contentType: d.contentType, data, type: d.type, informClient: d.informClient });
    return order;
  }
  return withRuntime(deps, async (rt) => {
    const wb = rt.connector.writeBack;
    if (!wb?.addTracking) throw unsupported(`${deps.channel.title} does not accept tracking numbers through its API`);
    const t = request as TrackingRequest;
    await wb.addTracking(order, t.trackingNumber, t.carrier ?? null);
    return readBack(deps, rt, order, actor);
  });
}

/**
 * A document write-back without its bytes: only the process that attached the file holds them (the
 * store keeps its name and hash), so one it left behind (it stopped before delivering) cannot be sent.
 */
export class DocumentGoneError extends Error {
  override readonly name = 'DocumentGoneError';
  constructor() {
    super('the process that attached this document stopped before delivering it, and the store does not keep the file: attach it again');
  }
}
