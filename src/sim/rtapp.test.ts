import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { importRtApp } from './rtapp.js';

const MS = 1_000_000;
const example = (name: string): string =>
  readFileSync(new URL(`../../examples/rt-app/${name}`, import.meta.url), 'utf8');
const TIMER_NOTE = 'after an overrun the simulator waits for the next boundary of the original period grid '
  + '(rt-app restarts the grid in relative mode, fires missed periods in absolute mode)';

test('examples/rt-app/periodic.json: a 10 ms period with 2 ms of (calibrated) run', () => {
  assert.deepEqual(importRtApp(example('periodic.json')), {
    programs: [{
      name: 'periodic', instance: 0, policy: 'SCHED_OTHER',
      program: {
        name: 'periodic', nice: -5, cpus: [0],
        // 2000 µs at 300 ns per loop is 6666 loops: 1,999,800 ns.
        steps: [{ op: 'loop', count: 'forever', body: [
          { op: 'run', ns: 1_999_800 }, { op: 'timer', periodNs: 10 * MS, ref: 'unique' }] }],
      },
    }],
    durationNs: 2e9,
    warnings: [`tasks/periodic/timer: timer 'unique': ${TIMER_NOTE}`],
  });
});

test('examples/rt-app/phases.json: two looped phases, numbered keys in order, an initial delay', () => {
  assert.deepEqual(importRtApp(example('phases.json')), {
    programs: [{
      name: 'player', instance: 0,
      program: {
        name: 'player',
        steps: [
          { op: 'sleep', ns: 500_000 },
          { op: 'loop', count: 3, body: [
            { op: 'loop', count: 10, body: [
              { op: 'run', ns: MS }, { op: 'sleep', ns: 4 * MS }, { op: 'run', ns: MS / 2 }, { op: 'sleep', ns: 4.5 * MS }] },
            { op: 'loop', count: 5, body: [{ op: 'run', ns: 8 * MS }, { op: 'timer', periodNs: 16 * MS, ref: 'unique' }] },
          ] },
        ],
      },
    }],
    warnings: [`tasks/player/phases/heavy/timer: timer 'unique': ${TIMER_NOTE}`],
  });
});

test('examples/rt-app/taskgroups.json: instances, task groups, nice and a FIFO task', () => {
  const web = { name: 'web', steps: [{ op: 'loop', count: 'forever', body: [{ op: 'run', ns: 5 * MS }, { op: 'sleep', ns: 5 * MS }] }] };
  const batch = { name: 'batch', nice: 10, steps: [{ op: 'loop', count: 'forever', body: [{ op: 'run', ns: 100 * MS }] }] };
  const rt = { name: 'rt', steps: [{ op: 'loop', count: 100, body: [{ op: 'run', ns: MS }, { op: 'sleep', ns: 9 * MS }] }] };
  assert.deepEqual(importRtApp(example('taskgroups.json')), {
    programs: [
      { name: 'web', instance: 0, taskgroup: '/guest', program: web },
      { name: 'web', instance: 1, taskgroup: '/guest', program: web },
      { name: 'batch', instance: 0, taskgroup: '/guest/batch', program: batch },
      { name: 'batch', instance: 1, taskgroup: '/guest/batch', program: batch },
      { name: 'batch', instance: 2, taskgroup: '/guest/batch', program: batch },
      { name: 'rt', instance: 0, policy: 'SCHED_FIFO', priority: 50, program: rt },
    ],
    durationNs: 5e9,
    warnings: [],
  });
});

test('examples/rt-app/unsupported.json: every unsupported item is warned with its path', () => {
  assert.deepEqual(importRtApp(example('unsupported.json')), {
    programs: [
      { name: 'producer', instance: 0, program: { name: 'producer', steps: [
        { op: 'loop', count: 'forever', body: [{ op: 'run', ns: MS }, { op: 'sleep', ns: 9 * MS }] }] } },
      { name: 'consumer', instance: 0, program: { name: 'consumer', steps: [
        { op: 'loop', count: 'forever', body: [
          { op: 'run', ns: 3 * MS },
          { op: 'thread', program: { name: 'helper', steps: [{ op: 'run', ns: 500_000 }] } }] }] } },
    ],
    durationNs: 1e9,
    warnings: [
      'global/calibration: calibration by CPU is not simulated; run events take exactly their time',
      "global/pi_enabled: 'pi_enabled' has no meaning in the simulator (ignored)",
      "global/log_basename: 'log_basename' has no meaning in the simulator (ignored)",
      "tasks/producer/lock: 'lock' event dropped: mutexes are not simulated",
      "tasks/producer/signal: 'signal' event dropped: condition variables are not simulated",
      "tasks/producer/unlock: 'unlock' event dropped: mutexes are not simulated",
      'tasks/consumer/phases/wait/util_min: utilization clamping is not simulated',
      "tasks/consumer/phases/wait/lock: 'lock' event dropped: mutexes are not simulated",
      "tasks/consumer/phases/wait/wait: 'wait' event dropped: condition variables are not simulated",
      "tasks/consumer/phases/wait/unlock: 'unlock' event dropped: mutexes are not simulated",
      "tasks/helper/yield: 'yield' event dropped: yield is not simulated",
    ],
  });
});
