/**
 * One EEVDF run queue of the fair class (the kernel's `struct cfs_rq`), as
 * kernel/sched/fair.c does it in current kernels (6.17+/linux-next: vprot
 * slice protection, the simplified reweight_entity, DELAY_DEQUEUE). State,
 * V, eligibility, lag and placement are in eevdf-base.ts; this file holds the
 * operations: enqueue/dequeue (with delayed dequeue), update_curr and
 * update_deadline, the O(log n) pick, set_next/put_prev with RUN_TO_PARITY
 * protection, and reweight.
 *
 * Time: the caller charges elapsed runtime with `updateCurr(delta)` before
 * any other operation at that instant (the kernel calls update_curr() inside
 * enqueue/dequeue/put_prev; here those calls would see a zero delta).
 * Not modelled here: PELT load tracking, group shares, buddies (`next`),
 * wakeup preemption (check_preempt_wakeup_fair) and bandwidth accounting.
 */
import { divTrunc, NORMALIZED_BASE_SLICE_NS } from './fair-math.js';
import type { LoadWeight } from './fair-math.js';
import type { SchedEntity } from './entity.js';
import { RqBase } from './eevdf-base.js';

export { DEFAULT_FEATURES } from './eevdf-base.js';
export type { EevdfFeatures, CfsRqOptions } from './eevdf-base.js';

export interface EnqueueFlags {
  /** ENQUEUE_INITIAL: a new task (PLACE_DEADLINE_INITIAL gives it half a slice). */
  readonly initial?: boolean;
}

export interface DequeueFlags {
  /** DEQUEUE_SLEEP: the task blocks (else a migration/save: the deadline is kept relative). */
  readonly sleep?: boolean;
  /** DEQUEUE_SPECIAL: never delay this sleep. */
  readonly special?: boolean;
  /** DEQUEUE_DELAYED: completes a delayed dequeue. */
  readonly delayed?: boolean;
  /** DEQUEUE_SAVE without DEQUEUE_MOVE: the entity comes straight back, v0 is not advanced. */
  readonly save?: boolean;
}

export class CfsRq extends RqBase {
  /** enqueue_entity() (without the PELT and group parts). */
  enqueue(se: SchedEntity, flags: EnqueueFlags = {}): void {
    if (se.onRq) throw new Error(`entity ${se.id} is already queued`);
    this.placeEntity(se, flags.initial === true);
    this.load += se.weight;
    this.nrQueued++;
    if (se !== this.curr) this.treeAdd(se);
    se.onRq = true;
  }

  /**
   * dequeue_entity(): saves the clamped lag. Returns false when the dequeue
   * is delayed (DELAY_DEQUEUE: a sleeping entity that is not eligible stays
   * queued, marked `delayed`, until pickNext() or the caller completes it
   * with `{ sleep: true, delayed: true }`, or requeueDelayed() on wakeup).
   */
  dequeue(se: SchedEntity, flags: DequeueFlags = {}): boolean {
    if (!se.onRq) throw new Error(`entity ${se.id} is not queued`);
    const sleep = flags.sleep === true;
    if (flags.delayed === true) {
      if (!se.delayed) throw new Error(`entity ${se.id} has no delayed dequeue`);
    } else {
      if (se.delayed) throw new Error(`entity ${se.id} is already delayed`);
      if (this.features.delayDequeue && sleep && flags.special !== true && !this.entityEligible(se)) {
        se.delayed = true;
        return false;
      }
    }
    this.updateEntityLag(se);
    // Out of the tree before the deadline changes: the tree is searched by deadline.
    if (se !== this.curr) this.treeRemove(se);
    if (this.features.placeRelDeadline && !sleep) {
      se.deadline -= se.vruntime;
      se.relDeadline = true;
    }
    se.onRq = false;
    this.load -= se.weight;
    this.nrQueued--;
    if (flags.save !== true) this.updateMinVruntime();
    if (flags.delayed === true) {
      se.delayed = false;
      if (this.features.delayZero && se.vlag > 0) se.vlag = 0;
    }
    return true;
  }

  /** requeue_delayed_entity(): a delayed entity wakes up; positive lag is dropped (DELAY_ZERO). */
  requeueDelayed(se: SchedEntity): void {
    if (!se.delayed || !se.onRq) throw new Error(`entity ${se.id} is not delayed`);
    if (this.features.delayZero) {
      this.updateEntityLag(se);
      if (se.vlag > 0) {
        const inTree = se !== this.curr;
        this.nrQueued--;
        if (inTree) this.treeRemove(se);
        se.vlag = 0;
        this.placeEntity(se, false);
        if (inTree) this.treeAdd(se);
        this.nrQueued++;
      }
    }
    se.delayed = false;
  }

  /**
   * update_curr(): charges `deltaExecNs` of runtime to curr. Returns true when
   * the kernel would request a reschedule: the request (deadline) was used up,
   * or the protected slice is over, and someone else is queued.
   */
  updateCurr(deltaExecNs: number): boolean {
    const curr = this.curr;
    if (curr === null || !(deltaExecNs > 0)) return false;
    curr.sumExecRuntime += deltaExecNs;
    curr.vruntime += curr.calcDeltaFair(deltaExecNs);
    const resched = this.updateDeadline(curr);
    this.updateMinVruntime();
    if (this.nrQueued === 1) return false;
    return resched || !(curr.vprot > curr.vruntime);
  }

  /** update_deadline(): once vruntime reaches the deadline, a new request vd = v + r/w; true if renewed. */
  updateDeadline(se: SchedEntity): boolean {
    if (se.vruntime < se.deadline) return false;
    if (!se.customSlice) se.slice = this.baseSliceNs;
    se.deadline = se.vruntime + se.calcDeltaFair(se.slice);
    return true;
  }

  /**
   * __pick_eevdf(): the eligible entity with the earliest virtual deadline
   * (curr competes from outside the tree and wins ties only if strictly
   * earlier); with `protect`, an eligible curr inside its protected slice is
   * kept. Null when nothing is queued. May return a delayed entity.
   */
  pick(protect = true): SchedEntity | null {
    const first = this.timeline.first();
    let curr = this.curr;
    if (this.nrQueued === 1) return curr !== null && curr.onRq ? curr : first;
    if (this.nrQueued === 0) return null;
    let avg = this.avgVruntimeSum;
    let load = this.avgLoad;
    const v0 = this.minVruntime;
    if (curr !== null && curr.onRq) {
      avg += (curr.vruntime - v0) * curr.weight;
      load += curr.weight;
    }
    if (curr !== null && (!curr.onRq || !(avg >= (curr.vruntime - v0) * load))) curr = null;
    if (curr !== null && protect && curr.vprot > curr.vruntime) return curr;
    let best: SchedEntity | null = null;
    if (first !== null && avg >= (first.vruntime - v0) * load) {
      best = first;
    } else {
      let node = this.timeline.root;
      while (node !== null) {
        const left = node.left;
        if (left !== null && avg >= (left.minVruntime - v0) * load) {
          node = left;
          continue;
        }
        if (avg >= (node.vruntime - v0) * load) {
          best = node;
          break;
        }
        node = node.right;
      }
    }
    if (best === null || (curr !== null && curr.deadline < best.deadline)) best = curr;
    return best;
  }

  /**
   * pick_next_entity() without buddies: pick(), completing the delayed
   * dequeue of every delayed entity it returns (those are reported to
   * `onBlocked`, since for the kernel they now leave the queue).
   */
  pickNext(onBlocked?: (se: SchedEntity) => void): SchedEntity | null {
    for (;;) {
      const se = this.pick(true);
      if (se === null || !se.delayed) return se;
      this.dequeue(se, { sleep: true, delayed: true });
      if (se === this.curr) this.putPrev(se);
      onBlocked?.(se);
    }
  }

  /** set_next_entity(): `se` becomes curr, leaves the tree, and gets its protected slice. */
  setNext(se: SchedEntity): void {
    if (this.curr !== null) throw new Error(`entity ${this.curr.id} is still current`);
    if (se.onRq) {
      this.treeRemove(se);
      this.setProtectSlice(se);
    }
    this.curr = se;
  }

  /** put_prev_entity(): curr goes back into the tree if still queued. */
  putPrev(prev: SchedEntity): void {
    if (this.curr !== prev) throw new Error(`entity ${prev.id} is not current`);
    if (prev.onRq) this.treeAdd(prev);
    this.curr = null;
  }

  /** set_protect_slice(): protect curr up to its deadline, or less if a shorter request is queued (RUN_TO_PARITY). */
  private setProtectSlice(se: SchedEntity): void {
    let slice = this.features.runToParity ? this.minSlice() : NORMALIZED_BASE_SLICE_NS;
    let vprot = se.deadline;
    if (se.slice < slice) slice = se.slice;
    if (slice !== se.slice) vprot = Math.min(vprot, se.vruntime + se.calcDeltaFair(slice));
    se.vprot = vprot;
  }

  /** cancel_protect_slice(): ends curr's protection (e.g. a wakeup with a shorter slice preempts). */
  cancelProtectSlice(se: SchedEntity): void {
    if (se.vprot > se.vruntime) se.vprot = se.vruntime;
  }

  /** reweight_entity(): new weight; a queued entity keeps its lag (vlag scaled by w_old/w_new) and its remaining request. */
  reweight(se: SchedEntity, lw: LoadWeight): void {
    const isCurr = this.curr === se;
    if (se.onRq) {
      this.updateEntityLag(se);
      if (!isCurr) this.treeRemove(se);
      se.deadline -= se.vruntime;
      se.relDeadline = true;
      this.nrQueued--;
      this.load -= se.weight;
    }
    se.vlag = divTrunc(se.vlag * se.weight, lw.weight);
    if (se.relDeadline) se.deadline = divTrunc(se.deadline * se.weight, lw.weight);
    se.setLoad(lw);
    if (se.onRq) {
      this.placeEntity(se, false);
      this.load += se.weight;
      if (!isCurr) this.treeAdd(se);
      this.nrQueued++;
      this.updateMinVruntime();
    }
  }
}
