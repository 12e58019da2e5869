/**
 * Scheduling classes as ops records (the kernel's `struct sched_class`, cut
 * down to what one run queue needs). A class creates run queues; the
 * machine (machine.ts) gives every task group one run queue per CPU and
 * calls these operations on it. Group entities and tasks are both
 * SchedEntity objects, so a class can queue either: a group's class decides
 * among that group's children only (the seeds' "guest scheduler"), inside
 * the share its parent's class gives the group.
 *
 * Calls and what holds then (time is already accounted with updateCurr()):
 * - `enqueue(se, flags)`: se is runnable and not queued here. `initial`:
 *   a task that was just created; `wakeup`: it was asleep.
 * - `dequeue(se, flags)`: se leaves. `sleep`: it blocks; the fair class
 *   may keep a sleeping entity queued for a while (delayed dequeue) and
 *   then returns false; `special` forbids that.
 * - `requeueDelayed(se)`: a delayed entity woke up before it left.
 * - `pickNext(onBlocked)`: the entity to run next, or null when nothing is
 *   queued; entities whose delayed dequeue completes on the way are handed
 *   to `onBlocked`. Does not change `curr`.
 * - `setNext(se)`: se becomes `curr` (it runs, or a task below it runs).
 * - `putPrev(se)`: curr stops running (preempted or blocked, still queued
 *   or not).
 * - `updateCurr(deltaNs)`: curr ran deltaNs; true asks for a reschedule.
 * - `wakeupPreempt(curr, woken)`: both queued here; true when woken
 *   should run now instead of curr.
 * - `reweight(se, load)`: a new weight for a queued or unqueued entity.
 */
import type { LoadWeight } from './fair-math.js';
import type { SchedEntity } from './entity.js';

export interface EnqueueOpts {
  readonly initial?: boolean;
  readonly wakeup?: boolean;
}

export interface DequeueOpts {
  readonly sleep?: boolean;
  readonly special?: boolean;
  /** Completes the delayed dequeue of a sleeping entity (with `sleep`). */
  readonly delayed?: boolean;
}

export interface RunQueue {
  readonly curr: SchedEntity | null;
  /** Queued entities, curr and delayed ones included. */
  readonly nrQueued: number;
  /** Σ unscaled weights of the queued entities (calc_group_shares reads it). */
  readonly load: number;
  enqueue(se: SchedEntity, opts: EnqueueOpts): void;
  dequeue(se: SchedEntity, opts: DequeueOpts): boolean;
  requeueDelayed(se: SchedEntity): void;
  pickNext(onBlocked: (se: SchedEntity) => void): SchedEntity | null;
  setNext(se: SchedEntity): void;
  putPrev(se: SchedEntity): void;
  updateCurr(deltaNs: number): boolean;
  wakeupPreempt(curr: SchedEntity, woken: SchedEntity): boolean;
  reweight(se: SchedEntity, load: LoadWeight): void;
}

/** What a class is told when it creates a run queue. */
export interface RunQueueContext {
  readonly cpu: number;
  /** sysctl_sched_base_slice for this machine. */
  readonly baseSliceNs: number;
  readonly tickNs: number;
}

export interface SchedClass {
  /** Short name: `fair`, `rr`, `fifo`, or a user class's own. */
  readonly name: string;
  createRunQueue(ctx: RunQueueContext): RunQueue;
}
