import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CfsRq } from './eevdf.js';
import { SchedEntity } from './entity.js';
import { loadOfNice, loadOfWeight } from './fair-math.js';
import type { LoadWeight } from './fair-math.js';
import { bruteAvgVruntime, brutePick, checkRq } from './eevdf-check.test-util.js';

type Op =
  | { k: 'spawn'; load: LoadWeight; slice: number }
  | { k: 'sleep'; i: number }
  | { k: 'migrate'; i: number }
  | { k: 'wake'; i: number }
  | { k: 'run'; ns: number }
  | { k: 'reweight'; i: number; load: LoadWeight };

const loadArb = fc.oneof(fc.integer({ min: -20, max: 19 }).map(loadOfNice), fc.integer({ min: 2, max: 262144 }).map(loadOfWeight));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('spawn' as const), load: loadArb, slice: fc.oneof(fc.constant(0), fc.integer({ min: 50_000, max: 20_000_000 })) }),
  fc.record({ k: fc.constant('sleep' as const), i: fc.nat() }),
  fc.record({ k: fc.constant('migrate' as const), i: fc.nat() }),
  fc.record({ k: fc.constant('wake' as const), i: fc.nat() }),
  fc.record({ k: fc.constant('run' as const), ns: fc.integer({ min: 1, max: 5_000_000 }) }),
  fc.record({ k: fc.constant('run' as const), ns: fc.integer({ min: 1, max: 5_000_000 }) }),
  fc.record({ k: fc.constant('reweight' as const), i: fc.nat(), load: loadArb }),
);

/** Applies ops to one rq driven like __schedule(), checking every invariant after each op. */
function drive(ops: Op[], delayDequeue: boolean, runToParity: boolean): void {
  const rq = new CfsRq({ baseSliceNs: 2_100_000, tickNs: 4_000_000, features: { delayDequeue, runToParity } });
  const all: SchedEntity[] = [];
  const schedule = (): void => {
    const next = rq.pickNext();
    const curr = rq.curr;
    if (curr !== null && curr !== next) rq.putPrev(curr);
    if (next !== null && rq.curr !== next) rq.setNext(next);
  };
  const check = (): void => {
    assert.equal(checkRq(rq), null);
    assert.equal(rq.avgVruntime(), bruteAvgVruntime(rq));
    const want = brutePick(rq);
    assert.equal(rq.pick(false), want, 'pick(false) is the earliest eligible deadline');
    const got = rq.pick(true);
    if (got !== want) {
      assert.equal(got, rq.curr, 'pick(true) differs only by keeping curr');
      assert.ok(got !== null && rq.entityEligible(got) && got.vprot > got.vruntime, 'and only an eligible, protected curr');
    }
    if (got !== null) assert.ok(rq.entityEligible(got) || rq.nrQueued === 1, 'the pick is eligible');
  };
  for (const op of ops) {
    const queued = all.filter((e) => e.onRq && !e.delayed);
    const off = all.filter((e) => !e.onRq || e.delayed);
    switch (op.k) {
      case 'spawn': {
        const se = new SchedEntity(all.length, op.load, op.slice > 0 ? { customSliceNs: op.slice } : {});
        all.push(se);
        rq.enqueue(se, { initial: true });
        break;
      }
      case 'sleep':
      case 'migrate': {
        const se = queued[op.i % Math.max(1, queued.length)];
        if (se === undefined) break;
        rq.dequeue(se, { sleep: op.k === 'sleep' });
        if (se === rq.curr) schedule();
        if (op.k === 'migrate' && !se.onRq) {
          // Arrives back later as a migration would (relative deadline kept).
          assert.ok(se.relDeadline);
        }
        break;
      }
      case 'wake': {
        const se = off[op.i % Math.max(1, off.length)];
        if (se === undefined) break;
        if (se.delayed) rq.requeueDelayed(se);
        else rq.enqueue(se);
        break;
      }
      case 'run':
        if (rq.curr === null) schedule();
        if (rq.curr !== null && rq.updateCurr(op.ns)) schedule();
        break;
      case 'reweight': {
        const se = all[op.i % Math.max(1, all.length)];
        if (se !== undefined) rq.reweight(se, op.load);
        break;
      }
    }
    check();
  }
}

test('random enqueue/dequeue/run/reweight keep avg_vruntime exact and pick = brute-force EEVDF', () => {
  fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 200 }), fc.boolean(), fc.boolean(), drive), { numRuns: 300 });
});

test('large queue: 2000 entities, the pick still matches the scan', () => {
  const ops: Op[] = [];
  for (let i = 0; i < 2000; i++) ops.push({ k: 'spawn', load: loadOfNice((i * 7) % 40 - 20), slice: i % 5 === 0 ? 300_000 + i * 100 : 0 });
  for (let i = 0; i < 300; i++) ops.push(i % 3 === 0 ? { k: 'sleep', i: i * 13 } : i % 3 === 1 ? { k: 'wake', i } : { k: 'run', ns: 1_000_000 + i });
  drive(ops, true, true);
});

test('regression: dequeue and reweight take the entity out of the tree before touching its deadline', () => {
  drive([
    { k: 'spawn', load: loadOfWeight(2), slice: 50_000 },
    { k: 'run', ns: 1 },
    { k: 'spawn', load: loadOfWeight(317), slice: 50_000 },
    { k: 'spawn', load: loadOfWeight(3906), slice: 1_232_176 },
    { k: 'reweight', i: 2, load: loadOfWeight(2) },
    { k: 'migrate', i: 1 },
  ], false, false);
});
