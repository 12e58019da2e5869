/**
 * Robustness of the simulated kernel's scheduler under random use: any
 * sequence of spawns, kills, moves, freezes, weight and bandwidth writes,
 * cpuset and policy changes with runs in between never throws, never gives
 * out more CPU time than the machine has, and never has a task on two CPUs
 * (or two tasks on one CPU) at once.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { opArb, runAndCheck } from './sched-random.test-util.js';

// A fixed seed keeps CI reproducible; CGKIT_PROP_SEED=<n> and CGKIT_PROP_RUNS=<n> explore further.
const seed = Number(process.env.CGKIT_PROP_SEED ?? 424242);
const numRuns = Number(process.env.CGKIT_PROP_RUNS ?? 30);

test('random use of the scheduler keeps CPU time consistent', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }), runAndCheck),
    { numRuns, seed },
  );
});
