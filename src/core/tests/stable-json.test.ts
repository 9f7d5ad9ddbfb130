import { describe, expect, it } from 'vitest';
import { stableJson } from '../stable-json.ts';

describe('stableJson', () => {
  it('gives the same text for the same content in any key order, at every level', () => {
    expect(stableJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(stableJson({ a: { c: null, d: [3, { y: 2, z: 1 }] }, b: 1 })).toBe(stableJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }));
  });

  it('leaves out undefined values and writes undefined array elements as null, like JSON.stringify', () => {
    expect(stableJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
    expect(stableJson(undefined)).toBe('null');
    expect(stableJson('é"\n')).toBe(JSON.stringify('é"\n'));
  });

  it('sorts integer-like keys as strings too', () => {
    expect(stableJson({ 2: 'b', 10: 'a', x: 'c' })).toBe('{"10":"a","2":"b","x":"c"}');
  });
});
