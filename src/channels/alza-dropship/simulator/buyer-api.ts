/**
 * The simulated Buyer API (Alza's side, called by the supplier) [DOC Buyer API]: checks the token
 * (client = supplierId), the body shapes and enumerations, and the resend intervals (a message of a
 * kind about one subject sent too early is answered -7), answers like Alza (shipment numbers, package
 * numbers and label PDFs for Create shipment, shipping list for departure), and records every message.
 *
 * Assumed where the doc is silent: an invalid token is answered 401 `{errorCode:-1}`; a -7 comes with
 * HTTP 400. Request faults are the kit's hook (guardApi); the /__sim control API is the kit's.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { guardApi, type RequestCounters } from '../../kit/simulator/api-hooks.ts';
import { NO_REQUEST_FAULTS, type FaultKnobs, type RequestFaults } from '../../kit/simulator/faults.ts';
import { computeToken, rawPath, rawTokenFromUrl, signatureMessage, tokensEqual } from '../hmac.ts';
import { parseJsonBody } from '../json.ts';
import {
  DELIVERY_RESULTS, IMPORT_TYPES, MAX_PRODUCTS_PER_MESSAGE, PARCEL_SHOP_IDENTIFICATIONS, RESEND_INTERVALS,
  SHIPPING_CARRIER_CODES, SHIPPING_CARRIER_DELIVERY_TYPES, TRACK_STATUSES, isTimestamp, violatesResendLimit, type PaceKey,
} from '../protocol.ts';
import { answerIssues, id64, money } from '../schemas.ts';

/** Request faults: a 429 without a body, a 500 in plain text, a truncated JSON body. */
export interface BuyerFaults extends RequestFaults {
  /** the next N messages are answered -7 whatever their timing */
  forceResendLimit: number;
  /** check the documented resend intervals (default on) */
  enforceResendIntervals: boolean;
}

export const NO_BUYER_FAULTS: Readonly<BuyerFaults> = { ...NO_REQUEST_FAULTS, forceResendLimit: 0, enforceResendIntervals: true };

export interface RecordedMessage {
  kind: 'availability' | 'shipment.create' | 'shipment.delete' | 'departure' | 'track' | 'delivery';
  method: string;
  path: string;
  /** the parsed body (Id64s beyond 2^53 as strings) */
  body: Record<string, unknown>;
  /** ms on the simulator's clock */
  at: number;
  status: number;
  errorCode: number | null;
  errorMessage: string;
}

export interface BuyerApiState {
  supplierId: number;
  secret: string;
  faults: FaultKnobs<BuyerFaults>;
  now: () => number;
  messages: RecordedMessage[];
  /** order numbers Alza knows (placed by the driver), with their orderItemIds */
  knownOrder(orderNumber: string): { orderItemIds: string[] } | null;
  counters: RequestCounters;
}

const timestamp = z.string().refine(isTimestamp, 'must be a Timestamp YYYY-MM-DDThh:mm:ss.nnn');
const int = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
const weight = z.union([z.number(), z.string()]).transform(String).pipe(z.string().regex(/^\d+(\.\d{1,4})?$/, 'must be kg with up to 4 decimals'));
const oneOf = (values: readonly string[]) => z.string().refine((v) => values.includes(v), `must be one of ${values.join(', ')}`);

const availabilitySchema = z.object({
  supplierId: int,
  supplierBranchId: int,
  timestamp,
  importType: oneOf(IMPORT_TYPES),
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  productList: z.array(z.object({
    code: z.string().min(1, 'missing').max(50),
    ean: z.string().min(1, 'missing').max(20),
    quantity: int,
    name: z.string().max(300).optional(),
    countryPrices: z.array(z.object({
      country: z.string().regex(/^[A-Z]{2}$/).optional(),
      currency: z.string().regex(/^[A-Z]{3}$/).optional(),
      vat: money,
      purchasePriceWithoutFees: money.optional(),
      sellingPriceWithoutVat: money.optional(),
    }).refine((p) => (p.purchasePriceWithoutFees === undefined) !== (p.sellingPriceWithoutVat === undefined), 'give purchasePriceWithoutFees or sellingPriceWithoutVat, not both')).optional(),
  })).max(MAX_PRODUCTS_PER_MESSAGE, `at most ${MAX_PRODUCTS_PER_MESSAGE} products per message`),
});

const shipmentCreateSchema = z.object({
  supplierId: int,
  supplierBranchId: int,
  timestamp,
  shippingCarrier: z.object({
    shippingCarrierCode: oneOf(SHIPPING_CARRIER_CODES),
    shippingCarrierDeliveryType: oneOf(SHIPPING_CARRIER_DELIVERY_TYPES).refine((t) => t !== 'Supplier', 'Supplier is not allowed here'),
  }),
  parcelShop: z.object({ parcelShopIdentification: oneOf(PARCEL_SHOP_IDENTIFICATIONS), parcelShopBranchCode: z.string().max(50) }).optional(),
  cashOnDeliveryValue: money,
  cashOnDeliveryValueCurrency: z.string().regex(/^[A-Z]{3}$/),
  shipmentWeight: weight,
  packages: z.array(z.object({ packageId: id64, weight })).min(1),
  items: z.array(z.object({ order: z.string(), orderItemId: id64.optional(), code: z.string().optional(), packageId: id64, quantity: int })).min(1),
});

const departureSchema = z.object({
  supplierId: int,
  supplierBranchId: int.optional(),
  timestamp,
  packages: z.array(z.object({ number: z.string().min(1), fullNumber: z.string().optional(), ttUrl: z.string().optional(), weight })).min(1),
  items: z.array(z.object({
    order: z.string(), orderItemId: id64.optional(), code: z.string().optional(), packageNumber: z.string(), quantity: int,
    serials: z.array(z.string()).optional(),
  })).min(1),
  expectedDeliveryDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});

const trackSchema = z.object({
  supplierId: int,
  timestamp,
  order: z.string().optional(),
  shipment: z.string().optional(),
  package: z.string().optional(),
  fullPackageNumber: z.string().optional(),
  status: oneOf(TRACK_STATUSES),
  statusTimestamp: timestamp,
}).refine((t) => t.order ?? t.shipment ?? t.package ?? t.fullPackageNumber, 'give order, shipment, package or fullPackageNumber');

const deliverySchema = z.object({
  supplierId: int,
  timestamp,
  status: oneOf(DELIVERY_RESULTS),
  statusTimestamp: timestamp,
  errorReason: z.string().max(500).optional(),
  paymentVS: z.string().max(30).optional(),
});

const deleteSchema = z.object({ supplierId: int, supplierBranchId: int.optional(), timestamp });

export async function buildBuyerApi(state: BuyerApiState): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(Object.assign(new Error((err as Error).message), { statusCode: 400 }), undefined);
    }
  });
  guardApi(app, {
    isApi: (url) => url.startsWith('/api/v1/'),
    counters: state.counters,
    faults: state.faults,
    screen(turn, _request, reply) {
      if (turn.rateLimited) return reply.code(429).send();
      if (turn.failed) return reply.code(500).type('text/plain').send('Internal Server Error');
      if (turn.truncated) return reply.code(200).type('application/json').send('{"errorCode":0,"errorMe');
      return undefined;
    },
  });
  let shipmentSeq = 0;
  const shipments = new Map<string, { orders: string[]; departed: boolean; packages: string[] }>();
  const delivered = new Map<string, string>();
  const received = new Map<string, number[]>();
  const pdf = Buffer.from('%PDF-1.4 simulated label\n').toString('base64');

  const answer = (reply: FastifyReply, msg: Omit<RecordedMessage, 'status' | 'errorCode' | 'errorMessage' | 'at'>, status: number, body: Record<string, unknown>) => {
    const errorCode = typeof body.errorCode === 'number' ? body.errorCode : null;
    state.messages.push({ ...msg, at: state.now(), status, errorCode, errorMessage: String(body.errorMessage ?? '') });
    return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
  };

  /** Token and resend intervals: what every Buyer API message goes through (after its fault turn). */
  const gate = async (
    request: FastifyRequest,
    reply: FastifyReply,
    kind: RecordedMessage['kind'],
    pace: PaceKey,
    subject: (body: Record<string, unknown>) => string,
  ): Promise<Record<string, unknown> | null> => {
    const f = state.faults.current;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const raw = request.raw.url ?? request.url;
    const ts = typeof body.timestamp === 'string' ? body.timestamp : '';
    const expected = computeToken(state.secret, signatureMessage({ client: state.supplierId, method: request.method, path: rawPath(raw), timestamp: ts }));
    const token = rawTokenFromUrl(raw);
    const msg = { kind, method: request.method, path: rawPath(raw), body };
    if (token === null || !tokensEqual(token, expected) || Number(body.supplierId) !== state.supplierId) {
      await answer(reply, msg, 401, { errorCode: -1, errorMessage: 'Invalid token' });
      return null;
    }
    // every authenticated message counts, refused ones too: Alza saw it
    const key = `${pace}|${subject(body)}`;
    const previous = received.get(key) ?? [];
    const at = state.now();
    received.set(key, [...previous.filter((t) => t > at - 2 * 3_600_000), at]);
    if (f.forceResendLimit > 0 || (f.enforceResendIntervals && violatesResendLimit(RESEND_INTERVALS[pace], previous, state.now()))) {
      if (f.forceResendLimit > 0) f.forceResendLimit--;
      await answer(reply, msg, 400, { errorCode: -7, errorMessage: 'Resend limit violated' });
      return null;
    }
    return body;
  };

  const invalid = (reply: FastifyReply, msg: Omit<RecordedMessage, 'status' | 'errorCode' | 'errorMessage' | 'at'>, code: number, message: string) =>
    answer(reply, msg, 400, { errorCode: code, errorMessage: message });

  const checkOrders = (orders: Array<{ order: string; orderItemId?: string | undefined }>): string | null => {
    for (const it of orders) {
      const known = state.knownOrder(it.order);
      if (!known) return `Unknown order ${it.order}`;
      if (it.orderItemId !== undefined && !known.orderItemIds.includes(it.orderItemId)) return `Unknown orderItemId ${it.orderItemId} in order ${it.order}`;
    }
    return null;
  };

  app.post('/api/v1/availability', async (request, reply) => {
    const body = await gate(request, reply, 'availability', `availability.${String((request.body as { importType?: unknown } | undefined)?.importType)}` as PaceKey, (b) => `branch:${String(b.supplierBranchId)}`);
    if (!body) return reply;
    const msg = { kind: 'availability' as const, method: 'POST', path: '/api/v1/availability', body };
    const v = availabilitySchema.safeParse(body);
    if (!v.success) return invalid(reply, msg, -1, answerIssues(v.error));
    if (v.data.importType === 'PartialFull' && v.data.productList.some((p) => p.quantity <= 0)) {
      return invalid(reply, msg, -2, 'PartialFull lists only products with quantity > 0');
    }
    return answer(reply, msg, 200, { errorCode: 0, errorMessage: '' });
  });

  app.post('/api/v1/shipment', async (request, reply) => {
    const body = await gate(request, reply, 'shipment.create', 'shipment.create', (b) => `order:${String((b.items as Array<{ order: string }> | undefined)?.[0]?.order)}`);
    if (!body) return reply;
    const msg = { kind: 'shipment.create' as const, method: 'POST', path: '/api/v1/shipment', body };
    const v = shipmentCreateSchema.safeParse(body);
    if (!v.success) return invalid(reply, msg, -2, answerIssues(v.error));
    const unknown = checkOrders(v.data.items);
    if (unknown) return invalid(reply, msg, -2, unknown);
    const ids = new Set(v.data.packages.map((p) => p.packageId));
    if (v.data.items.some((i) => !ids.has(i.packageId))) return invalid(reply, msg, -2, 'Missing packageId in packages!');
    const orders = [...new Set(v.data.items.map((i) => i.order))];
    const number = String(30_000_000 + ++shipmentSeq);
    const packages = v.data.packages.map((p, i) => ({ packageId: p.packageId, number: `${number}${String(i + 1).padStart(3, '0')}`, fullNumber: `CZ${number}${i + 1}`, pdf }));
    shipments.set(number, { orders, departed: false, packages: packages.map((p) => p.number) });
    return answer(reply, msg, 201, { errorCode: 0, errorMessage: '', shipment: { shipmentNumber: number, packages, pdf } });
  });

  app.delete('/api/v1/shipment/:shipment', async (request, reply) => {
    const shipment = (request.params as { shipment: string }).shipment;
    const body = await gate(request, reply, 'shipment.delete', 'shipment.delete', () => `shipment:${shipment}`);
    if (!body) return reply;
    const msg = { kind: 'shipment.delete' as const, method: 'DELETE', path: `/api/v1/shipment/${shipment}`, body };
    const v = deleteSchema.safeParse(body);
    if (!v.success) return invalid(reply, msg, -2, answerIssues(v.error));
    const s = shipments.get(shipment);
    if (!s) return invalid(reply, msg, -2, `Unknown shipment ${shipment}`);
    if (s.departed) return invalid(reply, msg, -5, 'The shipment has departed');
    shipments.delete(shipment);
    return answer(reply, msg, 200, { errorCode: 0, errorMessage: '' });
  });

  app.post('/api/v1/shipment/:shipment/departure', async (request, reply) => {
    const shipment = (request.params as { shipment: string }).shipment;
    const body = await gate(request, reply, 'departure', 'departure', () => `shipment:${shipment}`);
    if (!body) return reply;
    const msg = { kind: 'departure' as const, method: 'POST', path: `/api/v1/shipment/${shipment}/departure`, body };
    const v = departureSchema.safeParse(body);
    if (!v.success) return invalid(reply, msg, -2, answerIssues(v.error));
    const unknown = checkOrders(v.data.items);
    if (unknown) return invalid(reply, msg, -2, unknown);
    const numbers = new Set(v.data.packages.map((p) => p.number));
    if (v.data.items.some((i) => !numbers.has(i.packageNumber))) return invalid(reply, msg, -2, 'Unknown packageNumber in items');
    const s = shipments.get(shipment);
    if (s) s.departed = true; // Buyer mode; in Supplier mode the number is the supplier's own
    return answer(reply, msg, 200, {
      errorCode: 0,
      errorMessage: '',
      ...(s ? { shipment: { departureTime: v.data.timestamp, shippingList: { shippingListId: 700 + shipmentSeq, pdf } } } : {}),
    });
  });

  app.post('/api/v1/track', async (request, reply) => {
    const body = await gate(request, reply, 'track', 'track', (b) => `shipment:${String(b.shipment ?? b.order)}`);
    if (!body) return reply;
    const msg = { kind: 'track' as const, method: 'POST', path: '/api/v1/track', body };
    const v = trackSchema.safeParse(body);
    if (!v.success) return invalid(reply, msg, -2, answerIssues(v.error));
    if (v.data.order && !state.knownOrder(v.data.order)) return invalid(reply, msg, -2, `Unknown order ${v.data.order}`);
    return answer(reply, msg, 200, { errorCode: 0, errorMessage: '' });
  });

  app.post('/api/v1/order/:order/delivery', async (request, reply) => {
    const order = (request.params as { order: string }).order;
    const body = await gate(request, reply, 'delivery', 'delivery', () => `order:${order}`);
    if (!body) return reply;
    const msg = { kind: 'delivery' as const, method: 'POST', path: `/api/v1/order/${order}/delivery`, body };
    const v = deliverySchema.safeParse(body);
    if (!v.success) return invalid(reply, msg, -2, answerIssues(v.error));
    if (!state.knownOrder(order)) return invalid(reply, msg, -2, `Unknown order ${order}`);
    const before = delivered.get(order);
    if (v.data.status === 'Canceled' && before === 'Delivered') return invalid(reply, msg, -2, "Can't cancel delivered order");
    delivered.set(order, v.data.status);
    return answer(reply, msg, 200, { errorCode: 0, errorMessage: '' });
  });

  return app;
}
