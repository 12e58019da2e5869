import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { calcGroupShares, NSEC_PER_MSEC, scaleLoad, TaskGroupLoad } from './group-shares.js';
import { newSchedAvg, updateCfsRqLoadAvg } from './pelt.js';
import { MIN_SHARES } from '../core/controllers/cpu-weight.js';

const S = scaleLoad(1024); // cpu.weight 100
const MS = NSEC_PER_MSEC;

test('a group whose load sits on one CPU gets its full shares there and MIN_SHARES elsewhere', () => {
  const tg = new TaskGroupLoad(2);
  assert.equal(tg.shares, 1_048_576);
  assert.equal(tg.updateTgLoadAvg(0, 1024, 5 * MS), true);
  assert.equal(tg.loadAvg, 1024);
  assert.equal(tg.groupShares(0, scaleLoad(1024), 1024), S);
  assert.equal(tg.groupShares(1, 0, 0), MIN_SHARES);
});

test('a group spread evenly over two CPUs gets half its shares on each', () => {
  const tg = new TaskGroupLoad(2);
  tg.updateTgLoadAvg(0, 1024, 5 * MS);
  tg.updateTgLoadAvg(1, 1024, 5 * MS);
  assert.equal(tg.loadAvg, 2048);
  assert.equal(tg.groupShares(0, scaleLoad(1024), 1024), S / 2);
  assert.equal(tg.groupShares(1, scaleLoad(1024), 1024), S / 2);
});

test('the current queue weight counts when it exceeds the average (a fresh wakeup)', () => {
  const tg = new TaskGroupLoad(2);
  tg.updateTgLoadAvg(0, 3072, 5 * MS);
  tg.updateTgLoadAvg(1, 1024, 5 * MS);
  // CPU 1 now holds two nice-0 tasks but its average still says 1024: load 2048, tg_weight 4096 - 1024 + 2048.
  const s1 = tg.groupShares(1, scaleLoad(2048), 1024);
  assert.equal(s1, Math.trunc((S * 2048) / 5120));
  const s0 = tg.groupShares(0, scaleLoad(3072), 3072);
  assert.equal(s0, (S * 3072) / 4096);
  assert.ok(s0 + s1 > S, 'the estimate overshoots tg->shares');
});

test('Σ group-entity weights ≥ shares whenever each queue\'s load is at least its contribution', () => {
  fc.assert(fc.property(
    fc.integer({ min: 2, max: 10_000 }).map((w) => scaleLoad(w)),
    fc.array(fc.record({ contrib: fc.integer({ min: 0, max: 50_000 }), grow: fc.integer({ min: 0, max: 50_000 }) }), { minLength: 1, maxLength: 16 }),
    (shares, cpus) => {
      const tgLoad = cpus.reduce((a, c) => a + c.contrib, 0);
      let sum = 0;
      for (const c of cpus) {
        const w = calcGroupShares(shares, tgLoad, { loadWeight: scaleLoad(c.contrib + c.grow), loadAvg: c.contrib, tgLoadAvgContrib: c.contrib });
        assert.ok(w >= MIN_SHARES && w <= shares);
        sum += w;
      }
      // Integer division loses less than one unit per CPU.
      assert.ok(sum >= shares - cpus.length, `${sum} < ${shares}`);
    },
  ));
});

test('clamps: MIN_SHARES floor for small groups spread thin, tg_shares ceiling on stale sums', () => {
  // The kernel's example: shares scale_load(15) over 8 CPUs, one nice-0 task each: 1920 per CPU.
  const tg = new TaskGroupLoad(8, scaleLoad(15));
  for (let c = 0; c < 8; c++) tg.updateTgLoadAvg(c, 1024, 2 * MS);
  assert.equal(tg.groupShares(3, scaleLoad(1024), 1024), 1920);
  const tiny = new TaskGroupLoad(8, scaleLoad(2));
  for (let c = 0; c < 8; c++) tiny.updateTgLoadAvg(c, 100_000, 2 * MS);
  assert.equal(tiny.groupShares(0, scaleLoad(1), 1), MIN_SHARES);
  // A stale tg->load_avg below this queue's contribution would give more than tg_shares.
  assert.equal(calcGroupShares(S, 100, { loadWeight: scaleLoad(1024), loadAvg: 1024, tgLoadAvgContrib: 500 }), S);
  // tg_weight 0 (nothing anywhere): shares = tg_shares × 0, floored.
  assert.equal(calcGroupShares(S, 0, { loadWeight: 0, loadAvg: 0, tgLoadAvgContrib: 0 }), MIN_SHARES);
});

test('update_tg_load_avg: changes of at most 1/64 of the contribution are not propagated', () => {
  const tg = new TaskGroupLoad(1);
  assert.equal(tg.updateTgLoadAvg(0, 6400, 10 * MS), true);
  assert.equal(tg.updateTgLoadAvg(0, 6500, 20 * MS), false); // |Δ| = 100 = 6400/64
  assert.equal(tg.updateTgLoadAvg(0, 6300, 30 * MS), false);
  assert.equal(tg.loadAvg, 6400);
  assert.equal(tg.updateTgLoadAvg(0, 6501, 40 * MS), true);
  assert.deepEqual([tg.loadAvg, tg.contrib[0]], [6501, 6501]);
  // From a zero contribution any change passes.
  const g = new TaskGroupLoad(1);
  assert.equal(g.updateTgLoadAvg(0, 1, 2 * MS), true);
});

test('update_tg_load_avg: at most once per ms per CPU, and only after the first ms of that CPU clock', () => {
  const tg = new TaskGroupLoad(2);
  assert.equal(tg.updateTgLoadAvg(0, 1024, MS - 1), false);
  assert.equal(tg.updateTgLoadAvg(0, 1024, MS), true);
  assert.equal(tg.updateTgLoadAvg(0, 4096, 2 * MS - 1), false);
  assert.equal(tg.updateTgLoadAvg(1, 4096, 2 * MS - 1), true); // other CPU has its own limit
  assert.equal(tg.updateTgLoadAvg(0, 4096, 2 * MS), true);
  assert.equal(tg.loadAvg, 8192);
});

test('an inactive CPU stops contributing; clearing withdraws its contribution', () => {
  const tg = new TaskGroupLoad(2);
  tg.updateTgLoadAvg(0, 1000, 2 * MS);
  tg.updateTgLoadAvg(1, 3000, 2 * MS);
  tg.setCpuActive(1, false, 3 * MS);
  assert.equal(tg.loadAvg, 1000);
  assert.equal(tg.updateTgLoadAvg(1, 5000, 10 * MS), false);
  assert.equal(tg.groupShares(0, scaleLoad(1024), 1000), S);
  tg.setCpuActive(1, true, 10 * MS);
  assert.equal(tg.updateTgLoadAvg(1, 5000, 11 * MS), true);
  assert.equal(tg.loadAvg, 6000);
  assert.throws(() => tg.updateTgLoadAvg(2, 1, 20 * MS), RangeError);
  assert.throws(() => new TaskGroupLoad(0), RangeError);
  assert.throws(() => tg.setShares(1), RangeError);
});

test('with PELT driving the queues: full shares on the busy CPU, then halves once a second CPU is busy', () => {
  const tg = new TaskGroupLoad(2);
  const rq = [newSchedAvg(), newSchedAvg()];
  const busy = [true, false];
  const step = (t: number): void => {
    for (let c = 0; c < 2; c++) {
      updateCfsRqLoadAvg(t, rq[c]!, busy[c] ? 1024 : 0, busy[c] ? 1 : 0, busy[c]!);
      tg.updateTgLoadAvg(c, rq[c]!.loadAvg, t);
    }
  };
  let t = 0;
  for (; t < 345 * MS;) step((t += MS));
  const w0 = tg.groupShares(0, scaleLoad(1024), rq[0]!.loadAvg);
  assert.ok(w0 >= S - 1024 && w0 <= S, `${w0}`);
  assert.equal(tg.groupShares(1, 0, rq[1]!.loadAvg), MIN_SHARES);
  busy[1] = true;
  for (; t < 700 * MS;) step((t += MS));
  for (let c = 0; c < 2; c++) {
    const w = tg.groupShares(c, scaleLoad(1024), rq[c]!.loadAvg);
    assert.ok(Math.abs(w - S / 2) <= S / 64, `cpu ${c}: ${w}`);
  }
});
