/**
 * Core scheduling under random load on SMT machines: random cookies
 * (untagged included) given and changed while tasks run, sleep and wake,
 * nested groups with weights and bandwidth limits, pinned tasks. At every
 * instant simulated time advances past, no two siblings of a core run tasks
 * of different cookies, and a CPU counts forced idle exactly while it idles
 * with a task it could run. Forced idle charged to tasks adds up to the
 * forced idle of the CPUs (exactly with two threads per core, never more
 * with four, where the kernel's scaling rounds down).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Engine } from '../sim/engine.js';
import { Machine } from './machine.js';
import type { SchedTask, TaskGroup } from './sched-types.js';
import { coreViolations } from './core-sched-check.test-util.js';

const seed = Number(process.env.CGKIT_PROP_SEED ?? 515151);
const numRuns = Number(process.env.CGKIT_PROP_RUNS ?? 200);
const MS = 1_000_000;

interface TaskSpec { group: number; cookie: number; runMs: number; sleepMs: number; pin: number | null; recookieAtMs: number | null; newCookie: number }
interface GroupSpec { parent: number; shares: number; quotaPct: number | null }

const taskArb = fc.record({
  group: fc.nat(3), cookie: fc.nat(3), runMs: fc.integer({ min: 1, max: 30 }), sleepMs: fc.nat(20),
  pin: fc.option(fc.nat(7), { nil: null }), recookieAtMs: fc.option(fc.integer({ min: 1, max: 300 }), { nil: null }), newCookie: fc.nat(4),
});
const groupArb = fc.record({ parent: fc.nat(2), shares: fc.integer({ min: 2, max: 4096 }), quotaPct: fc.option(fc.integer({ min: 10, max: 150 }), { nil: null }) });
const shapeArb = fc.constantFrom({ cpus: 2, smt: 2 }, { cpus: 4, smt: 2 }, { cpus: 6, smt: 2 }, { cpus: 8, smt: 4 }, { cpus: 4, smt: 4 });

function run(shape: { cpus: number; smt: number }, groups: GroupSpec[], specs: TaskSpec[]): void {
  const e = new Engine();
  const phase = new Map<SchedTask, TaskSpec>();
  const m: Machine = new Machine(e, shape, {
    stepDone: (t) => {
      const spec = phase.get(t)!;
      if (spec.sleepMs === 0) {
        t.runLeftNs = spec.runMs * MS;
        return;
      }
      m.sleep(t);
      e.after(spec.sleepMs * MS, () => {
        t.runLeftNs = spec.runMs * MS;
        m.wake(t);
      });
    },
  });
  const tgs: TaskGroup[] = [m.root];
  for (const g of groups) {
    const tg = m.createGroup(tgs[Math.min(g.parent, tgs.length - 1)]!, `g${tgs.length}`);
    m.setShares(tg, g.shares);
    if (g.quotaPct !== null) m.setLimits(tg, { quotaNs: g.quotaPct * 1000 * 100, periodNs: 10 * MS, burstNs: 0 });
    tgs.push(tg);
  }
  specs.forEach((spec, i) => {
    const pin = spec.pin === null ? null : [spec.pin % shape.cpus];
    const t = m.addTask(i + 1, `t${i + 1}`, tgs[Math.min(spec.group, tgs.length - 1)]!, 0, pin);
    phase.set(t, spec);
    m.setCookie(t, spec.cookie);
    t.runLeftNs = spec.runMs * MS;
    m.wake(t, true);
    if (spec.recookieAtMs !== null) e.at(spec.recookieAtMs * MS, () => m.setCookie(t, spec.newCookie));
  });
  const end = 1000 * MS;
  let atOnce = 0;
  while (e.nextTime !== undefined && e.nextTime <= end) {
    if (e.nextTime > e.now) {
      const v = coreViolations(m);
      assert.deepEqual(v, [], `at ${e.now} ns`);
      atOnce = 0;
    } else if (++atOnce > 10_000) assert.fail(`more than 10000 events at ${e.now} ns: the machine does not settle`);
    e.step();
  }
  e.runUntil(end);
  m.flush();
  const tasks = [...phase.keys()];
  const charged = tasks.reduce((a, t) => a + t.counters.forceIdleNs, 0);
  const idled = m.cpus.reduce((a, c) => a + c.forcedIdleNs, 0);
  if (shape.smt === 2) assert.equal(charged, idled);
  else assert.ok(charged <= idled, `${charged} charged > ${idled} forced idle`);
  const ran = tasks.reduce((a, t) => a + t.counters.runtimeNs, 0);
  assert.ok(ran <= shape.cpus * end, 'no more CPU time than the machine has');
  const idle = m.cpus.reduce((a, c) => a + c.idleNs + (c.curr === null ? end - c.idleSince : 0), 0);
  assert.ok(idled <= idle, `${idled} ns forced idle but only ${idle} ns idle`);
  for (const t of tasks) {
    assert.ok(t.counters.forceIdleNs <= t.counters.runtimeNs * (shape.smt - 1), `task ${t.id} charged ${t.counters.forceIdleNs} ns of forced idle in ${t.counters.runtimeNs} ns of running`);
  }
}

test('random SMT runs: siblings never run different cookies; forced idle only while a runnable task waits', () => {
  fc.assert(
    fc.property(shapeArb, fc.array(groupArb, { maxLength: 3 }), fc.array(taskArb, { minLength: 1, maxLength: 16 }), (shape, groups, specs) => run(shape, groups, specs)),
    { numRuns, seed },
  );
});
