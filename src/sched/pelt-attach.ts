/**
 * Moving an entity's load signal between group queues, as
 * attach_entity_load_avg() / detach_entity_load_avg() do when a task
 * changes CPU or group: the queue's averages and sums gain or lose the
 * entity's, and an attached entity's sums are rebuilt from its averages on
 * the queue's period boundary.
 */
import { getPeltDivider, type SchedAvg } from './pelt.js';

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
