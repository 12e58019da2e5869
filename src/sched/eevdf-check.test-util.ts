/**
 * Consistency checks of a run queue, recomputed from scratch (O(n)): for
 * tests, property tests and debugging builds of the simulator. Each returns
 * a description of the first violation, or null.
 */
import type { CfsRq } from './eevdf.js';
import type { SchedEntity } from './entity.js';

/** Queued entities: the timeline plus curr when it is queued. */
export function queuedEntities(rq: CfsRq): SchedEntity[] {
  const all = rq.timeline.toArray();
  if (rq.curr !== null && rq.curr.onRq) all.push(rq.curr);
  return all;
}

/** Σ w·(v − v0) and Σ w over the timeline, recomputed; and the counters that must match. */
export function checkRq(rq: CfsRq): string | null {
  const treeErr = rq.timeline.check();
  if (treeErr !== null) return `timeline: ${treeErr}`;
  let sum = 0;
  let load = 0;
  for (const se of rq.timeline.toArray()) {
    if (!se.onRq) return `entity ${se.id} in the timeline but not onRq`;
    sum += (se.vruntime - rq.minVruntime) * se.weight;
    load += se.weight;
  }
  if (sum !== rq.avgVruntimeSum) return `avg_vruntime sum ${rq.avgVruntimeSum}, recomputed ${sum}`;
  if (load !== rq.avgLoad) return `avg_load ${rq.avgLoad}, recomputed ${load}`;
  const queued = queuedEntities(rq);
  if (queued.length !== rq.nrQueued) return `nr_queued ${rq.nrQueued}, counted ${queued.length}`;
  const total = queued.reduce((s, se) => s + se.weight, 0);
  if (total !== rq.load) return `load ${rq.load}, recomputed ${total}`;
  if (rq.curr !== null && rq.curr.height !== 0) return `curr ${rq.curr.id} is in the timeline`;
  return null;
}

/** V recomputed from scratch: floor(Σ w·v / Σ w) over queued entities (v0 when empty). */
export function bruteAvgVruntime(rq: CfsRq): number {
  const queued = queuedEntities(rq);
  let sum = 0;
  let load = 0;
  for (const se of queued) {
    sum += (se.vruntime - rq.minVruntime) * se.weight;
    load += se.weight;
  }
  return load === 0 ? rq.minVruntime : rq.minVruntime + Math.floor(sum / load);
}

/**
 * What pick(false) must return, by a linear scan: among eligible queued
 * entities the earliest deadline; among equal deadlines the timeline order,
 * with curr losing ties to tree entities (it wins only when strictly earlier).
 */
export function brutePick(rq: CfsRq): SchedEntity | null {
  const queued = queuedEntities(rq);
  if (queued.length === 0) return null;
  if (queued.length === 1) return queued[0]!;
  let best: SchedEntity | null = null;
  for (const se of rq.timeline.toArray()) {
    if (rq.entityEligible(se) && (best === null || se.deadline < best.deadline)) best = se;
  }
  const curr = rq.curr !== null && rq.curr.onRq && rq.entityEligible(rq.curr) ? rq.curr : null;
  if (best === null || (curr !== null && curr.deadline < best.deadline)) best = curr;
  return best;
}
