import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../sim/engine.js';
import { BandwidthPool } from './bandwidth-pool.js';
import { BandwidthRq } from './bandwidth-rq.js';
import { singleGroup } from './bandwidth-loop.test-util.js';

const MS = 1_000_000;
const STEP = 100_000;

test('1 ms per 100 ms on one busy CPU gives 1% over 10 s', () => {
  const e = new Engine();
  const { pool, rqs, loop } = singleGroup(e, 1, { quotaNs: MS, periodNs: 100 * MS, burstNs: 0 });
  e.runUntil(10_000 * MS);
  const pct = (loop.totalNs / (10_000 * MS)) * 100;
  assert.ok(Math.abs(pct - 1) <= 0.1, `usage ${pct}%`);
  // Runtime is never lost or created: what ran is what the pool handed out
  // (the initial fill + one quota per period) minus what is still held.
  // setLimits() gives the queue 1 ns to start with.
  const handedOut = 1 + MS * (1 + Number(pool.stats.nrPeriods)) - pool.runtime;
  assert.equal(loop.totalNs, handedOut - rqs[0]!.runtimeRemaining);
  // A queue overruns by less than one accounting step before it throttles.
  assert.ok(-rqs[0]!.runtimeRemaining < STEP);
  assert.equal(pool.stats.nrPeriods, 100n);
  assert.equal(pool.stats.nrThrottled, 100n);
  assert.ok(pool.stats.throttledNs > BigInt(9_800 * MS));
});

test('50 ms per 100 ms on two busy CPUs gives half a CPU, throttled every period', () => {
  const e = new Engine();
  const { pool, loop, rqs } = singleGroup(e, 2, { quotaNs: 50 * MS, periodNs: 100 * MS, burstNs: 0 });
  e.runUntil(10_000 * MS);
  const cpus = loop.totalNs / (10_000 * MS);
  assert.ok(Math.abs(cpus - 0.5) <= 0.005, `usage ${cpus} CPUs`);
  assert.equal(pool.stats.nrPeriods, 100n);
  assert.ok(pool.stats.nrThrottled >= 99n, `nr_throttled ${pool.stats.nrThrottled}`);
  assert.equal(pool.stats.throttledNs, BigInt(rqs[0]!.throttledNs + rqs[1]!.throttledNs));
  // Both CPUs take slices from the same pool, so each gets about a quarter CPU.
  for (const u of loop.usedNs) assert.ok(Math.abs(u / (10_000 * MS) - 0.25) < 0.03, `per-CPU ${u}`);
});

test('quota larger than the period lets two busy CPUs run unthrottled', () => {
  const e = new Engine();
  const { pool, loop } = singleGroup(e, 2, { quotaNs: 200 * MS, periodNs: 100 * MS, burstNs: 0 });
  e.runUntil(5_000 * MS);
  assert.equal(loop.totalNs, 2 * 5_000 * MS);
  assert.equal(pool.stats.nrThrottled, 0n);
  assert.equal(pool.stats.throttledNs, 0n);
  assert.equal(pool.stats.nrPeriods, 50n);
});

test('burst lets an idle-then-busy group exceed quota by up to burst, counted in nr_bursts/burst_time', () => {
  const e = new Engine();
  const { pool, loop } = singleGroup(e, 1, { quotaNs: 20 * MS, periodNs: 100 * MS, burstNs: 20 * MS }, false);
  e.runUntil(300 * MS);
  assert.equal(pool.timerActive, false);
  assert.equal(pool.runtime, 40 * MS);
  loop.setBusy(0, true);
  e.runUntil(400 * MS);
  // The first busy period ran quota + burst (plus at most the one step that
  // overran the queue's last nanosecond before it throttled).
  assert.ok(loop.totalNs >= 40 * MS && loop.totalNs <= 40 * MS + STEP, `used ${loop.totalNs}`);
  assert.equal(pool.stats.nrBursts, 1n);
  assert.equal(pool.stats.burstNs, BigInt(20 * MS));
  e.runUntil(1_000 * MS);
  // Later periods are back at the quota (the pool cannot refill above it while busy).
  assert.ok(Math.abs(loop.totalNs - 40 * MS - 6 * 20 * MS) <= 2 * STEP, `used ${loop.totalNs}`);
  assert.equal(pool.stats.nrBursts, 1n);
});

test('without burst the pool never holds more than one quota', () => {
  const e = new Engine();
  const { pool, loop } = singleGroup(e, 1, { quotaNs: 20 * MS, periodNs: 100 * MS, burstNs: 0 }, false);
  e.runUntil(300 * MS);
  assert.equal(pool.runtime, 20 * MS);
  loop.setBusy(0, true);
  e.runUntil(400 * MS);
  assert.ok(loop.totalNs >= 20 * MS && loop.totalNs <= 20 * MS + STEP, `used ${loop.totalNs}`);
  assert.equal(pool.stats.nrBursts, 0n);
});

test('an idle group stops the period timer and nr_periods stops growing; a request restarts it', () => {
  const e = new Engine();
  const { pool, loop } = singleGroup(e, 1, { quotaNs: 10 * MS, periodNs: 100 * MS, burstNs: 0 });
  e.runUntil(1_000 * MS);
  assert.equal(pool.stats.nrPeriods, 10n);
  loop.setBusy(0, false);
  e.runUntil(1_500 * MS);
  assert.equal(pool.timerActive, false);
  const stopped = pool.stats.nrPeriods;
  assert.ok(stopped <= 13n, `periods ${stopped}`);
  e.runUntil(5_000 * MS);
  assert.equal(pool.stats.nrPeriods, stopped);
  loop.setBusy(0, true);
  e.runUntil(5_050 * MS);
  assert.equal(pool.timerActive, true);
  assert.equal(pool.nextRefillNs, 5_100 * MS);
  e.runUntil(5_100 * MS);
  assert.equal(pool.stats.nrPeriods, stopped + 1n);
});

test('an unlimited pool never throttles and never starts the timer', () => {
  const e = new Engine();
  const { pool, loop } = singleGroup(e, 2, { quotaNs: 'max', periodNs: 100 * MS, burstNs: 0 });
  e.runUntil(1_000 * MS);
  assert.equal(loop.totalNs, 2 * 1_000 * MS);
  assert.equal(pool.timerActive, false);
  assert.equal(pool.stats.nrPeriods, 0n);
});

test('slices are 5 ms, or what is left in the pool', () => {
  const e = new Engine();
  const pool = new BandwidthPool(e);
  const a = new BandwidthRq(pool, 0);
  const b = new BandwidthRq(pool, 1);
  pool.setLimits({ quotaNs: 7 * MS, periodNs: 100 * MS, burstNs: 0 }, [a, b]);
  assert.equal(a.charge(1), false);
  assert.equal(a.runtimeRemaining, 5 * MS);
  assert.equal(b.charge(1), false);
  assert.equal(b.runtimeRemaining, 2 * MS);
  assert.equal(pool.runtime, 0);
  assert.equal(b.charge(2 * MS), true);
  assert.equal(b.throttle(), true);
  assert.deepEqual(pool.throttled, [b]);
  // a still has local runtime, so a throttle attempt on it is refused.
  assert.equal(a.throttle(), false);
});

test('an idle queue returns all but 1 ms; the slack timer unthrottles a waiting queue 5 ms later', () => {
  const e = new Engine();
  const pool = new BandwidthPool(e);
  const a = new BandwidthRq(pool, 0);
  const b = new BandwidthRq(pool, 1);
  pool.setLimits({ quotaNs: 10 * MS, periodNs: 100 * MS, burstNs: 0 }, [a, b]);
  b.charge(1);
  a.charge(1);
  assert.equal(b.charge(5 * MS), true);
  assert.equal(b.throttle(), true);
  e.runUntil(10 * MS);
  a.idle();
  assert.equal(a.runtimeRemaining, MS);
  assert.equal(pool.runtime, 4 * MS);
  // 4 ms is not more than a slice: no slack timer.
  assert.equal(pool.slackPending, false);
  pool.runtime += 2 * MS;
  a.runtimeRemaining = 3 * MS;
  a.idle();
  assert.equal(pool.slackPending, true);
  e.runUntil(15 * MS - 1);
  assert.equal(b.throttled, true);
  e.runUntil(15 * MS);
  assert.equal(b.throttled, false);
  assert.equal(b.runtimeRemaining, 1);
  assert.equal(b.throttledNs, 15 * MS);
});

test('no slack timer when the period refill is due within 7 ms', () => {
  const e = new Engine();
  const pool = new BandwidthPool(e);
  const a = new BandwidthRq(pool, 0);
  const b = new BandwidthRq(pool, 1);
  pool.setLimits({ quotaNs: 10 * MS, periodNs: 100 * MS, burstNs: 0 }, [a, b]);
  b.charge(1);
  a.charge(1);
  b.charge(5 * MS);
  b.throttle();
  e.runUntil(94 * MS);
  a.runtimeRemaining = 8 * MS;
  a.idle();
  assert.equal(pool.slackPending, false);
  e.runUntil(100 * MS);
  assert.equal(b.throttled, false);
});

test('new limits unthrottle every queue with 1 ns of runtime', () => {
  const e = new Engine();
  const pool = new BandwidthPool(e);
  const a = new BandwidthRq(pool, 0);
  pool.setLimits({ quotaNs: MS, periodNs: 100 * MS, burstNs: 0 }, [a]);
  assert.equal(a.charge(2 * MS), true);
  assert.equal(a.throttle(), true);
  e.runUntil(30 * MS);
  pool.setLimits({ quotaNs: 50 * MS, periodNs: 100 * MS, burstNs: 0 }, [a]);
  assert.equal(a.throttled, false);
  assert.equal(a.runtimeRemaining, 1);
  assert.equal(pool.runtime, 50 * MS);
  assert.equal(a.throttledNs, 30 * MS);
  // The period timer keeps its phase.
  assert.equal(pool.nextRefillNs, 100 * MS);
});
