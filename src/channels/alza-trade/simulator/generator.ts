/**
 * Deterministic generator of realistic Alza marketplace orders (CZ and SK shops).
 *
 * Order `i` is a pure function of (seed, i, creation time, state): nothing is kept per order, so a
 * simulator of 100k+ orders holds only its overlays. The JSON goes through `toWireOrder` of
 * schemas.ts, so correcting the assumed field names there changes the simulator too.
 */
import { DateTime } from 'luxon';
import { GappedNumbers } from '../../kit/simulator/numbering.ts';
import type { OrderIds } from '../../kit/simulator/order-log.ts';
import { hash2, Rng } from '../../kit/simulator/random.ts';
import { ALZA_STATES, formatWireTime, toWireOrder, type AlzaAddress, type AlzaCustomer, type AlzaState } from '../schemas.ts';
import {
  CATALOGUE, COMPANY_NAMES, CZ_CARRIERS, CZ_CITIES, CZ_FEMALE, CZ_FIRST, CZ_LAST_F, CZ_LAST_M, CZ_STREETS,
  EMAIL_DOMAINS_CZ, EMAIL_DOMAINS_SK, SK_CARRIERS, SK_CITIES, SK_FEMALE, SK_FIRST, SK_LAST_F, SK_LAST_M, SK_STREETS,
  ean13, slug,
} from './data.ts';

export const SIM_ZONE = 'Europe/Prague';
/** Order numbers: 10 digits, increasing with the index, with gaps. */
export const ORDER_NUMBER_BASE = 5_200_000_000;
const NUMBER_STEP = 7;


const DAY = 86_400;

/** [state, weight] tables by the order's age at the simulator's start: young orders are still open. */
const STATE_BY_AGE: ReadonlyArray<readonly [number, ReadonlyArray<readonly [AlzaState, number]>]> = [
  [1, [[ALZA_STATES.waiting, 35], [ALZA_STATES.awaitingLabelCreation, 45], [ALZA_STATES.shipped, 15], [ALZA_STATES.cancelled, 5]]],
  [3, [[ALZA_STATES.waiting, 10], [ALZA_STATES.awaitingLabelCreation, 25], [ALZA_STATES.shipped, 45], [ALZA_STATES.delivered, 15], [ALZA_STATES.cancelled, 5]]],
  [7, [[ALZA_STATES.awaitingLabelCreation, 5], [ALZA_STATES.shipped, 25], [ALZA_STATES.delivered, 60], [ALZA_STATES.cancelled, 7], [ALZA_STATES.cancelledAfterShipment, 3]]],
  [Infinity, [[ALZA_STATES.shipped, 2], [ALZA_STATES.delivered, 86], [ALZA_STATES.cancelled, 8], [ALZA_STATES.cancelledAfterShipment, 4]]],
];

/** States that come with a tracking number. */
const TRACKED: ReadonlySet<string> = new Set([ALZA_STATES.shipped, ALZA_STATES.delivered, ALZA_STATES.cancelledAfterShipment]);

function trackingNumber(code: string, r: Rng): string {
  switch (code) {
    case 'PPL':
      return `4${r.digits(10)}`;
    case 'ZASILKOVNA':
      return `Z${r.digits(10)}`;
    case 'CZPOST':
      return `DR${r.digits(9)}CZ`;
    case 'SKPOST':
      return `RR${r.digits(9)}SK`;
    case 'DPD':
    case 'DPDSK':
      return `1${r.digits(13)}`;
    case 'GLS':
      return r.digits(11);
    default:
      return `AZ${r.digits(10)}`;
  }
}

export interface GeneratedOrderInput {
  index: number;
  createdSec: number;
  state: string;
  /** recipient details known (false while Waiting, and for orders cancelled before confirmation) */
  details: boolean;
}

export class AlzaGenerator {
  /** order numbers: 10 digits (as text), strictly increasing with the index, with gaps */
  readonly ids: OrderIds<string>;
  constructor(
    readonly seed: number,
    readonly zone: string = SIM_ZONE,
  ) {
    const numbers = new GappedNumbers(seed, ORDER_NUMBER_BASE, NUMBER_STEP);
    this.ids = {
      at: (i) => String(numbers.at(i)),
      indexOf: (orderNumber) => (/^\d{10}$/.test(orderNumber) ? numbers.indexOf(Number(orderNumber)) : -1),
    };
  }

  orderNumber(i: number): string {
    return this.ids.at(i);
  }

  /** The state an order was generated with, by its age at `referenceSec` (the simulator's start). */
  baseState(i: number, createdSec: number, referenceSec: number): AlzaState {
    const ageDays = (referenceSec - createdSec) / DAY;
    const table = STATE_BY_AGE.find(([maxAge]) => ageDays < maxAge)![1];
    let roll = hash2(this.seed ^ 0x2545f491, i) % 100;
    for (const [state, weight] of table) {
      if (roll < weight) return state;
      roll -= weight;
    }
    return table[table.length - 1]![0];
  }

  /** For an order generated as Cancelled: was it confirmed (recipient known) before it was cancelled? */
  cancelledAfterConfirmation(i: number): boolean {
    return hash2(this.seed ^ 0x1b873593, i) % 10 < 6;
  }

  /** The order's wire JSON object. */
  wireOrder(o: GeneratedOrderInput): Record<string, unknown> {
    const r = new Rng(hash2(this.seed, o.index));
    const sk = r.int(10) < 2;
    const currency = sk ? 'EUR' : 'CZK';
    const lineCount = [1, 1, 1, 1, 2, 2, 2, 3, 3, 4][r.int(10)]!;
    const items: Parameters<typeof toWireOrder>[0]['items'] = [];
    let totalCents = 0;
    const used = new Set<number>();
    for (let l = 0; l < lineCount; l++) {
      let k = r.int(CATALOGUE.length);
      while (used.has(k)) k = (k + 1) % CATALOGUE.length;
      used.add(k);
      const [name, code, alzaCode, czk, eur, vatCz, vatSk] = CATALOGUE[k]!;
      const quantity = [1, 1, 1, 1, 1, 2, 2, 3][r.int(8)]!;
      const unitCents = sk ? eur : czk;
      totalCents += unitCents * quantity;
      const eanSeed = hash2(this.seed ^ 0x5bd1e995, k);
      items.push({
        lineId: 90_000_000 + o.index * 5 + l,
        supplierCode: code,
        alzaCode,
        ean: ean13(`859${String(eanSeed % 1_000_000_000).padStart(9, '0')}`),
        name,
        quantity,
        unitPriceWithVat: unitCents / 100,
        vatRate: sk ? vatSk : vatCz,
      });
    }

    // recipient (drawn always, so the order looks the same before and after confirmation)
    const first = r.pick(sk ? SK_FIRST : CZ_FIRST);
    const female = (sk ? SK_FEMALE : CZ_FEMALE).has(first);
    const last = r.pick(sk ? (female ? SK_LAST_F : SK_LAST_M) : female ? CZ_LAST_F : CZ_LAST_M);
    const name = `${first} ${last}`;
    const email = `${slug(first)}.${slug(last)}${r.int(100)}@${r.pick(sk ? EMAIL_DOMAINS_SK : EMAIL_DOMAINS_CZ)}`;
    const phone = sk ? `+4219${r.digits(8)}` : `+420${r.pick(['6', '7'])}${r.digits(8)}`;
    const b2b = r.int(10) === 0;
    const companyId = r.digits(8);
    const company = b2b ? r.pick(COMPANY_NAMES) : null;
    const [city, zips] = r.pick(sk ? SK_CITIES : CZ_CITIES);
    const zip = r.pick(zips);
    const street = `${r.pick(sk ? SK_STREETS : CZ_STREETS)} ${1 + r.int(150)}${r.int(4) === 0 ? `/${1 + r.int(40)}` : ''}`;
    const note = r.int(20) === 0 ? 'Prosím volat před doručením' : null;
    const [carrierCode, deliveryType] = r.pick(sk ? SK_CARRIERS : CZ_CARRIERS);
    const tracking = trackingNumber(carrierCode, r);

    const customer: AlzaCustomer | null = o.details
      ? { name, email, phone, company, companyId: b2b ? companyId : null, vatId: b2b ? `${sk ? 'SK' : 'CZ'}${companyId}` : null }
      : null;
    const deliveryAddress: AlzaAddress | null = o.details
      ? { name, company, street, city, postalCode: zip, country: sk ? 'SK' : 'CZ', phone, email, note }
      : null;

    return toWireOrder({
      orderNumber: this.orderNumber(o.index),
      created: formatWireTime(new Date(o.createdSec * 1000), this.zone),
      state: o.state,
      market: sk ? 'SK' : 'CZ',
      currency,
      totalWithVat: totalCents / 100,
      items,
      customer,
      deliveryAddress,
      carrierCode: o.details ? carrierCode : null,
      carrierDeliveryType: o.details ? deliveryType : null,
      departureTime: o.details ? this.departureTime(o.createdSec) : null,
      trackingNumber: o.details && TRACKED.has(o.state) ? tracking : null,
    });
  }

  /** Departure: the next working day after creation, 16:00 Prague time (the carrier's collection time). */
  departureTime(createdSec: number): string {
    let d = DateTime.fromSeconds(createdSec, { zone: this.zone }).plus({ days: 1 });
    while (d.weekday > 5) d = d.plus({ days: 1 });
    return d.toFormat("yyyy-MM-dd'T'16:00:00");
  }

  /** departure as UTC seconds (filters of /orders/unshipped) */
  departureSec(createdSec: number): number {
    let d = DateTime.fromSeconds(createdSec, { zone: this.zone }).plus({ days: 1 });
    while (d.weekday > 5) d = d.plus({ days: 1 });
    return Math.floor(d.set({ hour: 16, minute: 0, second: 0, millisecond: 0 }).toSeconds());
  }
}

