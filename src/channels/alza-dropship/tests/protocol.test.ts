/** Pure pieces of the protocol: HMAC token, timestamps, exact JSON numbers, XML reading, resend intervals. */
import { describe, expect, it } from 'vitest';
import { computeToken, rawTokenFromUrl, signatureMessage, tokensEqual, verifyToken } from '../hmac.ts';
import { jsonNumber, parseJsonBody, quoteUnsafeNumbers, stringifyJson } from '../json.ts';
import {
  RESEND_INTERVALS, earliestNextSend, errorCodeName, formatTimestamp, parseErrorCode, parseTimestamp, violatesResendLimit,
} from '../protocol.ts';
import { confirmRequestSchema, answerIssues, insertRequestSchema, productKey } from '../schemas.ts';
import { decodeXmlText, parseXmlBody, writeXml } from '../xml.ts';

describe('HMAC token [DOC Authentication]', () => {
  it('reproduces the documented example', () => {
    const message = signatureMessage({ client: 1, method: 'post', path: '/rest/api/v1/order/DD12345678/delivery', timestamp: '2025-06-01T19:33:43.513' });
    expect(message).toBe('1+POST+/rest/api/v1/order/DD12345678/delivery+2025-06-01T19:33:43.513');
    expect(computeToken('s3Cr37!', message)).toBe('jDGARg+SaXMa8Ib++O92+ZX3ITQ=');
  });

  it('upper-cases the timestamp (keeps the T) and keeps the path casing', () => {
    expect(signatureMessage({ client: 7, method: 'delete', path: '/Dropship/alza/v1/order/dd1', timestamp: '2025-06-01t19:33:43.513' }))
      .toBe('7+DELETE+/Dropship/alza/v1/order/dd1+2025-06-01T19:33:43.513');
  });

  it('reads the token from the raw URL in both encodings, and a + turned into a space', () => {
    const token = 'jDGARg+SaXMa8Ib++O92+ZX3ITQ=';
    expect(rawTokenFromUrl(`/x?token=${encodeURIComponent(token)}`)).toBe(token); // ...%2B...%3D
    expect(rawTokenFromUrl(`/x?token=${token}`)).toBe(token); // ...+...= as is
    expect(rawTokenFromUrl('/x?token=jDGARg%2BSaXMa8Ib%2B%2BO92%2BZX3ITQ=')).toBe(token); // mixed
    expect(rawTokenFromUrl('/x?a=1&token=jDGARg SaXMa8Ib  O92 ZX3ITQ%3D')).toBe(token);
    expect(rawTokenFromUrl('/x?Token=abc')).toBe('abc');
  });

  it('refuses an absent, empty, repeated or malformed token', () => {
    expect(rawTokenFromUrl('/x')).toBeNull();
    expect(rawTokenFromUrl('/x?token=')).toBeNull();
    expect(rawTokenFromUrl('/x?token=a&token=a')).toBeNull();
    expect(rawTokenFromUrl('/x?token=%E0%A4%A')).toBeNull();
  });

  it('compares in constant time and survives a wrong length', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abd', 'abc')).toBe(false);
    expect(tokensEqual('ab', 'abc')).toBe(false);
    expect(verifyToken('s3Cr37!', 'm', null)).toBe(false);
    expect(verifyToken('s3Cr37!', 'm', computeToken('s3Cr37!', 'm'))).toBe(true);
    expect(verifyToken('other', 'm', computeToken('s3Cr37!', 'm'))).toBe(false);
  });
});

describe('Timestamp: CET wall time without offset (Europe/Prague, DST included)', () => {
  it('formats and parses in winter and summer', () => {
    expect(formatTimestamp(new Date('2025-01-15T10:00:00.123Z'))).toBe('2025-01-15T11:00:00.123');
    expect(formatTimestamp(new Date('2025-07-15T10:00:00.000Z'))).toBe('2025-07-15T12:00:00.000');
    expect(parseTimestamp('2025-06-01T19:33:43.513')).toBe('2025-06-01T17:33:43.513Z');
    expect(parseTimestamp('2025-12-01T19:33:43')).toBe('2025-12-01T18:33:43.000Z');
  });

  it('reads 7 fraction digits (WCF) and refuses other shapes', () => {
    expect(parseTimestamp('2025-06-01T19:33:43.5130000')).toBe('2025-06-01T17:33:43.513Z');
    expect(() => parseTimestamp('2025-06-01 19:33:43')).toThrow(/Timestamp/);
    expect(() => parseTimestamp('2025-06-01T19:33:43+02:00')).toThrow(/Timestamp/);
  });

  it('resolves the autumn overlap and spring gap the core way', () => {
    expect(parseTimestamp('2025-10-26T02:30:00.000')).toBe('2025-10-26T01:30:00.000Z');
    expect(parseTimestamp('2025-03-30T02:30:00.000')).toBe('2025-03-30T01:30:00.000Z');
  });
});

describe('error codes: numbers in JSON, K2 enum names in XML', () => {
  it('maps both ways', () => {
    expect(errorCodeName(0)).toBe('Success');
    expect(errorCodeName(-3)).toBe('OutOfStock');
    expect(errorCodeName(-5)).toBe('OperationRejected');
    expect(parseErrorCode('InvalidInput')).toBe(-2);
    expect(parseErrorCode('-7')).toBe(-7);
    expect(parseErrorCode(-4)).toBe(-4);
    expect(parseErrorCode('Nope')).toBeNull();
  });
});

describe('exact JSON numbers', () => {
  it('keeps Id64 and long decimals exact when parsing, leaves strings alone', () => {
    const text = '{"a":9223372036854775807,"b":12.5,"c":"9223372036854775807","d":[1,-9007199254740993],"e":0.1000000000000000055511}';
    expect(quoteUnsafeNumbers(text)).toBe('{"a":"9223372036854775807","b":12.5,"c":"9223372036854775807","d":[1,"-9007199254740993"],"e":"0.1000000000000000055511"}');
    const parsed = parseJsonBody(text) as Record<string, unknown>;
    expect(parsed.a).toBe('9223372036854775807');
    expect(parsed.b).toBe(12.5);
  });

  it('refuses prototype keys and invalid JSON', () => {
    expect(() => parseJsonBody('{"__proto__":{"x":1}}')).toThrow(/__proto__/);
    expect(() => parseJsonBody('{"a":{"constructor":1}}')).toThrow(/constructor/);
    expect(() => parseJsonBody('{"a":{"constructor":{"prototype":{}}}}')).toThrow(/prototype/);
    expect(() => parseJsonBody('{"a":')).toThrow(/not valid JSON/);
  });

  it('writes exact numbers', () => {
    expect(stringifyJson({ id: jsonNumber('9223372036854775807'), price: jsonNumber('199.90'), s: 'x' })).toBe('{"id":9223372036854775807,"price":199.90,"s":"x"}');
  });
});

describe('XML bodies', () => {
  it('keeps values as exact strings and items as arrays (one or many)', () => {
    const one = parseXmlBody('<InsertOrderData xmlns="K2.Dropship.Alza"><customerId>0042</customerId><orderItems><InsertOrderDataItem><code>1E5</code><orderItemId>9223372036854775807</orderItemId><alzaBarCodes><string xmlns="http://schemas.microsoft.com/2003/10/Serialization/Arrays">0x1F</string></alzaBarCodes></InsertOrderDataItem></orderItems></InsertOrderData>');
    expect(one.root).toBe('InsertOrderData');
    expect(one.value).toEqual({ customerId: '0042', orderItems: [{ code: '1E5', orderItemId: '9223372036854775807', alzaBarCodes: ['0x1F'] }] });
    const two = parseXmlBody('<a><orderItems><i><code>A</code></i><i><code>B</code></i></orderItems><alzaBarCodes/></a>');
    expect(two.value).toEqual({ orderItems: [{ code: 'A' }, { code: 'B' }], alzaBarCodes: [] });
  });

  it('decodes the predefined entities and character references only', () => {
    expect(decodeXmlText('Smith &amp; Co &lt;1&gt; &#x41;&#66; &quot;&apos;')).toBe('Smith & Co <1> AB "\'');
    expect(() => decodeXmlText('&foo;')).toThrow(/not allowed/);
    expect(() => decodeXmlText('a & b')).toThrow(/bare/);
    expect(() => decodeXmlText('&#0;')).toThrow(/legal/);
    expect(parseXmlBody('<a><street>A &amp; B</street></a>').value).toEqual({ street: 'A & B' });
  });

  it('reads WCF nil and empty elements as absent', () => {
    expect(parseXmlBody('<a xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><regNo i:nil="true"/><vatNo/></a>').value).toEqual({ regNo: null, vatNo: '' });
  });

  it('refuses DOCTYPE, entities, malformed documents, several roots and repeated fields', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
    expect(() => parseXmlBody(bomb)).toThrow(/DOCTYPE/);
    expect(() => parseXmlBody('<!doctype a SYSTEM "file:///etc/passwd"><a/>')).toThrow(/DOCTYPE/);
    expect(() => parseXmlBody('<a><b>x</a>')).toThrow(/well-formed/);
    expect(() => parseXmlBody('<a/><b/>')).toThrow(/one root/);
    expect(() => parseXmlBody('<a><code>1</code><code>2</code></a>')).toThrow(/more than once/);
    expect(() => parseXmlBody('<a><__proto__>1</__proto__></a>')).toThrow();
  });

  it('writes answers with escaping and lists', () => {
    expect(writeXml('R', { errorCode: 'Success', errorMessage: 'a<b & "c"', list: { item: 'P', values: [{ code: 'X' }] } }))
      .toBe('<?xml version="1.0" encoding="utf-8"?><R xmlns="K2.Dropship.Alza"><errorCode>Success</errorCode><errorMessage>a&lt;b &amp; &quot;c&quot;</errorMessage><list><P><code>X</code></P></list></R>');
  });
});

describe('request schemas', () => {
  const insert = {
    timestamp: '2025-06-01T19:33:43.513', customerId: 1, supplierId: 2, supplierBranchId: 3, itemsPriceCurrency: 'CZK',
    orderItems: [{ orderItemId: '9223372036854775807', code: ' ab-1 ', quantity: 2, purchasePriceWithoutFees: 12.5 }],
  };

  it('normalises JSON and XML forms to the same content', () => {
    const fromJson = insertRequestSchema.parse(insert);
    const fromXml = insertRequestSchema.parse({
      ...insert, customerId: '1', supplierId: '2', supplierBranchId: '3',
      orderItems: [{ orderItemId: '9223372036854775807', code: 'ab-1', quantity: '2', purchasePriceWithoutFees: '12.50' }],
    });
    expect(fromXml).toEqual(fromJson);
    expect(fromJson.orderItems[0]).toMatchObject({ orderItemId: '9223372036854775807', code: 'ab-1', quantity: 2, purchasePriceWithoutFees: '12.5' });
  });

  it('reads K2\'s ItemsPriceCountry', () => {
    expect(insertRequestSchema.parse({ ...insert, ItemsPriceCountry: 'SK' }).itemsPriceCountry).toBe('SK');
  });

  it('names the field of the first problem', () => {
    const bad = insertRequestSchema.safeParse({ ...insert, itemsPriceCurrency: 'czk', orderItems: [{ ...insert.orderItems[0], quantity: 0 }] });
    expect(bad.success).toBe(false);
    expect(answerIssues(bad.error!)).toMatch(/itemsPriceCurrency: must be an ISO 4217/);
    expect(answerIssues(bad.error!)).toMatch(/orderItems\[0\]\.quantity: must be at least 1/);
    const missing = insertRequestSchema.safeParse({ ...insert, orderItems: undefined });
    expect(answerIssues(missing.error!)).toMatch(/orderItems: is required/);
    const dup = insertRequestSchema.safeParse({ ...insert, orderItems: [insert.orderItems[0], insert.orderItems[0]] });
    expect(answerIssues(dup.error!)).toMatch(/orderItems\[1\]\.orderItemId: .* is used by two items/);
  });

  it('checks the conditional Confirm rules', () => {
    const base = {
      timestamp: '2025-06-01T19:33:43.513', customerId: 1, shippingCarrier: { shippingCarrierCode: 'PPL', shippingCarrierDeliveryType: 'PPLPARCELSHOP' },
      shipmentDeliveryType: 'ParcelShop', shipmentShippingMode: 'Buyer', shipmentDepartureTime: '2025-06-02T14:00:00.000',
      cashOnDeliveryValue: 100, paymentVS: '123',
      deliveryAddress: { streetWithNumber: 'A 1', city: 'Praha', country: 'CZ', zip: '01234', phone: '+420', email: 'a@b.cz' },
    };
    const issues = answerIssues(confirmRequestSchema.safeParse(base).error!);
    expect(issues).toMatch(/parcelShop: is required when shipmentDeliveryType is ParcelShop/);
    expect(issues).toMatch(/deliveryAddress\.addressName: companyName or addressName is required/);
    expect(issues).toMatch(/cashOnDeliveryValueCurrency: is required/);
    const ok = confirmRequestSchema.parse({
      ...base, cashOnDeliveryValueCurrency: 'CZK', parcelShop: { parcelShopIdentification: 'PPLPARCELSHOP', parcelShopBranchCode: 'KM1' },
      deliveryAddress: { ...base.deliveryAddress, addressName: 'Jan' },
    });
    expect(ok.deliveryAddress.zip).toBe('01234');
    expect(confirmRequestSchema.safeParse({ ...ok, shipmentShippingMode: 'Alza' }).success).toBe(false);
  });

  it('treats product codes case-insensitively with outer spaces ignored', () => {
    expect(productKey('  MOB-01 ')).toBe(productKey('mob-01'));
    expect(productKey('Žluťoučký')).toBe('žluťoučký');
  });
});

describe('resend intervals [DOC]', () => {
  const t0 = Date.parse('2025-06-01T10:00:00Z');
  const min = 60_000;

  it('allows the short interval while at most 2 others were sent in the range, then the default', () => {
    const pace = RESEND_INTERVALS['availability.Update'];
    expect(earliestNextSend(pace, [], t0)).toBe(t0);
    expect(earliestNextSend(pace, [t0], t0)).toBe(t0 + 1 * min);
    expect(earliestNextSend(pace, [t0, t0 + min], t0 + min)).toBe(t0 + 2 * min);
    expect(earliestNextSend(pace, [t0, t0 + min, t0 + 2 * min], t0 + 2 * min)).toBe(t0 + 12 * min);
    // messages older than the observed range do not count
    expect(earliestNextSend(pace, [t0, t0 + min, t0 + 2 * min], t0 + 40 * min)).toBe(t0 + 40 * min);
  });

  it('is what the receiver checks', () => {
    const pace = RESEND_INTERVALS.delivery;
    expect(violatesResendLimit(pace, [t0], t0 + 4 * min)).toBe(true);
    expect(violatesResendLimit(pace, [t0], t0 + 5 * min)).toBe(false);
  });
});
