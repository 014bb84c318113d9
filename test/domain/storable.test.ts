/**
 * findUnstorable: the answer for storable values comes from a check that builds no paths; these
 * cases make sure it finds every kind of unstorable value the path-building walk names.
 */
import { MAX_NESTING, findUnstorable } from '../../domain/storable';

const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : { next: nested(depth - 1) });

describe('findUnstorable', () => {
  it('finds nothing in storable values, Dates and non-strings included', () => {
    expect(findUnstorable({ a: ['x', 1, null, true, { b: 'y\tz\n' }], when: new Date(0), n: undefined })).toEqual([]);
    expect(findUnstorable('plain')).toEqual([]);
    expect(findUnstorable(nested(MAX_NESTING - 1))).toEqual([]);
  });

  it('names a NUL or a lone surrogate in a value, with its path', () => {
    expect(findUnstorable({ a: [{ b: 'ok' }, { b: 'bad\u0000' }] })).toEqual([{ path: ['a', 1, 'b'], message: expect.stringContaining('U+0000') }]);
    expect(findUnstorable(['\ud800'])).toEqual([{ path: [0], message: expect.stringContaining('lone surrogate') }]);
  });

  it('names an unstorable key', () => {
    expect(findUnstorable({ outer: { 'k\u0000': 1 } })).toEqual([{ path: ['outer', 'k\u0000'], message: expect.stringContaining('its name') }]);
  });

  it('refuses control characters only when strict', () => {
    expect(findUnstorable({ a: 'bell\u0007' })).toEqual([]);
    expect(findUnstorable({ a: 'bell\u0007' }, true)).toEqual([{ path: ['a'], message: expect.stringContaining('U+0007') }]);
  });

  it('refuses nesting deeper than MAX_NESTING', () => {
    const found = findUnstorable(nested(MAX_NESTING + 1));
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/nested deeper/);
    expect(found[0].path).toHaveLength(MAX_NESTING);
  });

  it('stops at the limit', () => {
    expect(findUnstorable(Array.from({ length: 50 }, () => '\u0000'), false, 5)).toHaveLength(5);
  });
});
