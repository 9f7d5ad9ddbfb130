/**
 * Deterministic generator of realistic Dropohs orders and catalogues.
 *
 * Order `g` (global index) is a pure function of (seed, g, its current state): the customer, basket,
 * methods and texts come from a hash of the two, so 1 000 000 orders hold nothing in memory. JSON is
 * written directly as text in the manual's field order, from per-customer fragments built once.
 * Money is handled in haléř (integers) and printed the way PHP's json_encode prints floats
 * (10189, 299.9, 19.99), so the connector must read it without float maths.
 */
import { hash2, Rng, weightedTable } from '../../kit/simulator/random.ts';
import { TWO_DIGITS, WallClock } from '../../kit/simulator/wall-clock.ts';
import {
  CATALOGUE, CITIES, COMPANY_WORDS, DELIVERIES, DEVICES, FREE_SHIPPING_FROM, LEGAL_FORMS, NAMES, NOTES,
  PAYMENTS, PAYMENT_BANK, PAYMENT_COD, SOURCES, STREETS, VARIANT_VALUES, type Country, type Method, type ShopSeed,
} from './data.ts';
import { DROPOHS_CUSTOMER_STATES, DROPOHS_STATES } from '../status-map.ts';

export const SIM_ZONE = 'Europe/Prague';


const j = JSON.stringify;
const TWO = TWO_DIGITS;

/** haléř → a JSON number as PHP prints a float: 1018900 → 10189, 29990 → 299.9, 1999 → 19.99. */
export function moneyLiteral(halere: number): string {
  const neg = halere < 0;
  const a = Math.abs(halere);
  const whole = Math.floor(a / 100);
  const frac = a - whole * 100;
  const s = frac === 0 ? String(whole) : frac % 10 === 0 ? `${whole}.${frac / 10}` : `${whole}.${TWO[frac]}`;
  return neg ? `-${s}` : s;
}

// ---------------------------------------------------------------------------------------------
// wall clock (Europe/Prague), cached per UTC hour and local day


// ---------------------------------------------------------------------------------------------
// catalogue

export interface SimVariant {
  id: number;
  code: string;
  parameter: string;
  value: string;
  /** gross, haléř */
  priceVat: number;
  vat: number;
  quantity: number;
}

export interface SimProduct {
  id: number;
  name: string;
  code: string | null;
  ean: string | null;
  vat: number;
  variants: SimVariant[];
  /** the product's JSON (as /products serves it) */
  json: string;
}

export const PRODUCT_ID_BASE = 5001;
export const VARIANT_ID_BASE = 100_001;

function ean13(twelve: string): string {
  let sum = 0;
  for (let k = 0; k < 12; k++) sum += Number(twelve[k]) * (k % 2 === 0 ? 1 : 3);
  return twelve + String((10 - (sum % 10)) % 10);
}

/** Czech IČO check digit (mod 11) for seven digits; null when no valid digit exists. */
export function icoCheck(seven: string): string | null {
  let sum = 0;
  for (let k = 0; k < 7; k++) sum += Number(seven[k]) * (8 - k);
  const c = (11 - (sum % 11)) % 10;
  return String(c);
}

export function productJson(p: Omit<SimProduct, 'json'>): string {
  const variants = p.variants.map((v) => {
    const net = Math.round(v.priceVat / (1 + v.vat / 100));
    const wholesaleNet = Math.round(net * 0.55 * 100) / 100; // 4 decimals in haléř terms, as the manual shows
    const wholesaleVat = Math.round((wholesaleNet * (1 + v.vat / 100)) / 100) * 100;
    return (
      `{"id":${v.id},"code":${j(v.code)},"parameter":${j(v.parameter)},"value":${j(v.value)},` +
      `"price":${moneyLiteral(net)},"price_vat":${moneyLiteral(v.priceVat)},` +
      `"wholesale_price":${Number((wholesaleNet / 100).toFixed(4))},"wholesale_price_vat":${moneyLiteral(wholesaleVat)},` +
      `"vat":${v.vat},"quantity":${v.quantity},"available":${v.quantity > 0}}`
    );
  });
  return (
    `{"id":${p.id},"name":${j(p.name)},"description":${j(`${p.name} – kvalitní zboží s rychlým dodáním.`)},` +
    `"description_html":${j(`<p>${p.name} – <strong>kvalitní zboží</strong> s rychlým dodáním.</p>`)},` +
    `"code":${j(p.code)},"ean":${j(p.ean)},"available":${p.variants.some((v) => v.quantity > 0)},` +
    `"main_image_id":${p.id * 10},"manufacturer":null,"variants":[${variants.join(',')}],` +
    `"images":[{"id":${p.id * 10},"url":"https://img.dropohs.example/${p.id}.jpg"}],"categories":[${1 + (p.id % 12)}],` +
    `"restrictions":[]}`
  );
}

/** Builds product `index` of the catalogue (or an added one named after `name`). */
export function makeProduct(seed: number, index: number, firstVariantId: number, template = CATALOGUE[index % CATALOGUE.length]!, name?: string): SimProduct {
  const rng = new Rng(hash2(seed ^ 0x1f123bb5, index));
  const id = PRODUCT_ID_BASE + index;
  const letters = (name ?? template.name)
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toUpperCase()
    .slice(0, 2)
    .padEnd(2, 'X');
  const variants: SimVariant[] = [];
  const kinds = template.variants === 'none' ? null : VARIANT_VALUES[template.variants];
  const values = kinds ? kinds.values.slice(0, 2 + rng.int(kinds.values.length - 1)) : [''];
  values.forEach((value, k) => {
    variants.push({
      id: firstVariantId + k,
      code: `${letters}${10_000_000 + rng.int(89_999_999)}`,
      parameter: kinds ? kinds.parameter : '',
      value,
      priceVat: template.price + (kinds ? kinds.step * k : 0),
      vat: template.vat,
      quantity: rng.int(8) === 0 ? 0 : 1 + rng.int(60),
    });
  });
  const base = {
    id,
    name: name ?? template.name,
    code: rng.int(3) === 0 ? `P-${1000 + index}` : null,
    ean: rng.int(10) < 6 ? ean13(`859${rng.digits(9)}`) : null,
    vat: template.vat,
    variants,
  };
  return { ...base, json: productJson(base) };
}

// ---------------------------------------------------------------------------------------------
// customers

interface CustomerFragment {
  country: Country;
  /** "invoice_firstname" … "contact_dic" members, without braces (UTF-8 text) */
  text: string;
}

function makeCustomer(seed: number, country: Country, c: number): CustomerFragment {
  const rng = new Rng(hash2(seed ^ (country === 'CZ' ? 0x3c6ef372 : 0x0b4a9b1f), c));
  const names = NAMES[country];
  const female = rng.int(2) === 0;
  const first = rng.pick(female ? names.female : names.male);
  const surname = rng.pick(names.surnames)[female ? 1 : 0];
  const [city, zips] = rng.pick(CITIES[country]);
  const zip = Number(rng.pick(zips)); // the API's integer: Slovak leading zeros are lost
  const street = `${rng.pick(STREETS[country])} ${1 + rng.int(2500)}${rng.int(4) === 0 ? `/${1 + rng.int(40)}` : ''}`;
  const emptyStyle = rng.int(3);
  const emptyCompany = ['""', 'null', '0'][emptyStyle]!;
  const emptyIco = ['0', 'null', '0'][emptyStyle]!;
  const emptyDic = ['""', 'null', 'null'][emptyStyle]!;
  let company = emptyCompany;
  let ico = emptyIco;
  let dic = emptyDic;
  if (rng.int(100) < 12) {
    const word = rng.int(2) === 0 ? `${rng.pick(COMPANY_WORDS)} ` : '';
    company = j(`${word}${surname} ${rng.pick(LEGAL_FORMS[country])}`);
    // a fifth of the IČO start with zeros (old registrations), which the integer loses
    let seven = rng.int(5) === 0 ? `00${rng.digits(5)}` : `${1 + rng.int(9)}${rng.digits(6)}`;
    const check = icoCheck(seven);
    seven += check;
    ico = String(Number(seven));
    dic = country === 'CZ' ? j(`CZ${seven}`) : j(`SK20${rng.digits(8)}`);
  }
  const likeInvoice = rng.int(100) < 80;
  let contact: string;
  if (likeInvoice) {
    contact = '"contact_like_invoice":true,"contact_firstname":"","contact_surname":"","contact_street":"","contact_city":"","contact_zipcode":0,"contact_company":null,"contact_ico":0,"contact_dic":null';
  } else {
    const cf = rng.pick(female ? names.female : names.male);
    const cs = rng.int(3) === 0 ? rng.pick(names.surnames)[female ? 1 : 0] : surname;
    const [cCity, cZips] = rng.pick(CITIES[country]);
    const cStreet = `${rng.pick(STREETS[country])} ${1 + rng.int(900)}`;
    const cCompany = rng.int(5) === 0 ? j(`${rng.pick(COMPANY_WORDS)} ${cs} ${rng.pick(LEGAL_FORMS[country])}`) : rng.int(2) === 0 ? '""' : 'null';
    contact =
      `"contact_like_invoice":false,"contact_firstname":${j(cf)},"contact_surname":${j(cs)},"contact_street":${j(cStreet)},` +
      `"contact_city":${j(cCity)},"contact_zipcode":${Number(rng.pick(cZips))},"contact_company":${cCompany},"contact_ico":0,"contact_dic":null`;
  }
  const text =
    `"invoice_firstname":${j(first)},"invoice_surname":${j(surname)},"invoice_street":${j(street)},"invoice_city":${j(city)},` +
    `"invoice_zipcode":${zip},"country":"${country}","invoice_company":${company},"invoice_ico":${ico},"invoice_dic":${dic},${contact}`;
  return { country, text };
}

// ---------------------------------------------------------------------------------------------
// orders

export interface OrderState {
  stateId: number;
  stateText: string;
  customerStateId: number | null;
  customerStateText: string | null;
}

export const STATE_BY_TEXT = new Map(DROPOHS_STATES.map((s) => [s.text, s]));
const S = (text: string): OrderState => ({ stateId: STATE_BY_TEXT.get(text)!.id, stateText: text, customerStateId: null, customerStateText: null });

/** The state an injected "unknown state" fault shows (not in the mapping table). */
export const UNKNOWN_STATE: OrderState = { stateId: 42, stateText: 'Čeká na naskladnění', customerStateId: null, customerStateText: null };
/** `created` of an injected malformed order: MySQL's zero date. */
export const MALFORMED_CREATED = '0000-00-00 00:00:00';

/** Weighted state tables by age (per mille). */
const BY_AGE: ReadonlyArray<{ maxAgeSec: number; table: string[] }> = [
  { maxAgeSec: 86_400, weights: [['Přijatá', 500], ['Čeká na platbu', 250], ['Zaplacená', 100], ['Vyřizuje se', 150]] },
  { maxAgeSec: 4 * 86_400, weights: [['Vyřizuje se', 400], ['Odesláno', 400], ['Zaplacená', 100], ['Čeká na platbu', 50], ['Stornováno', 50]] },
  { maxAgeSec: 10 * 86_400, weights: [['Odesláno', 300], ['Doručeno', 550], ['Stornováno', 70], ['Nedoručeno', 30], ['Vyřizuje se', 50]] },
  { maxAgeSec: Infinity, weights: [['Vyřízená', 720], ['Doručeno', 150], ['Stornováno', 70], ['Vráceno', 40], ['Nedoručeno', 20]] },
].map(({ maxAgeSec, weights }) => ({ maxAgeSec, table: weightedTable(weights as Array<[string, number]>) }));

export interface OrderSpec {
  g: number;
  id: number;
  createdSec: number;
  /** index of the shop in the simulator's shop list */
  shop: number;
  state: OrderState;
  malformed?: boolean;
  /** basket variants forced by a test (otherwise drawn from the shop's catalogue) */
  variants?: readonly number[] | undefined;
}

export interface ShopAssortment {
  seed: ShopSeed;
  /** products listed by the shop (ids into the catalogue), in listing order */
  products: SimProduct[];
}

const CUSTOMER_POOL: Record<Country, number> = { CZ: 3000, SK: 1000 };

export class DropohsGenerator {
  readonly clock: WallClock;
  private readonly customers: Record<Country, CustomerFragment[]> = { CZ: [], SK: [] };
  private readonly rng = new Rng(0);

  constructor(readonly seed: number) {
    this.clock = new WallClock(SIM_ZONE);
    for (const country of ['CZ', 'SK'] as const) {
      for (let c = 0; c < CUSTOMER_POOL[country]; c++) this.customers[country].push(makeCustomer(seed, country, c));
    }
  }

  /** The state order g was generated with, from its age at the simulator's start. */
  baseState(g: number, ageSec: number): OrderState {
    const h = hash2(this.seed ^ 0x2545f491, g);
    const band = BY_AGE.find((b) => ageSec < b.maxAgeSec)!;
    let text = band.table[h % band.table.length]!;
    const payment = this.paymentOf(g);
    if (text === 'Čeká na platbu' && payment.id !== PAYMENT_BANK) text = 'Přijatá';
    const state = S(text);
    // about 3 % of delivered/closed orders are in a complaint (reklamace)
    if ((text === 'Doručeno' || text === 'Vyřízená') && (h >>> 12) % 100 < 3) {
      const cs = DROPOHS_CUSTOMER_STATES[(h >>> 20) % DROPOHS_CUSTOMER_STATES.length]!;
      return { ...state, customerStateId: cs.id, customerStateText: cs.text };
    }
    return state;
  }

  paymentOf(g: number): Method {
    const r = hash2(this.seed ^ 0x7f4a7c15, g) % 100;
    return PAYMENTS[r < 45 ? 0 : r < 75 ? 1 : r < 92 ? 2 : 3]!;
  }

  /** "paid": bank transfer once past waiting, cards always, cash on delivery once delivered. */
  paidOf(g: number, state: OrderState): boolean {
    const p = this.paymentOf(g).id;
    const t = state.stateText;
    if (p === PAYMENT_COD) return t === 'Doručeno' || t === 'Vyřízená' || t === 'Vráceno';
    if (p === PAYMENT_BANK) return !(t === 'Přijatá' || t === 'Čeká na platbu' || (t === 'Stornováno' && g % 2 === 0));
    return true;
  }

  /**
   * The order's JSON text. Everything but `state` and the basket's variant pool depends on
   * (seed, g) only, so re-serving an unchanged order gives the very same bytes.
   */
  orderJson(spec: OrderSpec, shop: ShopAssortment, startSec: number, findVariant: (id: number) => SimVariant | undefined): string {
    const { g } = spec;
    const rng = this.rng.reseed(hash2(this.seed, g));
    const country: Country = rng.int(100) < shop.seed.skShare ? 'SK' : 'CZ';
    const customer = this.customers[country][rng.int(CUSTOMER_POOL[country])]!;

    // basket
    const lr = rng.int(100);
    const lines = spec.variants?.length ?? (lr < 55 ? 1 : lr < 80 ? 2 : lr < 93 ? 3 : 4);
    let goods = 0;
    let basket = '';
    const used: number[] = [];
    for (let l = 0; l < lines; l++) {
      let variant: SimVariant | undefined;
      if (spec.variants) {
        variant = findVariant(spec.variants[l]!);
      } else {
        for (let tries = 0; tries < 6; tries++) {
          const p = shop.products[rng.int(shop.products.length)]!;
          const v = p.variants[rng.int(p.variants.length)]!;
          variant = v;
          if (!used.includes(v.id)) break;
        }
      }
      const vid = spec.variants ? spec.variants[l]! : variant!.id;
      used.push(vid);
      const listPrice = variant?.priceVat ?? 19_900;
      // a sixth of the lines are discounted 10 %, priced …,90 like shops do
      const unit = rng.int(6) === 0 ? Math.max(990, Math.round((listPrice * 0.9) / 100) * 100 - 10) : listPrice;
      const qr = rng.int(100);
      const quantity = qr < 80 ? 1 : qr < 93 ? 2 : qr < 98 ? 3 : 5;
      goods += unit * quantity;
      basket += `${l > 0 ? ',' : ''}{"id":${vid},"price_retail_vat":${moneyLiteral(unit)},"quantity":${quantity}}`;
    }

    const payment = this.paymentOf(g);
    const delivery = rng.pick(DELIVERIES[country]);
    const deliveryPrice = goods >= FREE_SHIPPING_FROM ? 0 : delivery.price;
    const total = goods + deliveryPrice + payment.price;
    const commission = Math.round(goods * 0.08);
    const old = startSec - spec.createdSec > 30 * 86_400;
    const providerId = 1 + rng.int(6);
    const state = spec.state;
    const dispatched = !(state.stateText === 'Přijatá' || state.stateText === 'Čeká na platbu' || state.stateText === 'Zaplacená');
    const remote = dispatched ? j(`${1000 + rng.int(9000)}-${1000 + rng.int(9000)}`) : 'null';
    const source = rng.pick(SOURCES);
    const device = rng.pick(DEVICES);
    const note = rng.int(100) < 12 ? rng.pick(NOTES) : '';
    const created = spec.malformed ? MALFORMED_CREATED : this.clock.format(spec.createdSec);
    const cs =
      state.customerStateId === null
        ? '"customer_state_id":null,"customer_state_text":null'
        : `"customer_state_id":${state.customerStateId},"customer_state_text":${j(state.customerStateText)}`;

    return (
      `{"id":${spec.id},"remote_id":${remote},"provider_id":${providerId},"created":"${created}",` +
      `"state_id":${state.stateId},"state_text":${j(state.stateText)},${cs},${customer.text},` +
      `"price":${moneyLiteral(total)},"paid":${this.paidOf(g, state)},"commision":${moneyLiteral(commission)},` +
      `"commision_status":${old && state.stateText === 'Vyřízená' ? 1 : 'null'},"device":"${device}",` +
      `"source":${source === null ? 'null' : j(source)},"note":${j(note)},"basket":[${basket}],` +
      `"payment":{"id":${payment.id},"name":${j(payment.name)},"price_vat":${moneyLiteral(payment.price)}},` +
      `"delivery":{"id":${delivery.id},"name":${j(delivery.name)},"price_vat":${moneyLiteral(deliveryPrice)}}}`
    );
  }
}

