/**
 * Moving an entity's load signal between group queues, as
 * attach_entity_load_avg() / detach_entity_load_avg() do when a task
 * changes CPU or group: the queue's averages and sums gain or lose the
 * entity's, and an attached entity's sums are rebuilt from its averages on
 * the queue's period boundary.
 */
import { getPeltDivider, type SchedAvg } from './pelt.js';
import type { GroupCpu } from './sched-types.js';

export function detachLoad(rq: SchedAvg, se: SchedAvg, weight: number): void {
  rq.loadAvg = Math.max(0, rq.loadAvg - se.loadAvg);
  rq.loadSum = Math.max(rq.loadAvg * getPeltDivider(rq), rq.loadSum - weight * se.loadSum);
  rq.runnableAvg = Math.max(0, rq.runnableAvg - se.runnableAvg);
  rq.runnableSum = Math.max(0, rq.runnableSum - se.runnableSum);
  rq.utilAvg = Math.max(0, rq.utilAvg - se.utilAvg);
  rq.utilSum = Math.max(0, rq.utilSum - se.utilSum);
}

export function attachLoad(rq: SchedAvg, se: SchedAvg, weight: number): void {
  se.lastUpdateTime = rq.lastUpdateTime;
  se.periodContrib = rq.periodContrib;
  const divider = getPeltDivider(rq);
  se.loadSum = weight > 0 ? Math.floor((se.loadAvg * divider) / weight) : 0;
  se.runnableSum = se.runnableAvg * divider;
  se.utilSum = se.utilAvg * divider;
  rq.loadAvg += se.loadAvg;
  rq.loadSum += weight * se.loadSum;
  rq.runnableAvg += se.runnableAvg;
  rq.runnableSum += se.runnableSum;
  rq.utilAvg += se.utilAvg;
  rq.utilSum += se.utilSum;
}

/**
 * propagate_entity_load_avg() / update_tg_cfs_load(): load attached to or
 * detached from a group queue reaches the group's entity at once, and
 * through it the queues above, instead of waiting for the entity's own
 * average to ramp up (or decay). `sum` is the unweighted runnable sum that
 * was attached (> 0) or detached (< 0) at `gc`. On removal the group's new
 * runnable sum is estimated from what its queue still holds, as the kernel
 * does.
 */
export function propagateLoad(gc: GroupCpu, sum: number): void {
  let g = gc;
  let delta = sum;
  while (delta !== 0 && g.se !== null) {
    const gse = g.se;
    const p = gse.parent;
    const divider = getPeltDivider(gse.avg);
    const oldSum = gse.avg.loadSum;
    const oldAvg = gse.avg.loadAvg;
    let runnable: number;
    if (delta > 0) {
      runnable = Math.min(oldSum + delta, divider);
    } else {
      const queued = g.rq.load;
      runnable = Math.min(oldSum, queued > 0 ? Math.floor(g.avg.loadSum / queued) : 0);
    }
    const loadAvg = Math.floor((gse.weight * runnable) / divider);
    gse.avg.loadSum = runnable;
    gse.avg.loadAvg = loadAvg;
    p.avg.loadAvg = Math.max(0, p.avg.loadAvg + loadAvg - oldAvg);
    p.avg.loadSum = Math.max(p.avg.loadAvg * getPeltDivider(p.avg), p.avg.loadSum + gse.weight * (runnable - oldSum));
    delta = runnable - oldSum;
    g = p;
  }
}
