import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accumulatePeltSegments, decayLoad, getPeltDivider, LOAD_AVG_MAX, newSchedAvg, PELT_MIN_DIVIDER, RUNNABLE_AVG_YN_INV,
  updateBlockedEntityLoadAvg, updateCfsRqLoadAvg, updateEntityLoadAvg, updateLoadSum,
} from './pelt.js';
import type { SchedAvg } from './pelt.js';

const MS = 1_000_000;
/** One PELT period in ns: 1024 units of 1024 ns. */
const PERIOD_NS = 1024 * 1024;

function runFor(sa: SchedAvg, from: number, to: number, step: number, weight: number, onRq: boolean, running: boolean): void {
  for (let t = from + step; t <= to; t += step) {
    if (onRq) updateEntityLoadAvg(t, sa, weight, true, 1, running);
    else updateBlockedEntityLoadAvg(t, sa, weight);
  }
}

test('y table: entry n is 2^32 × 2^(-n/32) to within two (the generator\'s rounding), entry 0 is ~0U', () => {
  assert.equal(RUNNABLE_AVG_YN_INV.length, 32);
  assert.equal(RUNNABLE_AVG_YN_INV[0], 0xffffffff);
  for (let n = 1; n < 32; n++) {
    const exact = 2 ** 32 * 2 ** (-n / 32);
    assert.ok(Math.abs(RUNNABLE_AVG_YN_INV[n]! - exact) <= 2, `n=${n}`);
    assert.ok(RUNNABLE_AVG_YN_INV[n]! < RUNNABLE_AVG_YN_INV[n - 1]!);
  }
});

test('LOAD_AVG_MAX is the fixed point of sum = decay(sum, 1) + 1024', () => {
  let s = 0;
  for (let i = 0; i < 4000; i++) s = decayLoad(s, 1) + 1024;
  assert.equal(s, LOAD_AVG_MAX);
  assert.equal(PELT_MIN_DIVIDER, 46718);
});

test('decay_load: half-lives are shifts, the rest comes from the table, 0 past 63 half-lives', () => {
  assert.equal(decayLoad(1 << 20, 0), (1 << 20) - 1); // ~0U / 2^32 truncates
  assert.equal(decayLoad(1 << 20, 32), (1 << 19) - 1);
  assert.equal(decayLoad(1 << 20, 64), (1 << 18) - 1);
  assert.equal(decayLoad(1000, 16), Math.floor((1000 * 0xb504f333) / 2 ** 32)); // y^16 = 1/√2
  assert.equal(decayLoad(2 ** 52, 32 * 40), 4095); // 2^12 × (2^32 - 1) / 2^32
  assert.equal(decayLoad(2 ** 52, 32 * 63), 0);
  assert.equal(decayLoad(2 ** 40, 32 * 63 + 1), 0);
  assert.equal(decayLoad(2 ** 52, 32 * 63 + 1), 0);
  // A huge value still decays exactly (BigInt path of mul_u64_u32_shr).
  assert.equal(decayLoad(2 ** 52 - 1, 1), Number(((2n ** 52n - 1n) * 0xfa83b2dan) >> 32n));
});

test('__accumulate_pelt_segments: one period is d1·y + d3, many periods approach LOAD_AVG_MAX', () => {
  assert.equal(accumulatePeltSegments(1, 1024, 0), decayLoad(1024, 1));
  assert.equal(accumulatePeltSegments(1, 300, 200), decayLoad(300, 1) + 200);
  const many = accumulatePeltSegments(2000, 1024, 0);
  assert.ok(many >= LOAD_AVG_MAX - 1024 - 2 && many <= LOAD_AVG_MAX - 1024, `${many}`);
});

test('clock: sub-unit deltas change nothing, time going backwards resets, units are whole 1024 ns', () => {
  const sa = newSchedAvg(5000);
  assert.equal(updateLoadSum(5000 + 1023, sa, 1, 1, true), false);
  assert.equal(sa.lastUpdateTime, 5000);
  assert.equal(sa.loadSum, 0);
  assert.equal(updateLoadSum(5000 + 2100, sa, 1, 1, true), false); // 2 units, no period boundary
  assert.equal(sa.lastUpdateTime, 5000 + 2048);
  assert.equal(sa.loadSum, 2);
  assert.equal(sa.utilSum, 2 * 1024);
  assert.equal(sa.periodContrib, 2);
  assert.equal(updateLoadSum(100, sa, 1, 1, true), false);
  assert.equal(sa.lastUpdateTime, 100);
});

test('zero load forces runnable and running off (a dequeued current entity)', () => {
  const sa = newSchedAvg();
  updateLoadSum(10 * 1024, sa, 0, 3, true);
  assert.deepEqual([sa.loadSum, sa.runnableSum, sa.utilSum, sa.periodContrib], [0, 0, 0, 10]);
});

test('always running: load_avg → weight, util_avg and runnable_avg → 1024 after ~345 ms', () => {
  for (const weight of [1024, 88761, 15]) {
    const sa = newSchedAvg();
    runFor(sa, 0, 345 * MS, MS, weight, true, true);
    assert.ok(sa.loadAvg >= weight - 1 - Math.ceil(weight / 1000) && sa.loadAvg <= weight, `w=${weight} load_avg ${sa.loadAvg}`);
    assert.ok(sa.utilAvg >= 1022 && sa.utilAvg <= 1024, `util_avg ${sa.utilAvg}`);
    assert.ok(sa.runnableAvg >= 1022 && sa.runnableAvg <= 1024);
  }
  // Updated exactly on period boundaries the divider equals the sum's ceiling.
  const sa = newSchedAvg();
  runFor(sa, 0, 400 * PERIOD_NS, PERIOD_NS, 1024, true, true);
  assert.equal(sa.periodContrib, 0);
  assert.equal(getPeltDivider(sa), PELT_MIN_DIVIDER);
  assert.equal(sa.utilAvg, 1024);
  assert.ok(sa.loadAvg >= 1023);
});

test('runnable but waiting: load_avg and runnable_avg rise, util_avg stays 0', () => {
  const sa = newSchedAvg();
  runFor(sa, 0, 345 * MS, MS, 1024, true, false);
  assert.ok(sa.loadAvg >= 1022);
  assert.ok(sa.runnableAvg >= 1022);
  assert.equal(sa.utilAvg, 0);
});

test('half duty cycle (5 ms on, 5 ms off) settles near half', () => {
  const sa = newSchedAvg();
  let t = 0;
  let utilAcc = 0;
  let loadAcc = 0;
  let n = 0;
  for (let cycle = 0; cycle < 60; cycle++) {
    for (let i = 0; i < 10; i++) {
      t += MS;
      if (i < 5) updateEntityLoadAvg(t, sa, 2048, true, 1, true);
      else updateBlockedEntityLoadAvg(t, sa, 2048);
      if (cycle >= 40) {
        utilAcc += sa.utilAvg;
        loadAcc += sa.loadAvg;
        n++;
        assert.ok(sa.utilAvg > 440 && sa.utilAvg < 590, `util_avg ${sa.utilAvg}`);
      }
    }
  }
  assert.ok(Math.abs(utilAcc / n - 512) < 16, `mean util ${utilAcc / n}`);
  assert.ok(Math.abs(loadAcc / n - 1024) < 32, `mean load ${loadAcc / n}`);
});

test('a stopped entity halves every 32 periods and is gone after 63 half-lives', () => {
  const sa = newSchedAvg();
  runFor(sa, 0, 400 * PERIOD_NS, PERIOD_NS, 1024, true, true);
  const [l0, u0] = [sa.loadAvg, sa.utilAvg];
  updateBlockedEntityLoadAvg(432 * PERIOD_NS, sa, 1024);
  assert.ok(Math.abs(sa.loadAvg - l0 / 2) <= 1, `${sa.loadAvg} vs ${l0}/2`);
  assert.ok(Math.abs(sa.utilAvg - u0 / 2) <= 1);
  updateBlockedEntityLoadAvg(464 * PERIOD_NS, sa, 1024);
  assert.ok(Math.abs(sa.loadAvg - l0 / 4) <= 1);
  updateBlockedEntityLoadAvg(2500 * PERIOD_NS, sa, 1024);
  assert.deepEqual([sa.loadSum, sa.utilSum, sa.runnableSum, sa.loadAvg, sa.utilAvg], [0, 0, 0, 0, 0]);
});

test('cfs_rq: load_avg tracks the queued weight, runnable_avg counts runnable tasks × 1024', () => {
  const rq = newSchedAvg();
  for (let t = 1; t <= 400; t++) updateCfsRqLoadAvg(t * PERIOD_NS, rq, 3072, 3, true);
  // With a large `load` factor the sum truncates less per decay than the
  // 1024-per-period ceiling assumes, so the queue's average overshoots by ~0.1%.
  assert.ok(rq.loadAvg >= 3069 && rq.loadAvg <= 3076, `${rq.loadAvg}`);
  assert.ok(rq.runnableAvg >= 3 * 1022 && rq.runnableAvg <= 3076, `${rq.runnableAvg}`);
  assert.ok(rq.utilAvg >= 1022 && rq.utilAvg <= 1024);
  // Sum of entity load_avg matches the queue's within rounding for three always-runnable entities.
  const es = [newSchedAvg(), newSchedAvg(), newSchedAvg()];
  for (let t = 1; t <= 400; t++) es.forEach((e, i) => updateEntityLoadAvg(t * PERIOD_NS, e, 1024, true, 1, i === 0));
  const sum = es.reduce((a, e) => a + e.loadAvg, 0);
  assert.ok(Math.abs(sum - rq.loadAvg) <= 8, `${sum} vs ${rq.loadAvg}`);
});

test('update reports whether a period boundary was crossed (averages refreshed only then)', () => {
  const sa = newSchedAvg();
  assert.equal(updateEntityLoadAvg(500 * 1024, sa, 1024, true, 1, true), false);
  assert.equal(sa.loadAvg, 0);
  assert.equal(updateEntityLoadAvg(1100 * 1024, sa, 1024, true, 1, true), true);
  assert.ok(sa.loadAvg > 0);
});
