/**
 * The state of one EEVDF run queue and the arithmetic on it (the kernel's
 * `struct cfs_rq` and the fair.c helpers that read it): the timeline, V
 * (avg_vruntime) kept as Σ w·(v − v0) / Σ w relative to the monotonic
 * zero-lag reference v0 = `minVruntime`, eligibility, lag, and placement.
 * The operations that change the queue are in eevdf.ts (CfsRq).
 *
 * The running entity (`curr`) is neither in the timeline nor in the sums;
 * it is added in whenever V is read, as the kernel does.
 *
 * Numbers, not bigint: virtual times are integer ns in doubles, exact up to
 * 2^53 ns. vruntime grows at delta·1024/w: ≈104 days of runtime at nice 0,
 * ≈4.9 h at weight 2. The sum Σ w·(v − v0) and the products (v − v0)·W stay
 * below 2^53 while W·spread < 2^53 (e.g. 10 000 nice-0 entities whose
 * vruntimes spread over 8.7·10^5 s); the sum is checked on every insertion
 * and a RangeError is thrown rather than silently losing precision.
 */
import { divFloor, divTrunc, tickNsForHz } from './fair-math.js';
import type { SchedEntity } from './entity.js';
import { Timeline } from './timeline.js';


/** sched_feat() switches that this run queue honours; all default to the kernel's default (on). */
export interface EevdfFeatures {
  readonly placeLag: boolean;
  readonly placeDeadlineInitial: boolean;
  readonly placeRelDeadline: boolean;
  readonly runToParity: boolean;
  readonly delayDequeue: boolean;
  readonly delayZero: boolean;
}

export const DEFAULT_FEATURES: EevdfFeatures = {
  placeLag: true, placeDeadlineInitial: true, placeRelDeadline: true,
  runToParity: true, delayDequeue: true, delayZero: true,
};

export interface CfsRqOptions {
  /** sysctl_sched_base_slice in ns (see baseSliceNs(ncpus)). */
  readonly baseSliceNs: number;
  /** TICK_NSEC; default 1 ms (HZ=1000). */
  readonly tickNs?: number;
  readonly features?: Partial<EevdfFeatures>;
}

const MAX_SUM = Number.MAX_SAFE_INTEGER;

/** Run queue state and read-side arithmetic; CfsRq (eevdf.ts) adds the operations. */
export class RqBase {
  readonly baseSliceNs: number;
  readonly tickNs: number;
  readonly features: EevdfFeatures;
  readonly timeline = new Timeline();
  /** cfs_rq->curr: the entity set to run (not in the timeline). */
  curr: SchedEntity | null = null;
  /** v0 (cfs_rq->min_vruntime): monotonic. */
  minVruntime = 0;
  /** Σ w·(v − v0) over the timeline (cfs_rq->avg_vruntime). */
  avgVruntimeSum = 0;
  /** Σ w over the timeline (cfs_rq->avg_load). */
  avgLoad = 0;
  /** cfs_rq->load.weight: Σ w over all queued entities, curr included. */
  load = 0;
  /** cfs_rq->nr_queued: queued entities, curr and delayed ones included. */
  nrQueued = 0;

  constructor(opts: CfsRqOptions) {
    if (!Number.isInteger(opts.baseSliceNs) || opts.baseSliceNs < 1) throw new RangeError(`base slice ${opts.baseSliceNs}`);
    this.baseSliceNs = opts.baseSliceNs;
    this.tickNs = opts.tickNs ?? tickNsForHz(1000);
    this.features = { ...DEFAULT_FEATURES, ...opts.features };
  }

  protected avgAdd(se: SchedEntity): void {
    this.avgVruntimeSum += (se.vruntime - this.minVruntime) * se.weight;
    this.avgLoad += se.weight;
    if (!(Math.abs(this.avgVruntimeSum) <= MAX_SUM)) throw new RangeError('avg_vruntime sum exceeds 2^53');
  }

  protected avgSub(se: SchedEntity): void {
    this.avgVruntimeSum -= (se.vruntime - this.minVruntime) * se.weight;
    this.avgLoad -= se.weight;
  }

  /** __enqueue_entity: into the timeline and the sums. */
  protected treeAdd(se: SchedEntity): void {
    this.avgAdd(se);
    this.timeline.insert(se);
  }

  /** __dequeue_entity. */
  protected treeRemove(se: SchedEntity): void {
    this.timeline.remove(se);
    this.avgSub(se);
  }

  /** The weighted sum of (vruntime - min_vruntime) and the total weight it is over, curr included when queued. */
  private vruntimeSums(): [avg: number, load: number] {
    const curr = this.curr;
    if (curr === null || !curr.onRq) return [this.avgVruntimeSum, this.avgLoad];
    return [this.avgVruntimeSum + (curr.vruntime - this.minVruntime) * curr.weight, this.avgLoad + curr.weight];
  }

  /** avg_vruntime(): V, floored, curr included when queued. */
  avgVruntime(): number {
    const [avg, load] = this.vruntimeSums();
    return this.minVruntime + (load !== 0 ? divFloor(avg, load) : avg);
  }

  /** vruntime_eligible(): would an entity at vruntime `v` be eligible (lag ≥ 0)? */
  vruntimeEligible(v: number): boolean {
    const [avg, load] = this.vruntimeSums();
    return avg >= (v - this.minVruntime) * load;
  }

  entityEligible(se: SchedEntity): boolean {
    return this.vruntimeEligible(se.vruntime);
  }

  /** update_entity_lag(): vlag = V − v clamped to ±calc_delta_fair(max(2·slice, TICK_NSEC)). */
  updateEntityLag(se: SchedEntity): void {
    const vlag = this.avgVruntime() - se.vruntime;
    const limit = se.calcDeltaFair(Math.max(2 * se.slice, this.tickNs));
    se.vlag = vlag > limit ? limit : vlag < -limit ? -limit : vlag;
  }

  /** update_min_vruntime(): v0 follows min(curr, leftmost-by-vruntime), never backwards. */
  updateMinVruntime(): void {
    const root = this.timeline.root;
    const curr = this.curr !== null && this.curr.onRq ? this.curr : null;
    let v = this.minVruntime;
    if (curr !== null) v = curr.vruntime;
    if (root !== null) v = curr === null ? root.minVruntime : Math.min(v, root.minVruntime);
    const delta = v - this.minVruntime;
    if (delta > 0) {
      this.avgVruntimeSum -= this.avgLoad * delta;
      this.minVruntime = v;
    }
  }

  /** cfs_rq_min_slice(): the smallest request among queued entities (curr included); Infinity if none. */
  minSlice(): number {
    let s = Infinity;
    if (this.curr !== null && this.curr.onRq) s = this.curr.slice;
    const root = this.timeline.root;
    if (root !== null && root.minSlice < s) s = root.minSlice;
    return s;
  }

  /** place_entity(): vruntime from the saved lag (PLACE_LAG, inflated by (W+w)/W) and a fresh or relative deadline. */
  placeEntity(se: SchedEntity, initial: boolean): void {
    const v = this.avgVruntime();
    if (!se.customSlice) se.slice = this.baseSliceNs;
    let vslice = se.calcDeltaFair(se.slice);
    let lag = 0;
    if (this.features.placeLag && this.nrQueued !== 0 && se.vlag !== 0) {
      lag = se.vlag;
      let load = this.avgLoad;
      const curr = this.curr;
      if (curr !== null && curr.onRq) load += curr.weight;
      // trunc(lag·(W+w)/W) computed as lag + trunc(lag·w/W): same value, smaller products.
      lag = load === 0 ? lag * se.weight : lag + divTrunc(lag * se.weight, load);
    }
    se.vruntime = v - lag;
    if (se.relDeadline) {
      se.deadline += se.vruntime;
      se.relDeadline = false;
      return;
    }
    if (this.features.placeDeadlineInitial && initial) vslice = Math.floor(vslice / 2);
    se.deadline = se.vruntime + vslice;
  }

  /** enqueue_entity() (without the PELT and group parts). */
}
