/**
 * XML bodies as K2's WCF service takes and gives them (K2's help pages): requests like
 * `<InsertOrderData xmlns="K2.Dropship.Alza">…</InsertOrderData>`, arrays as a wrapper element with one
 * child per item (`<orderItems><InsertOrderDataItem>…`, `<alzaBarCodes><string>…`), answers with the
 * error code as its enum NAME (`<errorCode>OutOfStock</errorCode>`).
 *
 * The input is untrusted, so (research §B3): any DOCTYPE/ENTITY declaration is refused before
 * parsing, the parser's entity expansion and value coercion are off (postcodes, product codes and
 * 19-digit ids stay exact strings), the document is validated strictly first (the parser alone
 * accepts unbalanced tags), and only the five predefined entities and character references are
 * decoded — by us, so nothing can expand beyond the input's size.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export class XmlBodyError extends Error {}

/** Elements whose content is a list: each child element is one item, whatever its name. */
const ARRAY_ELEMENTS = new Set([
  'orderItems', 'alzaBarCodes', 'errorProducts', 'routeStops', 'glnList', 'packages', 'items', 'serials',
  'productList', 'countryPrices',
]);

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 32,
});

const AMP_RE = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{0,30})?(;)?/g;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; anything else is an error. */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(AMP_RE, (_m, ref: string | undefined, semi: string | undefined) => {
    if (ref === undefined || semi === undefined) throw new XmlBodyError('a bare "&" is not allowed in XML text');
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      const legal = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0x10ffff && code !== 0xfffe && code !== 0xffff);
      if (!legal) throw new XmlBodyError(`character reference &${ref}; is not a legal XML character`);
      return String.fromCodePoint(code);
    }
    const v = PREDEFINED[ref];
    if (v === undefined) throw new XmlBodyError(`entity &${ref}; is not allowed (only the predefined XML entities are)`);
    return v;
  });
}

/** The root element's name and its content as plain objects, arrays and strings. */
export function parseXmlBody(text: string): { root: string; value: unknown } {
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new XmlBodyError('DOCTYPE and ENTITY declarations are not allowed');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlBodyError(`the body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new XmlBodyError(`the body could not be read as XML: ${(err as Error).message}`);
  }
  const roots = Object.keys(doc).filter((k) => !k.startsWith('?'));
  if (roots.length !== 1) throw new XmlBodyError(`the body must have exactly one root element (found ${roots.length})`);
  const root = roots[0]!;
  if (Array.isArray(doc[root])) throw new XmlBodyError('the body must have exactly one root element');
  return { root, value: toPlain(doc[root], root) };
}

function isNil(node: Record<string, unknown>): boolean {
  return node['@_nil'] === 'true';
}

/** fast-xml-parser's tree → what the JSON form of the same request would give (all scalars strings). */
function toPlain(node: unknown, name: string): unknown {
  if (typeof node === 'string') {
    const text = decodeXmlText(node);
    return ARRAY_ELEMENTS.has(name) && text === '' ? [] : text;
  }
  if (node === null || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  if (isNil(obj)) return null;
  const children = Object.keys(obj).filter((k) => !k.startsWith('@_') && k !== '#text');
  if (ARRAY_ELEMENTS.has(name)) {
    const items: unknown[] = [];
    for (const k of children) {
      const v = obj[k];
      for (const item of Array.isArray(v) ? v : [v]) items.push(toPlain(item, k));
    }
    return items;
  }
  if (children.length === 0) return typeof obj['#text'] === 'string' ? decodeXmlText(obj['#text']) : '';
  const out: Record<string, unknown> = {};
  for (const k of children) {
    const v = obj[k];
    if (Array.isArray(v)) throw new XmlBodyError(`element <${k}> appears more than once in <${name}>`);
    out[k] = toPlain(v, k);
  }
  return out;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A value in an answer: strings, numbers, booleans, nested elements, arrays of items. */
export type XmlValue = string | number | boolean | null | undefined | XmlElement | XmlList;
export interface XmlElement {
  [name: string]: XmlValue;
}
/** An array written as a wrapper with one `item` element per entry. */
export interface XmlList {
  item: string;
  values: XmlValue[];
}

function isList(v: XmlValue): v is XmlList {
  return typeof v === 'object' && v !== null && Array.isArray((v as XmlList).values) && typeof (v as XmlList).item === 'string';
}

function writeValue(name: string, v: XmlValue): string {
  if (v === undefined) return '';
  if (v === null) return `<${name}/>`;
  if (isList(v)) return `<${name}>${v.values.map((x) => writeValue(v.item, x)).join('')}</${name}>`;
  if (typeof v === 'object') return `<${name}>${Object.entries(v).map(([k, x]) => writeValue(k, x)).join('')}</${name}>`;
  return `<${name}>${escapeXml(String(v))}</${name}>`;
}

/** `<Root xmlns="K2.Dropship.Alza">…</Root>`; element order is the order of the object's keys. */
export function writeXml(root: string, body: XmlElement, namespace = 'K2.Dropship.Alza'): string {
  const inner = Object.entries(body).map(([k, v]) => writeValue(k, v)).join('');
  return `<?xml version="1.0" encoding="utf-8"?><${root} xmlns="${escapeXml(namespace)}">${inner}</${root}>`;
}
