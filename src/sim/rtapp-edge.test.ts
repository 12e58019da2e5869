import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgramError } from './program.js';
import { importRtApp } from './rtapp.js';


function refused(input: unknown, pointer: string, reason: RegExp): void {
  assert.throws(() => importRtApp(input), (e: unknown) => {
    assert.ok(e instanceof ProgramError, String(e));
    assert.equal(e.code, 'EINVAL');
    assert.equal(e.pointer, pointer);
    assert.match(e.reason, reason);
    return true;
  });
}

const warningsOf = (doc: unknown): string[] => importRtApp(doc).warnings;

test('malformed files are refused with the path', () => {
  refused('{ "tasks": ', '', /not valid JSON/);
  refused([], '', /JSON object/);
  refused({}, 'tasks', /"tasks" object is required/);
  refused({ tasks: { a: 3 } }, 'tasks/a', /must be an object/);
  refused({ tasks: { a: { loop: 1 } } }, 'tasks/a', /at least one event/);
  refused({ tasks: { a: { run: -1 } } }, 'tasks/a/run', /microseconds/);
  refused({ tasks: { a: { sleep: '5' } } }, 'tasks/a/sleep', /microseconds/);
  refused({ tasks: { a: { timer: { ref: 'x' } } } }, 'tasks/a/timer/period', /period > 0/);
  refused({ tasks: { a: { timer: { ref: 'x', period: 5, mode: 'late' } } } }, 'tasks/a/timer/mode', /relative/);
  refused({ tasks: { a: { fork: 'b' } } }, 'tasks/a/fork', /no task named "b"/);
  refused({ tasks: { a: { run: 1, policy: 'SCHED_BATCH' } } }, 'tasks/a/policy', /unknown policy/);
  refused({ tasks: { a: { run: 1, priority: 25 } } }, 'tasks/a/priority', /-20 to 19/);
  refused({ tasks: { a: { run: 1, policy: 'SCHED_RR', priority: 0 } } }, 'tasks/a/priority', /1 to 99/);
  refused({ tasks: { a: { run: 1, taskgroup: 'g' } } }, 'tasks/a/taskgroup', /start with \//);
  refused({ tasks: { a: { run: 1, policy: 'SCHED_FIFO', taskgroup: '/g' } } }, 'tasks/a/taskgroup', /no taskgroup for SCHED_FIFO/);
  refused({ tasks: { a: { run: 1, loop: -2 } } }, 'tasks/a/loop', /forever/);
  refused({ tasks: { a: { run: 1, instance: -1 } } }, 'tasks/a/instance', /integer/);
  refused({ tasks: { a: { run: 1, cpus: [1, -1] } } }, 'tasks/a (program cpus/1)', /0 to 8191/);
  refused({ tasks: { a: { run: 0 } } }, 'tasks/a (program steps/0/body)', /forever loop needs/);
  refused({ global: { duration: 'long' }, tasks: { a: { run: 1 } } }, 'global/duration', /seconds or -1/);
  refused({ global: { calibration: 0 }, tasks: { a: { run: 1 } } }, 'global/calibration', /1 to/);
});

test('defaults: forever without loop, once with loop, run exact without calibration, phases loop 1', () => {
  const r = importRtApp({ tasks: { a: { run: 3 }, b: { run: 3, loop: 2 }, c: { phases: { p: { sleep: 1 } }, loop: 0 } } });
  assert.deepEqual(r.programs.map((t) => t.program.steps), [
    [{ op: 'loop', count: 'forever', body: [{ op: 'run', ns: 3000 }] }],
    [{ op: 'loop', count: 2, body: [{ op: 'run', ns: 3000 }] }],
    [{ op: 'loop', count: 0, body: [{ op: 'sleep', ns: 1000 }] }],
  ]);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.durationNs, undefined);
});

test('an integer calibration quantizes run but not runtime', () => {
  const r = importRtApp({ global: { calibration: 700 }, tasks: { a: { loop: 1, run: 1, runtime: 1, run2: 1000 } } });
  assert.deepEqual(r.programs[0]?.program.steps, [{ op: 'run', ns: 700 }, { op: 'run', ns: 1000 }, { op: 'run', ns: 999_600 }]);
});

test('a shared (non-unique) timer is warned; unique ones are not', () => {
  const w = warningsOf({ tasks: {
    a: { instance: 2, run: 1, timer: { ref: 'tick', period: 1000 } },
    b: { instance: 2, run: 1, timer: { ref: 'unique_b', period: 1000 } },
  } });
  assert.deepEqual(w.filter((x) => x.includes('shared')), ["tasks/a/timer: timer 'tick' is shared by 2 threads in rt-app; each simulated thread gets its own"]);
  const w2 = warningsOf({ tasks: { a: { run: 1, timer: { ref: 't', period: 1 } }, b: { run: 1, timer: { ref: 't', period: 1 } } } });
  assert.ok(w2.includes("tasks/a/timer: timer 't' is shared by 2 threads in rt-app; each simulated thread gets its own"));
});

test('deadline, per-phase properties, unknown keys and fork cycles are warned', () => {
  const r = importRtApp({ mystery: 1, resources: {}, tasks: {
    dl: { policy: 'SCHED_DEADLINE', 'dl-runtime': 1000, 'dl-period': 10000, run: 100, sleep: 100 },
    ph: { run: 5, colour: 'red', phases: { p1: { cpus: [1], priority: 3, taskgroup: '/x', membind_nodes: [0], runtime: 10, shape: 1 } } },
    loopy: { runtime: 1, fork: 'loopy' },
    empty: { lock: 'm', unlock: 'm' },
  } });
  assert.deepEqual(r.warnings, [
    "mystery: unknown key 'mystery' ignored",
    'resources: the resources section is ignored (resources come from the events)',
    'tasks/dl/dl-runtime: SCHED_DEADLINE parameters are not simulated',
    'tasks/dl/dl-period: SCHED_DEADLINE parameters are not simulated',
    'tasks/dl/policy: SCHED_DEADLINE is not simulated; the task runs as SCHED_OTHER',
    "tasks/ph/run: event ignored: the task has 'phases'",
    "tasks/ph/colour: unknown key 'colour' ignored",
    'tasks/ph/phases/p1/membind_nodes: NUMA memory binding is not simulated',
    "tasks/ph/phases/p1/cpus: per-phase 'cpus' is not simulated; the task's value applies",
    "tasks/ph/phases/p1/priority: per-phase 'priority' is not simulated; the task's value applies",
    "tasks/ph/phases/p1/taskgroup: per-phase 'taskgroup' is not simulated; the task's value applies",
    "tasks/ph/phases/p1/shape: unknown key 'shape' ignored",
    "tasks/loopy/fork: fork of 'loopy' dropped: it would fork itself without end",
    "tasks/empty/lock: 'lock' event dropped: mutexes are not simulated",
    "tasks/empty/unlock: 'unlock' event dropped: mutexes are not simulated",
    'tasks/empty: no simulated events are left: the task exits at once',
  ]);
  assert.equal(r.programs[0]?.policy, 'SCHED_OTHER');
  assert.deepEqual(r.programs[1]?.program.steps, [{ op: 'loop', count: 'forever', body: [{ op: 'run', ns: 10_000 }] }]);
  assert.deepEqual(r.programs[3]?.program.steps, []);
});

test('a forked task with its own policy warns; slashes in names are escaped in paths', () => {
  const r = importRtApp({ tasks: { 'a/b': { runtime: 1, fork: 'c', loop: 1 }, c: { instance: 0, runtime: 2, loop: 1, taskgroup: '/g' } } });
  assert.deepEqual(r.warnings, ["tasks/a~1b/fork: forked 'c' runs as a thread of this task: its policy and taskgroup do not apply"]);
  assert.deepEqual(r.programs, [{ name: 'a/b', instance: 0, program: { name: 'a/b', steps: [
    { op: 'run', ns: 1000 }, { op: 'thread', program: { name: 'c', steps: [{ op: 'run', ns: 2000 }] } }] } }]);
});
