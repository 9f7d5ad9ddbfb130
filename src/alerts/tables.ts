/**
 * The alerts' tables (migration 0014_alerts). The system events themselves are journal rows (the
 * change feed, core/store/journal.ts); these hold what notifying about them needs:
 *
 * - `alert_cursor`: how far the notifier has read the journal (one row, 'notifier'); a store that
 *   gets this module starts at its journal head, so history is not announced;
 * - `alert_throttle`: per subject (a connection or a webhook subscription) and alert type, when a
 *   message last went out, how many were held back since, and whether one went out that a recovery
 *   message must close;
 * - `alert_silence`: the connections that are silent now (a row per silence; its removal is the
 *   recovery), so that several processes detect a silence once;
 * - `alert_messages`: the e-mails and Slack messages to send, leased by the sender like webhook
 *   deliveries, retried, then failed.
 *
 * The module also brings the hook that turns sync outcomes into system events (sync-events.ts).
 */
import type { Generated, Kysely } from 'kysely';
import { leasedRowColumns } from '../core/store/leased-rows.ts';
import { defineStoreModule, type Dialect } from '../core/store/module.ts';
import type { Database } from '../core/store/schema.ts';
import { syncOutcomeEvents } from './sync-events.ts';

export interface AlertCursorTable {
  name: string;
  seq: number;
  updated_at: string;
}

export interface AlertThrottleTable {
  /** 'connection:<name>' or 'webhook:<subscription id>' */
  subject: string;
  /** the system event type */
  type: string;
  last_sent_at: string | null;
  /** events of this subject and type held back since last_sent_at */
  suppressed: number;
  /** 1: a message went out and no recovery message closed it yet */
  notified: number;
  updated_at: string;
}

export interface AlertSilenceTable {
  connection: string;
  /** when the silence was found (the time it was measured at) */
  since: string;
  /** the newest order's creation time when it was found: a newer order ends the silence */
  last_order_at: string;
}

export interface AlertMessagesTable {
  id: Generated<number>;
  /** 'email' | 'slack' */
  channel: string;
  subject: string;
  /** the (first) journal event it is about */
  event_seq: number;
  /** JSON: { subject, text } for e-mail, { text, blocks } for Slack */
  body: string;
  /** 'pending' | 'sent' | 'failed' */
  state: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

// a type alias, not an interface: Kysely's withTables wants a type with an implicit index signature
export type AlertTables = {
  alert_cursor: AlertCursorTable;
  alert_throttle: AlertThrottleTable;
  alert_silence: AlertSilenceTable;
  alert_messages: AlertMessagesTable;
};

export type AlertDatabase = Database & AlertTables;

/** Any store's Kysely instance (or transaction), typed with these tables as well. */
export function alertTables(db: Kysely<Database>): Kysely<AlertDatabase> {
  return db.withTables<AlertTables>();
}

export const NOTIFIER_CURSOR = 'notifier';

async function createAlertTables(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  await db.schema
    .createTable('alert_cursor')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  const core = db as unknown as Kysely<AlertDatabase>;
  const head = await core.selectFrom('order_journal').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
  await core.insertInto('alert_cursor').values({ name: NOTIFIER_CURSOR, seq: Number(head?.m ?? 0), updated_at: new Date().toISOString() }).execute();

  await db.schema
    .createTable('alert_throttle')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('last_sent_at', 'text')
    .addColumn('suppressed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('notified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('alert_throttle_pk', ['subject', 'type'])
    .execute();

  await db.schema
    .createTable('alert_silence')
    .addColumn('connection', 'text', (c) => c.primaryKey())
    .addColumn('since', 'text', (c) => c.notNull())
    .addColumn('last_order_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alert_messages')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('event_seq', 'bigint', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .$call(leasedRowColumns)
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('alert_messages_state_idx').on('alert_messages').columns(['state', 'next_attempt_at']).execute();
}

export const alertsStoreModule = defineStoreModule({
  name: 'alerts',
  migrations: [{ name: '0014_alerts', up: createAlertTables }],
  onSyncOutcome: syncOutcomeEvents,
});
