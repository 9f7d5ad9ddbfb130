/**
 * Configuration: `orderhub.yaml` (or --config FILE). A `database` and a list of `connections`, each
 * validated against its channel's own schema; `${ENV_VAR}` anywhere in a string is replaced from the
 * environment so that secrets stay out of the file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from './canonical/time.ts';
import { ConfigError } from './errors.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

const duration = z.string().refine((s) => parseDuration(s) !== null, 'must be a duration such as 30s, 10m, 2h, 1d');

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

export const baseConnectionSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits, dot, dash or underscore; at most 63 characters'),
  kind: z.string(),
  baseUrl: z.url({ error: 'must be an http(s) URL' }),
  enabled: z.boolean().default(true),
  /** first day to fetch on the first sync (channel zone) */
  since: isoDate.optional(),
  /** "5m", "1h" … or a cron expression */
  schedule: z.string().default('5m'),
  /** override of the channel's documented zone for its wall times */
  timeZone: z.string().optional(),
  /** how far each incremental window reaches back before the last watermark */
  overlap: duration.default('15m'),
  /** open orders younger than this many days are re-polled for status changes */
  refreshOpenDays: z.number().int().min(0).max(3650).default(90),
  http: httpSettingsSchema.default(httpSettingsSchema.parse({})),
});

export type BaseConnectionConfig = z.infer<typeof baseConnectionSchema>;

export interface ChannelConfigSource {
  kinds(): string[];
  schemaFor(kind: string): z.ZodType<BaseConnectionConfig> | undefined;
}

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
    connections: z.array(z.record(z.string(), z.unknown())).default([]),
  })
  .strict();

export interface OrderhubConfig {
  database: string;
  server: { host: string; port: number; responseCache: boolean };
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

export function formatZodIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${prefix}${path}: ${issue.message}`;
  });
}

/** Validates a parsed config tree. Every problem is reported at once, each with its path. */
export function parseConfig(raw: unknown, channels: ChannelConfigSource, source: string, env = process.env): OrderhubConfig {
  const missing: string[] = [];
  const interpolated = interpolateEnv(raw ?? {}, env, '', missing);
  const problems = [...missing];
  const top = fileSchema.safeParse(interpolated);
  if (!top.success) throw new ConfigError(source, [...problems, ...formatZodIssues(top.error, '')]);
  const connections: BaseConnectionConfig[] = [];
  const names = new Set<string>();
  top.data.connections.forEach((entry, i) => {
    const label = `connections[${i}]${typeof entry.name === 'string' ? ` (${entry.name})` : ''}`;
    if (typeof entry.name === 'string') {
      if (names.has(entry.name)) problems.push(`${label}.name: "${entry.name}" is used twice`);
      names.add(entry.name);
    }
    const kind = entry.kind;
    const schema = typeof kind === 'string' ? channels.schemaFor(kind) : undefined;
    if (!schema) {
      problems.push(`${label}.kind: ${kind === undefined ? 'missing' : `unknown kind "${String(kind)}"`}; supported: ${channels.kinds().join(', ')}`);
      return;
    }
    const parsed = schema.safeParse(entry);
    if (!parsed.success) {
      problems.push(...formatZodIssues(parsed.error, label));
      return;
    }
    connections.push(parsed.data);
  });
  if (problems.length > 0) throw new ConfigError(source, problems);
  return { database: top.data.database, server: top.data.server, connections, source };
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
    throw new ConfigError(full, [`not valid YAML: ${(err as Error).message}`]);
  }
  return parseConfig(raw, channels, full, env);
}
