/**
 * Status write-back through the bulk upsert (Order Sync API #13): POST /external/external-order/ with
 * `[{order_id, status, order_items:[{order_id, order_status, product, quantity}]}]`.
 *
 * [ASSUMED] The Order Sync API page shows the status only per item (`order_items[].order_status`); we
 * send the new status on every item AND as a top-level `status`, so either reading of the API applies
 * it. Items are sent with their own id, product and unchanged quantity: an upsert that treats the
 * item list as the new content of the order then changes nothing but the status. An order without
 * items gets the top-level status only (an empty `order_items` could read as "delete every item").
 *
 * The upsert answers nothing we can rely on, so the order is read back afterwards: a status other than
 * the one we set means the channel accepted the request but did not apply it.
 */
import { ChannelRefusedError } from '../../core/errors.ts';
import type { EcommdClient } from './client.ts';
import { orderSchema, type UpsertItem, type UpsertOrder } from './schemas.ts';

/** The order status of a raw order: top level, else the items' common order_status; null if unclear. */
export function rawOrderStatus(raw: unknown): string | null {
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as { status?: unknown; order_items?: unknown };
  if (typeof o.status === 'string' && o.status.trim() !== '') return o.status.trim();
  if (!Array.isArray(o.order_items)) return null;
  const statuses = new Set(
    o.order_items.map((i) => (i && typeof i === 'object' ? (i as { order_status?: unknown }).order_status : undefined)).filter((s): s is string => typeof s === 'string'),
  );
  return statuses.size === 1 ? [...statuses][0]! : null;
}

/** The upsert element that sets `status` on an order as it is now at the channel. */
export function buildStatusUpsert(raw: unknown, status: string): UpsertOrder {
  const parsed = orderSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`cannot build the ecom.md status update: the current order is malformed at ${issue.path.join('.') || '(order)'}: ${issue.message}`);
  }
  const o = parsed.data;
  const items: UpsertItem[] = [];
  for (const item of o.order_items) {
    // an item without its own id cannot be addressed by the upsert; leave it alone
    if (item.id === null || item.id === undefined) continue;
    const product = item.product;
    const productId = product === null || product === undefined ? undefined : typeof product === 'object' ? (product.id ?? undefined) : product;
    items.push({
      order_id: item.id,
      order_status: status,
      ...(productId === undefined ? {} : { product: productId }),
      quantity: item.quantity,
    });
  }
  return items.length > 0 ? { order_id: o.id, status, order_items: items } : { order_id: o.id, status };
}

/** Sets the status, then reads the order back to prove the channel applied it. */
export async function setEcommdStatus(client: EcommdClient, externalId: string, status: string, signal?: AbortSignal): Promise<void> {
  const current = await client.getOrder(externalId, signal);
  if (current === null) throw new ChannelRefusedError(`ecom.md does not know order ${externalId} (HTTP 404)`);
  await client.upsertOrders([buildStatusUpsert(current, status)], signal);
  const after = await client.getOrder(externalId, signal);
  if (after === null) throw new ChannelRefusedError(`ecom.md order ${externalId} disappeared after the status change`);
  const now = rawOrderStatus(after);
  if (now !== status) throw new ChannelRefusedError(`ecom.md did not apply the status change: still ${now ?? '(no status)'}`);
}
