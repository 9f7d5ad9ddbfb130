/** Mapping of raw Dropohs orders: exact canonical values, quirks of the API, DST, malformed records. */
import { describe, expect, it } from 'vitest';
import { mappedOrderSchema } from '../../../core/canonical/order.ts';
import { wallTimeToUtc } from '../../../core/canonical/time.ts';
import type { CatalogVariant } from '../catalog.ts';
import { buildCatalog, variantDisplayName } from '../catalog.ts';
import { companyId, dropohsOrderId, mapDropohsOrder, money, zipCode, type DropohsMapOptions } from '../mapping.ts';
import { mapDropohsState } from '../status-map.ts';

/** The sample order of the manual (manual.dropohs.cz/api/orders), verbatim. */
const SAMPLE = {
  id: 1,
  remote_id: '1234-5678',
  provider_id: 1,
  created: '2021-04-27 12:04:46',
  state_id: 1,
  state_text: 'Přijatá',
  customer_state_id: null,
  customer_state_text: null,
  invoice_firstname: 'Jan',
  invoice_surname: 'Novotný',
  invoice_street: 'Ulice 123',
  invoice_city: 'Město',
  invoice_zipcode: 12345,
  country: 'CZ',
  invoice_company: '',
  invoice_ico: 0,
  invoice_dic: '',
  contact_like_invoice: true,
  contact_firstname: '',
  contact_surname: '',
  contact_street: '',
  contact_city: '',
  contact_zipcode: 0,
  contact_company: null,
  contact_ico: 0,
  contact_dic: null,
  price: 10189,
  paid: false,
  commision: 0,
  commision_status: null,
  device: 'desktop',
  source: null,
  note: '',
  basket: [{ id: 1, price_retail_vat: 10189, quantity: 1 }],
  payment: { id: 1, name: 'Bankovním převodem', price_vat: 0 },
  delivery: { id: 1, name: 'GLS - ČR', price_vat: 0 },
};

/** The sample product of the manual (manual.dropohs.cz/api/products) + one with sizes. */
const CATALOG = buildCatalog(
  123456,
  [
    {
      id: 1, name: 'Název produktu', description: 'Popis produktu.', code: null, ean: null, available: true,
      variants: [{ id: 1, code: 'TE14357956', parameter: '', value: '', price: 123, price_vat: 149, wholesale_price: 44.6256, wholesale_price_vat: 54, vat: 21, quantity: 1, available: true }],
    },
    {
      id: 2, name: 'Tričko Basic', code: 'P-2', ean: '8591234567893',
      variants: [
        { id: 10, code: 'TR1', parameter: 'Velikost', value: 'M', price_vat: 299, vat: 21 },
        { id: 11, code: null, parameter: 'Velikost', value: 'L', price_vat: 299, vat: 21 },
      ],
    },
    { id: 3, name: 'Kniha', code: 'K-1', ean: 8590000000007, variants: [{ id: 20, code: '', parameter: null, value: null, price_vat: 349, vat: 0 }] },
    { id: 4, name: 'Rozbitý produkt', variants: 'nope' },
  ],
  '2025-01-01T00:00:00.000Z',
  () => undefined,
);

function opts(extra: Partial<DropohsMapOptions> = {}): DropohsMapOptions {
  return {
    zone: 'Europe/Prague',
    currency: 'CZK',
    lookup: (id: string): CatalogVariant | undefined => CATALOG.variants.get(id),
    shopLabel: 'e-shop 123456',
    ...extra,
  };
}

const map = (raw: unknown, extra?: Partial<DropohsMapOptions>) => mapDropohsOrder(raw, opts(extra));

describe('dropohs mapping: the manual sample', () => {
  it('maps every field exactly', () => {
    const { order, warnings } = map(SAMPLE);
    expect(warnings).toEqual([]);
    expect(mappedOrderSchema.parse(order)).toEqual(order);
    const billing = {
      name: 'Jan Novotný', company: null, street: 'Ulice 123', city: 'Město', postalCode: '12345', country: 'CZ', phone: null, email: null,
    };
    expect(order).toEqual({
      externalId: '1',
      number: null,
      createdAt: '2021-04-27T10:04:46.000Z', // CEST, UTC+2
      status: 'new',
      channelStatus: 'Přijatá',
      currency: 'CZK',
      totals: { items: '10189.00', shipping: '0.00', total: '10189.00', taxIncluded: true },
      paid: false,
      paymentMethod: 'Bankovním převodem',
      shippingMethod: 'GLS - ČR',
      trackingNumbers: [],
      customer: { name: 'Jan Novotný', email: null, phone: null, company: null, companyId: null, vatId: null },
      billingAddress: billing,
      shippingAddress: billing, // contact_like_invoice: both filled
      items: [
        {
          lineId: '1', sku: 'TE14357956', ean: null, name: 'Název produktu', quantity: '1',
          unitPriceNet: null, unitPriceGross: '10189.00', vatRate: '21', totalNet: null, totalGross: '10189.00',
        },
      ],
      note: null,
    });
    expect(order.shippingAddress).not.toBe(order.billingAddress); // a copy, not a shared object
  });

  it('takes the currency from the connection (the API has none)', () => {
    expect(map(SAMPLE, { currency: 'EUR' }).order.currency).toBe('EUR');
    expect(map(SAMPLE, { currency: null }).order.currency).toBeNull();
  });
});

describe('dropohs mapping: money', () => {
  it('reads floats without artefacts and multiplies exactly', () => {
    const raw = {
      ...SAMPLE,
      price: 208.7,
      basket: [
        { id: 10, price_retail_vat: 19.9, quantity: 3 }, // 19.9 * 3 = 59.699999999999996 in floats
        { id: 11, price_retail_vat: 0.1, quantity: 3 }, // 0.1 * 3 = 0.30000000000000004
        { id: 20, price_retail_vat: 29.9, quantity: 1 },
      ],
      payment: { id: 2, name: 'Dobírka', price_vat: 39 },
      delivery: { id: 2, name: 'Zásilkovna - výdejní místo', price_vat: 79.5 },
    };
    const { order, warnings } = map(raw);
    expect(warnings).toEqual([]);
    expect(order.items.map((i) => [i.unitPriceGross, i.totalGross])).toEqual([
      ['19.90', '59.70'],
      ['0.10', '0.30'],
      ['29.90', '29.90'],
    ]);
    // the payment fee (39) is part of the total only: 89.90 + 79.50 + 39 = 208.40 ≠ 208.70 is the channel's business
    expect(order.totals).toEqual({ items: '89.90', shipping: '79.50', total: '208.70', taxIncluded: true });
  });

  it('keeps a value with more than two decimals exact and reports it', () => {
    const { order, warnings } = map({ ...SAMPLE, price: 12.345, basket: [{ id: 1, price_retail_vat: 4.115, quantity: 3 }] });
    expect(order.totals.total).toBe('12.345');
    expect(order.items[0]).toMatchObject({ unitPriceGross: '4.115', totalGross: '12.345' });
    expect(order.totals.items).toBe('12.345');
    expect(warnings).toContain('price has more than two decimals; kept exact, not rounded');
  });

  it('tolerates decimal strings', () => {
    const { order } = map({ ...SAMPLE, price: '10189.5', basket: [{ id: '1', price_retail_vat: '10189.5', quantity: '1' }] });
    expect(order.totals.total).toBe('10189.50');
    expect(order.items[0]!.totalGross).toBe('10189.50');
  });

  it('money(): exact, two decimals', () => {
    expect(money(10189, 'x', [])).toBe('10189.00');
    expect(money(0.1 + 0.2 === 0.3 ? 0 : 0.3, 'x', [])).toBe('0.30');
    expect(money(1e6, 'x', [])).toBe('1000000.00');
    expect(money(-5.5, 'x', [])).toBe('-5.50');
    expect(money(1e21, 'x', [])).toBe('1000000000000000000000.00');
    expect(money('007.5', 'x', [])).toBe('7.50');
    const w: string[] = [];
    expect(money(1e-7, 'x', w)).toBe('0.0000001');
    expect(w).toHaveLength(1);
    expect(() => money(Number.NaN, 'price', [])).toThrow('price: NaN is not a finite number');
  });
});

describe('dropohs mapping: integer zip codes and IČO, empty company fields', () => {
  it('restores Slovak zip codes and IČO leading zeros', () => {
    const { order } = map({
      ...SAMPLE, country: 'SK', invoice_zipcode: 1001, invoice_company: 'Kováč s.r.o.', invoice_ico: 64581, invoice_dic: 'SK2020123456',
    });
    expect(order.billingAddress).toMatchObject({ postalCode: '01001', country: 'SK', company: 'Kováč s.r.o.' });
    expect(order.customer).toMatchObject({ company: 'Kováč s.r.o.', companyId: '00064581', vatId: 'SK2020123456' });
  });

  it('pads 1000 to "01000" for CZ/SK only', () => {
    expect(zipCode(1000, 'SK')).toBe('01000');
    expect(zipCode(1000, 'CZ')).toBe('01000');
    expect(zipCode(1010, 'AT')).toBe('1010');
    expect(zipCode(0, 'CZ')).toBeNull();
    expect(zipCode('110 00', 'CZ')).toBe('11000');
    expect(zipCode(null, 'CZ')).toBeNull();
    expect(companyId(25596641, 'CZ')).toBe('25596641');
    expect(companyId(0, 'CZ')).toBeNull();
    expect(companyId(123, 'DE')).toBe('123');
  });

  for (const [label, empties] of [
    ['""', { invoice_company: '', invoice_ico: 0, invoice_dic: '' }],
    ['null', { invoice_company: null, invoice_ico: null, invoice_dic: null }],
    ['0', { invoice_company: 0, invoice_ico: 0, invoice_dic: 0 }],
    ['missing', { invoice_company: undefined, invoice_ico: undefined, invoice_dic: undefined }],
  ] as const) {
    it(`reads empty company fields sent as ${label} as null`, () => {
      const { order } = map({ ...SAMPLE, ...empties });
      expect(order.customer).toEqual({ name: 'Jan Novotný', email: null, phone: null, company: null, companyId: null, vatId: null });
      expect(order.billingAddress!.company).toBeNull();
    });
  }

  it('uses the contact address when contact_like_invoice is false (no country: the API has none for it)', () => {
    const { order, warnings } = map({
      ...SAMPLE,
      country: 'SK',
      contact_like_invoice: false,
      contact_firstname: 'Mária',
      contact_surname: 'Kováčová',
      contact_street: 'Hlavná 8',
      contact_city: 'Košice',
      contact_zipcode: 4001,
      contact_company: 0,
    });
    expect(warnings).toEqual([]);
    expect(order.shippingAddress).toEqual({
      name: 'Mária Kováčová', company: null, street: 'Hlavná 8', city: 'Košice', postalCode: '04001', country: null, phone: null, email: null,
    });
    expect(order.billingAddress!.name).toBe('Jan Novotný');
  });

  it('reports contact_like_invoice false with an empty contact address', () => {
    const { order, warnings } = map({ ...SAMPLE, contact_like_invoice: false });
    expect(order.shippingAddress).toBeNull();
    expect(warnings).toEqual(['contact_like_invoice is false but the contact (delivery) address is empty; shippingAddress left empty']);
  });

  it('accepts 1/0 flags as PHP backends send them', () => {
    expect(map({ ...SAMPLE, contact_like_invoice: 1, paid: 1 }).order).toMatchObject({ paid: true, shippingAddress: { city: 'Město' } });
  });

  it('reports a country that is not an ISO code', () => {
    const { order, warnings } = map({ ...SAMPLE, country: 'Česká republika' });
    expect(order.billingAddress!.country).toBeNull();
    expect(warnings).toEqual(['country "Česká republika" is not an ISO 3166-1 alpha-2 code; left empty']);
  });
});

describe('dropohs mapping: states and complaints', () => {
  it('maps the state table', () => {
    expect(mapDropohsState('Přijatá')).toEqual({ status: 'new', unknown: false });
    expect(mapDropohsState('Vyřizuje se')).toEqual({ status: 'processing', unknown: false });
    expect(mapDropohsState('Odesláno')).toEqual({ status: 'shipped', unknown: false });
    expect(mapDropohsState('Doručeno')).toEqual({ status: 'delivered', unknown: false });
    expect(mapDropohsState('Stornováno')).toEqual({ status: 'cancelled', unknown: false });
    expect(mapDropohsState('Vráceno')).toEqual({ status: 'returned', unknown: false });
    // decomposed Unicode (a + combining acute) is the same state
    expect(mapDropohsState(' Prˇijata\u0301'.replace('rˇ', 'ř'))).toEqual({ status: 'new', unknown: false });
  });

  it('a complaint (non-zero customer_state_id) makes the order disputed, channelStatus keeps state_text', () => {
    const raw = { ...SAMPLE, state_id: 6, state_text: 'Doručeno', customer_state_id: 2, customer_state_text: 'Reklamace se vyřizuje' };
    const { order, warnings } = map(raw);
    expect(order.status).toBe('disputed');
    expect(order.channelStatus).toBe('Doručeno');
    expect(warnings).toEqual([]);
    expect(map({ ...raw, customer_state_id: 0 }).order.status).toBe('delivered');
    expect(map({ ...raw, customer_state_id: null }).order.status).toBe('delivered');
  });

  it('an unknown state becomes on_hold with a warning (without the order id: the engine counts repeats)', () => {
    const { order, warnings } = map({ ...SAMPLE, state_id: 42, state_text: 'Čeká na naskladnění' });
    expect(order.status).toBe('on_hold');
    expect(order.channelStatus).toBe('Čeká na naskladnění');
    expect(warnings).toEqual(['unknown state_text "Čeká na naskladnění" (state_id 42): not in the mapping table; mapped to on_hold']);
  });
});

describe('dropohs mapping: items and the catalog', () => {
  it('names variants "product (parameter: value)", falls back to the product code/EAN for single-variant products', () => {
    const { order } = map({
      ...SAMPLE,
      price: 947,
      basket: [
        { id: 10, price_retail_vat: 299, quantity: 1 },
        { id: 11, price_retail_vat: 299, quantity: 1 },
        { id: 20, price_retail_vat: 349, quantity: 1 },
      ],
    });
    expect(order.items.map((i) => [i.sku, i.name, i.ean, i.vatRate])).toEqual([
      ['TR1', 'Tričko Basic (Velikost: M)', null, '21'],
      [null, 'Tričko Basic (Velikost: L)', null, '21'], // no code of its own; P-2 names the product, not the variant
      ['K-1', 'Kniha', '8590000000007', '0'],
    ]);
  });

  it('a variant unknown to the catalog: sku/name null, price kept, one warning per variant', () => {
    const { order, warnings } = map({ ...SAMPLE, basket: [{ id: 999, price_retail_vat: 10189, quantity: 1 }] });
    expect(order.items[0]).toEqual({
      lineId: '999', sku: null, ean: null, name: null, quantity: '1', unitPriceNet: null, unitPriceGross: '10189.00', vatRate: null, totalNet: null, totalGross: '10189.00',
    });
    expect(warnings).toEqual([
      'basket: variant 999 is not in the product catalog of e-shop 123456 (not even after re-reading it); sku and name left empty',
    ]);
  });

  it('without any catalog: a warning, never a failure', () => {
    const { order, warnings } = map(SAMPLE, { lookup: null, shopLabel: 'e-shop (unknown)' });
    expect(order.items[0]!.name).toBeNull();
    expect(warnings).toEqual(['basket: no product catalog for e-shop (unknown); sku and name of its items left empty']);
  });

  it('skips a malformed product of the catalog (and says which field)', () => {
    const problems: string[] = [];
    buildCatalog(1, [{ id: 4, name: 'Rozbitý', variants: 'nope' }], '2025-01-01T00:00:00.000Z', (p) => problems.push(p));
    expect(problems).toEqual(['product 4 of e-shop 1 skipped: variants: Invalid input: expected array, received string (got "nope")']);
    expect(CATALOG.variants.size).toBe(4);
  });

  it('variantDisplayName', () => {
    expect(variantDisplayName('Tričko', 'Velikost', 'M')).toBe('Tričko (Velikost: M)');
    expect(variantDisplayName('Tričko', null, 'M')).toBe('Tričko (M)');
    expect(variantDisplayName('Tričko', null, null)).toBe('Tričko');
    expect(variantDisplayName(null, 'Velikost', 'M')).toBeNull();
  });
});

describe('dropohs mapping: time (Europe/Prague wall time, DST)', () => {
  const at = (created: string) => map({ ...SAMPLE, created }).order.createdAt;
  it('converts winter and summer time', () => {
    expect(at('2024-01-15 12:00:00')).toBe('2024-01-15T11:00:00.000Z');
    expect(at('2024-07-01 12:00:00')).toBe('2024-07-01T10:00:00.000Z');
  });
  it('around the switches', () => {
    expect(at('2024-03-31 01:59:59')).toBe('2024-03-31T00:59:59.000Z');
    expect(at('2024-03-31 03:00:00')).toBe('2024-03-31T01:00:00.000Z');
    // 02:30 does not exist that night (the API would never send it): whatever the core's
    // wallTimeToUtc makes of it, one of the two readings either side of the gap
    expect(at('2024-03-31 02:30:00')).toBe(wallTimeToUtc('2024-03-31 02:30:00', 'Europe/Prague'));
    expect(['2024-03-31T00:30:00.000Z', '2024-03-31T01:30:00.000Z']).toContain(at('2024-03-31 02:30:00'));
    // 02:30 exists twice on 27 Oct; without an offset either reading is possible: the core decides
    expect(at('2024-10-27 02:30:00')).toBe(wallTimeToUtc('2024-10-27 02:30:00', 'Europe/Prague'));
    expect(['2024-10-27T00:30:00.000Z', '2024-10-27T01:30:00.000Z']).toContain(at('2024-10-27 02:30:00'));
    expect(at('2024-10-27 01:59:59')).toBe('2024-10-26T23:59:59.000Z');
    expect(at('2024-10-27 03:30:00')).toBe('2024-10-27T02:30:00.000Z');
  });
  it('honours a connection zone override', () => {
    expect(map({ ...SAMPLE, created: '2024-07-01 12:00:00' }, { zone: 'UTC' }).order.createdAt).toBe('2024-07-01T12:00:00.000Z');
  });
});

describe('dropohs mapping: malformed records throw, naming the field', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['MySQL zero date', { created: '0000-00-00 00:00:00' }, 'malformed Dropohs order 1: created:'],
    ['no created', { created: undefined }, 'created: Invalid input: expected string, received undefined (missing)'],
    ['empty state', { state_text: '  ' }, 'state_text: must not be empty'],
    ['price text', { price: 'abc' }, 'price: must be a decimal number (got "abc")'],
    ['price object', { price: { amount: 1 } }, 'price: must be a number (or a decimal string)'],
    ['no basket', { basket: undefined }, 'basket'],
    ['basket line without price', { basket: [{ id: 1, quantity: 1 }] }, 'basket[0].price_retail_vat'],
    ['fractional quantity', { basket: [{ id: 1, price_retail_vat: 1, quantity: 1.5 }] }, 'basket[0].quantity: must be a positive whole number (got 1.5)'],
    ['no id', { id: undefined }, 'id'],
  ];
  for (const [label, patch, message] of cases) {
    it(label, () => {
      expect(() => map({ ...SAMPLE, ...patch })).toThrow(message);
    });
  }
  it('dropohsOrderId', () => {
    expect(dropohsOrderId({ id: 42 })).toBe('42');
    expect(dropohsOrderId({ id: '0042' })).toBe('42');
    expect(dropohsOrderId({ id: 0 })).toBeNull();
    expect(dropohsOrderId({ id: 1.5 })).toBeNull();
    expect(dropohsOrderId(null)).toBeNull();
  });
});
