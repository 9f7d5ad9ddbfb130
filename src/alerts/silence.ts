/**
 * `connection.silent`: a connection that usually brings orders has brought none for `silentAfter`
 * times its usual gap between orders.
 *
 * The usual gap is learned from the connection's own history, by hour of the day: shops sell little
 * at night, so "three gaps" is three hours at 3 am where it is a few minutes at noon. From the orders
 * created in the `silentHistory` (14 days) before its newest order, each UTC hour of the day gets a
 * rate (orders per hour); the quiet time since the newest order is then silent when the orders that
 * rate expects in it reach `silentAfter` — for a steady rate exactly "no order for silentAfter usual
 * gaps" — and it lasts `silentMinimum` (1 h) at least. A connection with fewer than MIN_ORDERS orders
 * in that history does not usually bring orders and is never silent.
 *
 * Quiet time is measured up to the connection's last successful sync (a connection that cannot sync
 * is failing, not silent: sync.failed says so), or up to now for one that is never synced (a push
 * channel, whose orders arrive by themselves). A silence is recorded once (alert_silence), in the
 * transaction that appends its event, so processes that check at the same time report it once; an
 * order newer than the one it was measured from ends it with a `sync.recovered`.
 */
import { sql, type Kysely } from 'kysely';
import type { SystemEventType } from '../api/events.ts';
import { appendSystemEvent, lockJournal } from '../core/store/journal.ts';
import type { Database } from '../core/store/schema.ts';
import { alertTables } from './tables.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** fewer orders than this in the history: the connection does not usually bring orders */
export const MIN_ORDERS = 20;
/** the journal's actor of what the alerts find themselves */
const ALERTS_ACTOR = 'alerts';

export interface SilenceSettings {
  silentAfter: number;
  minimumMs: number;
  historyMs: number;
}

export interface OrderHistory {
  /** creation time of the newest order (ISO UTC) */
  lastOrderAt: string;
  /** orders created in each UTC hour of the day (0–23) within the history before lastOrderAt */
  perHour: readonly number[];
  /** creation time of the oldest order within that history */
  firstOrderAt: string;
}

export interface Silence {
  lastOrderAt: string;
  /** quiet time so far */
  silentForMs: number;
  /** orders the history expects in that time */
  expectedOrders: number;
  /** the average gap between orders at those hours */
  usualGapMs: number;
}

/** Whether the quiet time from the newest order up to `until` is a silence (pure: the rule itself). */
export function silenceOf(history: OrderHistory, until: Date, s: SilenceSettings): Silence | null {
  const total = history.perHour.reduce((a, b) => a + b, 0);
  if (total < MIN_ORDERS) return null;
  const last = new Date(history.lastOrderAt).getTime();
  const silentForMs = until.getTime() - last;
  if (silentForMs < s.minimumMs) return null;
  // the days the history covers (a connection younger than the history has fewer)
  const days = Math.max(1, (last - new Date(history.firstOrderAt).getTime()) / DAY_MS);
  let expected = 0;
  // a quiet time longer than the history is measured over the history's length: already silent
  const end = Math.min(until.getTime(), last + s.historyMs);
  for (let t = last; t < end; ) {
    const hourEnd = Math.min(end, (Math.floor(t / HOUR_MS) + 1) * HOUR_MS);
    expected += ((history.perHour[new Date(t).getUTCHours()] ?? 0) / days) * ((hourEnd - t) / HOUR_MS);
    t = hourEnd;
  }
  if (expected < s.silentAfter) return null;
  return { lastOrderAt: history.lastOrderAt, silentForMs, expectedOrders: expected, usualGapMs: silentForMs / expected };
}

/** Creation time of the connection's newest order, or null when it has none. */
export async function newestOrderAt(db: Kysely<Database>, connection: string): Promise<string | null> {
  // newest open and newest closed order apart: each is the end of an index range (connection, open, created_at)
  let newest: string | null = null;
  for (const open of [0, 1]) {
    const row = await db
      .selectFrom('orders').select('created_at')
      .where('connection', '=', connection).where('open', '=', open)
      .orderBy('created_at', 'desc').limit(1)
      .executeTakeFirst();
    if (row && (newest === null || row.created_at > newest)) newest = row.created_at;
  }
  return newest;
}

/** The connection's orders per UTC hour of the day in the history up to its newest order. */
export async function orderHistory(db: Kysely<Database>, connection: string, lastOrderAt: string, historyMs: number): Promise<OrderHistory> {
  const from = new Date(new Date(lastOrderAt).getTime() - historyMs).toISOString();
  const rows = await db
    .selectFrom('orders')
    .select((eb) => [sql<string>`substr(created_at, 12, 2)`.as('hour'), eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('first')])
    .where('connection', '=', connection)
    .where('open', 'in', [0, 1])
    .where('created_at', '>=', from)
    .where('created_at', '<=', lastOrderAt)
    .groupBy(sql`substr(created_at, 12, 2)`)
    .execute();
  const perHour = Array.from({ length: 24 }, () => 0);
  let firstOrderAt = lastOrderAt;
  for (const r of rows) {
    const h = Number(r.hour);
    if (Number.isInteger(h) && h >= 0 && h < 24) perHour[h] = Number(r.n);
    if (String(r.first) < firstOrderAt) firstOrderAt = String(r.first);
  }
  return { lastOrderAt, perHour, firstOrderAt };
}

/**
 * The histories read so far, by connection: one stays right until a newer order arrives (the history
 * ends at the newest order), so a connection that stays quiet is not aggregated again every check.
 */
export type HistoryCache = Map<string, OrderHistory>;

export interface SilenceCheck {
  connection: string;
  /** the end of the quiet time to judge (see the header) */
  until: Date;
}

/**
 * Checks one connection: records and announces a new silence, or the end of one. Returns the event
 * type written, if any.
 */
export async function checkSilence(db: Kysely<Database>, c: SilenceCheck, s: SilenceSettings, cache: HistoryCache = new Map()): Promise<SystemEventType | null> {
  const lastOrderAt = await newestOrderAt(db, c.connection);
  const current = await alertTables(db).selectFrom('alert_silence').selectAll().where('connection', '=', c.connection).executeTakeFirst();
  const at = c.until.toISOString();
  if (current) {
    if (lastOrderAt === null || lastOrderAt <= current.last_order_at) return null;
    // a newer order: the silence is over (removed once, whoever else checks now)
    return db.transaction().execute(async (trx) => {
      await lockJournal(trx);
      const gone = await alertTables(trx).deleteFrom('alert_silence').where('connection', '=', c.connection).where('last_order_at', '=', current.last_order_at).executeTakeFirst();
      if (Number(gone.numDeletedRows) === 0) return null;
      await appendSystemEvent(trx, {
        kind: 'sync.recovered', connection: c.connection, at, actor: ALERTS_ACTOR,
        data: { cleared: ['connection.silent'], silentSince: current.since, previousOrderAt: current.last_order_at, lastOrderAt },
      });
      return 'sync.recovered' as const;
    });
  }
  // quiet for less than the minimum (most checks): nothing to aggregate
  if (lastOrderAt === null || c.until.getTime() - new Date(lastOrderAt).getTime() < s.minimumMs) return null;
  let history = cache.get(c.connection);
  if (history?.lastOrderAt !== lastOrderAt) {
    history = await orderHistory(db, c.connection, lastOrderAt, s.historyMs);
    cache.set(c.connection, history);
  }
  const silence = silenceOf(history, c.until, s);
  if (!silence) return null;
  return db.transaction().execute(async (trx) => {
    await lockJournal(trx);
    const added = await alertTables(trx)
      .insertInto('alert_silence')
      .values({ connection: c.connection, since: at, last_order_at: silence.lastOrderAt })
      .onConflict((oc) => oc.column('connection').doNothing())
      .executeTakeFirst();
    if (Number(added.numInsertedOrUpdatedRows ?? 0) === 0) return null;
    await appendSystemEvent(trx, {
      kind: 'connection.silent', connection: c.connection, at, actor: ALERTS_ACTOR,
      data: {
        lastOrderAt: silence.lastOrderAt, silentForMinutes: Math.round(silence.silentForMs / 60_000),
        expectedOrders: Math.round(silence.expectedOrders * 10) / 10, usualGapMinutes: Math.round((silence.usualGapMs / 60_000) * 10) / 10,
        silentAfter: s.silentAfter,
      },
    });
    return 'connection.silent' as const;
  });
}
