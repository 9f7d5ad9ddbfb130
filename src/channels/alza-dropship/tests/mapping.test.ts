/** The push connector and the record → canonical mapping, without HTTP. */
import { describe, expect, it } from 'vitest';
import { mappedOrderSchema } from '../../../core/canonical/order.ts';
import { createDropshipConnector, PushChannelError } from '../connector.ts';
import { alzaDropshipChannel } from '../index.ts';
import { mapDropshipRecord } from '../mapping.ts';
import type { DropshipOrderRecord } from '../record.ts';
import { confirmRequestSchema, insertRequestSchema } from '../schemas.ts';
import { DROPSHIP_STATUS_TABLE } from '../status-map.ts';

function record(overrides: Partial<DropshipOrderRecord> = {}): DropshipOrderRecord {
  return {
    orderNumber: 'DD14298199',
    supplierOrder: 'OH250601ABCDEFGH',
    state: 'reserved',
    orderedAt: '2025-06-01T17:33:43.513Z',
    receivedAt: '2025-06-01T17:33:44.000Z',
    validUntil: '2025-07-01T17:33:44.000Z',
    insert: insertRequestSchema.parse({
      timestamp: '2025-06-01T19:33:43.513', customerId: 1, supplierId: 4242, supplierBranchId: 1, itemsPriceCurrency: 'CZK', regNo: '27082440',
      orderItems: [
        { orderItemId: '9223372036854775807', code: 'ntb-1', quantity: 2, purchasePriceWithoutFees: 10000.1, fees: { copyright: 12.5, recycling: '8' } },
        { orderItemId: 2, code: 'KAB', quantity: 3, purchasePriceWithoutFees: '0.10' },
      ],
    }),
    products: { 'ntb-1': { code: 'NTB-1', ean: '8590000000011', name: 'Notebook' }, kab: { code: 'KAB', ean: null, name: 'Kabel' } },
    confirm: null, confirmedAt: null, cancelledAt: null, cancelReason: null, shipment: null, departedAt: null, tracking: [], delivery: null,
    ...overrides,
  };
}

const confirm = confirmRequestSchema.parse({
  timestamp: '2025-06-01T20:00:00.000', customerId: 1, vatNo: 'CZ27082440',
  shippingCarrier: { shippingCarrierCode: 'DPD', shippingCarrierDeliveryType: 'DPD' },
  shipmentDeliveryType: 'B2C', shipmentShippingMode: 'Supplier', shipmentDepartureTime: '2025-06-02T14:00:00.000',
  paymentVS: '14298199',
  deliveryAddress: { companyName: 'Firma s.r.o.', streetWithNumber: 'Husova 5', city: 'Brno', country: 'CZ', zip: '60200', phone: '+420600000000', email: 'f@firma.cz' },
});

describe('push connector', () => {
  it('is a push channel whose fetchPage says so', async () => {
    expect(alzaDropshipChannel.capabilities).toEqual({ pull: false, push: true, writeBack: { status: false, tracking: false, documents: false } });
    expect(alzaDropshipChannel.secretFields).toEqual(['secret']);
    const c = createDropshipConnector();
    await expect(c.fetchPage({ kind: 'all' }, { index: 0, offset: 0, size: 1, token: null }, new AbortController().signal)).rejects.toThrow(PushChannelError);
    await expect(c.fetchPage({ kind: 'all' }, { index: 0, offset: 0, size: 1, token: null }, new AbortController().signal)).rejects.toThrow(/alza-dropship is a push channel/);
    expect(c.externalIdOf(record())).toBe('DD14298199');
    expect(c.externalIdOf({})).toBeNull();
  });

  it('defaults baseUrl to the Buyer API URL and requires the protocol fields', () => {
    const cfg = alzaDropshipChannel.configSchema.parse({ name: 'a', kind: 'alza-dropship', customerId: 1, supplierId: 2, supplierBranchId: 3, secret: 's', buyerApiUrl: 'https://buyer.example/api/v1' });
    expect(cfg.baseUrl).toBe('https://buyer.example/api/v1');
    const bad = alzaDropshipChannel.configSchema.safeParse({ name: 'a', kind: 'alza-dropship', customerId: 0, supplierBranchId: 3, buyerApiUrl: 'nope' });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['customerId', 'supplierId', 'secret', 'buyerApiUrl']));
  });
});

describe('mapping', () => {
  it('a reservation is a new order without address; totals are net, fees added to total', () => {
    const { order, warnings } = mapDropshipRecord(record());
    expect(warnings).toEqual([]);
    expect(mappedOrderSchema.parse(order)).toEqual(order);
    expect(order).toMatchObject({
      externalId: 'DD14298199', number: 'DD14298199', createdAt: '2025-06-01T17:33:43.513Z', status: 'new', channelStatus: 'reserved',
      currency: 'CZK', paid: null, paymentMethod: null, shippingMethod: null, shippingAddress: null, billingAddress: null,
      customer: { name: null, email: null, phone: null, company: null, companyId: '27082440', vatId: null },
      // 2 × 10000.10 + 3 × 0.10 = 20000.50; fees 2 × (12.50 + 8.00) = 41.00
      totals: { items: '20000.50', shipping: null, total: '20041.50', taxIncluded: false },
    });
    expect(order.items).toEqual([
      { lineId: '9223372036854775807', sku: 'ntb-1', ean: '8590000000011', name: 'Notebook', quantity: '2', unitPriceNet: '10000.10', unitPriceGross: null, vatRate: null, totalNet: '20000.20', totalGross: null },
      { lineId: '2', sku: 'KAB', ean: null, name: 'Kabel', quantity: '3', unitPriceNet: '0.10', unitPriceGross: null, vatRate: null, totalNet: '0.30', totalGross: null },
    ]);
    expect(order.note).toBe('Alza dropship: supplier order OH250601ABCDEFGH; reserved until 2025-07-01T19:33:44.000 (Prague time)');
  });

  it('a confirmed prepaid order to a company', () => {
    const { order } = mapDropshipRecord(record({ state: 'confirmed', confirm, confirmedAt: '2025-06-01T18:00:00.000Z' }));
    expect(order).toMatchObject({
      status: 'confirmed', paid: true, paymentMethod: 'prepaid', shippingMethod: 'DPD DPD',
      customer: { name: null, company: 'Firma s.r.o.', companyId: '27082440', vatId: 'CZ27082440' },
      shippingAddress: { name: null, company: 'Firma s.r.o.', street: 'Husova 5', city: 'Brno', postalCode: '60200', country: 'CZ', phone: '+420600000000', email: 'f@firma.cz' },
    });
    expect(order.note).toBe('Alza dropship: supplier order OH250601ABCDEFGH; departure 2025-06-02T14:00:00.000 (Prague time); B2C delivery, Supplier shipping mode; VS 14298199');
  });

  it('maps every state by the table, and an unknown one to on_hold with a warning', () => {
    expect(DROPSHIP_STATUS_TABLE).toEqual({
      reserved: 'new', confirmed: 'confirmed', shipment_created: 'processing', departed: 'shipped', delivered: 'delivered',
      rejected: 'returned', cancelled: 'cancelled', expired: 'cancelled',
    });
    const odd = mapDropshipRecord(record({ state: 'teleported' as never }));
    expect(odd.order.status).toBe('on_hold');
    expect(odd.warnings).toEqual(['unknown dropship state "teleported" mapped to on_hold']);
    const shipped = mapDropshipRecord(record({
      state: 'departed', confirm, shipment: { number: 'S1', createdAt: '2025-06-02T12:00:00.000Z', packages: [{ packageId: null, number: 'P1', fullNumber: 'CZP1', ttUrl: null, weight: '1' }, { packageId: null, number: 'P2', fullNumber: null, ttUrl: null, weight: '1' }] },
    }));
    expect(shipped.order).toMatchObject({ status: 'shipped', trackingNumbers: ['CZP1', 'P2'] });
  });

  it('throws on a damaged record (the core quarantines it)', () => {
    expect(() => mapDropshipRecord({ orderNumber: 'DD1' })).toThrow(/dropship order record is malformed at supplierOrder/);
    expect(() => mapDropshipRecord(record({ orderedAt: 'yesterday' }))).toThrow(/orderedAt/);
  });
});
