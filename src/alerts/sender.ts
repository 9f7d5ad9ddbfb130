/**
 * Sending the queued alert messages: e-mail over SMTP (nodemailer) and Slack-compatible incoming
 * webhooks (a JSON POST of { text, blocks }). Messages are claimed under a lease like webhook
 * deliveries (a process killed while sending leaves them to be claimed again), retried on a schedule
 * (about 1.5 h), then marked failed.
 *
 * The SMTP URL carries a password and a Slack webhook URL is itself the credential: neither appears
 * in a log line or a stored error (errors are scrubbed of them before either).
 */
import { sql, type Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import { request } from 'undici';
import type { AlertsConfig } from '../core/config.ts';
import type { StoreHandle } from '../core/store/db.ts';
import type { Database } from '../core/store/schema.ts';
import type { AlertChannel } from './notifier.ts';
import { alertTables, type AlertMessagesTable } from './tables.ts';
import type { Selectable } from 'kysely';

export type MessageRow = Selectable<AlertMessagesTable>;

/** delays before attempts 2, 3, …: about an hour and a half in total, then failed */
export const DEFAULT_ALERT_RETRY_SCHEDULE_MS: readonly number[] = [10_000, 60_000, 300_000, 900_000, 3_600_000];

export interface Transport {
  send(body: unknown): Promise<void>;
  close(): Promise<void>;
}

/** The parts of a URL that are secret: its password (raw and decoded), its path and query (a webhook token), and the URL itself. */
export function secretsOf(url: string): string[] {
  const out = [url];
  try {
    const u = new URL(url);
    if (u.password) out.push(u.password, decodeURIComponent(u.password));
    if (u.pathname.length > 1) out.push(u.pathname + u.search);
  } catch {
    // not a URL: the whole text is the secret
  }
  return out.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

export function emailTransport(email: NonNullable<AlertsConfig['email']>, timeoutMs: number): Transport {
  const mailer = nodemailer.createTransport({ url: email.smtp, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  return {
    async send(body) {
      const b = body as { subject: string; text: string };
      await mailer.sendMail({ from: email.from, to: [...email.to], subject: b.subject, text: b.text });
    },
    async close() {
      mailer.close();
    },
  };
}

export function slackTransport(url: string, timeoutMs: number): Transport {
  return {
    async send(body) {
      const res = await request(url, {
        method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'orderhub-alerts/0.1' }, body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = (await res.body.text().catch(() => '')).slice(0, 200);
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}${text ? `: ${text}` : ''}`);
    },
    async close() {},
  };
}

/** The transports the config asks for, with every secret their errors must not show. */
export function transportsOf(config: AlertsConfig, timeoutMs: number): { transports: Map<AlertChannel, Transport>; secrets: string[] } {
  const transports = new Map<AlertChannel, Transport>();
  const secrets: string[] = [];
  if (config.email) {
    transports.set('email', emailTransport(config.email, timeoutMs));
    secrets.push(...secretsOf(config.email.smtp));
  }
  if (config.slack) {
    transports.set('slack', slackTransport(config.slack.url, timeoutMs));
    secrets.push(...secretsOf(config.slack.url));
  }
  return { transports, secrets: secrets.sort((a, b) => b.length - a.length) };
}

/** Claims due messages for `owner` until now + leaseMs (PostgreSQL: SKIP LOCKED; SQLite: one statement). */
export async function claimMessages(store: StoreHandle, owner: string, limit: number, leaseMs: number, now = new Date()): Promise<MessageRow[]> {
  const iso = now.toISOString();
  const until = new Date(now.getTime() + leaseMs).toISOString();
  const lock = store.dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const res = await sql<MessageRow>`
    update alert_messages
       set lease_owner = ${owner}, lease_until = ${until}, attempts = attempts + 1, updated_at = ${iso}
     where id in (
       select m.id from alert_messages m
        where m.state = 'pending' and m.next_attempt_at <= ${iso} and (m.lease_until is null or m.lease_until < ${iso})
        order by m.id
        limit ${limit}
        ${lock})
    returning *`.execute(store.db);
  return res.rows.map((r) => ({ ...r, id: Number(r.id), event_seq: Number(r.event_seq) })).sort((a, b) => a.id - b.id);
}

/** Records an attempt (only while this owner still holds the message): sent, retried later, or failed. */
export async function recordAttempt(
  coreDb: Kysely<Database>,
  m: Pick<MessageRow, 'id' | 'attempts'>,
  owner: string,
  error: string | null,
  schedule: readonly number[],
  now = new Date(),
): Promise<'sent' | 'pending' | 'failed'> {
  const iso = now.toISOString();
  const delay = schedule[m.attempts - 1];
  const state = error === null ? 'sent' : delay === undefined ? 'failed' : 'pending';
  await alertTables(coreDb)
    .updateTable('alert_messages')
    .set({
      state, lease_owner: null, lease_until: null, updated_at: iso, last_error: error?.slice(0, 500) ?? null,
      ...(state === 'sent' ? { sent_at: iso } : {}),
      ...(state === 'pending' ? { next_attempt_at: new Date(now.getTime() + delay!).toISOString() } : {}),
    })
    .where('id', '=', m.id)
    .where('lease_owner', '=', owner)
    .execute();
  return state;
}
