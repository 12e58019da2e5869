/**
 * Walking a task's chain of group queues: enqueue and dequeue with the
 * group entities above (a group's entity is queued in its parent exactly
 * while the group has something queued and is not throttled), the
 * per-level load tracking and group-weight updates the kernel does on the
 * way (update_load_avg, update_cfs_group), and throttling/unthrottling a
 * group queue by bandwidth control. All at time `now`, after the CPU's
 * running task has been charged up to `now`.
 */
import { scaleLoadDown, loadOfWeight } from './fair-math.js';
import { scaleLoad } from './group-shares.js';
import { getPeltDivider, updateCfsRqLoadAvg, updateEntityLoadAvg } from './pelt.js';
import type { GroupCpu, MEntity, SchedTask } from './sched-types.js';

/** update_load_avg(cfs_rq, se, UPDATE_TG): the entity's, its queue's and the group's load signals. */
export function updateLoad(gc: GroupCpu, se: MEntity, now: number): void {
  const running = gc.rq.curr === se;
  const runnable = se.my !== null ? se.my.hNrRunnable : se.onRq && !se.task!.delayed ? 1 : 0;
  updateEntityLoadAvg(now, se.avg, se.weight, se.onRq, runnable, running);
  updateCfsRqLoadAvg(now, gc.avg, gc.rq.load, gc.hNrRunnable, gc.rq.curr !== null);
  gc.tg.load.updateTgLoadAvg(gc.cpu, gc.avg.loadAvg, now);
}

/** update_cfs_group(): a group entity's weight becomes calc_group_shares() of the queue it stands for. */
export function updateGroupWeight(se: MEntity): void {
  const my = se.my;
  if (my === null) return;
  const w = scaleLoadDown(my.tg.load.groupShares(my.cpu, scaleLoad(my.rq.load), my.avg.loadAvg));
  if (w === se.weight) return;
  // reweight_entity(): the entity's load average follows its new weight at
  // once (weight x its unweighted runnable sum), in its parent queue too.
  const p = se.parent.avg;
  p.loadAvg = Math.max(0, p.loadAvg - se.avg.loadAvg);
  p.loadSum = Math.max(0, p.loadSum - se.weight * se.avg.loadSum);
  se.parent.rq.reweight(se, loadOfWeight(w));
  se.avg.loadAvg = Math.floor((se.weight * se.avg.loadSum) / getPeltDivider(se.avg));
  p.loadAvg += se.avg.loadAvg;
  p.loadSum += se.weight * se.avg.loadSum;
}

/**
 * Adds `n` runnable tasks to `gc` and the levels above it up to and
 * including the first throttled one, enqueueing group entities that were
 * not queued. Returns true when the tasks became runnable at the CPU's
 * root (no throttled level in between).
 */
function propagateUp(gc: GroupCpu, n: number, now: number): boolean {
  let g = gc;
  for (;;) {
    g.hNrRunnable += n;
    if (g.throttled) return false;
    const gse = g.se;
    if (gse === null) return true;
    const p = gse.parent;
    updateLoad(p, gse, now);
    updateGroupWeight(gse);
    if (!gse.onRq && g.rq.nrQueued > 0) p.rq.enqueue(gse, { wakeup: true });
    g = p;
  }
}

/** enqueue_task_fair(): queues the task on its CPU; true when it is runnable there (not throttled). */
export function enqueueTask(t: SchedTask, opts: { initial?: boolean; wakeup?: boolean }, now: number): boolean {
  const se = t.se;
  const gc = se.parent;
  updateLoad(gc, se, now);
  gc.rq.enqueue(se, opts);
  t.delayed = false;
  return propagateUp(gc, 1, now);
}

/** A delayed (still queued) sleeping task wakes up: it is runnable again without being enqueued. */
export function requeueDelayedTask(t: SchedTask, now: number): boolean {
  const gc = t.se.parent;
  gc.rq.requeueDelayed(t.se);
  t.delayed = false;
  return propagateUp(gc, 1, now);
}

/** Dequeues the group entities of `gc` and its ancestors that have nothing queued any more. */
export function dequeueEmptyGroups(gc: GroupCpu, now: number): void {
  for (let g = gc; g.se !== null && g.rq.nrQueued === 0 && g.se.onRq; g = g.se.parent) {
    const p = g.se.parent;
    updateLoad(p, g.se, now);
    p.rq.dequeue(g.se, { sleep: true, special: true });
    g.bw.idle();
    updateGroupWeight(g.se);
  }
}

/** Removes `n` runnable tasks from `gc` and the levels above, up to the first throttled one. */
function unpropagate(gc: GroupCpu, n: number, now: number): void {
  for (let g: GroupCpu = gc; ; ) {
    g.hNrRunnable -= n;
    if (g.throttled || g.se === null) return;
    updateLoad(g.se.parent, g.se, now);
    updateGroupWeight(g.se);
    g = g.se.parent;
  }
}

/**
 * dequeue_task_fair(): `sleep` for a task that blocks (the fair class may
 * delay it: the task stays queued, marked delayed); otherwise a move.
 */
export function dequeueTask(t: SchedTask, sleep: boolean, now: number): void {
  const se = t.se;
  const gc = se.parent;
  updateLoad(gc, se, now);
  const wasDelayed = t.delayed;
  const done = gc.rq.dequeue(se, wasDelayed ? { sleep: true, delayed: true } : sleep ? { sleep: true } : { special: true });
  t.delayed = !done;
  if (!wasDelayed) unpropagate(gc, 1, now);
  if (done) dequeueEmptyGroups(gc, now);
}

/** A delayed task whose dequeue the pick completed: its queue may now be empty. */
export function completeDelayed(t: SchedTask, now: number): void {
  t.delayed = false;
  dequeueEmptyGroups(t.se.parent, now);
}

/** throttle_cfs_rq(): the group's entity leaves its parent and its runnable tasks stop counting above. */
export function throttleGroup(gc: GroupCpu, now: number): void {
  const gse = gc.se;
  if (gse === null) return;
  const p = gse.parent;
  if (gse.onRq) {
    updateLoad(p, gse, now);
    p.rq.dequeue(gse, { sleep: true, special: true });
  }
  if (gc.hNrRunnable > 0) unpropagate(p, gc.hNrRunnable, now);
  dequeueEmptyGroups(p, now);
}

/** unthrottle_cfs_rq(): the entity goes back and the runnable tasks count again. True when they reach the root. */
export function unthrottleGroup(gc: GroupCpu, now: number): boolean {
  const gse = gc.se;
  if (gse === null || gc.rq.nrQueued === 0) return false;
  const p = gse.parent;
  updateLoad(p, gse, now);
  if (!gse.onRq) p.rq.enqueue(gse, { wakeup: true });
  return propagateUp(p, gc.hNrRunnable, now);
}
