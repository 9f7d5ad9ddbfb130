/**
 * The zod schemas the handlers validate with; /openapi.json is generated from these same schemas.
 * Inputs are strict: an unknown query parameter or body field is a 400, never silently ignored.
 */
import { z } from 'zod';
import { canonicalOrderSchema } from '../core/canonical/order.ts';
import { CANONICAL_STATUSES } from '../core/canonical/status.ts';
import { EVENT_TYPES, ORDER_EVENT_TYPES, SYSTEM_EVENT_TYPES } from './events.ts';
import { ORDER_SORTS } from './orders-query.ts';
import { secretProblem, SIGNING_SCHEMES } from '../webhooks/signature.ts';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A date (YYYY-MM-DD, UTC midnight) or an ISO date-time (UTC unless it has an offset). */
export const isoInstant = z
  .string()
  .max(40)
  .regex(ISO_INSTANT, 'must be an ISO 8601 date or date-time, e.g. 2026-03-01 or 2026-03-01T10:00:00Z')
  .refine((s) => !Number.isNaN(Date.parse(/T\d{2}:\d{2}(:[\d.]+)?$/.test(s) ? `${s}Z` : s)), 'is not a real date');

export function toUtcIso(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  return new Date(/T\d{2}:\d{2}(:[\d.]+)?$/.test(s) ? `${s}Z` : s).toISOString();
}

/**
 * A whole number in a query string, written in decimal digits: z.coerce.number() read `0x10` as 16,
 * `1e1` as 10 and an empty value as 0.
 */
export const queryInt = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const list = (what: string) =>
  z.string().max(1000).describe(`one ${what} or several separated by commas; a name that does not exist is a 400 naming the known ones`);

/** a connection filter of one name: an unknown one is a 400 naming the known ones (routes/known-names.ts) */
const connectionFilter = z.string().max(100).describe('one connection name; a name that does not exist is a 400 naming the known ones');

export const orderFilterShape = {
  connection: list('connection name').optional(),
  channel: list('channel kind').optional(),
  status: list(`canonical status (${CANONICAL_STATUSES.join(', ')})`).optional(),
  createdFrom: isoInstant.optional().describe('createdAt >= this instant'),
  createdTo: isoInstant.optional().describe('createdAt < this instant'),
  updatedFrom: isoInstant.optional().describe('updatedAt >= this instant'),
  updatedTo: isoInstant.optional().describe('updatedAt < this instant'),
  // (a NUL once matched every order: SQLite's search saw an empty term)
  q: z.string().min(1).max(200).regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters').optional().describe('case-insensitive search in order number, external id, customer name/email, SKUs (any field of the order)'),
};

export const listOrdersQuery = z
  .object({
    ...orderFilterShape,
    sort: z.enum(ORDER_SORTS).default('-createdAt').describe('sort key; "-" = descending'),
    limit: queryInt(1, 500).default(50),
    cursor: z.string().max(512).optional().describe('the `next` of the previous page'),
  })
  .strict();

export const exportOrdersQuery = z
  .object({ ...orderFilterShape, format: z.enum(['ndjson', 'csv']).default('ndjson') })
  .strict();

export const orderIdParams = z.object({ id: z.string().min(1).max(300).describe('hub order id, or connection:externalId') }).strict();

export const orderDetailQuery = z.object({ include: z.enum(['raw']).optional().describe('raw: add every raw payload version') }).strict();

export const errorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .describe('error envelope');

export const orderSchema = canonicalOrderSchema;

export const orderPageSchema = z.object({ data: z.array(orderSchema), next: z.string().nullable() });

export const fieldChangeSchema = z.object({ path: z.string(), from: z.unknown(), to: z.unknown() });

const orderEventSchema = z.object({
  id: z.string().describe('evt_<seq>'),
  seq: z.number().int(),
  type: z.enum(ORDER_EVENT_TYPES),
  occurredAt: z.string(),
  orderId: z.string(),
  connection: z.string(),
  actor: z.string().nullable().describe('who made the change: sync:<run id>, api:<key name>, cli, alza-dropship:partner (null before the audit trail)'),
  diff: z.array(fieldChangeSchema).optional(),
  fromStatus: z.string().nullable().optional(),
  toStatus: z.string().nullable().optional(),
  order: orderSchema.nullable().optional(),
});

const systemEventSchema = z.object({
  id: z.string().describe('evt_<seq>'),
  seq: z.number().int(),
  type: z.enum(SYSTEM_EVENT_TYPES),
  occurredAt: z.string(),
  orderId: z.string().nullable().describe('the order it concerns (write_back.failed), else null'),
  connection: z.string(),
  actor: z.string().nullable().describe('sync:<run id>, alerts, webhooks, or the write-back\'s requester'),
  data: z.record(z.string(), z.unknown()).describe('what happened, per type (docs/api.md, System events)'),
  order: orderSchema.nullable().optional(),
});

export const eventSchema = z.union([orderEventSchema, systemEventSchema]);

export const eventsQuery = z
  .object({
    after: z.string().max(100).optional().describe('cursor: the `next` of a previous page (or an event id); omitted = from the beginning'),
    limit: queryInt(1, 1000).default(100),
    types: z.string().max(200).optional().describe(`comma-separated event types (${EVENT_TYPES.join(', ')})`),
    connection: connectionFilter.optional(),
    orderId: z.string().max(100).optional(),
    include: z.enum(['order']).optional().describe('order: add the current order to each event'),
  })
  .strict();

export const eventPageSchema = z.object({ data: z.array(eventSchema), next: z.string().describe('resume with ?after=<next>') });

export const writeBackSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  connection: z.string(),
  kind: z.enum(['status', 'tracking', 'document']),
  request: z.record(z.string(), z.unknown()),
  state: z.enum(['accepted', 'delivered', 'refused', 'failed']),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  actor: z.string().nullable().describe('who asked: api:<key name> or cli (null before the audit trail); the read-back is journalled as theirs'),
  bulkId: z.string().nullable().describe('the bulk request that queued it (GET /v1/orders/bulk/{bulkId}), else null'),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().nullable(),
});

export const orderDetailSchema = z.object({
  order: orderSchema,
  journal: z.array(eventSchema),
  writeBacks: z.array(writeBackSchema),
  raw: z.array(z.object({ fetchedAt: z.string(), payload: z.unknown() })).optional(),
});

export const statusBody = z
  .object({ status: z.string().min(1).max(100).describe("the status to set: the channel's own name (e.g. IN_REALIZATION) or a canonical status, set as the one settable channel status that maps to it (422 write_back_rule, naming the settable ones, when none or several do)") })
  .strict();

export const trackingBody = z
  .object({
    trackingNumber: z.string().min(1).max(100),
    carrier: z.string().min(1).max(100).nullable().optional(),
  })
  .strict();

export const idempotencyHeaders = z.looseObject({
  'idempotency-key': z.string().max(255).optional().describe('repeat a write safely: same key + same body = same response'),
});

export const writeBackIdParams = z.object({ id: z.string().min(1).max(100) }).strict();

export const connectionSchema = z.object({
  name: z.string(),
  kind: z.string(),
  title: z.string().nullable(),
  enabled: z.boolean(),
  schedule: z.string(),
  health: z.string(),
  attention: z.string().nullable(),
  running: z.boolean(),
  lastSyncAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  nextSyncAt: z.string().nullable(),
  lastError: z.string().nullable(),
  checkpoint: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('where the next incremental sync starts: { watermark } (creation-date windows) or { lastFullScanAt } (full scans); null before the first committed window'),
  counts: z.object({ orders: z.number(), open: z.number() }),
  lastRun: z.unknown().nullable(),
  capabilities: z.unknown().nullable(),
  settings: z.record(z.string(), z.unknown()).describe('the connection entry without its secret fields'),
});

export const connectionNameParams = z.object({ name: z.string().min(1).max(100) }).strict();

export const syncQuery = z
  .object({
    wait: z.enum(['true', 'false']).optional().describe('true: answer with the run summary when the sync ends'),
    full: z.enum(['true', 'false']).optional(),
    since: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD').optional(),
  })
  .strict();

export const syncRunsQuery = z
  .object({
    connection: list('connection name').optional(),
    limit: queryInt(1, 200).default(20),
    before: queryInt(1).optional().describe('run id: older runs than this (paging)'),
  })
  .strict();

export const syncRunSchema = z.object({
  id: z.number(),
  connection: z.string(),
  mode: z.string(),
  status: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  counts: z.object({ fetched: z.number(), created: z.number(), updated: z.number(), unchanged: z.number(), failed: z.number(), pages: z.number() }),
  error: z.string().nullable(),
  warnings: z.array(z.string()),
});

export const webhookCreateBody = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
    events: z.array(z.enum(EVENT_TYPES)).min(1).max(20).optional().describe(`default: the order events (${ORDER_EVENT_TYPES.join(', ')}); system events when named; at most 20 entries`),
    secret: z.string().min(16).max(200).optional().describe('HMAC key; generated (and shown once) when omitted. For signing "standard": whsec_ + base64 of 24 to 64 bytes'),
    description: z.string().max(500).optional(),
    includeOrder: z.boolean().optional().describe('add the current order to each event'),
    fromStart: z.boolean().optional().describe('also deliver every event already in the journal'),
    signing: z.enum(SIGNING_SCHEMES).optional().describe('"orderhub" (default: Orderhub-Signature header) or "standard" (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature)'),
  })
  .strict()
  .superRefine((b, ctx) => {
    const problem = b.secret === undefined ? null : secretProblem(b.signing ?? 'orderhub', b.secret);
    if (problem) ctx.addIssue({ code: 'custom', path: ['secret'], message: problem });
  });

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string().describe('the target; credentials in it shown as https://user:***@host/'),
  events: z.array(z.enum(EVENT_TYPES)),
  description: z.string().nullable(),
  includeOrder: z.boolean(),
  enabled: z.boolean(),
  signing: z.enum(SIGNING_SCHEMES),
  createdAt: z.string(),
  cursor: z.number(),
});

export const webhookIdParams = z.object({ id: z.string().min(1).max(100) }).strict();

export const deliveriesQuery = z
  .object({
    state: z.enum(['pending', 'delivered', 'dead']).optional(),
    orderId: z.string().max(100).optional(),
    limit: queryInt(1, 500).default(50),
    before: queryInt(1).optional(),
  })
  .strict();

export const deliverySchema = z.object({
  id: z.number(),
  subscriptionId: z.string(),
  eventId: z.string(),
  eventSeq: z.number(),
  eventType: z.string(),
  orderId: z.string().nullable().describe('null for a system event that concerns no order'),
  state: z.string(),
  attempts: z.number(),
  nextAttemptAt: z.string().nullable(),
  lastStatus: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});

export const redeliverBody = z
  .object({
    deliveryId: z.number().int().min(1).optional().describe('one delivery; omitted = every dead-lettered delivery of the webhook'),
  })
  .strict();

export function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
  return parts.length > 0 ? parts : undefined;
}
