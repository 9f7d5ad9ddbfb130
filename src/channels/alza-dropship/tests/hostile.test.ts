/** Hostile and oversized bodies: refused early (400/413), in bounded time, without any effect. */
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOrders } from '../../../core/store/orders.ts';
import { computeToken, signatureMessage } from '../hmac.ts';
import { formatTimestamp } from '../protocol.ts';
import { setStock } from '../stock.ts';
import { canonical, startHarness, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await setStock(h.store, h.config, [{ code: '1E5', ean: '0012345678905', name: 'Kód jako číslo', quantity: 5, price: '0.10' }]);
});
afterAll(async () => {
  await h.close();
});

/** A correctly signed URL for an Insert of `order` with `timestamp`. */
function signedUrl(order: string, timestamp: string): string {
  const path = new URL(`${h.server.supplierApiUrl}/order/${order}`).pathname;
  const token = computeToken(h.config.secret, signatureMessage({ client: h.config.customerId, method: 'POST', path, timestamp }));
  return `${h.server.supplierApiUrl}/order/${order}?token=${encodeURIComponent(token)}`;
}

async function post(url: string, body: string | Readable, contentType: string) {
  const res = await request(url, { method: 'POST', body, headers: { 'content-type': contentType } });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

describe('oversized bodies', () => {
  it('answers 413 above 1 MiB, with or without Content-Length, JSON and XML', async () => {
    await h.projections.flush();
    const before = await countOrders(h.store.db);
    const ts = formatTimestamp(new Date());
    const big = JSON.stringify({ customerId: 1, timestamp: ts, pad: 'x'.repeat(1_100_000) });
    const json = await post(signedUrl('DD1', ts), big, 'application/json');
    expect(json.status).toBe(413);
    expect(JSON.parse(json.text)).toEqual({ errorCode: -2, errorMessage: 'The body is larger than 1048576 bytes' });
    const xml = await post(signedUrl('DD1', ts), `<InsertOrderData><pad>${'x'.repeat(1_100_000)}</pad></InsertOrderData>`, 'application/xml');
    expect(xml.status).toBe(413);
    expect(xml.text).toContain('<errorCode>InvalidInput</errorCode>');
    async function* chunks() {
      for (let i = 0; i < 40; i++) yield Buffer.alloc(64 * 1024, 0x61);
    }
    const chunked = await post(signedUrl('DD1', ts), Readable.from(chunks()), 'application/json');
    expect(chunked.status).toBe(413);
    await h.projections.flush();
    expect(await countOrders(h.store.db)).toBe(before);
  });
});

describe('hostile XML', () => {
  it('refuses a billion-laughs DOCTYPE before expanding anything (400)', async () => {
    const lol = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)].join('');
    const bomb = `<?xml version="1.0"?><!DOCTYPE InsertOrderData [${lol}]><InsertOrderData><customerId>1</customerId><regNo>&lol9;</regNo></InsertOrderData>`;
    const r = await post(signedUrl('DD2', formatTimestamp(new Date())), bomb, 'application/xml');
    expect(r.status).toBe(400);
    expect(r.text).toContain('<errorCode>InvalidInput</errorCode><errorMessage>DOCTYPE and ENTITY declarations are not allowed</errorMessage>');
  });

  it('refuses external entities, undefined entities, deep nesting and prototype names', async () => {
    const ts = formatTimestamp(new Date());
    const xxe = await post(signedUrl('DD3', ts), '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', 'text/xml');
    expect(xxe.status).toBe(400);
    expect(xxe.text).not.toContain('root:');
    const undef = await post(signedUrl('DD3', ts), `<InsertOrderData><customerId>1</customerId><timestamp>${ts}</timestamp><regNo>&x;</regNo></InsertOrderData>`, 'application/xml');
    expect(undef.status).toBe(400);
    expect(undef.text).toContain('entity &amp;x; is not allowed');
    const deep = await post(signedUrl('DD3', ts), `${'<a>'.repeat(60)}1${'</a>'.repeat(60)}`, 'application/xml');
    expect(deep.status).toBe(400);
    const proto = await post(signedUrl('DD3', ts), '<a><__proto__><x>1</x></__proto__></a>', 'application/xml');
    expect(proto.status).toBe(400);
    const json = await post(signedUrl('DD3', ts), '{"customerId":1,"__proto__":{"admin":true}}', 'application/json');
    expect(json.status).toBe(400);
    expect(JSON.parse(json.text).errorMessage).toMatch(/__proto__/);
  });

  it('parses a body near the cap full of character references in bounded time', async () => {
    const ts = formatTimestamp(new Date());
    const refs = '&#65;'.repeat(190_000);
    const r = await post(signedUrl('DD4', ts), `<InsertOrderData><customerId>1</customerId><timestamp>${ts}</timestamp><regNo>${refs}</regNo></InsertOrderData>`, 'application/xml');
    expect(r.status).toBe(400); // authenticated, then regNo is far longer than 30 characters
    expect(r.text).toContain('regNo: must have at most 30 characters');
  });

  it('keeps codes, postcodes and ids exact in a well-formed XML order', async () => {
    const order = 'DD90000099';
    const r = await h.sim.driver.placeOrder({ orderNumber: order, format: 'xml', items: [{ code: '1E5', quantity: 1, price: '0.10', orderItemId: '0000000000000000042' }] });
    expect(r.status).toBe(201);
    const c = await h.sim.driver.confirm(order, { deliveryAddress: { addressName: 'Jan', streetWithNumber: 'Husova 5', city: 'Brno', country: 'CZ', zip: '00012', phone: '007', email: 'j@e.cz' } }, { format: 'xml' });
    expect(c.errorCode).toBe(0);
    const o = await canonical(h, order);
    expect(o!.items[0]).toMatchObject({ sku: '1E5', lineId: '42', unitPriceNet: '0.10' });
    expect(o!.shippingAddress).toMatchObject({ postalCode: '00012', phone: '007' });
  });
});
