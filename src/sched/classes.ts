/** The scheduling classes cgkit ships, by name. */
import { fairClass } from './fair-class.js';
import { fifoClass, rrClass } from './list-class.js';
import type { SchedClass } from './policy.js';

export const SCHED_CLASSES: Readonly<Record<string, SchedClass>> = Object.freeze({
  fair: fairClass,
  rr: rrClass,
  fifo: fifoClass,
});

export type SchedClassName = 'fair' | 'rr' | 'fifo';
