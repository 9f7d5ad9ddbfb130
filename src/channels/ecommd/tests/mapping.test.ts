import { describe, expect, it } from 'vitest';
import { mappedOrderSchema } from '../../../core/canonical/order.ts';
import { ecommdTimeToUtc } from '../datetime.ts';
import { ecommdIdOf, mapEcommdOrder } from '../mapping.ts';
import { ECOMMD_OPEN_STATUSES, ECOMMD_STATUSES, ECOMMD_STATUS_TABLE, mapEcommdStatus } from '../status-map.ts';
import { EcommdGenerator } from '../simulator/generator.ts';

/** An order in the assumed read model (schemas.ts), shaped after the 1C Order.json example. */
function rawOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 294,
    status: 'ondelivery',
    created_at: '2025-03-11T18:25:42.123456+02:00',
    shop: null,
    rrn: '999999',
    promocode: 1,
    total_price: '9435.00',
    customer: {
      email: 'ion.rusu@gmail.com',
      name: 'Ion Rusu',
      phone: '+37369123456',
      dateofbirth: null,
      fiscal_code: null,
      juridical_address: null,
      iban: null,
      bank_code: null,
      address: {
        id: 236154,
        store: null,
        region: { id: 3, name: 'Chișinău' },
        locality: { id: 50, name: 'Chișinău' },
        sector: { id: 11, name: 'Botanica' },
        address: 'bd. Dacia 47, ap. 12',
        address_type: null,
        zip_code: 'MD-2068',
      },
    },
    payment: {
      delivery_type: 'standart', pay_method: 'cash', payment_system: null, months: null, sumpermonth: null, transaction_id: null, promo_code: 'PRIMAVARA10',
    },
    order_items: [
      { id: 12, order_status: 'ondelivery', product: { id: 104392, code: 'SAM-A556-256', name: 'Smartphone Samsung Galaxy A55' }, quantity: 1, price: '8999.00', loyalty_price: '8699.00' },
      { id: 13, order_status: 'ondelivery', product: { id: 100611, code: 'BOR-05', name: 'Apă minerală Borjomi 0,5 l' }, quantity: 6, price: '24.50', loyalty_price: null },
    ],
    ...overrides,
  };
}

describe('ecom.md status mapping', () => {
  it('maps all 17 documented statuses, the contract ones as required', () => {
    expect(ECOMMD_STATUSES).toHaveLength(17);
    for (const s of ECOMMD_STATUSES) expect(mapEcommdStatus(s).unknown).toBe(false);
    expect(mapEcommdStatus('new').status).toBe('new');
    expect(mapEcommdStatus('confirmed').status).toBe('confirmed');
    expect(mapEcommdStatus('canceled').status).toBe('cancelled');
    expect(mapEcommdStatus('ondelivery').status).toBe('shipped');
    expect(ECOMMD_STATUS_TABLE).toMatchObject({
      done: 'completed', incollection: 'processing', collected: 'processing', collectedwithchanges: 'processing',
      tobereturnedintwodays: 'on_hold', completedandclosed: 'completed', returnedtowarehouse: 'returned',
      changedandclosed: 'completed', atcouriersortcenter: 'shipped', deliverydatemoved: 'shipped',
      clientnoanswer: 'on_hold', recipientnotathome: 'on_hold', customerrefusal: 'cancelled',
    });
  });

  it('asks for exactly the statuses whose canonical status is open', () => {
    expect([...ECOMMD_OPEN_STATUSES].sort()).toEqual(
      ['new', 'confirmed', 'incollection', 'collected', 'collectedwithchanges', 'atcouriersortcenter', 'ondelivery',
        'deliverydatemoved', 'clientnoanswer', 'recipientnotathome', 'tobereturnedintwodays'].sort(),
    );
  });
});

describe('ecom.md created_at → UTC', () => {
  it('converts ISO with an offset directly, truncating microseconds', () => {
    expect(ecommdTimeToUtc('2025-03-11T18:25:42.123456+02:00')).toBe('2025-03-11T16:25:42.123Z');
    expect(ecommdTimeToUtc('2025-07-01T00:10:00+03:00')).toBe('2025-06-30T21:10:00.000Z');
    expect(ecommdTimeToUtc('2025-07-01T00:10:00Z')).toBe('2025-07-01T00:10:00.000Z');
    // an offset wins over the zone: the value is not re-interpreted
    expect(ecommdTimeToUtc('2025-07-01T00:10:00+02:00', 'Asia/Tokyo')).toBe('2025-06-30T22:10:00.000Z');
  });

  it('reads naive times as Europe/Chisinau wall time, DST included', () => {
    expect(ecommdTimeToUtc('2025-01-15T10:00:00')).toBe('2025-01-15T08:00:00.000Z'); // EET +2
    expect(ecommdTimeToUtc('2025-07-15 10:00:00.5')).toBe('2025-07-15T07:00:00.500Z'); // EEST +3
    // spring forward: Sunday 30 March 2025 02:00 → 03:00 in Chișinău; the gap resolves forward
    expect(ecommdTimeToUtc('2025-03-30T01:59:59')).toBe('2025-03-29T23:59:59.000Z');
    expect(ecommdTimeToUtc('2025-03-30T03:00:00')).toBe('2025-03-30T00:00:00.000Z');
    // fall back: Sunday 26 October 2025 03:00 → 02:00; 02:30 happens twice. Which one is the core's
    // wallTimeToUtc decision (documented as the first, currently the second): either is a real instant
    expect(['2025-10-25T23:30:00.000Z', '2025-10-26T00:30:00.000Z']).toContain(ecommdTimeToUtc('2025-10-26T02:30:00'));
    expect(ecommdTimeToUtc('2025-10-26T04:00:00')).toBe('2025-10-26T02:00:00.000Z');
  });

  it('takes numbers as Unix seconds and refuses garbage', () => {
    expect(ecommdTimeToUtc(1741710342)).toBe('2025-03-11T16:25:42.000Z');
    expect(() => ecommdTimeToUtc('not-a-date')).toThrow(/not an ISO 8601/);
    expect(() => ecommdTimeToUtc('2025-02-30T10:00:00+02:00')).toThrow(/calendar date/);
  });
});

describe('mapEcommdOrder', () => {
  it('maps a full order to exact canonical values', () => {
    const { order, warnings } = mapEcommdOrder(rawOrder());
    expect(warnings).toEqual([]);
    expect(mappedOrderSchema.parse(order)).toEqual(order);
    expect(order).toEqual({
      externalId: '294',
      number: null,
      createdAt: '2025-03-11T16:25:42.123Z',
      status: 'shipped',
      channelStatus: 'ondelivery',
      currency: 'MDL',
      totals: { items: '8846.00', shipping: null, total: '9435.00', taxIncluded: true },
      paid: null,
      paymentMethod: 'cash',
      shippingMethod: 'standart',
      trackingNumbers: [],
      customer: { name: 'Ion Rusu', email: 'ion.rusu@gmail.com', phone: '+37369123456', company: null, companyId: null, vatId: null },
      billingAddress: null,
      shippingAddress: {
        name: 'Ion Rusu', company: null, street: 'bd. Dacia 47, ap. 12, sector Botanica', city: 'Chișinău',
        postalCode: 'MD-2068', country: 'MD', phone: '+37369123456', email: 'ion.rusu@gmail.com',
      },
      items: [
        { lineId: '12', sku: 'SAM-A556-256', ean: null, name: 'Smartphone Samsung Galaxy A55', quantity: '1', unitPriceNet: null, unitPriceGross: '8699.00', vatRate: null, totalNet: null, totalGross: '8699.00' },
        { lineId: '13', sku: 'BOR-05', ean: null, name: 'Apă minerală Borjomi 0,5 l', quantity: '6', unitPriceNet: null, unitPriceGross: '24.50', vatRate: null, totalNet: null, totalGross: '147.00' },
      ],
      note: null,
    });
  });

  it('puts a suburb in city and its region into the street; a legal entity gets a billing address', () => {
    const raw = rawOrder({
      customer: {
        name: 'SRL Vinuri Fine', email: null, phone: '069000111', fiscal_code: '1003600012345', juridical_address: 'mun. Chișinău, str. Columna 12',
        address: { region: { id: 3, name: 'Chișinău' }, locality: { id: 56, name: 'Băcioi' }, sector: null, address: 'str. Principală 5', zip_code: 2043 },
      },
    });
    const { order } = mapEcommdOrder(raw);
    expect(order.customer).toEqual({ name: 'SRL Vinuri Fine', email: null, phone: '069000111', company: null, companyId: '1003600012345', vatId: null });
    expect(order.shippingAddress).toMatchObject({ street: 'str. Principală 5, Chișinău', city: 'Băcioi', postalCode: '2043', country: 'MD' });
    expect(order.billingAddress).toEqual({
      name: 'SRL Vinuri Fine', company: null, street: 'mun. Chișinău, str. Columna 12', city: null, postalCode: null, country: null, phone: null, email: null,
    });
  });

  it('leaves the shipping address empty for a store pickup without an address', () => {
    const raw = rawOrder({
      customer: { name: 'Ana', address: { id: 1, store: 333, region: null, locality: null, sector: null, address: null, zip_code: null } },
      payment: { delivery_type: 'pickup', pay_method: 'card' },
    });
    const { order } = mapEcommdOrder(raw);
    expect(order.shippingAddress).toBeNull();
    expect(order.shippingMethod).toBe('pickup');
  });

  it('tolerates JSON numbers and sector names, with exact decimals', () => {
    const raw = rawOrder({
      total_price: 100.1,
      customer: { address: { locality: { id: 50, name: 'Кишинёв' }, region: { id: 3, name: 'Кишинёв' }, sector: 'Ботаника', address: 'ул. Дачия 5' } },
      order_items: [{ id: '7', order_status: 'new', product: 104392, quantity: '1.5', price: 0.1, loyalty_price: null }],
    });
    const { order } = mapEcommdOrder(raw);
    expect(order.totals.total).toBe('100.1');
    expect(order.items[0]).toMatchObject({ lineId: '7', sku: '104392', quantity: '1.5', unitPriceGross: '0.1', totalGross: '0.15' });
    expect(order.totals.items).toBe('0.15');
    expect(order.shippingAddress).toMatchObject({ street: 'ул. Дачия 5, sector Ботаника', city: 'Кишинёв' });
  });

  it('derives the status from the items when the top level has none', () => {
    const { order } = mapEcommdOrder(rawOrder({ status: undefined }));
    expect(order.channelStatus).toBe('ondelivery');
    const mixed = rawOrder({ status: null });
    (mixed.order_items as Array<Record<string, unknown>>)[1]!.order_status = 'done';
    expect(() => mapEcommdOrder(mixed)).toThrow(/order 294: status: missing, and the items disagree \(ondelivery, done\)/);
  });

  it('maps an unknown status to on_hold with a warning', () => {
    const { order, warnings } = mapEcommdOrder(rawOrder({ status: 'lostincourier' }));
    expect(order.status).toBe('on_hold');
    expect(order.channelStatus).toBe('lostincourier');
    expect(warnings).toEqual(['ecom.md order status "lostincourier" is not in the mapping table; mapped to on_hold']);
  });

  it('throws on malformed orders, naming the field', () => {
    expect(() => mapEcommdOrder(rawOrder({ created_at: 'not-a-date' }))).toThrow(/order 294: created_at: "not-a-date" is not an ISO 8601/);
    expect(() => mapEcommdOrder(rawOrder({ total_price: '9 435,00' }))).toThrow(/order 294: total_price: must be a decimal number/);
    expect(() => mapEcommdOrder(rawOrder({ order_items: undefined }))).toThrow(/order 294: order_items: .*\(missing\)/);
    const badQty = rawOrder();
    (badQty.order_items as Array<Record<string, unknown>>)[0]!.quantity = 'one';
    expect(() => mapEcommdOrder(badQty)).toThrow(/order_items\[0\]\.quantity/);
    expect(() => mapEcommdOrder({ status: 'new' })).toThrow(/malformed ecom.md order: id/);
  });

  it('reads ids as numbers or digit strings', () => {
    expect(ecommdIdOf({ id: 294 })).toBe('294');
    expect(ecommdIdOf({ id: '0294' })).toBe('294');
    expect(ecommdIdOf({ id: 'x' })).toBeNull();
    expect(ecommdIdOf(null)).toBeNull();
  });

  it('maps every generated simulator order (both languages, both time formats) without warnings', () => {
    const gen = new EcommdGenerator(5);
    const t0 = Date.UTC(2025, 2, 29, 20) * 1000;
    for (let i = 0; i < 400; i++) {
      const us = t0 + i * 97_000_123;
      for (const lang of ['ro', 'ru'] as const) {
        const status = ECOMMD_STATUSES[i % 17]!;
        const a = mapEcommdOrder(gen.order(i, us, { status, lang }));
        const b = mapEcommdOrder(gen.order(i, us, { status, lang, naive: true }));
        expect(a.warnings).toEqual([]);
        expect(a.order.createdAt).toBe(new Date(Math.floor(us / 1000)).toISOString());
        // naive wall times convert back to the same instant, except that inside the autumn repeated
        // hour the wall time alone cannot say which of the two instants it was
        const diff = Date.parse(b.order.createdAt) - Date.parse(a.order.createdAt);
        expect(diff === 0 || (Math.abs(diff) === 3_600_000 && /-10-2[5-9]T/.test(a.order.createdAt))).toBe(true);
        expect(a.order.channelStatus).toBe(status);
      }
    }
  });
});
