/**
 * The Alza side of the Supplier API: places, confirms, extends and cancels orders against a
 * supplier's server (orderhub), signing each request with the HMAC token (client = customerId) and
 * resending — with a new timestamp and token, as Alza does — until it gets a valid answer.
 */
import { Agent, request } from 'undici';
import { computeToken, signatureMessage } from '../hmac.ts';
import { jsonNumber, stringifyJson, JsonNumber } from '../json.ts';
import { formatTimestamp, parseErrorCode } from '../protocol.ts';
import { parseXmlBody, writeXml, type XmlElement, type XmlValue } from '../xml.ts';
import { randomFloats } from '../../kit/simulator/random.ts';
import { mix, orderAt, type SimOrder } from './generator.ts';

export type DriverOperation = 'insert' | 'confirm' | 'cancel' | 'extend';

export interface DriverResult {
  status: number;
  /** errorCode of the answer (numbers; XML enum names read back), null without a valid answer */
  errorCode: number | null;
  /** the answer as an object (XML read into the same shape, all values strings) */
  body: Record<string, unknown> | null;
  text: string;
  /** requests sent (1 + resends) */
  attempts: number;
}

export interface SendOptions {
  format?: 'json' | 'xml';
  /** 'encoded' = `%3D`/`%2B` (default); 'raw' = the Base64 text as is (`=` and `+` in the URL) */
  tokenEncoding?: 'encoded' | 'raw';
  /** replace the token (tests of refusals); null = no token parameter */
  token?: string | null;
  /** sign with another secret (tests of refusals) */
  secret?: string;
  /** a fixed body timestamp instead of now */
  timestamp?: string;
  /** don't resend on an invalid answer */
  noResend?: boolean;
}

export interface DriverOptions {
  customerId: number;
  supplierId: number;
  supplierBranchId: number;
  secret: string;
  seed: number;
  /** catalog size the generated orders draw from */
  products: number;
  supplierUrl?: string;
  now?: () => Date;
  /** wait between resends (Alza: ≥ 1 minute); default 200 ms */
  resendDelayMs?: number;
  /** resends after the first attempt; default 5 */
  maxResends?: number;
}

export interface DriverOrder {
  orderNumber: string;
  order: SimOrder;
  /** what we know from the supplier's answers */
  state: 'new' | 'reserved' | 'out_of_stock' | 'refused' | 'confirmed' | 'cancelled';
  supplierOrder: string | null;
  validUntil: string | null;
  /** last content sent per operation (for resend) */
  sent: Partial<Record<DriverOperation, { content: Record<string, unknown>; options: SendOptions }>>;
}

const XML_ROOTS: Record<DriverOperation, string> = {
  insert: 'InsertOrderData',
  confirm: 'ConfirmOrderData',
  cancel: 'CancelOrderData',
  extend: 'ExtendOrderData',
};
const XML_ITEMS: Record<string, string> = { orderItems: 'InsertOrderDataItem', alzaBarCodes: 'string', routeStops: 'RouteStop' };

function toXmlValue(key: string, v: unknown): XmlValue {
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return { item: XML_ITEMS[key] ?? 'item', values: v.map((x) => toXmlValue(key, x)) };
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toXmlValue(k, x)])) as XmlElement;
  return v as XmlValue;
}

export class AlzaDriver {
  readonly orders = new Map<string, DriverOrder>();
  /** every request sent, newest last (op, order, status, errorCode) */
  readonly log: Array<{ op: DriverOperation; orderNumber: string; status: number; errorCode: number | null }> = [];
  private supplierUrl: string | null;
  private nextIndex = 0;
  private ticks = 0;
  private readonly agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
  private readonly now: () => Date;

  constructor(private readonly opts: DriverOptions) {
    this.supplierUrl = opts.supplierUrl?.replace(/\/+$/, '') ?? null;
    this.now = opts.now ?? (() => new Date());
  }

  /** Where the supplier's API is (e.g. http://127.0.0.1:8080/dropship/alza/v1). */
  setSupplierUrl(url: string): void {
    this.supplierUrl = url.replace(/\/+$/, '');
  }

  /** The generated order of an index (without sending it). */
  generated(index: number): SimOrder {
    return orderAt(this.opts.seed, index, this.opts.products, this.now());
  }

  /** Insert order: the next generated order, or one with the given lines / number. */
  async placeOrder(
    opts: { index?: number; orderNumber?: string; items?: Array<{ code: string; quantity: number; price?: string; orderItemId?: string }> } & SendOptions = {},
  ): Promise<DriverResult & { orderNumber: string }> {
    const index = opts.index ?? this.nextIndex++;
    const order = this.generated(index);
    if (opts.orderNumber) order.orderNumber = opts.orderNumber;
    if (opts.items) {
      order.items = opts.items.map((it, i) => ({
        orderItemId: it.orderItemId ?? (9_007_199_254_740_993n + BigInt(index) * 10n + BigInt(i)).toString(),
        code: it.code,
        quantity: it.quantity,
        purchasePriceWithoutFees: it.price ?? '100.00',
      }));
    }
    const tracked: DriverOrder = this.orders.get(order.orderNumber) ?? { orderNumber: order.orderNumber, order, state: 'new', supplierOrder: null, validUntil: null, sent: {} };
    tracked.order = order;
    this.orders.set(order.orderNumber, tracked);
    const content: Record<string, unknown> = {
      supplierBranchId: jsonNumber(String(this.opts.supplierBranchId)),
      itemsPriceCurrency: 'CZK',
      itemsPriceCountry: 'CZ',
      orderItems: order.items.map((it) => ({
        orderItemId: jsonNumber(it.orderItemId),
        code: it.code,
        quantity: jsonNumber(String(it.quantity)),
        purchasePriceWithoutFees: jsonNumber(it.purchasePriceWithoutFees),
        ...(it.fees ? { fees: Object.fromEntries(Object.entries(it.fees).map(([k, v]) => [k, jsonNumber(v)])) } : {}),
        ...(it.alzaBarCodes ? { alzaBarCodes: it.alzaBarCodes } : {}),
        ...(it.serialNumbersRequired ? { serialNumbersRequired: true } : {}),
      })),
    };
    const result = await this.send('insert', order.orderNumber, content, opts);
    if (result.errorCode === 0) {
      tracked.state = 'reserved';
      tracked.supplierOrder = String(result.body?.supplierOrder ?? '');
      tracked.validUntil = (result.body?.validUntil as string | undefined) ?? null;
    } else if (result.errorCode === -3) {
      tracked.state = 'out_of_stock';
    } else if (result.errorCode !== null) {
      tracked.state = 'refused';
    }
    return { ...result, orderNumber: order.orderNumber };
  }

  /** Confirm order with the generated customer and carrier (overridable). */
  async confirm(orderNumber: string, overrides: Record<string, unknown> = {}, opts: SendOptions = {}): Promise<DriverResult> {
    const tracked = this.orders.get(orderNumber);
    const confirmData = tracked ? tracked.order.confirm : this.generated(0).confirm;
    const content: Record<string, unknown> = { supplierBranchId: jsonNumber(String(this.opts.supplierBranchId)), ...confirmData, ...overrides };
    if (typeof content.cashOnDeliveryValue === 'string') content.cashOnDeliveryValue = jsonNumber(content.cashOnDeliveryValue);
    const result = await this.send('confirm', orderNumber, content, opts);
    if (tracked && result.errorCode === 0) tracked.state = 'confirmed';
    return result;
  }

  async cancel(orderNumber: string, opts: SendOptions = {}): Promise<DriverResult> {
    const result = await this.send('cancel', orderNumber, { supplierBranchId: jsonNumber(String(this.opts.supplierBranchId)) }, opts);
    const tracked = this.orders.get(orderNumber);
    if (tracked && result.errorCode === 0) tracked.state = 'cancelled';
    return result;
  }

  async extend(orderNumber: string, validUntil?: Date, opts: SendOptions = {}): Promise<DriverResult> {
    const content: Record<string, unknown> = { supplierBranchId: jsonNumber(String(this.opts.supplierBranchId)) };
    if (validUntil) content.validUntil = formatTimestamp(validUntil);
    const result = await this.send('extend', orderNumber, content, opts);
    const tracked = this.orders.get(orderNumber);
    if (tracked && result.errorCode === 0) tracked.validUntil = (result.body?.validUntil as string | undefined) ?? tracked.validUntil;
    return result;
  }

  /** Sends the last request of an operation again: same content, new timestamp and token. */
  async resend(orderNumber: string, op: DriverOperation, opts: SendOptions = {}): Promise<DriverResult> {
    const last = this.orders.get(orderNumber)?.sent[op];
    if (!last) throw new Error(`nothing was sent for ${op} of ${orderNumber}`);
    return this.send(op, orderNumber, last.content, { ...last.options, ...opts, timestamp: opts.timestamp });
  }

  /** One request (plus resends until a valid answer). `content` is the body without the common fields. */
  async send(op: DriverOperation, orderNumber: string, content: Record<string, unknown>, options: SendOptions = {}): Promise<DriverResult> {
    if (!this.supplierUrl) throw new Error('the driver has no supplier URL yet (setSupplierUrl)');
    const tracked = this.orders.get(orderNumber);
    if (tracked) tracked.sent[op] = { content, options: { ...options, timestamp: undefined } };
    const method = op === 'cancel' ? 'DELETE' : 'POST';
    const resource = `/order/${orderNumber}${op === 'confirm' ? '/confirm' : op === 'extend' ? '/extend' : ''}`;
    const xml = options.format === 'xml';
    const maxResends = options.noResend ? 0 : (this.opts.maxResends ?? 5);
    let attempts = 0;
    for (;;) {
      attempts++;
      const timestamp = options.timestamp ?? formatTimestamp(this.now());
      const full: Record<string, unknown> = {
        timestamp,
        customerId: jsonNumber(String(this.opts.customerId)),
        // K2's data contracts have no supplierId; Alza's JSON has it
        ...(xml ? {} : { supplierId: jsonNumber(String(this.opts.supplierId)) }),
        ...content,
      };
      if (xml && op !== 'insert') delete full.supplierBranchId;
      let body: string;
      if (xml) {
        const { itemsPriceCountry, ...rest } = full;
        const el = toXmlValue('', itemsPriceCountry === undefined ? rest : { ...rest, ItemsPriceCountry: itemsPriceCountry }) as XmlElement;
        body = writeXml(XML_ROOTS[op], el);
      } else {
        body = stringifyJson(full);
      }
      const url = new URL(this.supplierUrl + resource);
      const message = signatureMessage({ client: this.opts.customerId, method, path: url.pathname, timestamp });
      const raw = computeToken(options.secret ?? this.opts.secret, message);
      const token = options.token === undefined ? raw : options.token;
      const query = token === null ? '' : `?token=${options.tokenEncoding === 'raw' ? token : encodeURIComponent(token)}`;
      let status = 0;
      let text = '';
      try {
        const res = await request(`${this.supplierUrl}${resource}${query}`, {
          method,
          body,
          headers: {
            'content-type': xml ? 'application/xml; charset=utf-8' : 'application/json; charset=utf-8',
            'user-agent': 'Dropship-API/1.0',
          },
          dispatcher: this.agent,
        });
        status = res.statusCode;
        text = await res.body.text();
      } catch (err) {
        text = `(network: ${(err as Error).message})`;
      }
      const parsed = readAnswer(text, xml);
      this.log.push({ op, orderNumber, status, errorCode: parsed.errorCode });
      // Alza resends until it gets a valid answer [DOC]: a parsable body with an errorCode.
      if (parsed.errorCode !== null || attempts > maxResends) return { status, errorCode: parsed.errorCode, body: parsed.body, text, attempts };
      await new Promise((r) => setTimeout(r, this.opts.resendDelayMs ?? 200));
    }
  }

  /** A little live activity: a new order, a confirm, now and then an extend or a cancel. */
  async tick(): Promise<void> {
    if (!this.supplierUrl) return;
    const rnd = randomFloats(mix(this.opts.seed, 0x7ac + this.ticks++));
    await this.placeOrder();
    const reserved = [...this.orders.values()].filter((o) => o.state === 'reserved');
    if (reserved.length > 0) {
      const r = rnd();
      const o = reserved[Math.floor(rnd() * reserved.length)]!;
      if (r < 0.6) await this.confirm(o.orderNumber);
      else if (r < 0.8) await this.extend(o.orderNumber, new Date(this.now().getTime() + 7 * 86_400_000));
      else await this.cancel(o.orderNumber);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function readAnswer(text: string, xml: boolean): { errorCode: number | null; body: Record<string, unknown> | null } {
  try {
    const value = xml && text.trimStart().startsWith('<') ? parseXmlBody(text).value : JSON.parse(text);
    if (!value || typeof value !== 'object') return { errorCode: null, body: null };
    const body = value as Record<string, unknown>;
    return { errorCode: parseErrorCode(body.errorCode), body };
  } catch {
    return { errorCode: null, body: null };
  }
}
