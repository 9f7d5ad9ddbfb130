/**
 * Logging. pino writes JSON lines to stderr so stdout stays clean for exports piped elsewhere.
 * Secrets are kept out twice: pino redacts well-known secret keys in logged objects, and URLs are
 * passed through redactUrl() before they are logged or put into error messages.
 */
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

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** a stream, or a file descriptor; default 2 (stderr) */
  destination?: NodeJS.WritableStream | number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.ORDERHUB_LOG_LEVEL ?? 'info';
  const dest = options.destination ?? 2;
  // sync writes to the fd: log lines must not be lost when the CLI exits right after an error
  const stream = typeof dest === 'number' ? pinoDestination({ dest, sync: true }) : dest;
  return pino(
    {
      level,
      ...(options.name === undefined ? {} : { name: options.name }),
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    stream,
  );
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
