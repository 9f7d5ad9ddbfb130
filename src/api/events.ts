/**
 * The change feed. An event IS an order_journal row, written in the same transaction as the change
 * it describes; its id is `evt_<seq>`. Journal writers are serialised (SQLite has one writer; on
 * PostgreSQL they take an advisory lock, see core/sync/ingest.ts), so sequence order is commit
 * order: a reader that asks for `seq > cursor` never skips an event that commits later.
 *
 * Order events (order.*) and system events (a sync failed, a connection needs attention or went
 * silent, a write-back failed, a webhook delivery was dead-lettered) share the one sequence, so a
 * cursor means the same position for both; a system event's row has its type as `kind`, the order
 * it concerns or none, and its data object in `diff` (core/store/journal.ts). Clients that want
 * order events only ask for their types (`?types=`, a subscription's `events`).
 *
 * The same serialisation is used by GET /v1/events and by webhook bodies, so a webhook carries
 * exactly what the feed shows.
 */
import type { Kysely } from 'kysely';
import type { CanonicalOrder } from '../core/canonical/order.ts';
import type { Database, JournalRow } from '../core/store/schema.ts';

export const ORDER_EVENT_TYPES = ['order.created', 'order.changed', 'order.status_changed'] as const;
/** Written by the engine's outcome hook (alerts), the alerts worker, the outbox and the webhook dispatcher. */
export const SYSTEM_EVENT_TYPES = [
  'connection.needs_attention', 'connection.silent', 'sync.failed', 'sync.recovered', 'write_back.failed', 'webhook.dead_lettered',
] as const;
export const EVENT_TYPES = [...ORDER_EVENT_TYPES, ...SYSTEM_EVENT_TYPES] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];
export type SystemEventType = (typeof SYSTEM_EVENT_TYPES)[number];
export type EventType = (typeof EVENT_TYPES)[number];

const KIND_TO_TYPE: Record<string, OrderEventType> = {
  created: 'order.created',
  changed: 'order.changed',
  status_changed: 'order.status_changed',
};

export function isSystemEventType(type: string): type is SystemEventType {
  return (SYSTEM_EVENT_TYPES as readonly string[]).includes(type);
}

export function eventTypeOf(kind: string): EventType {
  if (isSystemEventType(kind)) return kind;
  return KIND_TO_TYPE[kind] ?? 'order.changed';
}

/** The journal kinds of these event types (a system event's kind is its type). */
export function journalKindsOf(types: readonly EventType[]): string[] {
  return [
    ...Object.entries(KIND_TO_TYPE).filter(([, t]) => types.includes(t)).map(([k]) => k),
    ...types.filter(isSystemEventType),
  ];
}

export interface OrderEvent {
  id: string;
  seq: number;
  type: OrderEventType;
  occurredAt: string;
  orderId: string;
  connection: string;
  /** who made the change (`sync:<run id>`, `api:<key name>`, `cli`, `alza-dropship:partner`); null before the audit trail */
  actor: string | null;
  diff?: Array<{ path: string; from: unknown; to: unknown }>;
  fromStatus?: string | null;
  toStatus?: string | null;
  order?: CanonicalOrder | null;
}

export interface SystemEvent {
  id: string;
  seq: number;
  type: SystemEventType;
  occurredAt: string;
  /** the order it concerns (write_back.failed), else null */
  orderId: string | null;
  connection: string;
  /** who made it happen: `sync:<run id>`, `alerts`, `webhooks`, or the write-back's requester */
  actor: string | null;
  /** what happened: the run, the error, the delivery … (per type, see docs/api.md) */
  data: Record<string, unknown>;
  order?: CanonicalOrder | null;
}

export type FeedEvent = OrderEvent | SystemEvent;

export function isOrderEvent(e: FeedEvent): e is OrderEvent {
  return !isSystemEventType(e.type);
}

export function eventId(seq: number): string {
  return `evt_${seq}`;
}

/** The journal columns an event is made of: the feed and webhook deliveries read these, so both say the same. */
export const EVENT_COLUMNS = ['seq', 'order_id', 'connection', 'at', 'kind', 'from_status', 'to_status', 'diff', 'actor'] as const;

// (actor is optional: a reader that does not select it gets null)
type EventRow = Pick<JournalRow, 'seq' | 'order_id' | 'connection' | 'at' | 'kind' | 'from_status' | 'to_status' | 'diff'> & Partial<Pick<JournalRow, 'actor'>>;

/** The event of one journal row, keys in a fixed order. `order` is added when given (and the event concerns an order). */
export function toEvent(row: EventRow, order?: CanonicalOrder | null): FeedEvent {
  const seq = Number(row.seq);
  const type = eventTypeOf(row.kind);
  if (isSystemEventType(type)) {
    const orderId = row.order_id === '' ? null : row.order_id;
    const data = row.diff ? (JSON.parse(row.diff) as Record<string, unknown>) : {};
    const e: SystemEvent = { id: eventId(seq), seq, type, occurredAt: row.at, orderId, connection: row.connection, actor: row.actor ?? null, data };
    if (order !== undefined && orderId !== null) e.order = order;
    return e;
  }
  const e: OrderEvent = { id: eventId(seq), seq, type, occurredAt: row.at, orderId: row.order_id, connection: row.connection, actor: row.actor ?? null };
  if (type === 'order.status_changed') {
    e.fromStatus = row.from_status;
    e.toStatus = row.to_status;
  }
  if (type !== 'order.created' && row.diff) e.diff = JSON.parse(row.diff) as OrderEvent['diff'];
  if (type === 'order.created') e.toStatus = row.to_status;
  if (order !== undefined) e.order = order;
  return e;
}

// Feed cursors are opaque to clients: "c1" + base64url of the seq. Plain numbers and evt_<seq> ids are
// accepted too, so a consumer can resume from the last event id it processed.
export function encodeFeedCursor(seq: number): string {
  return Buffer.from(`c1:${seq}`).toString('base64url');
}

export function decodeFeedCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === '' || cursor === '0') return 0;
  if (/^\d{1,15}$/.test(cursor)) return Number(cursor);
  const evt = /^evt_(\d{1,15})$/.exec(cursor);
  if (evt) return Number(evt[1]);
  if (cursor.length > 64) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^c1:(\d{1,15})$/.exec(text);
  return m ? Number(m[1]) : null;
}

export interface FeedQuery {
  after: number;
  limit: number;
  types?: readonly EventType[] | undefined;
  /** one connection or several */
  connection?: string | readonly string[] | undefined;
  orderId?: string | undefined;
  includeOrder?: boolean | undefined;
}

export async function readFeed(db: Kysely<Database>, q: FeedQuery): Promise<{ events: FeedEvent[]; next: number }> {
  let query = db
    .selectFrom('order_journal')
    .select(EVENT_COLUMNS)
    .where('seq', '>', q.after);
  if (q.types && q.types.length < EVENT_TYPES.length) query = query.where('kind', 'in', journalKindsOf(q.types));
  const connections = typeof q.connection === 'string' ? [q.connection] : q.connection;
  if (connections && connections.length > 0) query = query.where('connection', 'in', connections);
  if (q.orderId) query = query.where('order_id', '=', q.orderId);
  const rows = await query.orderBy('seq').limit(q.limit).execute();
  const orders = q.includeOrder ? await ordersById(db, rows.map((r) => r.order_id).filter((id) => id !== '')) : undefined;
  const events = rows.map((r) => toEvent(r, orders ? (orders.get(r.order_id) ?? null) : undefined));
  const next = rows.length > 0 ? Number(rows[rows.length - 1]!.seq) : q.after;
  return { events, next };
}

export async function ordersById(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, CanonicalOrder>> {
  const out = new Map<string, CanonicalOrder>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db.selectFrom('orders').select(['id', 'data']).where('id', 'in', unique.slice(i, i + 500)).execute();
    for (const r of rows) out.set(r.id, JSON.parse(r.data) as CanonicalOrder);
  }
  return out;
}

export async function journalHead(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('order_journal').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
  return Number(row?.m ?? 0);
}
