/**
 * A fixed-tick, single-CPU driver of one run queue for the tests: every tick
 * charges the running entity, and a reschedule request (or an idle CPU)
 * runs pick → put_prev → set_next as __schedule() would. Wakeups do not
 * preempt (no check_preempt_wakeup_fair here); they wait for the next tick.
 */
import type { CfsRq } from './eevdf.js';
import type { SchedEntity } from './entity.js';

export class TickLoop {
  running: SchedEntity | null = null;
  now = 0;
  switches = 0;

  constructor(readonly rq: CfsRq, readonly tickNs: number) {}

  /** __schedule(): pick the next entity and switch to it if it differs. */
  schedule(): void {
    const next = this.rq.pickNext();
    if (this.rq.curr === null) this.running = null;
    if (next === this.running) return;
    if (this.running !== null) this.rq.putPrev(this.running);
    if (next !== null) this.rq.setNext(next);
    this.running = next;
    this.switches++;
  }

  /** One tick; `onTick` runs after it with the queue in its post-tick state. */
  run(durationNs: number, onTick?: () => void): void {
    const end = this.now + durationNs;
    while (this.now < end) {
      if (this.running === null) this.schedule();
      if (this.running !== null && this.rq.updateCurr(this.tickNs)) this.schedule();
      this.now += this.tickNs;
      onTick?.();
    }
  }

  /** The entity blocks (DEQUEUE_SLEEP); returns false if the dequeue was delayed. */
  sleep(se: SchedEntity): boolean {
    const done = this.rq.dequeue(se, { sleep: true });
    if (se === this.running) this.schedule();
    return done;
  }

  /** The entity wakes: a delayed one is requeued, a blocked one enqueued. */
  wake(se: SchedEntity): void {
    if (se.delayed) this.rq.requeueDelayed(se);
    else this.rq.enqueue(se);
  }
}
