/**
 * Core scheduling on the scheduler machine: tasks of different cookies
 * never share a core, the core alternates between them, and the forced
 * idle that costs is charged to the tasks that ran.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../sim/engine.js';
import { Machine } from './machine.js';
import type { SchedTask } from './sched-types.js';
import { coreViolations } from './core-sched-check.test-util.js';

const MS = 1_000_000;
const FOREVER = 1e15;

function machine(cpus: number, smt: number): { e: Engine; m: Machine; charged: Map<number, number> } {
  const e = new Engine();
  const charged = new Map<number, number>();
  const m = new Machine(e, { cpus, smt }, {
    stepDone: (t) => { t.runLeftNs = FOREVER; },
    forceIdle: (t, ns) => { charged.set(t.id, (charged.get(t.id) ?? 0) + ns); },
  });
  return { e, m, charged };
}

function spawn(m: Machine, id: number, cookie: number, cpus: number[] | null = null): SchedTask {
  const t = m.addTask(id, `t${id}`, m.root, 0, cpus);
  m.setCookie(t, cookie);
  t.runLeftNs = FOREVER;
  m.wake(t, true);
  return t;
}

/** Runs to `end`, checking the guarantees before every advance of time. */
function runChecked(e: Engine, m: Machine, end: number): void {
  let atOnce = 0;
  while (e.nextTime !== undefined && e.nextTime <= end) {
    if (e.nextTime > e.now) {
      assert.deepEqual(coreViolations(m), [], `at ${e.now} ns`);
      atOnce = 0;
    } else if (++atOnce > 10_000) assert.fail(`more than 10000 events at ${e.now} ns`);
    e.step();
  }
  e.runUntil(end);
  m.flush();
}

test('two cookies on one core take turns; each sibling idles the other half', () => {
  const { e, m, charged } = machine(2, 2);
  const a = spawn(m, 1, 1, [0]);
  const b = spawn(m, 2, 2, [1]);
  runChecked(e, m, 1000 * MS);
  const total = a.counters.runtimeNs + b.counters.runtimeNs;
  assert.equal(total, 1000 * MS, 'the core always runs exactly one of them');
  assert.ok(Math.abs(a.counters.runtimeNs - 500 * MS) < 20 * MS, `a ran ${a.counters.runtimeNs / MS} ms`);
  const [c0, c1] = m.cpus;
  assert.equal(c0!.forcedIdleNs + c1!.forcedIdleNs, 1000 * MS, 'one sibling is forced idle at every instant');
  assert.equal(a.counters.forceIdleNs, a.counters.runtimeNs, 'a is charged for the time it kept b away');
  assert.equal(b.counters.forceIdleNs, b.counters.runtimeNs);
  assert.equal(charged.get(1), a.counters.forceIdleNs);
});

test('tasks with one cookie share the core and nothing is forced idle', () => {
  const { e, m } = machine(2, 2);
  const a = spawn(m, 1, 7, [0]);
  const b = spawn(m, 2, 7, [1]);
  runChecked(e, m, 200 * MS);
  assert.equal(a.counters.runtimeNs, 200 * MS);
  assert.equal(b.counters.runtimeNs, 200 * MS);
  assert.equal(m.cpus[0]!.forcedIdleNs + m.cpus[1]!.forcedIdleNs, 0);
  assert.equal(a.counters.forceIdleNs, 0);
});

test('an untagged task does not share a core with a tagged one', () => {
  const { e, m } = machine(2, 2);
  const a = spawn(m, 1, 0, [0]);
  const b = spawn(m, 2, 3, [1]);
  runChecked(e, m, 400 * MS);
  assert.equal(a.counters.runtimeNs + b.counters.runtimeNs, 400 * MS);
  assert.ok(a.counters.runtimeNs > 150 * MS && b.counters.runtimeNs > 150 * MS);
});

test('without cookies an SMT machine schedules as without core scheduling', () => {
  const { e, m } = machine(4, 2);
  const ts = [1, 2, 3, 4].map((i) => spawn(m, i, 0));
  runChecked(e, m, 100 * MS);
  for (const t of ts) assert.equal(t.counters.runtimeNs, 100 * MS);
  assert.equal(m.cpus.reduce((s, c) => s + c.forcedIdleNs, 0), 0);
});

test('dropping the last cookie ends forced idle at once', () => {
  const { e, m } = machine(2, 2);
  const a = spawn(m, 1, 1, [0]);
  const b = spawn(m, 2, 2, [1]);
  runChecked(e, m, 100 * MS);
  m.setCookie(a, 0);
  m.setCookie(b, 0);
  const before = a.counters.runtimeNs + b.counters.runtimeNs;
  runChecked(e, m, 200 * MS);
  assert.equal(a.counters.runtimeNs + b.counters.runtimeNs - before, 200 * MS, 'both run in parallel again');
  assert.equal(m.cpus.every((c) => !c.forcedIdle), true);
});

test('a cookie change of a running task makes the core pick again', () => {
  const { e, m } = machine(2, 2);
  const a = spawn(m, 1, 5, [0]);
  const b = spawn(m, 2, 5, [1]);
  runChecked(e, m, 10 * MS);
  m.setCookie(b, 6);
  runChecked(e, m, 11 * MS);
  const runningCookies = m.cpus.filter((c) => c.curr !== null).map((c) => c.curr!.cookie);
  assert.equal(new Set(runningCookies).size, 1);
  assert.ok(a.counters.runtimeNs >= 10 * MS);
});

test('forced-idle CPUs of two cores do not pass a task back and forth for ever', () => {
  // Two cookies, some tasks pinned: entering forced idle, each core's idle sibling steals the other's waiting task.
  const { e, m } = machine(4, 2);
  const specs: [number, number | null][] = [[2, 1], [2, null], [1, 0], [1, 2], [1, null], [2, 3]];
  const ts = specs.map(([cookie, pin], i) => spawn(m, i + 1, cookie, pin === null ? null : [pin]));
  runChecked(e, m, 100 * MS);
  assert.equal(e.now, 100 * MS);
  const ran = ts.reduce((a, t) => a + t.counters.runtimeNs, 0);
  assert.ok(ran >= 200 * MS, `the machine ran ${ran / MS} ms of 400`);
});

test('a sibling that keeps its task is not switched by the other sibling\'s pick', () => {
  const { e, m } = machine(2, 2);
  const [a, b] = [spawn(m, 1, 4, [0]), spawn(m, 2, 4, [1])];
  runChecked(e, m, 100 * MS);
  // Nothing else to run on either CPU: each task ran on from its first switch-in.
  assert.equal(a.counters.timeslices, 1);
  assert.equal(b.counters.timeslices, 1);
});
