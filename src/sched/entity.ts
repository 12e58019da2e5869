/**
 * A scheduling entity of the fair class (the kernel's `struct sched_entity`,
 * EEVDF fields only): a task, or a group's per-CPU entity. The entity is also
 * its own node in the run queue's timeline tree (timeline.ts), so queueing
 * allocates nothing.
 *
 * Virtual times (vruntime, deadline, vlag, vprot) are integer nanoseconds of
 * virtual time; `weight` is the unscaled load (nice 0 = 1024, see
 * fair-math.ts). The calc_delta_fair factor of the weight is cached here
 * because it is needed on every update of the running entity.
 */
import { calcDeltaFactor, clampCustomSlice, mulU64U32Shr, NORMALIZED_BASE_SLICE_NS } from './fair-math.js';
import type { LoadWeight } from './fair-math.js';
import { NICE_0_LOAD } from '../core/controllers/cpu-weight.js';

export interface SchedEntityOptions {
  /** sched_attr.sched_runtime: a requested slice (clamped to 0.1..100 ms); without it the rq's base slice applies. */
  readonly customSliceNs?: number;
}

export class SchedEntity implements LoadWeight {
  /** Caller's identifier, for traces and tests; the run queue never reads it. */
  readonly id: number;
  weight = NICE_0_LOAD;
  invWeight = 0;
  /** calc_delta_fair(d) = floor(d * vfact / 2^vshift) unless weight is NICE_0_LOAD. */
  private vfact = 0;
  private vshift = 0;

  vruntime = 0;
  deadline = 0;
  /** Saved virtual lag V - v (clamped) while off the queue, or after reweight. */
  vlag = 0;
  /** Virtual time up to which the running entity is protected (RUN_TO_PARITY). */
  vprot = 0;
  /** Request size r_i in ns. */
  slice = NORMALIZED_BASE_SLICE_NS;
  customSlice = false;
  /** `deadline` holds deadline - vruntime (PLACE_REL_DEADLINE), set by a non-sleep dequeue. */
  relDeadline = false;
  onRq = false;
  /** DELAY_DEQUEUE: went to sleep while ineligible, still queued until picked or woken. */
  delayed = false;
  /** Runtime received, ns. */
  sumExecRuntime = 0;

  // Timeline node fields (owned by timeline.ts).
  /** @internal */ left: SchedEntity | null = null;
  /** @internal */ right: SchedEntity | null = null;
  /** @internal Height of this node's subtree; 0 while not in a tree. */ height = 0;
  /** @internal Minimum vruntime in this node's subtree. */ minVruntime = 0;
  /** @internal Minimum slice in this node's subtree. */ minSlice = 0;
  /** @internal Insertion order, the tie-break among equal deadlines. */ seq = 0;

  constructor(id: number, load: LoadWeight, opts: SchedEntityOptions = {}) {
    this.id = id;
    this.setLoad(load);
    if (opts.customSliceNs !== undefined) {
      this.customSlice = true;
      this.slice = clampCustomSlice(opts.customSliceNs);
    }
  }

  /** update_load_set() + inverse: the caller (CfsRq.reweight) handles the queue. */
  setLoad(load: LoadWeight): void {
    if (!Number.isInteger(load.weight) || load.weight < 1) throw new RangeError(`weight ${load.weight} must be a positive integer`);
    this.weight = load.weight;
    this.invWeight = load.invWeight;
    const f = calcDeltaFactor(NICE_0_LOAD, load.invWeight);
    this.vfact = f.fact;
    this.vshift = f.shift;
  }

  /** calc_delta_fair(delta, se): delta ns of real time as virtual time. */
  calcDeltaFair(delta: number): number {
    if (this.weight === NICE_0_LOAD) return delta;
    return mulU64U32Shr(delta, this.vfact, this.vshift);
  }

  /**
   * Sets or clears a requested slice (sched_setattr sched_runtime; 0 clears),
   * used from the next deadline on. Like the kernel (which dequeues with
   * DEQUEUE_SAVE around it), only while the entity is not in a timeline.
   */
  setCustomSlice(ns: number): void {
    if (this.height !== 0) throw new Error(`entity ${this.id}: slice changed while in the timeline`);
    this.customSlice = ns > 0;
    if (ns > 0) this.slice = clampCustomSlice(ns);
  }
}
