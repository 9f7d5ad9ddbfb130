import { describe, expect, it } from 'vitest';
import { mappedOrderSchema } from '../../../core/canonical/order.ts';
import { wallTimeToUtc } from '../../../core/canonical/time.ts';
import { ALZA_STATES, parseWireTime } from '../schemas.ts';
import { fromBound, toBound } from '../filters.ts';
import { mapAlzaOrder, shippingMethodOf } from '../mapping.ts';
import { ALZA_STATUS_TABLE } from '../status-map.ts';
import { AlzaGenerator } from '../simulator/generator.ts';

const ZONE = 'Europe/Prague';

function confirmedOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderNumber: '5203698741',
    created: '2025-07-01T10:15:42',
    state: 'AwaitingLabelCreation',
    market: 'CZ',
    currency: 'CZK',
    totalPriceWithVat: 1597.1,
    items: [
      { orderItemId: 91234567, code: 'NB-65W-GAN', alzaCode: 'NABA0651', ean: '8594001234567', name: 'Nabíječka USB-C 65W', quantity: 2, unitPriceWithVat: 499.1, vatRate: 21 },
      { orderItemId: 91234568, code: 'KN-POH-01', alzaCode: 'KNIH0POH', ean: null, name: 'Pohádky', quantity: 1, unitPriceWithVat: '598.90', vatRate: 12 },
    ],
    customer: { name: 'Jan Novák', email: 'jan.novak@seznam.cz', phone: '+420601234567', companyName: 'Stavby Novák s.r.o.', companyId: '12345678', vatId: 'CZ12345678' },
    deliveryAddress: {
      addressName: 'Jan Novák', companyName: 'Stavby Novák s.r.o.', streetWithNumber: 'Vinohradská 12/3', city: 'Praha',
      zip: '12000', country: 'cz', phone: '+420601234567', email: 'jan.novak@seznam.cz', note: 'Prosím volat předem',
    },
    carrier: { code: 'PPL', deliveryType: 'PPLPARCELSHOP' },
    shipmentDepartureTime: '2025-07-02T16:00:00',
    trackingNumber: null,
    ...overrides,
  };
}

describe('mapAlzaOrder', () => {
  it('maps a confirmed order to exact canonical values', () => {
    const { order, warnings } = mapAlzaOrder(confirmedOrder(), ZONE);
    expect(warnings).toEqual([]);
    expect(mappedOrderSchema.parse(order)).toEqual(order);
    expect(order).toEqual({
      externalId: '5203698741',
      number: null,
      createdAt: '2025-07-01T08:15:42.000Z', // CEST = UTC+2
      status: 'confirmed',
      channelStatus: 'AwaitingLabelCreation',
      currency: 'CZK',
      totals: { items: '1597.10', shipping: null, total: '1597.10', taxIncluded: true },
      paid: null,
      paymentMethod: null,
      shippingMethod: 'PPL/PPLPARCELSHOP',
      trackingNumbers: [],
      customer: { name: 'Jan Novák', email: 'jan.novak@seznam.cz', phone: '+420601234567', company: 'Stavby Novák s.r.o.', companyId: '12345678', vatId: 'CZ12345678' },
      billingAddress: null,
      shippingAddress: {
        name: 'Jan Novák', company: 'Stavby Novák s.r.o.', street: 'Vinohradská 12/3', city: 'Praha', postalCode: '12000',
        country: 'CZ', phone: '+420601234567', email: 'jan.novak@seznam.cz',
      },
      items: [
        { lineId: '91234567', sku: 'NB-65W-GAN', ean: '8594001234567', name: 'Nabíječka USB-C 65W', quantity: '2', unitPriceNet: null, unitPriceGross: '499.10', vatRate: '21', totalNet: null, totalGross: '998.20' },
        { lineId: '91234568', sku: 'KN-POH-01', ean: null, name: 'Pohádky', quantity: '1', unitPriceNet: null, unitPriceGross: '598.90', vatRate: '12', totalNet: null, totalGross: '598.90' },
      ],
      note: 'Prosím volat předem',
    });
  });

  it('sums money exactly (no float drift)', () => {
    const { order } = mapAlzaOrder(
      confirmedOrder({
        totalPriceWithVat: 0.3,
        items: [
          { orderItemId: 1, code: 'A', name: 'a', quantity: 1, unitPriceWithVat: 0.1, vatRate: 21 },
          { orderItemId: 2, code: 'B', name: 'b', quantity: 1, unitPriceWithVat: 0.2, vatRate: 21 },
        ],
      }),
      ZONE,
    );
    expect(order.totals).toEqual({ items: '0.30', shipping: null, total: '0.30', taxIncluded: true });
  });

  it('maps a Waiting order as new with no recipient details (null, not guessed)', () => {
    const { order, warnings } = mapAlzaOrder(
      confirmedOrder({ state: 'Waiting', customer: null, deliveryAddress: null, carrier: null, shipmentDepartureTime: null }),
      ZONE,
    );
    expect(warnings).toEqual([]);
    expect(order.status).toBe('new');
    expect(order.customer).toEqual({ name: null, email: null, phone: null, company: null, companyId: null, vatId: null });
    expect(order.shippingAddress).toBeNull();
    expect(order.shippingMethod).toBeNull();
    expect(order.note).toBeNull();
    expect(order.items).toHaveLength(2);
  });

  it('converts Prague wall time with DST: winter, summer, the autumn repeat and the spring gap', () => {
    const at = (created: string) => mapAlzaOrder(confirmedOrder({ created }), ZONE).order.createdAt;
    expect(at('2025-01-15T10:00:00')).toBe('2025-01-15T09:00:00.000Z');
    expect(at('2025-07-15T10:00:00')).toBe('2025-07-15T08:00:00.000Z');
    // 02:30 happens twice on 2025-10-26 (00:30Z CEST and 01:30Z CET): a wall time cannot say which;
    // the mapping resolves it exactly as the core's wallTimeToUtc does (see README: it takes the CET one)
    expect(['2025-10-26T00:30:00.000Z', '2025-10-26T01:30:00.000Z']).toContain(at('2025-10-26T02:30:00'));
    expect(at('2025-10-26T02:30:00')).toBe(wallTimeToUtc('2025-10-26 02:30:00', ZONE));
    expect(at('2025-10-26T03:30:00')).toBe('2025-10-26T02:30:00.000Z');
    // 02:30 does not exist on 2025-03-30 (clocks jump 02:00 → 03:00): resolved as the core does it
    expect(at('2025-03-30T02:30:00')).toBe(wallTimeToUtc('2025-03-30 02:30:00', ZONE));
    expect(at('2025-03-30T03:00:00')).toBe('2025-03-30T01:00:00.000Z');
    expect(at('2025-03-30T01:59:59')).toBe('2025-03-30T00:59:59.000Z');
    // an explicit offset and a .NET 7-digit fraction are honoured as sent
    expect(at('2025-07-15T10:00:00+02:00')).toBe('2025-07-15T08:00:00.000Z');
    expect(at('2025-07-15T10:00:00.1234567')).toBe('2025-07-15T08:00:00.123Z');
    expect(at('2025-07-15T08:00:00Z')).toBe('2025-07-15T08:00:00.000Z');
  });

  it('maps every documented state by the table, and an unknown one to on_hold with a warning', () => {
    const expected = {
      Waiting: 'new', AwaitingLabelCreation: 'confirmed', Shipped: 'shipped', Delivered: 'delivered',
      Cancelled: 'cancelled', CancelledAfterShipment: 'returned',
    };
    expect(ALZA_STATUS_TABLE).toEqual(expected);
    for (const [state, status] of Object.entries(expected)) {
      expect(mapAlzaOrder(confirmedOrder({ state }), ZONE).order.status).toBe(status);
    }
    const { order, warnings } = mapAlzaOrder(confirmedOrder({ state: 'PartiallyReturned' }), ZONE);
    expect(order.status).toBe('on_hold');
    expect(order.channelStatus).toBe('PartiallyReturned');
    expect(warnings).toEqual(['AlzaTrade order 5203698741: unknown state "PartiallyReturned" (not in the mapping table); mapped to on_hold']);
  });

  it('keeps tracking numbers, EUR orders and numeric ids as strings', () => {
    const { order } = mapAlzaOrder(
      confirmedOrder({ orderNumber: 5203698741, state: 'Shipped', currency: 'eur', totalPriceWithVat: 35.9, trackingNumber: '40512345678', items: [{ orderItemId: 7, code: 'X', name: 'x', quantity: 1, unitPriceWithVat: 35.9, vatRate: 23 }] }),
      ZONE,
    );
    expect(order.externalId).toBe('5203698741');
    expect(order.currency).toBe('EUR');
    expect(order.trackingNumbers).toEqual(['40512345678']);
    expect(order.totals.total).toBe('35.90');
    expect(order.items[0]!.vatRate).toBe('23');
  });

  it('throws on a malformed order, naming the field and the value', () => {
    expect(() => mapAlzaOrder(confirmedOrder({ created: '31.12.2024 25:61' }), ZONE)).toThrow(
      /malformed AlzaTrade order 5203698741: created: "31.12.2024 25:61" is not a date-time/,
    );
    expect(() => mapAlzaOrder(confirmedOrder({ state: undefined }), ZONE)).toThrow(/malformed AlzaTrade order "5203698741": state: .*\(missing\)/);
    expect(() => mapAlzaOrder(confirmedOrder({ items: [{ orderItemId: 1, quantity: 'two' }] }), ZONE)).toThrow(/items\[0\]\.quantity: .*\(got "two"\)/);
    expect(() => mapAlzaOrder({ created: '2025-01-01T00:00:00' }, ZONE)).toThrow(/orderNumber/);
  });

  it('reports an invalid country instead of storing it', () => {
    const wire = confirmedOrder();
    (wire.deliveryAddress as Record<string, unknown>).country = 'Czechia';
    const { order, warnings } = mapAlzaOrder(wire, ZONE);
    expect(order.shippingAddress?.country).toBeNull();
    expect(warnings).toEqual(['deliveryAddress.country: "Czechia" is not an ISO 3166-1 alpha-2 country code; left empty']);
  });

  it('maps every generated simulator order into a valid canonical order', () => {
    const gen = new AlzaGenerator(7);
    const base = Date.parse('2025-03-29T20:00:00Z') / 1000;
    for (let i = 0; i < 300; i++) {
      const state = Object.values(ALZA_STATES)[i % 6]!;
      const details = state !== 'Waiting';
      const { order, warnings } = mapAlzaOrder(gen.wireOrder({ index: i, createdSec: base + i * 600, state, details }), ZONE);
      expect(warnings).toEqual([]);
      expect(mappedOrderSchema.safeParse(order).success).toBe(true);
      expect(order.externalId).toBe(gen.orderNumber(i));
      expect(order.createdAt).toBe(new Date((base + i * 600) * 1000).toISOString());
      expect(order.shippingAddress === null).toBe(!details);
    }
  });
});

describe('shippingMethodOf', () => {
  it('joins carrier code and delivery type without repeating', () => {
    expect(shippingMethodOf('PPL', 'PPL')).toBe('PPL');
    expect(shippingMethodOf('ALZA', 'ALZABOX')).toBe('ALZA/ALZABOX');
    expect(shippingMethodOf(null, 'ALZABOX')).toBe('ALZABOX');
    expect(shippingMethodOf(null, null)).toBeNull();
  });
});

describe('time filters', () => {
  it('carry the explicit offset of the instant, widen the window to whole seconds and never narrow it', () => {
    expect(fromBound(new Date('2025-07-01T08:15:42.750Z'), ZONE)).toBe('2025-07-01T10:15:42+02:00');
    expect(toBound(new Date('2025-07-01T08:15:42.250Z'), ZONE)).toBe('2025-07-01T10:15:44+02:00');
    expect(toBound(new Date('2025-07-01T08:15:42.000Z'), ZONE)).toBe('2025-07-01T10:15:43+02:00');
  });

  it('move one more hour outwards around a DST switch, so either reading of an ambiguous time covers the window', () => {
    // 00:30Z on 2025-10-26 is 02:30 CEST, a wall time that repeats: the bound moves before the repeat
    const from = fromBound(new Date('2025-10-26T00:30:00Z'), ZONE);
    expect(from).toBe('2025-10-26T01:30:00+02:00');
    expect(Date.parse(parseWireTime(from, ZONE))).toBeLessThanOrEqual(Date.parse('2025-10-26T00:30:00Z'));
    // 01:30Z is the second 02:30 (CET): the upper bound moves past the repeat
    const to = toBound(new Date('2025-10-26T01:30:00Z'), ZONE);
    expect(Date.parse(parseWireTime(to, ZONE))).toBeGreaterThan(Date.parse('2025-10-26T01:30:00Z'));
    expect(to).toBe('2025-10-26T03:30:01+01:00');
  });
});
