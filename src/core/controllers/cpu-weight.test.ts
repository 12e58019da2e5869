import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  clampShares, niceToCgroupWeight, niceToWeight, SCHED_PRIO_TO_WEIGHT, sharesToNice, sharesToWeight, weightToShares,
} from './cpu-weight.js';

describe('cpu weight conversions', () => {
  it('matches the kernel at the anchors', () => {
    assert.equal(weightToShares(100), 1024);
    assert.equal(weightToShares(1), 10);
    assert.equal(weightToShares(10000), 102400);
    assert.equal(sharesToWeight(1024), 100);
    assert.equal(sharesToWeight(2), 1);
    assert.equal(sharesToWeight(3), 1);
    assert.equal(sharesToWeight(262144), 10000);
    assert.equal(clampShares(1), 2);
    assert.equal(clampShares(1 << 20), 262144);
  });

  it('has the 40-entry nice table with nice 0 = 1024', () => {
    assert.equal(SCHED_PRIO_TO_WEIGHT.length, 40);
    assert.equal(niceToWeight(0), 1024);
    assert.equal(niceToWeight(-20), 88761);
    assert.equal(niceToWeight(19), 15);
    assert.throws(() => niceToWeight(20), RangeError);
    const cgw = [-20, -10, 0, 1, 10, 19].map(niceToCgroupWeight);
    assert.deepEqual(cgw, [8668, 932, 100, 80, 11, 1]);
  });

  it('reads back every nice it was given', () => {
    for (let n = -20; n <= 19; n++) assert.equal(sharesToNice(niceToWeight(n)), n);
    assert.equal(sharesToNice(weightToShares(100)), 0);
    assert.equal(sharesToNice(3), 19);
  });

  it('weight -> shares -> weight is the identity on 1..10000', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10000 }), (w) => sharesToWeight(weightToShares(w)) === w));
  });
});
