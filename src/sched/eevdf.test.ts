import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CfsRq } from './eevdf.js';
import type { EevdfFeatures } from './eevdf.js';
import { SchedEntity } from './entity.js';
import { baseSliceNs, loadOfNice, loadOfWeight } from './fair-math.js';
import { checkRq } from './eevdf-check.test-util.js';
import { TickLoop } from './loop.test-util.js';

const TICK = 1_000_000;
const SLICE = baseSliceNs(1);

function setup(weights: number[], features: Partial<EevdfFeatures> = {}): { rq: CfsRq; es: SchedEntity[]; loop: TickLoop } {
  const rq = new CfsRq({ baseSliceNs: SLICE, tickNs: TICK, features });
  const es = weights.map((w, i) => new SchedEntity(i, loadOfWeight(w)));
  for (const e of es) rq.enqueue(e, { initial: true });
  return { rq, es, loop: new TickLoop(rq, TICK) };
}

/** Exact-rational lag in ns of service: w·(V − v)/1024 with V = Σ w·v / Σ w over queued entities. */
function lagNs(rq: CfsRq, es: SchedEntity[], se: SchedEntity): number {
  const q = es.filter((e) => e.onRq);
  const W = q.reduce((s, e) => s + e.weight, 0);
  const V = q.reduce((s, e) => s + e.weight * (e.vruntime - rq.minVruntime), 0) / W;
  return (se.weight * (V - (se.vruntime - rq.minVruntime))) / 1024;
}

function assertShares(es: SchedEntity[], runtimes: number[], tol: number): void {
  const tot = runtimes.reduce((a, b) => a + b, 0);
  const W = es.reduce((s, e) => s + e.weight, 0);
  es.forEach((e, i) => {
    const rel = runtimes[i]! / tot / (e.weight / W) - 1;
    assert.ok(Math.abs(rel) <= tol, `entity ${e.id} (w=${e.weight}) share off by ${(rel * 100).toFixed(3)}%`);
  });
}

test('weights 1024/2048/3072 get CPU 1:2:3 within 0.5% over 10 s, lag bounded at every tick', () => {
  const { rq, es, loop } = setup([1024, 2048, 3072]);
  let worst = 0;
  loop.run(10e9, () => {
    for (const e of es) worst = Math.max(worst, Math.abs(lagNs(rq, es, e)));
  });
  assert.equal(checkRq(rq), null);
  assert.equal(es.reduce((s, e) => s + e.sumExecRuntime, 0), 10e9);
  assertShares(es, es.map((e) => e.sumExecRuntime), 0.005);
  assert.ok(worst <= Math.max(SLICE, TICK) + 1, `max |lag| ${worst} ns`);
});

test('equal weights give equal shares (to the tick) and bounded lag', () => {
  const { rq, es, loop } = setup([1024, 1024, 1024, 1024, 1024]);
  let worst = 0;
  loop.run(10e9, () => {
    for (const e of es) worst = Math.max(worst, Math.abs(lagNs(rq, es, e)));
  });
  for (const e of es) assert.ok(Math.abs(e.sumExecRuntime - 2e9) <= TICK, `${e.id}: ${e.sumExecRuntime}`);
  assert.ok(worst <= Math.max(SLICE, TICK) + 1, `max |lag| ${worst} ns`);
  assert.equal(checkRq(rq), null);
});

test('nice -20 against nice 19, and a larger slice (4 CPUs): still proportional', () => {
  const rq = new CfsRq({ baseSliceNs: baseSliceNs(4), tickNs: 4_000_000 });
  const es = [new SchedEntity(0, loadOfNice(-5)), new SchedEntity(1, loadOfNice(0)), new SchedEntity(2, loadOfNice(5))];
  for (const e of es) rq.enqueue(e, { initial: true });
  new TickLoop(rq, 4_000_000).run(20e9);
  assertShares(es, es.map((e) => e.sumExecRuntime), 0.005);
});

test('a new entity starts with half a slice (PLACE_DEADLINE_INITIAL), at V with no lag', () => {
  const { rq, loop } = setup([1024, 1024]);
  loop.run(7e6);
  const se = new SchedEntity(9, loadOfWeight(2048));
  const V = rq.avgVruntime();
  rq.enqueue(se, { initial: true });
  assert.equal(se.vruntime, V);
  assert.equal(se.deadline - se.vruntime, Math.floor(se.calcDeltaFair(SLICE) / 2));
  const again = new SchedEntity(10, loadOfNice(0));
  rq.enqueue(again);
  assert.equal(again.deadline - again.vruntime, SLICE);
});

for (const delayDequeue of [false, true]) {
  test(`sleep and wake keep the saved lag, however long the sleep (DELAY_DEQUEUE ${delayDequeue ? 'on' : 'off'})`, () => {
    const { rq, es, loop } = setup([1024, 1024, 1024], { delayDequeue });
    loop.run(TICK); // one entity has run a tick: the two waiting ones are owed service
    const waiting = es.filter((e) => e !== loop.running);
    const pos = waiting.reduce((a, b) => (rq.avgVruntime() - a.vruntime > rq.avgVruntime() - b.vruntime ? a : b));
    const lagBefore = rq.avgVruntime() - pos.vruntime;
    assert.ok(lagBefore > 0);
    assert.equal(loop.sleep(pos), true, 'an eligible entity is dequeued at once');
    assert.equal(pos.vlag, lagBefore);
    loop.run(1e9);
    loop.wake(pos);
    assert.ok(Math.abs(rq.avgVruntime() - pos.vruntime - lagBefore) <= 1, 'lag restored, no bonus for the long sleep');
    assert.equal(checkRq(rq), null);
  });
}

test('DELAY_DEQUEUE: an ineligible sleeper stays queued until picked, then leaves with zero lag', () => {
  const { rq, es, loop } = setup([1024, 1024, 1024]);
  loop.run(5e6);
  const neg = es.find((e) => e !== loop.running && !rq.entityEligible(e));
  assert.ok(neg !== undefined, 'some waiting entity is ineligible');
  const queued = rq.nrQueued;
  assert.equal(loop.sleep(neg), false);
  assert.ok(neg.delayed && neg.onRq);
  assert.equal(rq.nrQueued, queued);
  const blocked: SchedEntity[] = [];
  for (let i = 0; i < 20 && neg.onRq; i++) {
    rq.updateCurr(TICK);
    const next = rq.pickNext((se) => blocked.push(se));
    if (rq.curr !== null && next !== rq.curr) rq.putPrev(rq.curr);
    if (next !== null && rq.curr !== next) rq.setNext(next);
    loop.running = next;
  }
  assert.deepEqual(blocked, [neg]);
  assert.equal(neg.vlag, 0);
  assert.equal(checkRq(rq), null);
  loop.wake(neg);
  assert.equal(rq.avgVruntime() - neg.vruntime, 0);
});

test('DELAY_DEQUEUE off: negative lag survives the sleep', () => {
  const { rq, es, loop } = setup([1024, 1024, 1024], { delayDequeue: false });
  loop.run(5e6);
  const neg = es.find((e) => e !== loop.running && !rq.entityEligible(e))!;
  const lag = rq.avgVruntime() - neg.vruntime;
  assert.ok(lag < 0);
  assert.equal(loop.sleep(neg), true);
  loop.run(1e9);
  loop.wake(neg);
  assert.ok(Math.abs(rq.avgVruntime() - neg.vruntime - lag) <= 1);
});

test('reweight mid-run changes the shares from then on and preserves a waiting entity\'s lag', () => {
  const { rq, es, loop } = setup([1024, 1024, 1024]);
  loop.run(5e9);
  const before = es.map((e) => e.sumExecRuntime);
  const target = es.find((e) => e !== loop.running)!;
  const lagReal = (rq.avgVruntime() - target.vruntime) * target.weight;
  rq.reweight(target, loadOfWeight(3072));
  assert.ok(Math.abs((rq.avgVruntime() - target.vruntime) * target.weight - lagReal) <= 2 * 3072, 'lag·w preserved');
  assert.equal(checkRq(rq), null);
  loop.run(5e9);
  assertShares(es, es.map((e, i) => e.sumExecRuntime - before[i]!), 0.005);
  // Reweighting the running entity too.
  rq.reweight(loop.running!, loadOfWeight(1024 * 5));
  const mid = es.map((e) => e.sumExecRuntime);
  loop.run(5e9);
  assertShares(es, es.map((e, i) => e.sumExecRuntime - mid[i]!), 0.005);
  assert.equal(checkRq(rq), null);
});

test('PLACE_REL_DEADLINE: a migrated entity keeps its remaining request on the new queue', () => {
  const { rq, es, loop } = setup([1024, 1024]);
  loop.run(3.3e6);
  const mover = es.find((e) => e !== loop.running)!;
  const rel = mover.deadline - mover.vruntime;
  rq.dequeue(mover); // not a sleep: migration
  assert.ok(mover.relDeadline);
  const other = new CfsRq({ baseSliceNs: SLICE });
  const native = new SchedEntity(7, loadOfNice(0));
  other.enqueue(native);
  other.enqueue(mover);
  assert.equal(mover.deadline - mover.vruntime, rel);
  assert.equal(checkRq(rq), null);
  assert.equal(checkRq(other), null);
});

test('RUN_TO_PARITY: curr is protected only up to the shortest queued slice', () => {
  const rq = new CfsRq({ baseSliceNs: 3_000_000 });
  const a = new SchedEntity(0, loadOfNice(0));
  const b = new SchedEntity(1, loadOfNice(0), { customSliceNs: 500_000 });
  rq.enqueue(a);
  rq.enqueue(b);
  rq.setNext(a);
  assert.equal(a.vprot, a.vruntime + 500_000);
  assert.equal(rq.updateCurr(400_000), false, 'still protected');
  assert.equal(rq.updateCurr(200_000), true, 'protection over: resched');
  const solo = new CfsRq({ baseSliceNs: 3_000_000, features: { runToParity: false } });
  const c = new SchedEntity(2, loadOfNice(0));
  solo.enqueue(c);
  solo.setNext(c);
  assert.equal(c.vprot, c.vruntime + 700_000, 'without RUN_TO_PARITY: the normalized base slice');
});

test('pick: single queued entity, empty queue, curr dequeued', () => {
  const rq = new CfsRq({ baseSliceNs: SLICE });
  assert.equal(rq.pick(), null);
  const a = new SchedEntity(0, loadOfNice(0));
  rq.enqueue(a);
  assert.equal(rq.pick(), a);
  rq.setNext(a);
  assert.equal(rq.pick(), a);
  rq.dequeue(a, { sleep: true });
  assert.equal(rq.pick(), null);
  rq.putPrev(a);
  assert.equal(checkRq(rq), null);
  assert.throws(() => rq.dequeue(a), /not queued/);
});
