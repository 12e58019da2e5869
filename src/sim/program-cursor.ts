/**
 * Walks a task program (program.ts) step by step: `next(now)` returns the
 * next thing the task does. Steps that take no time (fork, thread, alloc,
 * free) come back one at a time for the caller to carry out; `run` and
 * `sleep`/`timer` are where the task needs the CPU or blocks. Zero-length
 * run and sleep steps are skipped. Periodic timers keep their phase: a
 * `timer` step waits for the next boundary of start + k·period strictly
 * after now.
 */
import { CgroupError } from '../core/errors.js';
import type { Program, Step } from './program.js';

export type Action =
  | { readonly op: 'run'; readonly ns: number }
  | { readonly op: 'sleep'; readonly untilNs: number }
  | { readonly op: 'fork' | 'thread'; readonly program: Program }
  | { readonly op: 'alloc' | 'free'; readonly bytes: bigint }
  | { readonly op: 'exit'; readonly code: number };

interface Frame {
  readonly steps: readonly Step[];
  i: number;
  left: number | 'forever';
}

/** Steps without time a task may take in a row before the program is declared stuck. */
export const MAX_INSTANT_STEPS = 1_000_000;

export class ProgramCursor {
  private readonly stack: Frame[];
  private readonly timers = new Map<string, number>();
  private done = false;

  constructor(readonly program: Program) {
    this.stack = [{ steps: program.steps, i: 0, left: 1 }];
  }

  next(now: number): Action {
    for (let n = 0; n < MAX_INSTANT_STEPS; n++) {
      if (this.done) return { op: 'exit', code: 0 };
      const f = this.stack[this.stack.length - 1];
      if (f === undefined) {
        this.done = true;
        continue;
      }
      if (f.i >= f.steps.length) {
        if (f.left !== 'forever') f.left--;
        if (f.left === 'forever' || f.left > 0) f.i = 0;
        else this.stack.pop();
        continue;
      }
      const s = f.steps[f.i++]!;
      switch (s.op) {
        case 'run':
          if (s.ns > 0) return { op: 'run', ns: s.ns };
          break;
        case 'sleep':
          if (s.ns > 0) return { op: 'sleep', untilNs: now + s.ns };
          break;
        case 'timer': {
          const start = this.timers.get(s.ref);
          if (start === undefined) {
            this.timers.set(s.ref, now);
            return { op: 'sleep', untilNs: now + s.periodNs };
          }
          const k = Math.floor((now - start) / s.periodNs) + 1;
          return { op: 'sleep', untilNs: start + k * s.periodNs };
        }
        case 'loop':
          if (s.count !== 0) this.stack.push({ steps: s.body, i: 0, left: s.count });
          break;
        case 'exit':
          this.done = true;
          return { op: 'exit', code: s.code };
        case 'fork':
        case 'thread':
          return { op: s.op, program: s.program };
        case 'alloc':
        case 'free':
          return { op: s.op, bytes: s.bytes };
      }
    }
    throw new CgroupError('ELOOP', 'spawn', undefined, `program ${this.program.name ?? ''} takes ${MAX_INSTANT_STEPS} steps without using time`);
  }
}
