/**
 * The simulated drinks2cash HTTP API (Fastify). Faithful to the help pages and their quirks:
 * raw API key in `Authorization` (403 `Unauthorised` otherwise), `offset` = page index,
 * Laminas-style 400 bodies under `message` (object, or a string for the status rule), the single
 * order endpoint answering an array, date-only `from`/`to` (date-times refused), `to` covering its
 * whole day. The /__sim control API is the kit's (src/channels/kit/simulator/control.ts).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { answerFault, emptyRequestCounters, guardApi, type RequestCounters } from '../../kit/simulator/api-hooks.ts';
import type { FaultKnobs } from '../../kit/simulator/faults.ts';
import { WallClock } from '../../kit/simulator/wall-clock.ts';
import { DRINKS_DOCUMENT_TYPES, DRINKS_FINAL_STATUSES, DRINKS_FINAL_STATUS_MESSAGE, DRINKS_STATUSES } from '../schemas.ts';
import { ByteSink } from './generator.ts';
import { MultipartError, parseMultipart } from './multipart.ts';
import type { DrinksFaults, DrinksStore } from './store.ts';

export const MSG_INVALID_DATE = 'Podana wartość nie jest poprawną datą';
export const MSG_NOT_DIGITS = 'Podana wartość może zawierać tylko cyfry';
export const MSG_IS_EMPTY = "Value is required and can't be empty";
export const MSG_STATUS_NOT_IN_ARRAY = `Status not valid, possible values are: ${DRINKS_STATUSES.join(', ')}`;
export const MSG_DOCUMENT_TYPE_NOT_IN_ARRAY = `Invalid document type, acceptable values are: ${DRINKS_DOCUMENT_TYPES.join(', ')}`;
export const MSG_ORDER_NOT_FOUND = 'Order not found';
export const MSG_NOT_BOOLEAN = 'Value must be a boolean';
export const MSG_NO_FILE = 'No file was uploaded';
/** [INF] text of the "REALIZED needs an invoice" refusal (not quoted by the help page) */
export const MSG_INVOICE_REQUIRED = 'You cannot change status to realised without an invoice attached.';

/** when `limit` is absent (undocumented; a real default is unknown) */
export const DEFAULT_LIMIT = 100;

/** /api requests: "GET /api/order", "GET /api/order/:id", "PATCH /api/order-status/:id", "POST /api/order-document" */
export interface DrinksRequestCounters extends RequestCounters {
  /** orders put into list/detail answers */
  ordersServed: number;
}

export function emptyCounters(): DrinksRequestCounters {
  return { ...emptyRequestCounters(), ordersServed: 0 };
}

export interface DrinksServerState {
  store: DrinksStore;
  apiKey: string;
  counters: DrinksRequestCounters;
  faults: FaultKnobs<DrinksFaults>;
}

type ValidationMessages = Record<string, Record<string, string>>;

const JSON_TYPE = 'application/json; charset=utf-8';

function envelope(code: number, reasonPhrase: string, data: unknown): string {
  return JSON.stringify({ code, reasonPhrase, data });
}

function badRequest(message: ValidationMessages | string): string {
  return JSON.stringify({ code: 400, reasonPhrase: 'Bad Request', message });
}

const FORBIDDEN = envelope(403, 'Forbidden', 'Unauthorised');

/** Laminas Date validator with format Y-m-d: exactly YYYY-MM-DD and a real calendar day. */
function isDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  return DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** a query value: the last one of a repeated key is NOT taken — repeated keys are invalid */
function single(value: unknown): string | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : value;
  return null; // array (repeated key) → invalid
}

/** days read in UTC (the datesAsUtc knob) */
const UTC_DAYS = new WallClock('UTC');

export async function buildDrinksServer(state: DrinksServerState): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024, return503OnClosing: false });
  const { store, counters, faults } = state;

  function send(request: FastifyRequest, reply: FastifyReply, status: number, body: string | Buffer): FastifyReply {
    return reply.code(status).header('content-type', JSON_TYPE).send(faults.payload(request, status, body));
  }

  // multipart bodies are buffered and parsed by the route (no @fastify/multipart needed)
  app.addContentTypeParser(/^multipart\/form-data/i, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  // form posts to PATCH are tolerated as in PHP (status=…)
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? 400 : 500;
    if (status === 500) return reply.code(500).header('content-type', JSON_TYPE).send(envelope(500, 'Internal Server Error', error.message));
    return send(request, reply, 400, badRequest(error.message));
  });

  guardApi(app, {
    isApi: (url) => url.startsWith('/api/') || url === '/api',
    counters,
    faults,
    screen(turn, request, reply) {
      if (turn.rateLimited) return answerFault(reply, 429, JSON_TYPE, envelope(429, 'Too Many Requests', 'Too Many Requests'), store.faults.retryAfterSeconds);
      if (turn.failed) return answerFault(reply, 500, JSON_TYPE, envelope(500, 'Internal Server Error', 'Internal Server Error'));
      if (request.headers.authorization !== state.apiKey) return reply.code(403).header('content-type', JSON_TYPE).send(FORBIDDEN);
      return undefined;
    },
  });

  // ---------------------------------------------------------------- GET /api/order
  app.get('/api/order', async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const errors: ValidationMessages = {};
    const from = single(q.from);
    const to = single(q.to);
    const limit = single(q.limit);
    const offset = single(q.offset);
    if (from === null || (from !== undefined && !isDate(from))) errors.from = { dateInvalidDate: MSG_INVALID_DATE };
    if (to === null || (to !== undefined && !isDate(to))) errors.to = { dateInvalidDate: MSG_INVALID_DATE };
    if (offset === null || (offset !== undefined && !/^\d+$/.test(offset))) errors.offset = { notDigits: MSG_NOT_DIGITS };
    if (limit === null || (limit !== undefined && !/^\d+$/.test(limit))) errors.limit = { notDigits: MSG_NOT_DIGITS };
    if (Object.keys(errors).length > 0) return send(request, reply, 400, badRequest(errors));

    const pageIndex = offset === undefined ? 0 : Number(offset);
    const f = store.faults;
    if (f.insertDuringPaging > 0 && pageIndex >= 1) store.insertOrders(f.insertDuringPaging);
    let size = limit === undefined ? DEFAULT_LIMIT : Number(limit);
    if (f.pageCap > 0) size = Math.min(size, f.pageCap);
    // a date is a Warsaw day, or a UTC day under the datesAsUtc knob
    const clock = f.datesAsUtc ? UTC_DAYS : store.gen.clock;
    const fromSec = typeof from === 'string' ? clock.startOfDay(from) : -Infinity;
    // `to` covers its whole day: create date <= to
    const toSec = typeof to !== 'string' ? Infinity : clock.startOfDay(DateTime.fromISO(to, { zone: 'UTC' }).plus({ days: 1 }).toISODate()!);
    const [first, end] = store.range(fromSec, toSec);
    const start = first + pageIndex * size;
    const stop = size === 0 ? start : Math.min(end, start + size);

    const sink = new ByteSink(Math.max(1024, Math.min(stop - start, 5000) * 1600 + 64));
    sink.ascii('{"code":200,"reasonPhrase":"OK","data":[');
    for (let i = start; i < stop; i++) {
      if (i > start) sink.byte(44);
      store.writeOrder(sink, i);
    }
    sink.ascii(']}');
    if (stop > start) counters.ordersServed += stop - start;
    return send(request, reply, 200, sink.buf.subarray(0, sink.off));
  });

  // ---------------------------------------------------------------- GET /api/order/:id
  app.get('/api/order/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!/^\d+$/.test(id)) return send(request, reply, 400, badRequest({ id: { notDigits: MSG_NOT_DIGITS } }));
    const index = store.indexOf(Number(id));
    if (index < 0) {
      if (store.faults.unknownOrder404) return send(request, reply, 404, envelope(404, 'Not Found', []));
      return send(request, reply, 200, envelope(200, 'OK', []));
    }
    const sink = new ByteSink(8192);
    sink.ascii('{"code":200,"reasonPhrase":"OK","data":[');
    store.writeOrder(sink, index);
    sink.ascii(']}');
    counters.ordersServed++;
    return send(request, reply, 200, sink.buf.subarray(0, sink.off));
  });

  // ---------------------------------------------------------------- PATCH /api/order-status/:id
  app.patch('/api/order-status/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!/^\d+$/.test(id)) return send(request, reply, 400, badRequest({ id: { notDigits: MSG_NOT_DIGITS } }));
    const body = (request.body ?? {}) as Record<string, unknown>;
    const status = typeof body === 'object' ? body.status : undefined;
    if (status === undefined || status === null || status === '') {
      return send(request, reply, 400, badRequest({ status: { isEmpty: MSG_IS_EMPTY } }));
    }
    if (typeof status !== 'string' || !(DRINKS_STATUSES as readonly string[]).includes(status)) {
      return send(request, reply, 400, badRequest({ status: { notInArray: MSG_STATUS_NOT_IN_ARRAY } }));
    }
    const index = store.indexOf(Number(id));
    // [INF] unknown order: not documented; answered like the document endpoint's order_id check
    if (index < 0) return send(request, reply, 400, badRequest({ id: { noRecordFound: MSG_ORDER_NOT_FOUND } }));
    const current = store.trueStatus(index);
    if (DRINKS_FINAL_STATUSES.has(current) && (status !== current || store.faults.strictFinalStatus)) {
      return send(request, reply, 400, badRequest(DRINKS_FINAL_STATUS_MESSAGE));
    }
    if (status === 'REALIZED' && current !== 'REALIZED' && store.faults.requireInvoiceForRealized) {
      const orderNumber = store.numberOf(index);
      const hasInvoice = store.documents.some((d) => d.orderNumber === orderNumber && d.documentType === 'INVOICE');
      if (!hasInvoice) return send(request, reply, 400, badRequest(MSG_INVOICE_REQUIRED));
    }
    store.changeStatus(store.numberOf(index), status);
    return send(request, reply, 200, envelope(200, 'OK', 'Status changed'));
  });

  // ---------------------------------------------------------------- POST /api/order-document
  app.post('/api/order-document', async (request, reply) => {
    let parsed;
    try {
      parsed = parseMultipart(
        Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        request.headers['content-type'],
      );
    } catch (err) {
      if (err instanceof MultipartError) return send(request, reply, 400, badRequest(err.message));
      throw err;
    }
    const { fields, files } = parsed;
    const errors: ValidationMessages = {};
    const file = files.file;
    if (!file || file.data.length === 0) errors.file = { fileUploadFileErrorNoFile: MSG_NO_FILE };
    const orderId = fields.order_id?.trim();
    let index = -1;
    if (!orderId) errors.order_id = { isEmpty: MSG_IS_EMPTY };
    else if (!/^\d+$/.test(orderId)) errors.order_id = { notDigits: MSG_NOT_DIGITS };
    else {
      index = store.indexOf(Number(orderId));
      if (index < 0) errors.order_id = { noRecordFound: MSG_ORDER_NOT_FOUND };
    }
    const type = fields.document_type?.trim();
    if (!type) errors.document_type = { isEmpty: MSG_IS_EMPTY };
    else if (!(DRINKS_DOCUMENT_TYPES as readonly string[]).includes(type)) {
      errors.document_type = { notInArray: MSG_DOCUMENT_TYPE_NOT_IN_ARRAY };
    }
    let informClient = false;
    const inform = fields.inform_client?.trim().toLowerCase();
    if (inform !== undefined && inform !== '') {
      if (inform === 'true' || inform === '1') informClient = true;
      else if (inform === 'false' || inform === '0') informClient = false;
      else errors.inform_client = { notInArray: MSG_NOT_BOOLEAN };
    }
    if (Object.keys(errors).length > 0) return send(request, reply, 400, badRequest(errors));
    store.documents.push({
      orderNumber: store.numberOf(index),
      documentType: type!,
      informClient,
      fileName: file!.fileName,
      contentType: file!.contentType,
      data: file!.data,
      receivedAt: new Date().toISOString(),
    });
    return send(request, reply, 201, envelope(201, 'Created', 'Created'));
  });

  return app;
}
