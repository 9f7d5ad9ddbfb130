/**
 * From system events to messages: reads the journal's system events after the notifier's cursor and
 * decides, per subject (a connection, or a webhook subscription) and alert type, what to send:
 *
 * - an alert goes out unless one of the same subject and type went out within `throttle` (by the
 *   events' own times); the ones held back are counted and named in the next message that goes out;
 * - a `sync.recovered` sends one recovery message when it clears an alert that went out (and closes
 *   it), none otherwise: a failure that was held back has nothing to take back;
 * - the events of one sync run (sync.failed with connection.needs_attention) make one message.
 *
 * Deciding, recording the throttle and queueing the messages (one per configured channel) happen in
 * one transaction with the cursor's move, under a lock on the cursor row: several processes decide
 * each event once. Sending is the sender's (sender.ts), with retries.
 */
import type { Kysely } from 'kysely';
import { EVENT_COLUMNS, SYSTEM_EVENT_TYPES, toEvent, type SystemEvent } from '../api/events.ts';
import type { StoreHandle } from '../core/store/db.ts';
import { renderMessage, type AlertItem } from './messages.ts';
import { alertTables, NOTIFIER_CURSOR, type AlertDatabase } from './tables.ts';

export type AlertChannel = 'email' | 'slack';

export interface NotifierSettings {
  throttleMs: number;
  /** the configured ones; none: the cursor moves on and nothing is recorded */
  channels: readonly AlertChannel[];
}

/** Whom an event is about, for the throttle. */
export function subjectOf(e: SystemEvent): string {
  return e.type === 'webhook.dead_lettered' ? `webhook:${String(e.data.subscriptionId)}` : `connection:${e.connection}`;
}

/** Decides one batch of system events; returns 0 when the journal had nothing new. */
export async function decideNotifications(store: StoreHandle, settings: NotifierSettings, batch = 200): Promise<number> {
  return store.db.transaction().execute(async (trx) => {
    const db = alertTables(trx);
    let cursorQuery = db.selectFrom('alert_cursor').select('seq').where('name', '=', NOTIFIER_CURSOR);
    if (store.dialect === 'postgres') cursorQuery = cursorQuery.forUpdate();
    const cursor = await cursorQuery.executeTakeFirst();
    if (!cursor) return 0;
    const after = Number(cursor.seq);
    // the head first: an event committed after it has a larger seq (journal writers are serialised)
    const head = Number((await db.selectFrom('order_journal').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst())?.m ?? 0);
    if (head <= after) return 0;
    const rows = await db
      .selectFrom('order_journal')
      .select([...EVENT_COLUMNS, 'run_id'])
      .where('seq', '>', after)
      .where('seq', '<=', head)
      .where('kind', 'in', [...SYSTEM_EVENT_TYPES])
      .orderBy('seq')
      .limit(batch)
      .execute();
    const next = rows.length === batch ? Number(rows[rows.length - 1]!.seq) : head;
    if (settings.channels.length > 0) {
      for (const group of byMoment(rows)) {
        const items: AlertItem[] = [];
        for (const e of group) {
          const item = await decide(db, e, settings.throttleMs);
          if (item) items.push(item);
        }
        if (items.length > 0) await queue(db, items, settings.channels);
      }
    }
    await db.updateTable('alert_cursor').set({ seq: next, updated_at: new Date().toISOString() }).where('name', '=', NOTIFIER_CURSOR).execute();
    return Math.max(rows.length, 1);
  });
}

type Row = Parameters<typeof toEvent>[0] & { run_id: number | null };

/** Consecutive events of one subject and one sync run together; every other event alone. */
function byMoment(rows: readonly Row[]): SystemEvent[][] {
  const groups: Array<{ key: string | null; events: SystemEvent[] }> = [];
  for (const r of rows) {
    const e = toEvent(r) as SystemEvent;
    const key = r.run_id === null ? null : `${subjectOf(e)}#${r.run_id}`;
    const last = groups[groups.length - 1];
    if (key !== null && last?.key === key) last.events.push(e);
    else groups.push({ key, events: [e] });
  }
  return groups.map((g) => g.events);
}

async function decide(db: Kysely<AlertDatabase>, e: SystemEvent, throttleMs: number): Promise<AlertItem | null> {
  const subject = subjectOf(e);
  const at = e.occurredAt;
  if (e.type === 'sync.recovered') {
    const cleared = Array.isArray(e.data.cleared) ? (e.data.cleared as string[]) : [];
    if (cleared.length === 0) return null;
    const open = await db.selectFrom('alert_throttle').select('type').where('subject', '=', subject).where('type', 'in', cleared).where('notified', '=', 1).execute();
    if (open.length === 0) return null;
    await db.updateTable('alert_throttle').set({ notified: 0, updated_at: at }).where('subject', '=', subject).where('type', 'in', open.map((o) => o.type)).execute();
    return { event: e, heldBack: 0, heldBackSince: null };
  }
  const row = await db.selectFrom('alert_throttle').selectAll().where('subject', '=', subject).where('type', '=', e.type).executeTakeFirst();
  const within = row?.last_sent_at != null && Date.parse(at) - Date.parse(row.last_sent_at) < throttleMs;
  if (within) {
    await db.updateTable('alert_throttle').set({ suppressed: row.suppressed + 1, updated_at: at }).where('subject', '=', subject).where('type', '=', e.type).execute();
    return null;
  }
  const sent = { last_sent_at: at, suppressed: 0, notified: 1, updated_at: at };
  await db
    .insertInto('alert_throttle')
    .values({ subject, type: e.type, ...sent })
    .onConflict((oc) => oc.columns(['subject', 'type']).doUpdateSet(sent))
    .execute();
  return { event: e, heldBack: row?.suppressed ?? 0, heldBackSince: row?.last_sent_at ?? null };
}

async function queue(db: Kysely<AlertDatabase>, items: readonly AlertItem[], channels: readonly AlertChannel[]): Promise<void> {
  const message = renderMessage(items);
  const iso = new Date().toISOString();
  const first = items[0]!.event;
  await db
    .insertInto('alert_messages')
    .values(channels.map((channel) => ({
      channel, subject: subjectOf(first), event_seq: first.seq, body: JSON.stringify(message[channel]), state: 'pending', attempts: 0,
      next_attempt_at: iso, lease_owner: null, lease_until: null, last_error: null, created_at: iso, updated_at: iso, sent_at: null,
    })))
    .execute();
}
