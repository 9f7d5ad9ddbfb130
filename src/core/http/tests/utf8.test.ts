import { expect, it } from 'vitest';
import { decodeUtf8 } from '../utf8.ts';

const big = (s: string) => s.repeat(Math.ceil(5000 / s.length));

it('decodes bodies exactly as Node does: ASCII, Polish and Czech text, astral characters, small and large', () => {
  for (const text of ['{"a":1}', big('{"name":"Zofia Wiśniewska, Kraków – Žluťoučký kůň"},'), big('{"e":"😀 żółć"},'), big('plain ascii, ')]) {
    const bytes = Buffer.from(text, 'utf8');
    expect(decodeUtf8(bytes)).toBe(bytes.toString('utf8'));
  }
});

it('replaces invalid UTF-8 with U+FFFD like Node, and drops a byte order mark', () => {
  const invalid = Buffer.concat([Buffer.from(big('ł')), Buffer.from([0xc3, 0x28, 0xff, 0xe2, 0x82]), Buffer.from('"}')]);
  expect(decodeUtf8(invalid)).toBe(invalid.toString('utf8'));
  expect(decodeUtf8(invalid)).toContain('\uFFFD');
  for (const body of ['{"a":"ł"}', big('{"a":"ł"}')]) {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
    expect(decodeUtf8(withBom)).toBe(body);
  }
});
