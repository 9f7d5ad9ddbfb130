import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mappedOrderSchema } from '../../../core/canonical/order.ts';
import { mapDrinksOrder, normalizeOrderNumber } from '../mapping.ts';
import { DRINKS_STATUS_TABLE, mapDrinksStatus } from '../status-map.ts';
import { flattenDrinksMessage } from '../schemas.ts';

/**
 * The two sample bodies of the help article "API – pobieranie zamówień", verbatim except for the
 * documented typo: `"delivery_tracking_number": "123,` (an unterminated string that makes the
 * sample invalid JSON) is repaired to `"123",`.
 */
function fixture(name: string): { code: number; reasonPhrase: string; data: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}

const list = fixture('seed-list-response.json');
const single = fixture('seed-single-response.json');

describe('mapDrinksOrder — the help article samples', () => {
  it('maps the first list order (summer time, Warsaw UTC+2) exactly', () => {
    const { order, warnings } = mapDrinksOrder(list.data[0], 'Europe/Warsaw');
    expect(warnings).toEqual([]);
    expect(order).toEqual({
      externalId: '64501123',
      number: null,
      createdAt: '2022-09-26T08:11:43.000Z',
      status: 'processing',
      channelStatus: 'IN_REALIZATION',
      currency: 'PLN',
      totals: { items: '581.00', shipping: '25.00', total: '606.00', taxIncluded: false },
      paid: null,
      paymentMethod: 'PREPAYMENT',
      shippingMethod: null,
      trackingNumbers: ['123'],
      customer: {
        name: 'xxx xxx',
        email: 'xxx@gmail.com',
        phone: '81121592832',
        company: 'KOWALSKI SC.',
        companyId: null,
        vatId: '9999999999',
      },
      billingAddress: {
        name: null,
        company: 'KOWALSKI SC.',
        street: 'ul. xxx 7 m. 16 123456789',
        city: 'TORUŃ',
        postalCode: '87-100',
        country: 'PL',
        phone: null,
        email: null,
      },
      shippingAddress: {
        name: 'xxx xxx',
        company: 'KOWALSKI SC.',
        street: 'ul. xxx 7 m. 1 123456789',
        city: 'TORUŃ',
        postalCode: '87-100',
        country: 'PL',
        phone: '81121592832',
        email: 'xxx@gmail.com',
      },
      items: [
        {
          lineId: '338453',
          sku: '5902573009129',
          ean: '5902573009129',
          name: 'Wódka Żubr Cytrynowy 25% 200 ml',
          quantity: '100.00',
          unitPriceNet: '5.81',
          unitPriceGross: null,
          vatRate: '23',
          totalNet: '581.00',
          totalGross: null,
        },
      ],
      note: null,
    });
    expect(mappedOrderSchema.parse(order)).toEqual(order);
  });

  it('maps the second list order (winter time, Warsaw UTC+1) with an exact two-line total', () => {
    const { order, warnings } = mapDrinksOrder(list.data[1], 'Europe/Warsaw');
    expect(warnings).toEqual([]);
    expect(order.externalId).toBe('64501123'); // the sample repeats the number (a doc copy-paste)
    expect(order.createdAt).toBe('2023-01-13T13:19:43.000Z');
    expect(order.totals).toEqual({ items: '633.11', shipping: '0.00', total: '633.11', taxIncluded: false });
    expect(order.trackingNumbers).toEqual([]);
    expect(order.customer).toEqual({
      name: 'yyy yyy',
      email: 'yyy@gmail.com',
      phone: '886159282',
      company: 'yyy sp. z o.o.',
      companyId: null,
      vatId: '0000000000',
    });
    expect(order.billingAddress).toEqual({
      name: null,
      company: 'yyy sp. z o.o.',
      street: 'yyy 118',
      city: 'Toruń',
      postalCode: '87-105',
      country: 'PL',
      phone: null,
      email: null,
    });
    expect(order.shippingAddress?.street).toBe('yyy 118');
    expect(order.items.map((i) => [i.lineId, i.sku, i.ean, i.quantity, i.unitPriceNet, i.vatRate, i.totalNet, i.totalGross])).toEqual([
      ['333428', '5902573009129', '5902573009129', '100.00', '5.81', '23', '581.00', null],
      ['352341', '0420041', '5099873089798', '1.00', '52.11', '23', '52.11', null],
    ]);
    expect(order.items[1]!.name).toBe("Whisky Jack Daniel's 40% 700 ml");
    mappedOrderSchema.parse(order);
  });

  it('maps the single-order sample (data is an array there too)', () => {
    expect(Array.isArray(single.data)).toBe(true);
    const { order } = mapDrinksOrder(single.data[0], 'Europe/Warsaw');
    expect(order.externalId).toBe('6443622');
    expect(order.createdAt).toBe('2022-09-26T08:11:43.000Z');
    expect(order.totals.total).toBe('606.00');
  });
});

describe('mapDrinksOrder — time zone and DST', () => {
  const base = list.data[0]!;
  const at = (wall: string, zone = 'Europe/Warsaw') => mapDrinksOrder({ ...base, create_time: wall }, zone).order.createdAt;

  it('converts summer (CEST, UTC+2) and winter (CET, UTC+1) wall times', () => {
    expect(at('2022-09-26 10:11:43')).toBe('2022-09-26T08:11:43.000Z');
    expect(at('2023-01-13 14:19:43')).toBe('2023-01-13T13:19:43.000Z');
    expect(at('2024-07-01 00:00:00')).toBe('2024-06-30T22:00:00.000Z');
    expect(at('2024-12-31 23:59:59')).toBe('2024-12-31T22:59:59.000Z');
  });

  it('handles the days of the switches', () => {
    // 2025-03-30: 02:00 CET → 03:00 CEST
    expect(at('2025-03-30 01:59:59')).toBe('2025-03-30T00:59:59.000Z');
    expect(at('2025-03-30 03:00:00')).toBe('2025-03-30T01:00:00.000Z');
    // 2025-10-26: 03:00 CEST → 02:00 CET
    expect(at('2025-10-26 01:30:00')).toBe('2025-10-25T23:30:00.000Z');
    expect(at('2025-10-26 04:00:00')).toBe('2025-10-26T03:00:00.000Z');
  });

  it('honours a connection zone override', () => {
    expect(at('2022-09-26 10:11:43', 'UTC')).toBe('2022-09-26T10:11:43.000Z');
  });
});

describe('mapDrinksOrder — statuses', () => {
  it('has the contract mappings', () => {
    expect(DRINKS_STATUS_TABLE).toEqual({
      NEW: 'new',
      RECEIVED_BY_DISTRIBUTOR: 'confirmed',
      IN_REALIZATION: 'processing',
      REALIZED: 'shipped',
      CANCELLED: 'cancelled',
      WAITING_FOR_CLIENT_CONFIRMATION: 'on_hold',
      RETURN: 'returned',
      COMPLAIN: 'disputed',
    });
    expect(mapDrinksStatus('REALIZED')).toEqual({ status: 'shipped', unknown: false });
  });

  it('maps an unknown status to on_hold, keeps it and warns', () => {
    const { order, warnings } = mapDrinksOrder({ ...list.data[0], status: 'PARTIALLY_REALIZED' }, 'Europe/Warsaw');
    expect(order.status).toBe('on_hold');
    expect(order.channelStatus).toBe('PARTIALLY_REALIZED');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unknown status "PARTIALLY_REALIZED".*on_hold/);
  });
});

describe('mapDrinksOrder — malformed and tolerated input', () => {
  const base = list.data[0]!;

  it('throws naming the field for a broken create_time', () => {
    expect(() => mapDrinksOrder({ ...base, create_time: 'not-a-date' }, 'Europe/Warsaw')).toThrow(
      /malformed drinks2cash order 64501123: create_time: .*"not-a-date"/,
    );
    expect(() => mapDrinksOrder({ ...base, create_time: '2023-02-30 10:00:00' }, 'Europe/Warsaw')).toThrow(/create_time/);
  });

  it('throws naming the field for missing or broken required fields', () => {
    const { products: _p, ...noProducts } = base;
    expect(() => mapDrinksOrder(noProducts, 'Europe/Warsaw')).toThrow(/products: .*\(missing\)/);
    expect(() => mapDrinksOrder({ ...base, order_number: 'abc' }, 'Europe/Warsaw')).toThrow(/order_number/);
    expect(() => mapDrinksOrder({ ...base, order_number: 0 }, 'Europe/Warsaw')).toThrow(/order_number/);
    const badQty = { ...base, products: [{ ...(base.products as object[])[0], product_quantity: '1,5' }] };
    expect(() => mapDrinksOrder(badQty, 'Europe/Warsaw')).toThrow(/products\[0\]\.product_quantity: .*"1,5"/);
    expect(() => mapDrinksOrder(null, 'Europe/Warsaw')).toThrow(/malformed drinks2cash order/);
    expect(() => mapDrinksOrder('x', 'Europe/Warsaw')).toThrow(/malformed drinks2cash order/);
  });

  it('tolerates ids as digit strings, decimals as numbers, extra fields, empty strings and lower-case countries', () => {
    const { order, warnings } = mapDrinksOrder(
      {
        ...base,
        order_number: '0064501123',
        delivery_cost: 19.9,
        delivery_tracking_number: '',
        delivery_country: 'pl',
        invoice_number: '',
        client_phone: '',
        some_new_field: { nested: true },
        products: [
          { ...(base.products as object[])[0], product_d2c_offer_id: '338453', product_vat_rate: '8', product_quantity: 0.5, product_value_net: '0.1', product_price_net: '0.2' },
          { ...(base.products as object[])[0], product_value_net: '0.2' },
        ],
      },
      'Europe/Warsaw',
    );
    expect(warnings).toEqual([]);
    expect(order.externalId).toBe('64501123');
    expect(order.trackingNumbers).toEqual([]);
    expect(order.shippingAddress?.country).toBe('PL');
    expect(order.billingAddress?.street).toBe('ul. xxx 7 m. 16');
    expect(order.customer.phone).toBeNull();
    expect(order.shippingAddress?.phone).toBeNull();
    expect(order.items[0]).toMatchObject({ lineId: '338453', quantity: '0.5', vatRate: '8', totalNet: '0.1' });
    // exact decimal sums: 0.1 + 0.2 = 0.3 (never 0.30000000000000004), widest scale kept
    expect(order.totals).toEqual({ items: '0.3', shipping: '19.9', total: '20.2', taxIncluded: false });
    mappedOrderSchema.parse(order);
  });

  it('never invents: missing contact/address data stays null', () => {
    const minimal = {
      order_number: 5,
      create_time: '2024-05-05 12:00:00',
      status: 'NEW',
      products: [],
    };
    const { order } = mapDrinksOrder(minimal, 'Europe/Warsaw');
    expect(order.billingAddress).toBeNull();
    expect(order.shippingAddress).toBeNull();
    expect(order.currency).toBeNull();
    expect(order.customer).toEqual({ name: null, email: null, phone: null, company: null, companyId: null, vatId: null });
    expect(order.totals).toEqual({ items: '0.00', shipping: null, total: null, taxIncluded: false });
    mappedOrderSchema.parse(order);
  });

  it('warns (but keeps the order) on a non-ISO country or currency', () => {
    const { order, warnings } = mapDrinksOrder({ ...base, invoice_country: 'Polska', currency: 'zł' }, 'Europe/Warsaw');
    expect(order.billingAddress?.country).toBeNull();
    expect(order.currency).toBeNull();
    expect(warnings.join('\n')).toMatch(/invoice_country: "Polska"/);
    expect(warnings.join('\n')).toMatch(/currency: "zł"/);
  });
});

describe('helpers', () => {
  it('normalises order numbers', () => {
    expect(normalizeOrderNumber(64501123)).toBe('64501123');
    expect(normalizeOrderNumber('007')).toBe('7');
    expect(normalizeOrderNumber(0)).toBeNull();
    expect(normalizeOrderNumber(-3)).toBeNull();
    expect(normalizeOrderNumber(1.5)).toBeNull();
    expect(normalizeOrderNumber('12a')).toBeNull();
    expect(normalizeOrderNumber(null)).toBeNull();
  });

  it('flattens 400 messages', () => {
    expect(
      flattenDrinksMessage({
        from: { dateInvalidDate: 'Podana wartość nie jest poprawną datą' },
        limit: { notDigits: 'Podana wartość może zawierać tylko cyfry' },
      }),
    ).toBe('from: Podana wartość nie jest poprawną datą; limit: Podana wartość może zawierać tylko cyfry');
    expect(flattenDrinksMessage('You cannot change status cancelled or realised to any other.')).toBe(
      'You cannot change status cancelled or realised to any other.',
    );
  });
});
