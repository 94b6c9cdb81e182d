import { describe, expect, it } from 'vitest';
import { stableHash, stableJson } from './stable-json';

describe('stableJson', () => {
  it('sorts keys at every level and leaves undefined properties out', () => {
    expect(stableJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"z":1}]},"b":1}',
    );
    expect(stableJson({ b: 1, a: 2 })).toBe(stableJson({ a: 2, b: 1 }));
    expect(stableHash({ b: 1, a: 2 })).toBe(stableHash({ a: 2, b: 1 }));
  });

  it('lists integer keys first, in numeric order, as an object rebuilt with sorted keys does', () => {
    expect(stableJson({ b: 1, 10: 'ten', 2: 'two', a: 0, '01': 'not an index' })).toBe(
      '{"2":"two","10":"ten","01":"not an index","a":0,"b":1}',
    );
  });

  it('writes a Date as its ISO text and a Buffer as its bytes by index (journal keys depend on this text)', () => {
    expect(stableJson({ at: new Date(0), bytes: Buffer.from([7, 8]) })).toBe(
      '{"at":"1970-01-01T00:00:00.000Z","bytes":{"0":7,"1":8}}',
    );
  });
});
