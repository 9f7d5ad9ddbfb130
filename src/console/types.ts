/** The shapes of the REST API's answers the console reads (docs/api.md, docs/canonical-order.md). */
export interface Session {
  key: { id: string; name: string; scope: 'read' | 'write' };
  expiresAt: string;
  csrfToken: string;
}

export const CANONICAL_STATUSES = ['new', 'confirmed', 'processing', 'shipped', 'delivered', 'completed', 'cancelled', 'returned', 'on_hold', 'disputed'] as const;

export interface Address {
  name: string | null; company: string | null; street: string | null; city: string | null; postalCode: string | null;
  country: string | null; phone: string | null; email: string | null;
}

export interface OrderItem {
  lineId: string | null; sku: string | null; ean: string | null; name: string; quantity: string;
  unitPriceNet: string | null; unitPriceGross: string | null; vatRate: string | null; totalNet: string | null; totalGross: string | null;
}

export interface Order {
  id: string; connection: string; channel: string; externalId: string; number: string | null;
  createdAt: string; updatedAt: string; status: string; channelStatus: string; currency: string | null;
  totals: { items: string | null; shipping: string | null; total: string | null; taxIncluded: boolean | null };
  paid: boolean | null; paymentMethod: string | null; shippingMethod: string | null; trackingNumbers: string[];
  customer: { name: string | null; email: string | null; phone: string | null; company: string | null; companyId: string | null; vatId: string | null };
  billingAddress: Address | null; shippingAddress: Address | null; items: OrderItem[]; note: string | null;
}

export interface Page<T> { data: T[]; next: string | null }

export interface FieldChange { path: string; from: unknown; to: unknown }
export interface OrderEvent {
  id: string; seq: number; type: string; occurredAt: string; orderId: string; connection: string;
  fromStatus?: string | null; toStatus?: string | null; diff?: FieldChange[];
  /** who made the change: sync:<run>, a key's name, … (absent on servers before the journal recorded it) */
  actor?: string | null;
}

export interface WriteBack {
  id: string; orderId: string; connection: string; kind: 'status' | 'tracking'; request: Record<string, unknown>;
  state: 'accepted' | 'delivered' | 'refused' | 'failed'; attempts: number; nextAttemptAt: string | null;
  error: { code: string; message: string } | null; result: Record<string, unknown> | null;
  createdAt: string; updatedAt: string; completedAt: string | null;
}

export interface OrderDetail {
  order: Order; journal: OrderEvent[]; writeBacks: WriteBack[]; raw?: Array<{ fetchedAt: string; payload: unknown }>;
}

export interface SyncRun {
  id: number; connection: string; mode: string; status: string; startedAt: string; finishedAt: string | null;
  counts: { fetched: number; created: number; updated: number; unchanged: number; failed: number; pages: number };
  error: string | null; warnings: string[];
}

export interface Connection {
  name: string; kind: string; title: string | null; enabled: boolean; schedule: string;
  health: 'ok' | 'needs_attention' | 'never_synced' | 'disabled'; attention: string | null; running: boolean;
  lastSyncAt: string | null; lastSuccessAt: string | null; nextSyncAt: string | null; lastError: string | null;
  counts: { orders: number; open: number }; lastRun: SyncRun | null;
  capabilities: { writeBack?: { status?: boolean; tracking?: boolean; documents?: boolean } } | null;
}

export interface Failure { id: number; runId: number | null; connection: string; externalId: string | null; at: string; error: string; payload: unknown }

export interface Overview {
  from: string;
  perDay: Array<{ day: string; channel: string; orders: number }>;
  byStatus: Array<{ status: string; orders: number }>;
  failures: Failure[];
  refusedWriteBacks: WriteBack[];
}

export interface Webhook { id: string; url: string; events: string[]; description: string | null; enabled: boolean; signing: string; createdAt: string; cursor: number }
export interface Delivery {
  id: number; eventId: string; eventType: string; orderId: string; state: string; attempts: number;
  nextAttemptAt: string | null; lastStatus: number | null; lastError: string | null; createdAt: string; deliveredAt: string | null;
}
