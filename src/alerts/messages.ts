/**
 * What an alert says: one line per system event (its headline) with a hint of what to do, and the
 * message bodies for e-mail ({ subject, text }) and for a Slack-compatible incoming webhook
 * ({ text, blocks }). Several events of one moment (a run that failed and made the connection need
 * attention) make one message.
 */
import type { SystemEvent } from '../api/events.ts';

/** 600 -> "10 h", 45 -> "45 min", 1530 -> "1 d 1 h" */
function minutes(v: unknown): string {
  const m = typeof v === 'number' ? Math.round(v) : 0;
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 24 ? `${h} h${m % 60 >= 1 && h < 10 ? ` ${m % 60} min` : ''}` : `${Math.floor(h / 24)} d${h % 24 > 0 ? ` ${h % 24} h` : ''}`;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));

/** One line saying what happened. */
export function headline(e: SystemEvent): string {
  const d = e.data;
  const c = e.connection;
  switch (e.type) {
    case 'connection.needs_attention':
      return `${c} needs attention: ${str(d.reason)}`;
    case 'sync.failed':
      return `${c}: sync failed: ${str(d.error)}`;
    case 'sync.recovered':
      return (d.cleared as unknown[] | undefined)?.includes('connection.silent') ? `${c} brings orders again` : `${c} syncs again`;
    case 'connection.silent':
      return `${c} is silent: no order for ${minutes(d.silentForMinutes)}, since ${str(d.lastOrderAt)} (its history expects ${str(d.expectedOrders)} in that time)`;
    case 'write_back.failed': {
      const error = d.error as { message?: string } | null | undefined;
      return `${c}: the ${str(d.kind)} write-back ${str(d.writeBackId)} to order ${e.orderId ?? '?'} ${d.state === 'refused' ? 'was refused by the channel' : 'failed'}: ${error?.message ?? ''}`;
    }
    case 'webhook.dead_lettered':
      return `webhook ${str(d.subscriptionId)} (${str(d.url)}): ${str(d.eventId)} dead-lettered after ${str(d.attempts)} attempts: ${str(d.lastError)}`;
  }
}

/** What the reader can do about it. */
function hint(e: SystemEvent): string | null {
  switch (e.type) {
    case 'connection.needs_attention':
      return `The scheduler no longer syncs ${e.connection}. Fix the cause (e.g. the credentials in orderhub.yaml), then run \`orderhub sync -c ${e.connection}\`.`;
    case 'sync.failed':
      return `\`orderhub runs -c ${e.connection}\` shows the runs; the next scheduled sync tries again.`;
    case 'connection.silent':
      return `Check that the shop takes orders and that ${e.connection} still sends them; a newer order ends this alert.`;
    case 'write_back.failed':
      return `\`GET /v1/write-backs/${str(e.data.writeBackId)}\` shows it; ask again once the cause is fixed.`;
    case 'webhook.dead_lettered':
      return `\`orderhub webhooks deliveries ${str(e.data.subscriptionId)} --state dead\` lists them; \`orderhub webhooks redeliver ${str(e.data.subscriptionId)}\` sends them again.`;
    default:
      return null;
  }
}

export interface AlertItem {
  event: SystemEvent;
  /** events of the same subject and type held back by the throttle since the last message */
  heldBack: number;
  heldBackSince: string | null;
}

export interface AlertMessage {
  email: { subject: string; text: string };
  slack: { text: string; blocks: unknown[] };
}

function itemText(i: AlertItem): string {
  const more = i.heldBack > 0 ? ` (and ${i.heldBack} more like it since ${i.heldBackSince ?? 'the last message'})` : '';
  return `${headline(i.event)}${more}`;
}

/** The message for the events of one moment (in journal order; the one that asks most of the reader leads). */
export function renderMessage(moment: readonly AlertItem[]): AlertMessage {
  const items = [...moment].sort((a, b) => Number(b.event.type === 'connection.needs_attention') - Number(a.event.type === 'connection.needs_attention'));
  const recovery = items.every((i) => i.event.type === 'sync.recovered');
  const more = items.length > 1 ? ` (+${items.length - 1} more)` : '';
  const lead = headline(items[0]!.event);
  const room = 160 - more.length;
  const title = `[orderhub] ${recovery ? 'resolved: ' : ''}${lead.length > room ? `${lead.slice(0, room - 3)}...` : lead}${more}`;
  const hints = [...new Set(items.map((i) => hint(i.event)).filter((h): h is string => h !== null))];
  const refs = items.map((i) => `${i.event.id} ${i.event.type} at ${i.event.occurredAt}`);
  const text = [...items.map(itemText), '', ...hints, ...(hints.length > 0 ? [''] : []), ...refs].join('\n');
  const mark = recovery ? ':white_check_mark:' : ':warning:';
  return {
    email: { subject: title, text: `${text}\n` },
    slack: {
      text: `${mark} ${items.map(itemText).join('\n')}`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `${mark} *${items.map(itemText).map(escapeMrkdwn).join('*\n*')}*` } },
        ...(hints.length > 0 ? [{ type: 'section', text: { type: 'mrkdwn', text: hints.map(escapeMrkdwn).join('\n') } }] : []),
        { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(refs.join(' · ')) }] },
      ],
    },
  };
}

/** Slack's mrkdwn treats &, < and > as markup. */
function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
