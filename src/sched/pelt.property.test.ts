/**
 * The integer PELT against a floating-point model of its definition: every
 * 1024-ns unit contributes its activity, weighted y^k where k counts the
 * periods completed since that unit (y = 2^(-1/32)), and an average is the
 * sum over the largest sum possible at the current point of the period.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { newSchedAvg, updateBlockedEntityLoadAvg, updateCfsRqLoadAvg, updateEntityLoadAvg } from './pelt.js';
import { SCHED_PRIO_TO_WEIGHT } from '../core/controllers/cpu-weight.js';

const Y = 2 ** (-1 / 32);

class FloatPelt {
  unit = 0;
  load = 0;
  runnable = 0;
  util = 0;

  /** Advances the unit clock to floor(now / 1024) with constant activity. */
  advance(now: number, load: number, runnable: number, running: boolean): void {
    const target = Math.floor(now / 1024);
    for (; this.unit < target; this.unit++) {
      this.load += load;
      this.runnable += runnable * 1024;
      if (running) this.util += 1024;
      if ((this.unit + 1) % 1024 === 0) {
        this.load *= Y;
        this.runnable *= Y;
        this.util *= Y;
      }
    }
  }

  averages(weight: number): { load: number; runnable: number; util: number } {
    const max = (1024 * Y) / (1 - Y) + (this.unit % 1024);
    return { load: (weight * this.load) / max, runnable: this.runnable / max, util: this.util / max };
  }
}

type State = 'running' | 'waiting' | 'blocked';
const segment = fc.record({
  ns: fc.integer({ min: 1, max: 6_000_000 }),
  state: fc.constantFrom<State>('running', 'waiting', 'blocked'),
});

function close(actual: number, expected: number, scale: number, what: string): void {
  const tol = 0.004 * scale + 2;
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected.toFixed(2)} (tolerance ${tol.toFixed(1)})`);
}

test('entity PELT matches the float model within 0.4% of full scale', () => {
  fc.assert(fc.property(
    fc.constantFrom(...SCHED_PRIO_TO_WEIGHT),
    fc.array(segment, { minLength: 1, maxLength: 80 }),
    (weight, segs) => {
      const sa = newSchedAvg();
      const ref = new FloatPelt();
      let now = 0;
      for (const { ns, state } of segs) {
        now += ns;
        const onRq = state !== 'blocked';
        const running = state === 'running';
        const crossed = onRq
          ? updateEntityLoadAvg(now, sa, weight, true, 1, running)
          : updateBlockedEntityLoadAvg(now, sa, weight);
        ref.advance(now, onRq ? 1 : 0, onRq ? 1 : 0, running);
        if (!crossed) continue;
        const r = ref.averages(weight);
        close(sa.loadAvg, r.load, weight, 'load_avg');
        close(sa.runnableAvg, r.runnable, 1024, 'runnable_avg');
        close(sa.utilAvg, r.util, 1024, 'util_avg');
      }
    },
  ), { numRuns: 60 });
});

test('cfs_rq PELT matches the float model for a varying queued weight and task count', () => {
  fc.assert(fc.property(
    fc.array(fc.record({
      ns: fc.integer({ min: 1, max: 6_000_000 }),
      weight: fc.integer({ min: 0, max: 8 * 1024 }),
      nr: fc.integer({ min: 1, max: 8 }),
      curr: fc.boolean(),
    }), { minLength: 1, maxLength: 80 }),
    (segs) => {
      const sa = newSchedAvg();
      const ref = new FloatPelt();
      let now = 0;
      let maxW = 1024;
      let maxNr = 1;
      for (const { ns, weight, nr, curr } of segs) {
        now += ns;
        const n = weight === 0 ? 0 : nr;
        maxW = Math.max(maxW, weight);
        maxNr = Math.max(maxNr, n);
        const crossed = updateCfsRqLoadAvg(now, sa, weight, n, curr);
        ref.advance(now, weight, n, weight !== 0 && curr);
        if (!crossed) continue;
        const r = ref.averages(1);
        close(sa.loadAvg, r.load, maxW, 'load_avg');
        close(sa.runnableAvg, r.runnable, maxNr * 1024, 'runnable_avg');
        close(sa.utilAvg, r.util, 1024, 'util_avg');
      }
    },
  ), { numRuns: 60 });
});
