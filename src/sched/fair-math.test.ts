import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  baseSliceNs, calcDelta, calcDeltaFair, divFloor, divTrunc, ilog2, invWeightOf, loadOfIdle, loadOfNice,
  loadOfWeight, mulU64U32Shr, scaleLoadDown, tickNsForHz, WMULT_CONST,
} from './fair-math.js';
import { SCHED_PRIO_TO_WMULT } from './wmult.js';
import { SCHED_PRIO_TO_WEIGHT } from '../core/controllers/cpu-weight.js';

test('base slice: 0.70 ms × (1 + ilog2(min(ncpus, 8)))', () => {
  assert.deepEqual([1, 2, 3, 4, 7, 8, 64, 1024].map(baseSliceNs), [700_000, 1_400_000, 1_400_000, 2_100_000, 2_100_000, 2_800_000, 2_800_000, 2_800_000]);
  assert.throws(() => baseSliceNs(0), RangeError);
  assert.equal(ilog2(1), 0);
  assert.equal(ilog2(8), 3);
});

test('TICK_NSEC for common HZ values', () => {
  assert.deepEqual([100, 250, 300, 1000].map(tickNsForHz), [10_000_000, 4_000_000, 3_333_333, 1_000_000]);
});

test('wmult table: each entry is 2^32/weight to within one (the kernel table, not a recomputation)', () => {
  assert.equal(SCHED_PRIO_TO_WMULT.length, 40);
  SCHED_PRIO_TO_WMULT.forEach((m, i) => {
    const exact = 2 ** 32 / SCHED_PRIO_TO_WEIGHT[i]!;
    assert.ok(m === Math.floor(exact) || m === Math.round(exact), `nice ${i - 20}`);
  });
  assert.equal(loadOfNice(0).invWeight, 4194304);
  assert.equal(loadOfNice(13).invWeight, 76695844);
  assert.equal(loadOfIdle().invWeight, invWeightOf(3));
});

test('inverse weight of computed loads is WMULT_CONST / w', () => {
  assert.equal(invWeightOf(1024), 4194303);
  assert.equal(invWeightOf(0), WMULT_CONST);
  assert.equal(invWeightOf(2 ** 33), 1);
  assert.throws(() => loadOfWeight(0), RangeError);
  assert.equal(scaleLoadDown(1024 * 1024), 1024);
  assert.equal(scaleLoadDown(1000), 2);
  assert.equal(scaleLoadDown(0), 0);
});

test('mul_u64_u32_shr is exact (against BigInt)', () => {
  fc.assert(fc.property(
    fc.oneof(fc.integer({ min: 0, max: 2 ** 24 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.maxSafeNat()),
    fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }),
    (a, mul, shift) => {
      const want = (BigInt(a) * BigInt(mul)) >> BigInt(shift);
      if (want > BigInt(Number.MAX_SAFE_INTEGER)) return;
      assert.equal(mulU64U32Shr(a, mul, shift), Number(want));
    }), { numRuns: 5000 });
});

/** __calc_delta done entirely in BigInt, the way the C code reads. */
function refCalcDelta(delta: number, weight: number, inv: number): number {
  let fact = BigInt(weight);
  let shift = 32n;
  const fls = (x: bigint): bigint => BigInt(x.toString(2).length);
  let hi = fact >> 32n;
  if (hi) { const fs = fls(hi); shift -= fs; fact >>= fs; }
  fact *= BigInt(inv);
  hi = fact >> 32n;
  if (hi) { const fs = fls(hi); shift -= fs; fact >>= fs; }
  return Number((BigInt(delta) * fact) >> shift);
}

test('__calc_delta matches a BigInt transcription for nice and computed loads', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 2 ** 40 }),
    fc.oneof(fc.integer({ min: -20, max: 19 }).map(loadOfNice), fc.integer({ min: 1, max: 1 << 20 }).map(loadOfWeight)),
    fc.constantFrom(1024, 1, 88761, 262144),
    (delta, lw, weight) => {
      assert.equal(calcDelta(delta, weight, lw), refCalcDelta(delta, weight, lw.invWeight));
    }), { numRuns: 3000 });
});

test('calc_delta_fair: identity at nice 0, ≈ delta·1024/w otherwise, and rounds down', () => {
  assert.equal(calcDeltaFair(1_000_000, loadOfNice(0)), 1_000_000);
  // nice 19 (w=15): 1 ms of runtime is ~68.27 ms of virtual time.
  const v = calcDeltaFair(1_000_000, loadOfNice(19));
  assert.ok(Math.abs(v - 1_000_000 * 1024 / 15) / v < 1e-6, `${v}`);
  assert.equal(calcDeltaFair(1_000_000, loadOfWeight(2048)), refCalcDelta(1_000_000, 1024, invWeightOf(2048)));
  assert.ok(calcDeltaFair(1_000_000, loadOfWeight(2048)) <= 500_000);
});

test('divTrunc and divFloor are exact integer divisions', () => {
  fc.assert(fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), fc.integer({ min: 1, max: 2 ** 31 }), (n, d) => {
    const bn = BigInt(n);
    const bd = BigInt(d);
    assert.equal(divTrunc(n, d), Number(bn / bd));
    const fl = bn / bd - (bn % bd < 0n ? 1n : 0n);
    assert.equal(divFloor(n, d), Number(fl));
  }), { numRuns: 5000 });
  assert.equal(divTrunc(-7, 2), -3);
  assert.equal(divFloor(-7, 2), -4);
  assert.ok(Object.is(divTrunc(-1, 2), 0));
});
