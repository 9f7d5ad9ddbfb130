/**
 * What the alert tests share: a local SMTP server (smtp-server, with a login, on 127.0.0.1) that
 * keeps the mails it accepts, decoded; a Slack-compatible incoming-webhook receiver; the config
 * block pointing at both.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export const SMTP_USER = 'alerts';
export const SMTP_PASSWORD = 'smtp-secret-Pa55word';
/** the secret part of a Slack incoming-webhook URL */
export const SLACK_TOKEN = 'T0000/B0000/slack-secret-token';

export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export interface SmtpServer {
  port: number;
  mails: Mail[];
  /** logins refused */
  refused: number;
  close(): Promise<void>;
}

/** Decodes RFC 2047 words (=?UTF-8?Q?…?= / ?B?) of a header. */
function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=\s*/g, (_m, _charset: string, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_h, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'));
}

/** The parts of a single-part text mail as nodemailer writes it (7bit, quoted-printable or base64). */
export function decodeMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  let text = body;
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_h, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    text = Buffer.from(bytes, 'latin1').toString('utf8');
  } else if (encoding === 'base64') {
    text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return { subject: decodeWords(header('Subject')), text: text.replace(/\r\n/g, '\n') };
}

export async function startSmtpServer(): Promise<SmtpServer> {
  const s: SmtpServer = { port: 0, mails: [], refused: 0, close: async () => undefined };
  const server = new SMTPServer({
    logger: false,
    // plain SMTP with a login, as a relay on a private network takes it (STARTTLS would need a certificate)
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: auth.username });
      s.refused++;
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const { subject, text } = decodeMail(Buffer.concat(chunks).toString('latin1'));
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        s.mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), subject, text });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  s.port = (server.server.address() as AddressInfo).port;
  s.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return s;
}

export interface SlackMessage {
  text: string;
  blocks?: unknown[];
}

export interface SlackReceiver {
  /** the incoming-webhook URL (its path is the secret token) */
  url: string;
  messages: SlackMessage[];
  /** requests to another path (a wrong or leaked token) */
  strays: number;
  close(): Promise<void>;
}

export async function startSlackReceiver(): Promise<SlackReceiver> {
  const r: SlackReceiver = { url: '', messages: [], strays: 0, close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== `/services/${SLACK_TOKEN}` || !String(req.headers['content-type']).startsWith('application/json')) {
        r.strays++;
        return void res.writeHead(404).end('no_service');
      }
      r.messages.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SlackMessage);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/${SLACK_TOKEN}`;
  r.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return r;
}

/** orderhub.yaml's alerts block for these two. */
export function alertsConfig(smtp: SmtpServer, slack: SlackReceiver, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    email: { smtp: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`, from: 'orderhub <alerts@shop.example>', to: ['ops@shop.example', 'owner@shop.example'] },
    slack: { url: slack.url },
    ...extra,
  };
}
