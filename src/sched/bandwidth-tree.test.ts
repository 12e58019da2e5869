import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../sim/engine.js';
import { BandwidthTree } from './bandwidth-tree.js';
import type { BandwidthGroup } from './bandwidth-tree.js';
import { BusyLoop } from './bandwidth-loop.test-util.js';

const MS = 1_000_000;
const lim = (q: number | 'max', p = 100): { quotaNs: number | 'max'; periodNs: number; burstNs: number } =>
  ({ quotaNs: q === 'max' ? 'max' : q * MS, periodNs: p * MS, burstNs: 0 });

function busy(e: Engine, g: BandwidthGroup, ncpu: number): BusyLoop {
  const loop = new BusyLoop(e, Array.from({ length: ncpu }, (_, c) => ({
    runnable: () => !g.isThrottled(c),
    run: (d: number) => void g.chargeAndThrottle(c, d),
  })));
  loop.start();
  return loop;
}

test('an unlimited child is bounded by its parent', () => {
  const e = new Engine();
  const t = new BandwidthTree(e, 2);
  const p = t.addGroup(t.root, lim(50));
  const c = t.addGroup(p, lim('max'));
  assert.equal(c.effectiveCpus(), 0.5);
  const loop = busy(e, c, 2);
  e.runUntil(5_000 * MS);
  assert.ok(Math.abs(loop.totalNs / (5_000 * MS) - 0.5) < 0.005, `${loop.totalNs}`);
  assert.ok(p.pool.stats.nrThrottled >= 49n);
  // The child's own cpu.stat shows nothing: it has no limit of its own.
  assert.equal(c.pool.stats.nrThrottled, 0n);
  assert.equal(c.pool.stats.throttledNs, 0n);
  // cpu.stat.local of the child counts the parent's throttling.
  assert.ok(c.throttledSelfNs[0]! > 2_000 * MS);
});

test('a finite child larger than its parent is held to the parent (v2 effective limit)', () => {
  const e = new Engine();
  const t = new BandwidthTree(e, 2);
  const p = t.addGroup(t.root, lim(50));
  const c = t.addGroup(p, lim(80));
  assert.equal(c.effectiveCpus(), 0.5);
  const loop = busy(e, c, 2);
  e.runUntil(5_000 * MS);
  assert.ok(Math.abs(loop.totalNs / (5_000 * MS) - 0.5) < 0.005, `${loop.totalNs}`);
});

test('a finite child smaller than its parent is held to its own quota', () => {
  const e = new Engine();
  const t = new BandwidthTree(e, 2);
  const p = t.addGroup(t.root, lim(50));
  const c = t.addGroup(p, lim(20));
  assert.equal(c.effectiveCpus(), 0.2);
  const loop = busy(e, c, 2);
  e.runUntil(5_000 * MS);
  assert.ok(Math.abs(loop.totalNs / (5_000 * MS) - 0.2) < 0.005, `${loop.totalNs}`);
  assert.ok(c.pool.stats.nrThrottled >= 49n);
  assert.equal(p.pool.stats.nrThrottled, 0n);
});

test('throttled by self or by an ancestor, per CPU', () => {
  const e = new Engine();
  const t = new BandwidthTree(e, 2);
  const p = t.addGroup(t.root, lim(10));
  const c = t.addGroup(p, lim('max'));
  const g = t.addGroup(c, lim(50));
  assert.equal(g.effectiveCpus(), 0.1);
  assert.equal(t.root.effectiveCpus(), 'max');
  // Exhaust the parent on CPU 0 through the grandchild.
  assert.equal(g.chargeAndThrottle(0, 25 * MS), true);
  assert.equal(g.throttledBy(0), p);
  assert.equal(c.throttledBy(0), p);
  assert.deepEqual([p.isThrottled(0), c.isThrottled(0), g.isThrottled(0)], [true, true, true]);
  assert.deepEqual([p.isThrottled(1), c.isThrottled(1), g.isThrottled(1)], [false, false, false]);
  assert.equal(g.throttleCount[0], 1);
  e.runUntil(100 * MS);
  // 15 ms of debt: one 10 ms refill is not enough to make the queue positive.
  assert.equal(g.isThrottled(0), true);
  e.runUntil(200 * MS);
  assert.equal(g.isThrottled(0), false);
  assert.equal(g.throttleCount[0], 0);
  assert.equal(g.throttledSelfNs[0], 200 * MS);
  assert.equal(p.rqs[0]!.throttledNs, 200 * MS);
});

test('a group created under a throttled parent starts throttled on that CPU', () => {
  const e = new Engine();
  const t = new BandwidthTree(e, 1);
  const p = t.addGroup(t.root, lim(5));
  p.chargeAndThrottle(0, 6 * MS);
  const c = t.addGroup(p);
  assert.equal(c.isThrottled(0), true);
  e.runUntil(100 * MS);
  assert.equal(c.isThrottled(0), false);
});
