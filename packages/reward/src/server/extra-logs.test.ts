import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyWithNaN } from './extra-logs.ts';

describe('stringifyWithNaN', () => {
  it('writes finite values exactly as JSON.stringify does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stringifyWithNaN(value)).toBe(JSON.stringify(value));
      }),
      { seed: 12, numRuns: 300 },
    );
  });

  it('writes non-finite numbers as Python json tokens, also in nested arrays and objects', () => {
    expect(stringifyWithNaN({ a: [1, Number.NaN], b: { c: Number.POSITIVE_INFINITY, d: -Infinity } })).toBe(
      '{"a":[1,NaN],"b":{"c":Infinity,"d":-Infinity}}',
    );
  });

  it('leaves strings that look like tokens untouched', () => {
    expect(stringifyWithNaN({ s: 'NaN', t: Number.NaN })).toBe('{"s":"NaN","t":NaN}');
  });

  it('sees non-finite numbers behind toJSON and in typed arrays', () => {
    const value = { toJSON: () => ({ x: Number.NaN }) };
    expect(stringifyWithNaN(value)).toBe('{"x":NaN}');
    expect(stringifyWithNaN({ v: Float64Array.of(1, Number.NaN) })).toBe('{"v":{"0":1,"1":NaN}}');
  });

  it('handles values nested deeper than the scan goes', () => {
    let deep: unknown = Number.NaN;
    for (let level = 0; level < 100; level += 1) deep = [deep];
    expect(stringifyWithNaN(deep)).toBe(`${'['.repeat(100)}NaN${']'.repeat(100)}`);
  });
});
