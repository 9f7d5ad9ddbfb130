/**
 * Configuration: `orderhub.yaml` (or --config FILE). A `database` and a list of `connections`, each
 * validated against its channel's own schema; `${ENV_VAR}` anywhere in a string is replaced from the
 * environment so that secrets stay out of the file.
 *
 * Everything is checked when the file is loaded, so that a mistake is a config error naming its path
 * rather than a crash hours later: unknown keys at every level (with a "did you mean"), schedules
 * (with croner, the library the scheduler runs them with), IANA time zones, http(s) URLs, durations
 * and dates. Every problem is reported at once.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Cron } from 'croner';
import { DateTime, IANAZone } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from './canonical/time.ts';
import { ConfigError } from './errors.ts';
import { didYouMean } from './suggest.ts';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => DateTime.fromISO(s, { zone: 'UTC' }).isValid, 'is not a real calendar date');

const duration = z.string().refine((s) => parseDuration(s) !== null, 'must be a duration such as 30s, 10m, 2h, 1d');

/** An http(s) URL (zod's z.url() alone also takes mailto:, ftp: …). Channels use it for their URLs. */
export const httpUrl = (error = 'must be an http(s) URL') => z.url({ protocol: /^https?$/, error });

/**
 * Why a schedule cannot run, or null when it can: an interval ("30s", "5m", "1h") or a cron
 * expression, checked with croner exactly as the scheduler will construct it.
 */
export function scheduleProblem(schedule: string): string | null {
  const every = parseDuration(schedule);
  if (every !== null) return every > 0 ? null : 'an interval must be longer than 0';
  const hint = 'must be an interval such as 30s, 5m, 1h or a cron expression such as "*/5 * * * *"';
  let job: Cron;
  try {
    job = new Cron(schedule, { paused: true });
  } catch (err) {
    return `${hint} (cron: ${(err as Error).message.replace(/^CronPattern: /, '')})`;
  }
  const next = job.nextRun();
  job.stop();
  return next === null ? `the cron expression "${schedule}" never runs` : null;
}

const schedule = z.string().superRefine((s, ctx) => {
  const problem = scheduleProblem(s);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/** An IANA zone name (Europe/Warsaw), as luxon converts wall times with it. */
const timeZone = z.string().superRefine((zone, ctx) => {
  if (IANAZone.isValidZone(zone)) return;
  ctx.addIssue({ code: 'custom', message: `"${zone}" is not an IANA time zone such as Europe/Warsaw${didYouMean(zone, Intl.supportedValuesOf('timeZone'))}` });
});

/** Per-connection HTTP behaviour; every channel's client is built with these. */
export const httpSettingsSchema = z
  .object({
    /** per attempt */
    timeoutMs: z.number().int().positive().default(30_000),
    /** for one logical request, retries included */
    deadlineMs: z.number().int().positive().default(180_000),
    maxAttempts: z.number().int().min(1).max(20).default(6),
    /** steady request rate towards the channel (requests per second) */
    requestsPerSecond: z.number().positive().default(20),
    concurrency: z.number().int().min(1).max(64).default(4),
  })
  .strict();

/** Strict: an unknown key is an error (a misspelt `apikey:` would otherwise be ignored); channels extend it. */
export const baseConnectionSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits, dot, dash or underscore; at most 63 characters'),
  kind: z.string(),
  baseUrl: httpUrl(),
  enabled: z.boolean().default(true),
  /** first day to fetch on the first sync (channel zone) */
  since: isoDate.optional(),
  /** "5m", "1h" … or a cron expression */
  schedule: schedule.default('5m'),
  /** override of the channel's documented zone for its wall times */
  timeZone: timeZone.optional(),
  /** how far each incremental window reaches back before the last watermark */
  overlap: duration.default('15m'),
  /** open orders younger than this many days are re-polled for status changes */
  refreshOpenDays: z.number().int().min(0).max(3650).default(90),
  /** closed orders are re-checked for late changes (returns, complaints) this many days after they closed; 0 = never */
  refreshClosedDays: z.number().int().min(0).max(3650).default(30),
  /** how often each of those is re-checked, spread over the period ("1d", "6h"; 0 = on every run) */
  refreshClosedEvery: z.union([z.literal(0), z.literal('0'), duration]).default('1d'),
  http: httpSettingsSchema.default(httpSettingsSchema.parse({})),
});

export type BaseConnectionConfig = z.infer<typeof baseConnectionSchema>;

export interface ChannelConfigSource {
  kinds(): string[];
  schemaFor(kind: string): z.ZodType<BaseConnectionConfig> | undefined;
}

/** "10.20.0.0/16" -> [address, prefix, family]; a bare address is one host; null when not a network. */
export function parseNetwork(cidr: string): [string, number, 'ipv4' | 'ipv6'] | null {
  const [address = '', bits, ...rest] = cidr.trim().split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  return prefix <= max ? [address, prefix, version === 4 ? 'ipv4' : 'ipv6'] : null;
}

const network = z.string().refine((s) => parseNetwork(s) !== null, 'must be an IP network such as 10.20.0.0/16');

/** An address (alerts@example.com) or a display name with one ("orderhub <alerts@example.com>"). */
const mailbox = z.string().refine((s) => {
  const address = /^[^<>]*<([^<>]+)>$/.exec(s.trim())?.[1] ?? s.trim();
  return z.email().safeParse(address).success;
}, 'must be an e-mail address such as alerts@example.com or "orderhub <alerts@example.com>"');

const alertsSchema = z
  .object({
    /** SMTP: smtp://user:password@host:587 (STARTTLS when offered) or smtps://…:465 */
    email: z
      .object({
        smtp: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL such as smtp://user:password@mail.example.com:587' }),
        from: mailbox,
        to: z.array(mailbox).min(1, 'needs at least one address'),
      })
      .strict()
      .optional(),
    /** a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat …) */
    slack: z.object({ url: httpUrl() }).strict().optional(),
    /** at most one message per connection (or webhook) and alert type within this time */
    throttle: duration.default('15m'),
    /** a connection is silent after this many of its usual gaps between orders without one */
    silentAfter: z.number().min(1).default(3),
    /** …and never before this long without an order */
    silentMinimum: duration.default('1h'),
    /** how much of a connection's order history teaches its usual gaps (by hour of the day) */
    silentHistory: duration.default('14d'),
  })
  .strict();

export type AlertsConfig = z.infer<typeof alertsSchema>;

const fileSchema = z
  .object({
    /** a SQLite file path (default ./data/orderhub.db) or a postgres:// URL */
    database: z.string().min(1).default('./data/orderhub.db'),
    /** the REST API (orderhub serve) */
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** cache GET /v1/orders answers per version of the order data (false: every answer from the database) */
        responseCache: z.boolean().default(true),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080, responseCache: true }),
    /** webhook deliveries (src/webhooks) */
    webhooks: z
      .object({
        /** send to private, loopback and link-local addresses: true, or only to these networks (10.20.0.0/16) */
        allowPrivateTargets: z.union([z.boolean(), z.array(network)], { error: 'must be true, false or a list of networks such as [10.20.0.0/16]' }).default(false),
      })
      .strict()
      .default({ allowPrivateTargets: false }),
    /** system-event notifications (src/alerts) */
    alerts: alertsSchema.default(alertsSchema.parse({})),
    connections: z.array(z.record(z.string(), z.unknown())).default([]),
  })
  .strict();

export interface OrderhubConfig {
  database: string;
  server: { host: string; port: number; responseCache: boolean };
  webhooks: { allowPrivateTargets: boolean | string[] };
  alerts: AlertsConfig;
  connections: BaseConnectionConfig[];
  /** where the config was read from, for messages */
  source: string;
}

/** Replaces ${NAME} in every string of a parsed YAML tree. Missing variables are collected as errors. */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path = '', missing: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        missing.push(`${path || '(root)'}: environment variable ${name} is not set`);
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, `${path}[${i}]`, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, path ? `${path}.${k}` : k, missing)]),
    );
  }
  return value;
}

const KNOWN_KEYS_SHOWN = 12;

/**
 * Zod reports unknown keys of a strict object as one issue; this error map gives each key its own
 * line of the message (`unknown key (did you mean "apiKey"?)`), which formatZodIssues pairs with the
 * keys, so each problem carries its full path.
 */
const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const known = issue.inst instanceof z.ZodObject ? Object.keys(issue.inst.shape) : [];
  const fallback = known.length > 0 && known.length <= KNOWN_KEYS_SHOWN ? ` (known: ${known.join(', ')})` : '';
  return issue.keys.map((key) => `unknown key${didYouMean(key, known) || fallback}`).join('\n');
};

/** `connections[0] (pl)` + [http, timeoutMs] -> `connections[0] (pl).http.timeoutMs`; top-level keys get no dot. */
function pathText(prefix: string, path: readonly PropertyKey[]): string {
  const text = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return prefix === '' ? text.replace(/^\./, '') : `${prefix}${text}`;
}

export function formatZodIssues(error: z.ZodError, prefix: string, skip: (path: string) => boolean = () => false): string[] {
  return error.issues.flatMap((issue) => {
    // (the problem of a value left empty by a missing ${VAR} is that variable, already reported)
    if (skip(pathText('', issue.path))) return [];
    if (issue.code === 'unrecognized_keys') {
      const lines = issue.message.split('\n');
      return issue.keys.map((key, i) => `${pathText(prefix, [...issue.path, key])}: ${lines.length === issue.keys.length ? lines[i] : 'unknown key'}`);
    }
    return [`${pathText(prefix, issue.path) || '(root)'}: ${issue.message}`];
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed config tree. Every problem is reported at once, each with its path. */
export function parseConfig(raw: unknown, channels: ChannelConfigSource, source: string, env = process.env): OrderhubConfig {
  const missing: string[] = [];
  const interpolated = interpolateEnv(raw ?? {}, env, '', missing);
  const problems = [...missing];
  const unset = new Set(missing.map((m) => m.slice(0, m.indexOf(': '))));
  const top = fileSchema.safeParse(interpolated, { error: configErrorMap });
  if (!top.success) problems.push(...formatZodIssues(top.error, '', (path) => unset.has(path)));
  // The connections are checked even when the top level has problems, so that one run lists them all.
  const entries = isPlainObject(interpolated) && Array.isArray(interpolated.connections) ? interpolated.connections : [];
  const connections: BaseConnectionConfig[] = [];
  const names = new Set<string>();
  entries.forEach((entry: unknown, i) => {
    if (!isPlainObject(entry)) return; // reported by the top-level schema
    const label = `connections[${i}]${typeof entry.name === 'string' ? ` (${entry.name})` : ''}`;
    if (typeof entry.name === 'string') {
      if (names.has(entry.name)) problems.push(`${label}.name: "${entry.name}" is used twice`);
      names.add(entry.name);
    }
    const kind = entry.kind;
    const schema = typeof kind === 'string' ? channels.schemaFor(kind) : undefined;
    if (!schema) {
      const hint = typeof kind === 'string' ? didYouMean(kind, channels.kinds()) : '';
      problems.push(`${label}.kind: ${kind === undefined ? 'missing' : `unknown kind "${String(kind)}"${hint}`}; supported: ${channels.kinds().join(', ')}`);
      return;
    }
    const parsed = schema.safeParse(entry, { error: configErrorMap });
    if (!parsed.success) {
      problems.push(...formatZodIssues(parsed.error, label, (path) => unset.has(`connections[${i}]${path.startsWith('[') ? '' : '.'}${path}`)));
      return;
    }
    connections.push(parsed.data);
  });
  if (problems.length > 0 || !top.success) throw new ConfigError(source, problems);
  return { database: top.data.database, server: top.data.server, webhooks: top.data.webhooks, alerts: top.data.alerts, connections, source };
}

/**
 * A relative SQLite path in a config file means relative to that file's folder: the same file gives
 * the same store whichever directory a command runs from. PostgreSQL URLs are left as they are.
 */
export function resolveDatabase(database: string, configDir: string): string {
  if (/^postgres(ql)?:\/\//i.test(database)) return database;
  const prefix = /^sqlite:(\/\/)?/.exec(database)?.[0] ?? '';
  const path = database.slice(prefix.length);
  return isAbsolute(path) ? database : `${prefix}${resolve(configDir, path)}`;
}

export function loadConfigFile(path: string, channels: ChannelConfigSource, env = process.env): OrderhubConfig {
  const full = resolve(path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    throw new ConfigError(full, [`cannot read the file: ${(err as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    // the yaml library's message ends with a code frame on further lines; its first line has the position
    throw new ConfigError(full, [`not valid YAML: ${(err as Error).message.split('\n')[0]!.replace(/:$/, '')}`]);
  }
  const config = parseConfig(raw, channels, full, env);
  return { ...config, database: resolveDatabase(config.database, dirname(full)) };
}
