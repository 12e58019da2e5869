import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { maskAnd, maskAndNot, maskEqual, maskIntersects, maskOr, maskSubset } from './bitmap.js';

describe('mask set operations', () => {
  it('set helpers', () => {
    assert.deepEqual(maskAnd([0, 1, 2], [1, 2, 3]), [1, 2]);
    assert.deepEqual(maskOr([2, 0], [1]), [0, 1, 2]);
    assert.deepEqual(maskAndNot([0, 1, 2], [1]), [0, 2]);
    assert.ok(maskSubset([1], [0, 1]) && !maskSubset([2], [0, 1]));
    assert.ok(maskIntersects([0, 5], [5]) && !maskIntersects([0], [1]));
    assert.ok(maskEqual([0, 1], [0, 1]) && !maskEqual([0, 1], [0]));
  });

  it('and, or, and-not agree with set algebra', () => {
    const mask = fc.uniqueArray(fc.integer({ min: 0, max: 63 })).map((a) => a.sort((x, y) => x - y));
    fc.assert(fc.property(mask, mask, (a, b) => {
      const both = maskAnd(a, b);
      assert.deepEqual(maskOr(both, maskAndNot(a, b)), a);
      assert.ok(maskSubset(both, a) && maskSubset(both, b) && maskSubset(a, maskOr(a, b)));
      assert.equal(maskIntersects(a, b), both.length > 0);
    }));
  });
});
