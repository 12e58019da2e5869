/**
 * FIFO and round-robin classes: a queue in arrival order. FIFO runs the
 * head until it blocks; round-robin also moves it to the tail when its
 * time slice (sched_rr_timeslice, 100 ms by default) is used up and
 * someone else is waiting. An entity preempted from above (its parent's
 * class gave the CPU to a sibling group) stays at the head, as the kernel
 * keeps a preempted real-time task at the head of its list. Weights are
 * kept only so that the group's share can be computed from its load.
 */
import type { LoadWeight } from './fair-math.js';
import type { SchedEntity } from './entity.js';
import type { DequeueOpts, EnqueueOpts, RunQueue, SchedClass } from './policy.js';

/** Default RR time slice: /proc/sys/kernel/sched_rr_timeslice_ms = 100. */
export const RR_TIMESLICE_NS = 100_000_000;

export class ListRq implements RunQueue {
  curr: SchedEntity | null = null;
  load = 0;
  private readonly queue: SchedEntity[] = [];
  private sliceLeft: number;
  /** The entity whose time slice `sliceLeft` is; a preempted entity resumes its slice. */
  private sliceOwner: SchedEntity | null = null;

  constructor(readonly roundRobin: boolean, readonly timesliceNs = RR_TIMESLICE_NS) {
    this.sliceLeft = timesliceNs;
  }

  get nrQueued(): number {
    return this.queue.length;
  }

  enqueue(se: SchedEntity, _opts: EnqueueOpts): void {
    if (se.onRq) throw new Error(`entity ${se.id} is already queued`);
    se.onRq = true;
    this.queue.push(se);
    this.load += se.weight;
  }

  dequeue(se: SchedEntity, _opts: DequeueOpts): boolean {
    const i = this.queue.indexOf(se);
    if (i < 0) throw new Error(`entity ${se.id} is not queued`);
    this.queue.splice(i, 1);
    se.onRq = false;
    this.load -= se.weight;
    return true;
  }

  requeueDelayed(se: SchedEntity): void {
    throw new Error(`entity ${se.id}: the ${this.roundRobin ? 'rr' : 'fifo'} class never delays a dequeue`);
  }

  pickNext(): SchedEntity | null {
    return this.queue[0] ?? null;
  }

  setNext(se: SchedEntity): void {
    if (this.sliceOwner !== se) {
      this.sliceOwner = se;
      this.sliceLeft = this.timesliceNs;
    }
    this.curr = se;
  }

  putPrev(se: SchedEntity): void {
    if (this.curr !== se) throw new Error(`entity ${se.id} is not current`);
    this.curr = null;
  }

  updateCurr(deltaNs: number): boolean {
    const curr = this.curr;
    if (curr === null || !(deltaNs > 0)) return false;
    curr.sumExecRuntime += deltaNs;
    if (!this.roundRobin) return false;
    this.sliceLeft -= deltaNs;
    if (this.sliceLeft > 0) return false;
    this.sliceLeft = this.timesliceNs;
    this.sliceOwner = null;
    if (this.queue.length < 2 || this.queue[0] !== curr) return false;
    this.queue.push(this.queue.shift()!);
    return true;
  }

  wakeupPreempt(): boolean {
    return false;
  }

  reweight(se: SchedEntity, load: LoadWeight): void {
    if (se.onRq) this.load += load.weight - se.weight;
    se.setLoad(load);
  }
}

export const fifoClass: SchedClass = { name: 'fifo', createRunQueue: () => new ListRq(false) };
export const rrClass: SchedClass = { name: 'rr', createRunQueue: () => new ListRq(true) };
