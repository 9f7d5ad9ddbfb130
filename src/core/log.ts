/**
 * Logging. pino writes JSON lines (or, for people, pretty one-line records) to stderr or to a file,
 * never to stdout, so stdout stays clean for exports piped elsewhere.
 * Secrets are kept out twice: pino redacts well-known secret keys in logged objects, and URLs are
 * passed through redactUrl() before they are logged or put into error messages.
 */
import { mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { destination as pinoDestination, pino, type Logger } from 'pino';

/** Object keys that hold secrets in configs, token responses and request options. */
const SECRET_KEYS = [
  'apiKey',
  'apiToken',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'secret',
  'password',
];

/** Header names that carry credentials (lower-case, as node and undici report them). */
const SECRET_HEADERS = ['authorization', 'api-token', 'token', 'x-api-key', 'cookie', 'set-cookie'];

function headerPaths(prefix: string): string[] {
  return SECRET_HEADERS.map((h) => (/^[a-z]+$/.test(h) ? `${prefix}.${h}` : `${prefix}["${h}"]`));
}

/** pino redact paths: secret keys at top level and one/two levels deep, plus credential headers. */
export const REDACT_PATHS: string[] = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  ...headerPaths('headers'),
  ...headerPaths('req.headers'),
  ...headerPaths('res.headers'),
  ...headerPaths('*.headers'),
];

export interface LogStream {
  write(text: string): unknown;
}

export const LOG_FORMATS = ['json', 'pretty'] as const;
/** json: one JSON object per line (for log collectors); pretty: `time LEVEL message key=value …` */
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** a stream (anything with write), or a file descriptor; default 2 (stderr) */
  destination?: LogStream | number;
  /** append to this file instead (its folder is created); wins over `destination` */
  file?: string;
  /** default json */
  format?: LogFormat;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.ORDERHUB_LOG_LEVEL ?? 'info';
  let dest = options.destination ?? 2;
  if (options.file !== undefined) {
    mkdirSync(dirname(options.file), { recursive: true });
    dest = openSync(options.file, 'a');
  }
  // sync writes to the fd: log lines must not be lost when the CLI exits right after an error
  let stream: LogStream;
  if (options.format === 'pretty') {
    // a file keeps the full date; a terminal's reader knows the day
    const clock = options.file !== undefined ? 'iso' : 'time';
    const target = dest;
    const write = (text: string) => (typeof target === 'number' ? writeSync(target, text) : target.write(text));
    stream = { write: (line: string) => void write(prettyLogLine(line, clock)) };
  } else {
    stream = typeof dest === 'number' ? pinoDestination({ dest, sync: true }) : dest;
  }
  return pino(
    {
      level,
      ...(options.name === undefined ? {} : { name: options.name }),
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    stream,
  );
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** pino's own fields, shown in the line's head or left out */
const HEAD_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

/**
 * One pino JSON record as a line for people: `19:06:26 ERROR sync failed connection=drinks-pl err="…"`
 * (`2026-12-04T19:06:26.106Z …` with clock 'iso'). An error shows its message; any other value that is
 * not a plain word is JSON.
 */
export function prettyLogLine(json: string, clock: 'iso' | 'time' = 'time'): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const iso = new Date(typeof record.time === 'number' ? record.time : Date.now()).toISOString();
  const time = clock === 'iso' ? iso : iso.slice(11, 19);
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([k, v]) => !HEAD_FIELDS.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${fieldText(v)}`);
  return `${[time, level.padEnd(5), String(record.msg ?? ''), ...fields].join(' ')}\n`;
}

function fieldText(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
    return JSON.stringify((value as { message: string }).message); // a serialised Error
  }
  if (typeof value === 'string') return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/** For tests: a logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Query parameters whose values are credentials (compared case-insensitively). */
const SECRET_QUERY_PARAMS = new Set([
  'token',
  'apikey',
  'api_key',
  'api-key',
  'apitoken',
  'api_token',
  'access_token',
  'refresh_token',
  'client_secret',
  'secret',
  'password',
]);

/**
 * The URL with secret query values and userinfo passwords replaced by [redacted]. Works on the raw
 * string (no URL round-trip) so everything else stays byte-identical to what was requested.
 */
export function redactUrl(url: string): string {
  const hash = url.indexOf('#');
  const main = hash >= 0 ? url.slice(0, hash) : url;
  const q = main.indexOf('?');
  let base = q >= 0 ? main.slice(0, q) : main;
  base = base.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:[redacted]@');
  if (q < 0) return base;
  const query = main
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq >= 0 ? pair.slice(0, eq) : pair;
      return SECRET_QUERY_PARAMS.has(decodeName(rawName).toLowerCase()) ? `${rawName}=[redacted]` : pair;
    })
    .join('&');
  return `${base}?${query}`;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}
