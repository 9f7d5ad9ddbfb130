/**
 * Deterministic generator of realistic Polish B2B drinks orders.
 *
 * Order `i` is a pure function of (seed, i): its number, customer, products and base status come from
 * a hash of the two, so a simulator of 1,000,000 orders holds none of them in memory. Creation times
 * are the store's (the kit's OrderLog): spread evenly over [since, start), a date window is an index range.
 *
 * Orders are produced directly as JSON text (fields in the documented order) from pre-escaped
 * per-customer and per-product fragments: no per-order objects, a few string concatenations.
 */
import { GappedNumbers } from '../../kit/simulator/numbering.ts';
import { hash2, Rng, weightedTable } from '../../kit/simulator/random.ts';
import { TWO_DIGITS, WallClock } from '../../kit/simulator/wall-clock.ts';
import {
  BUSINESS_KINDS, BUSINESS_NAMES, CATALOGUE, CITIES, EMAIL_DOMAINS, FEMININE_FIRST_NAMES, FIRST_NAMES,
  LAST_NAMES, LEGAL_FORMS, STREETS, ean13, feminine, nipCheck, slug,
} from './data.ts';

export const SIM_ZONE = 'Europe/Warsaw';

/** First order number; numbers grow with the index by 1..7 (gaps, like real numbering). */
export const ORDER_NUMBER_BASE = 64_000_000;
const NUMBER_STEP = 7;

/** The status an injected "unknown status" fault shows (not in the documented list). */
export const UNKNOWN_STATUS_VALUE = 'PARTIALLY_REALIZED';
/** create_time of an injected "malformed order" fault. */
export const MALFORMED_CREATE_TIME = 'not-a-date';

// ---------------------------------------------------------------------------------------------
// random numbers: one Rng for the module, reseeded per customer, product and order (no allocations)

const rng = new Rng(0);
const TWO = TWO_DIGITS;

// ---------------------------------------------------------------------------------------------
// the generator

/**
 * A growable byte buffer the page JSON is written into. Pre-encoded UTF-8 fragments are copied,
 * small ASCII pieces are written with latin1 (= ASCII, the fastest encoder), so the Polish text of
 * names and addresses is encoded once per generator, not once per order.
 */
export class ByteSink {
  buf: Buffer;
  off = 0;
  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }
  ensure(extra: number): void {
    if (this.off + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.off + extra) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.off);
    this.buf = nb;
  }
  /** ASCII only (callers guarantee it). Short pieces are copied by hand: cheaper than a native call. */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let off = this.off;
    if (n < 128) {
      for (let k = 0; k < n; k++) buf[off++] = s.charCodeAt(k);
      this.off = off;
    } else {
      this.off += buf.write(s, off, 'latin1');
    }
  }
  /** any text */
  utf8(s: string): void {
    this.ensure(s.length * 3);
    this.off += this.buf.write(s, this.off, 'utf8');
  }
  bytes(b: Buffer): void {
    this.ensure(b.length);
    this.buf.set(b, this.off);
    this.off += b.length;
  }
  byte(c: number): void {
    this.ensure(1);
    this.buf[this.off++] = c;
  }
  /** a copy of what was written */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.off));
  }
  toString(): string {
    return this.buf.toString('utf8', 0, this.off);
  }
  reset(): void {
    this.off = 0;
  }
}

interface CustomerFragments {
  /** "client_phone":…,"client_email":…  (UTF-8) */
  client: Buffer;
  /** ,"delivery_firstname":… … "delivery_number":…  (UTF-8) */
  delivery: Buffer;
  /** ,"invoice_company_name":… … "invoice_tax_number":…,"products":[  (UTF-8) */
  invoice: Buffer;
}

interface ProductFragments {
  /** {"product_sku":…,"product_quantity":"  (UTF-8) */
  head: Buffer;
  /** ","product_quantity_in_pack":…,"product_value_net":"  (ASCII) */
  mid: string;
  priceGrosze: number;
}

const CUSTOMER_POOL = 4000;
const QUANTITIES = [1, 1, 2, 2, 3, 4, 5, 6, 6, 10, 12, 12, 20, 24, 24, 30, 48, 50, 60, 100];

/** Base statuses and their weights (per mille). */
const STATUS_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['IN_REALIZATION', 330],
  ['REALIZED', 300],
  ['NEW', 150],
  ['RECEIVED_BY_DISTRIBUTOR', 60],
  ['CANCELLED', 60],
  ['WAITING_FOR_CLIENT_CONFIRMATION', 40],
  ['RETURN', 30],
  ['COMPLAIN', 30],
];
const STATUS_TABLE = weightedTable(STATUS_WEIGHTS);

const j = JSON.stringify;

function money(grosze: number): string {
  const whole = Math.floor(grosze / 100);
  return `${whole}.${TWO[grosze - whole * 100]}`;
}

export class DrinksGenerator {
  private readonly customers: CustomerFragments[] = [];
  private readonly products: ProductFragments[] = [];
  readonly clock: WallClock;
  /** order numbers: strictly increasing with the index, with gaps */
  readonly numbers: GappedNumbers;

  constructor(readonly seed: number, zone: string = SIM_ZONE) {
    this.clock = new WallClock(zone);
    this.numbers = new GappedNumbers(seed, ORDER_NUMBER_BASE, NUMBER_STEP);
    for (let c = 0; c < CUSTOMER_POOL; c++) this.customers.push(this.makeCustomer(c));
    CATALOGUE.forEach(([name, price, vat, pack], k) => {
      rng.reseed(hash2(seed ^ 0x5bd1e995, k));
      // Polish GS1 prefix 590 for most, the rest imported
      const prefix = k % 5 === 1 ? `50${rng.digits(1)}` : '590';
      const ean = ean13(prefix + rng.digits(9));
      const sku = k % 3 === 0 ? ean : `0${rng.digits(6)}`;
      const offerId = 300_000 + ((hash2(seed, 1_000_000 + k) % 90_000) | 0);
      this.products.push({
        head: Buffer.from(
          `{"product_sku":${j(sku)},"product_ean":${j(ean)},"product_d2c_offer_id":${offerId},"product_name":${j(name)},"product_quantity":"`,
        ),
        mid: `","product_quantity_in_pack":${pack},"product_price_net":"${money(price)}","product_vat_rate":${vat},"product_unit":"PIECE","product_value_net":"`,
        priceGrosze: price,
      });
    });
  }

  private makeCustomer(c: number): CustomerFragments {
    rng.reseed(hash2(this.seed ^ 0x1b873593, c));
    const first = rng.pick(FIRST_NAMES);
    const lastBase = rng.pick(LAST_NAMES);
    const last = FEMININE_FIRST_NAMES.has(first) ? feminine(lastBase) : lastBase;
    const style = rng.int(10);
    let company: string;
    if (style < 4) company = `${rng.pick(BUSINESS_KINDS)} "${rng.pick(BUSINESS_NAMES)}" ${first} ${last}`;
    else if (style < 8) company = `${rng.pick(BUSINESS_KINDS)} ${rng.pick(BUSINESS_NAMES)} ${rng.pick(LEGAL_FORMS)}`;
    else company = `${lastBase.toUpperCase()} SC.`;
    const emailStyle = rng.int(3);
    const email =
      emailStyle === 0
        ? `biuro@${slug(company).slice(0, 24)}.pl`
        : emailStyle === 1
          ? `zamowienia@${slug(company).slice(0, 24)}.pl`
          : `${slug(first)}.${slug(last)}${rng.int(100)}@${rng.pick(EMAIL_DOMAINS)}`;
    const phone = `${rng.int(10) === 0 ? '+48' : ''}${rng.pick(['5', '6', '7', '8'])}${rng.digits(8)}`;
    let nip: string | null = null;
    while (nip === null) {
      const nine = `${1 + rng.int(9)}${rng.digits(8)}`;
      const check = nipCheck(nine);
      nip = check === null ? null : nine + check;
    }
    const [city, zips] = rng.pick(CITIES);
    const zip = rng.pick(zips);
    const upperCity = rng.int(5) === 0;
    const invStreet = rng.pick(STREETS);
    const houseNo = `${1 + rng.int(120)}${rng.int(4) === 0 ? `/${1 + rng.int(30)}` : ''}`;
    // some customers type the house number into the street field and leave the number empty
    const glued = rng.int(10) === 0;
    const invoice =
      `,"invoice_company_name":${j(company)},"invoice_zip":${j(zip)},"invoice_city":${j(upperCity ? city.toUpperCase() : city)},` +
      `"invoice_country":"PL","invoice_street":${j(glued ? `${invStreet} ${houseNo}` : invStreet)},` +
      `"invoice_number":${j(glued ? '' : houseNo)},"invoice_tax_number":${j(rng.int(20) === 0 ? `${nip.slice(0, 3)}-${nip.slice(3, 6)}-${nip.slice(6, 8)}-${nip.slice(8)}` : nip)},"products":[`;
    let delCity = city;
    let delZip = zip;
    let delStreet = invStreet;
    let delNo = houseNo;
    if (rng.int(100) < 35) {
      const [c2, z2] = rng.pick(CITIES);
      delCity = c2;
      delZip = rng.pick(z2);
      delStreet = rng.pick(STREETS);
      delNo = `${1 + rng.int(200)}`;
    }
    const delivery =
      `,"delivery_firstname":${j(first)},"delivery_lastname":${j(last)},"delivery_company_name":${j(company)},` +
      `"delivery_zip":${j(delZip)},"delivery_city":${j(upperCity ? delCity.toUpperCase() : delCity)},` +
      `"delivery_country":${rng.int(50) === 0 ? '"pl"' : '"PL"'},"delivery_street":${j(glued ? `${delStreet} ${delNo}` : delStreet)},` +
      `"delivery_number":${j(glued ? '' : delNo)}`;
    const client = `"client_phone":${j(phone)},"client_email":${j(email)}`;
    return { client: Buffer.from(client), delivery: Buffer.from(delivery), invoice: Buffer.from(invoice) };
  }

  /** The status an order was generated with (before any change). */
  baseStatus(i: number): string {
    return STATUS_TABLE[hash2(this.seed ^ 0x2545f491, i) % STATUS_TABLE.length]!;
  }

  /** The order's JSON text (see writeOrder). */
  orderJson(i: number, createSec: number, status: string, malformed = false, base = this.baseStatus(i)): string {
    const sink = this.scratch;
    sink.reset();
    this.writeOrder(sink, i, createSec, status, malformed, base);
    return sink.toString();
  }

  private readonly scratch = new ByteSink(16 * 1024);

  /**
   * Writes order i as JSON into `sink`. `status` is the current status (base or changed);
   * `malformed` replaces create_time with "not-a-date" (fault injection); `base` is the status the
   * content (tracking number, client confirmation) is consistent with — the generated one, or NEW for
   * inserted orders. Everything else depends on (seed, i) only.
   */
  writeOrder(sink: ByteSink, i: number, createSec: number, status: string, malformed = false, base = this.baseStatus(i)): void {
    rng.reseed(hash2(this.seed, i));
    const customer = this.customers[rng.next() % CUSTOMER_POOL]!;
    const lr = rng.next() % 100;
    const lineCount = lr < 45 ? 1 : lr < 70 ? 2 : lr < 85 ? 3 : lr < 93 ? 4 : lr < 97 ? 5 : 6;
    const r1 = rng.next();
    const r2 = rng.next();
    const createTime = malformed ? MALFORMED_CREATE_TIME : this.clock.format(createSec);
    const confirmation =
      base === 'WAITING_FOR_CLIENT_CONFIRMATION'
        ? '"client_confirmation_status":null,"client_confirmation_time":null'
        : `"client_confirmation_status":"CONFIRMED","client_confirmation_time":"${this.clock.format(createSec + 20 + (r1 % 600))}"`;
    const payment = r2 % 100 < 85 ? 'PREPAYMENT' : 'DEFERRED_PAYMENT';
    let tracking = 'null';
    if (base === 'REALIZED' || base === 'RETURN' || base === 'COMPLAIN') {
      if (r1 % 100 < 85) tracking = `"${1000000000000 + (rng.next() % 900000000) * 1000 + (rng.next() % 1000)}U"`;
    } else if (base === 'IN_REALIZATION' && r2 % 10 === 0) tracking = '""';

    // products first (the delivery cost depends on their value), into a small list of picks
    const picks = this.picks;
    let itemsGrosze = 0;
    let used = 0; // bitmask over the first 31 catalogue entries + explicit check for the rest
    let usedHigh: number[] | null = null;
    for (let l = 0; l < lineCount; l++) {
      let k = rng.next() % this.products.length;
      for (let tries = 0; tries < 8; tries++) {
        const taken = k < 31 ? (used & (1 << k)) !== 0 : (usedHigh?.includes(k) ?? false);
        if (!taken) break;
        k = rng.next() % this.products.length;
      }
      if (k < 31) used |= 1 << k;
      else (usedHigh ??= []).push(k);
      const q = QUANTITIES[rng.next() % QUANTITIES.length]!;
      picks[2 * l] = k;
      picks[2 * l + 1] = q;
      itemsGrosze += q * this.products[k]!.priceGrosze;
    }
    const delivery = itemsGrosze >= 100_000 ? '0.00' : DELIVERY_COSTS[r1 % DELIVERY_COSTS.length]!;

    sink.ensure(8192);
    sink.ascii(`{"order_number":${this.numbers.at(i)},"create_time":"${createTime}","status":`);
    if (ASCII_RE.test(status)) sink.ascii(j(status));
    else sink.utf8(j(status));
    sink.ascii(`,${confirmation},"payment_type":"${payment}","currency":"PLN",`);
    sink.bytes(customer.client);
    sink.ascii(`,"delivery_cost":"${delivery}"`);
    sink.bytes(customer.delivery);
    sink.ascii(`,"delivery_tracking_number":${tracking}`);
    sink.bytes(customer.invoice);
    for (let l = 0; l < lineCount; l++) {
      const p = this.products[picks[2 * l]!]!;
      const q = picks[2 * l + 1]!;
      if (l > 0) sink.byte(44);
      sink.bytes(p.head);
      sink.ascii(`${q}.00${p.mid}${money(q * p.priceGrosze)}"}`);
    }
    sink.ascii(']}');
  }

  private readonly picks = new Array<number>(16).fill(0);
}

const DELIVERY_COSTS = ['25.00', '19.90', '35.00', '25.00', '0.00'];
// eslint-disable-next-line no-control-regex
const ASCII_RE = /^[\x00-\x7f]*$/;

