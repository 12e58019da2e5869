/**
 * The scheduler machine driven directly (no cgroup model): CPU time is
 * conserved, group shares split a CPU, and a group's class can be changed
 * while one of its tasks sits in a delayed dequeue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../sim/engine.js';
import { fifoClass, rrClass } from './list-class.js';
import { fairClass } from './fair-class.js';
import { Machine } from './machine.js';
import type { SchedClass } from './policy.js';
import type { SchedTask } from './sched-types.js';

const MS = 1_000_000;
const FOREVER = 1e12;

/** A machine whose tasks run forever unless a test says otherwise; charged time is summed per task. */
function machine(cpus: number): { e: Engine; m: Machine; charged: Map<number, number> } {
  const e = new Engine();
  const charged = new Map<number, number>();
  const m = new Machine(e, { cpus }, {
    stepDone: (t) => {
      t.runLeftNs = FOREVER;
    },
    charge: (t, _cpu, ns) => {
      charged.set(t.id, (charged.get(t.id) ?? 0) + ns);
    },
  });
  return { e, m, charged };
}

function spawn(m: Machine, id: number, tg = m.root): SchedTask {
  const t = m.addTask(id, `t${id}`, tg);
  t.runLeftNs = FOREVER;
  m.wake(t, true);
  return t;
}

test('every ns of a CPU is either charged to a task or idle', () => {
  const { e, m, charged } = machine(2);
  const tasks = [spawn(m, 1), spawn(m, 2), spawn(m, 3)];
  e.runUntil(7 * MS + 333);
  m.sleep(tasks[0]!);
  e.runUntil(20 * MS);
  m.sleep(tasks[1]!);
  m.sleep(tasks[2]!);
  e.runUntil(25 * MS);
  m.wake(tasks[0]!);
  e.runUntil(40 * MS);
  m.flush();
  const run = tasks.reduce((a, t) => a + t.counters.runtimeNs, 0);
  assert.equal([...charged.values()].reduce((a, b) => a + b, 0), run, 'the charge hook saw every ns');
  const busy = m.cpus.reduce((a, c) => a + (e.now - c.idleNs - (c.curr === null ? e.now - c.idleSince : 0)), 0);
  assert.equal(run, busy);
  assert.ok(run <= 2 * e.now);
  // 3 tasks on 2 CPUs for 20 ms, nothing for 5 ms, 1 task for 15 ms.
  assert.equal(run, 2 * 20 * MS + 15 * MS);
});

test('group shares 1024 and 3072 split one CPU 1:3', () => {
  const { e, m } = machine(1);
  const a = m.createGroup(m.root, 'a');
  const b = m.createGroup(m.root, 'b');
  m.setShares(b, 3072);
  const ta = spawn(m, 1, a);
  const tb = spawn(m, 2, b);
  e.runUntil(2000 * MS);
  m.flush();
  const share = ta.counters.runtimeNs / (ta.counters.runtimeNs + tb.counters.runtimeNs);
  assert.ok(Math.abs(share - 0.25) < 0.005, `share of the 1024 group ${share}`);
});

/** Runs two tasks of `tg` until the running one has used more than its share, then puts it to sleep. */
function delayedTask(e: Engine, m: Machine, tg = m.root): { slept: SchedTask; other: SchedTask } {
  const a = spawn(m, 1, tg);
  const b = spawn(m, 2, tg);
  e.runUntil(2 * MS + 600_000);
  const slept = m.cpus[0]!.curr!;
  m.sleep(slept);
  assert.equal(slept.delayed, true, 'an ineligible task that sleeps stays queued (DELAY_DEQUEUE)');
  return { slept, other: slept === a ? b : a };
}

/** The fair class under another name: switching to it gives the group new fair queues. */
const fairAgain: SchedClass = { name: 'fair-again', createRunQueue: (ctx) => fairClass.createRunQueue(ctx) };

test('changing a group\'s class while a task of it is in a delayed dequeue', async (t) => {
  for (const cls of [fifoClass, rrClass, fairAgain]) {
    await t.test(`to ${cls.name}: the delayed task can exit`, () => {
      const { e, m } = machine(1);
      const g = m.createGroup(m.root, 'g');
      const { slept, other } = delayedTask(e, m, g);
      m.setPolicy(g, cls);
      assert.equal(slept.delayed, false, 'its dequeue was completed');
      e.runUntil(e.now + 10 * MS);
      m.exit(slept);
      e.runUntil(e.now + 10 * MS);
      m.flush();
      assert.equal(m.cpus[0]!.curr, other);
    });
    await t.test(`to ${cls.name}: the delayed task can wake and run`, () => {
      const { e, m } = machine(1);
      const g = m.createGroup(m.root, 'g');
      const { slept, other } = delayedTask(e, m, g);
      m.setPolicy(g, cls);
      m.sleep(other);
      const before = slept.counters.runtimeNs;
      m.wake(slept);
      e.runUntil(e.now + 10 * MS);
      m.flush();
      assert.equal(slept.counters.runtimeNs - before, 10 * MS, 'alone in the group, it runs all the time');
    });
  }
});
