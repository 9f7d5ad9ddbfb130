/**
 * Deterministic generator of ecom.md orders in the (assumed) read model of ../schemas.ts.
 *
 * Order `i` is a pure function of (seed, i): id, customer, address, items and base status come from a
 * hash of the two, so a simulator of 100k+ orders keeps none of them in memory; only its creation
 * instant (from the schedule, or the list of inserted ones) and a changed status live outside.
 * Creation instants are microseconds (DRF renders microseconds) and non-decreasing in the index.
 */
import { GappedNumbers } from '../../kit/simulator/numbering.ts';
import { hash2, Rng, weightedTable } from '../../kit/simulator/random.ts';
import { TWO_DIGITS as TWO, WallClock } from '../../kit/simulator/wall-clock.ts';
import {
  CATALOGUE, CHISINAU_CITY_ID, CYRILLIC_NAMES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, LOCALITIES, MOBILE_PREFIXES,
  PROMO_CODES, REGIONS, SECTORS, STORES, VILLAGE_STREETS, nameIn, type Lang, type Locality,
} from './data.ts';

export const SIM_ZONE = 'Europe/Chisinau';
export const ORDER_ID_BASE = 120_000;
const ORDER_ID_STEP = 3;
export const ITEM_ID_BASE = 5_000_000;
/** item ids of order i: ITEM_ID_BASE + i * MAX_LINES + k */
export const MAX_LINES = 8;
/** created_at of an injected "malformed order" */
export const MALFORMED_CREATED_AT = 'not-a-date';


// ---------------------------------------------------------------------------------------------
// time formatting (Europe/Chisinau, offsets cached per UTC hour by the kit's WallClock)

export class ChisinauClock {
  private readonly wall: WallClock;
  constructor(readonly zone: string = SIM_ZONE) {
    this.wall = new WallClock(zone);
  }

  /** offset in minutes at a UTC instant (ms) */
  offsetMin(utcMs: number): number {
    return this.wall.offsetSec(Math.floor(utcMs / 1000)) / 60;
  }

  /**
   * DRF's rendering of an instant (µs since the epoch) in the zone: "2025-03-11T18:25:42.123456+02:00";
   * `naive` drops the offset ("2025-03-11T18:25:42.123456").
   */
  format(us: number, naive = false): string {
    const ms = Math.floor(us / 1000);
    const off = this.offsetMin(ms);
    const local = new Date(ms + off * 60_000);
    const micro = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
    const base =
      `${local.getUTCFullYear()}-${TWO[local.getUTCMonth() + 1]}-${TWO[local.getUTCDate()]}` +
      `T${TWO[local.getUTCHours()]}:${TWO[local.getUTCMinutes()]}:${TWO[local.getUTCSeconds()]}.${micro}`;
    if (naive) return base;
    const sign = off < 0 ? '-' : '+';
    const a = Math.abs(off);
    return `${base}${sign}${TWO[Math.floor(a / 60)]}:${TWO[a % 60]}`;
  }

  /** UTC ms of local midnight starting a YYYY-MM-DD day */
  startOfDay(date: string): number {
    return this.wall.startOfDay(date) * 1000;
  }
}

// ---------------------------------------------------------------------------------------------
// statuses

/** Base statuses and weights (percent): history is mostly closed, recent activity open. */
const STATUS_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['done', 25], ['completedandclosed', 15], ['canceled', 6], ['new', 8], ['confirmed', 8], ['incollection', 5],
  ['collected', 4], ['collectedwithchanges', 2], ['atcouriersortcenter', 4], ['ondelivery', 6], ['deliverydatemoved', 2],
  ['clientnoanswer', 2], ['recipientnotathome', 2], ['tobereturnedintwodays', 1], ['returnedtowarehouse', 3],
  ['changedandclosed', 4], ['customerrefusal', 3],
];
const STATUS_TABLE = weightedTable(STATUS_WEIGHTS);

// ---------------------------------------------------------------------------------------------

function money(bani: number): string {
  const whole = Math.floor(bani / 100);
  return `${whole}.${TWO[bani - whole * 100]}`;
}

function translit(text: string): string {
  const map: Record<string, string> = { ă: 'a', â: 'a', î: 'i', ș: 's', ş: 's', ț: 't', ţ: 't' };
  return text.toLowerCase().replace(/[ăâîșşțţ]/g, (c) => map[c] ?? c).replace(/[^a-z0-9]+/g, '');
}

const CITY = LOCALITIES.find((l) => l.id === CHISINAU_CITY_ID)!;
const SUBURBS = LOCALITIES.filter((l) => l.regionId === CITY.regionId && l.id !== CHISINAU_CITY_ID);
const ELSEWHERE = LOCALITIES.filter((l) => l.regionId !== CITY.regionId);
const REGION_BY_ID = new Map(REGIONS.map((r) => [r.id, r]));

export interface GeneratedOrderOptions {
  /** the current status (base or changed) */
  status: string;
  lang: Lang;
  malformed?: boolean;
  /** created_at without an offset (naive local time) */
  naive?: boolean;
}

export class EcommdGenerator {
  readonly clock: ChisinauClock;
  /** order ids: strictly increasing with the index, with gaps */
  readonly ids: GappedNumbers;
  constructor(readonly seed: number, zone: string = SIM_ZONE) {
    this.clock = new ChisinauClock(zone);
    this.ids = new GappedNumbers(seed, ORDER_ID_BASE, ORDER_ID_STEP);
  }

  baseStatus(i: number): string {
    return STATUS_TABLE[hash2(this.seed ^ 0x2545f491, i) % STATUS_TABLE.length]!;
  }

  /** Number of lines of order i (item ids are ITEM_ID_BASE + i*MAX_LINES + k, k < lines). */
  lineCount(i: number): number {
    const r = hash2(this.seed ^ 0x3c6ef372, i) % 100;
    return r < 50 ? 1 : r < 75 ? 2 : r < 90 ? 3 : r < 97 ? 4 : 5;
  }

  /** The order as the API serves it (a fresh object). */
  order(i: number, createdUs: number, o: GeneratedOrderOptions): Record<string, unknown> {
    const rng = new Rng(hash2(this.seed, i));
    const id = this.ids.at(i);
    const lang = o.lang;

    // customer
    let name: string;
    let emailUser: string;
    if (rng.int(10) === 0) {
      name = rng.pick(CYRILLIC_NAMES);
      emailUser = `client${rng.digits(5)}`;
    } else {
      const first = rng.pick(FIRST_NAMES);
      const last = rng.pick(LAST_NAMES);
      name = rng.int(8) === 0 ? `${last} ${first}` : `${first} ${last}`;
      emailUser = `${translit(first)}.${translit(last)}${rng.int(100)}`;
    }
    const email = rng.int(12) === 0 ? null : `${emailUser}@${rng.pick(EMAIL_DOMAINS)}`;
    const mobile = `${rng.pick(MOBILE_PREFIXES)}${rng.digits(6)}`;
    const phoneStyle = rng.int(3);
    const phone = phoneStyle === 0 ? `+373${mobile}` : phoneStyle === 1 ? `0${mobile}` : `+373 ${mobile.slice(0, 2)} ${mobile.slice(2, 5)} ${mobile.slice(5)}`;
    const company = rng.int(15) === 0;

    // delivery
    const dr = rng.int(100);
    const deliveryType = dr < 70 ? 'standart' : dr < 85 ? 'express' : 'pickup';
    let address: Record<string, unknown>;
    let shop: number | null = null;
    if (deliveryType === 'pickup') {
      const store = rng.pick(STORES);
      shop = store.id;
      address = { id: 200_000 + i, store: store.id, region: null, locality: null, sector: null, address: null, address_type: null, zip_code: null };
    } else {
      const lr = rng.int(100);
      let locality: Locality;
      if (lr < 60) locality = CITY;
      else if (lr < 72) locality = rng.pick(SUBURBS);
      else locality = rng.pick(ELSEWHERE);
      const region = REGION_BY_ID.get(locality.regionId)!;
      let street: string;
      let zip = locality.zip;
      let sector: Record<string, unknown> | null = null;
      if (locality.id === CHISINAU_CITY_ID) {
        const s = rng.pick(SECTORS);
        sector = { id: s.id, name: nameIn(s, lang) };
        street = `${rng.pick(s.streets)} ${1 + rng.int(150)}${rng.int(3) === 0 ? `/${1 + rng.int(4)}` : ''}, ap. ${1 + rng.int(120)}`;
        zip = rng.pick(s.zips);
      } else {
        street = `${rng.pick(VILLAGE_STREETS)} ${1 + rng.int(90)}`;
      }
      address = {
        id: 200_000 + i,
        store: null,
        region: { id: region.id, name: nameIn(region, lang) },
        locality: { id: locality.id, name: nameIn(locality, lang) },
        sector,
        address: street,
        address_type: null,
        // some clients leave the postal code empty
        zip_code: rng.int(6) === 0 ? null : zip,
      };
    }

    // items
    const lines = this.lineCount(i);
    const items: Record<string, unknown>[] = [];
    const used = new Set<number>();
    let sumBani = 0;
    for (let k = 0; k < lines; k++) {
      let p = rng.int(CATALOGUE.length);
      for (let t = 0; t < 6 && used.has(p); t++) p = rng.int(CATALOGUE.length);
      used.add(p);
      const product = CATALOGUE[p]!;
      const qty = product.grocery ? 1 + rng.int(6) : rng.int(10) === 0 ? 2 : 1;
      const loyalty = product.loyalty !== null && rng.int(3) === 0 ? product.loyalty : null;
      sumBani += qty * (loyalty ?? product.price);
      items.push({
        id: ITEM_ID_BASE + i * MAX_LINES + k,
        order_status: o.status,
        product: { id: product.id, code: product.code, name: lang === 'ru' ? product.ru : product.ro },
        quantity: qty,
        price: money(product.price),
        loyalty_price: loyalty === null ? null : money(loyalty),
      });
    }

    // payment
    const pr = rng.int(100);
    const payMethod = pr < 55 ? 'cash' : pr < 88 ? 'card' : pr < 96 ? 'credit' : 'transfer';
    const promo = rng.int(10) === 0 ? rng.pick(PROMO_CODES) : null;
    // the promo discount is taken off total_price only: the read model does not itemise it
    const totalBani = promo ? sumBani - Math.round((sumBani * promo.discount) / 100) : sumBani;
    let months: number | null = null;
    if (payMethod === 'credit') months = rng.pick([6, 12, 24]);
    const payment = {
      delivery_type: deliveryType,
      pay_method: payMethod,
      payment_system: payMethod === 'card' ? rng.pick(['maib', 'victoriabank', 'paynet']) : payMethod === 'credit' ? rng.pick(['iute credit', 'microinvest']) : null,
      months,
      sumpermonth: months === null ? null : money(Math.ceil(totalBani / months)),
      transaction_id: payMethod === 'card' ? `${rng.digits(4)}-${rng.digits(8)}` : null,
      promo_code: promo ? promo.code : null,
    };

    return {
      id,
      status: o.status,
      created_at: o.malformed ? MALFORMED_CREATED_AT : this.clock.format(createdUs, o.naive ?? false),
      shop,
      rrn: payMethod === 'card' ? rng.digits(12) : null,
      promocode: promo ? promo.id : null,
      total_price: money(totalBani),
      customer: {
        email,
        name,
        phone,
        dateofbirth: null,
        fiscal_code: company ? `10${rng.digits(11)}` : null,
        juridical_address: company ? `mun. Chișinău, str. ${rng.pick(['Columna', 'Armenească', 'Tighina', 'Bănulescu-Bodoni'])} ${1 + rng.int(100)}` : null,
        iban: company ? `MD${rng.digits(2)}AG000000022${rng.digits(9)}` : null,
        address,
        bank_code: company ? 'AGRNMD2X' : null,
      },
      payment,
      order_items: items,
    };
  }
}

