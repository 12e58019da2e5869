/**
 * The fair class (EEVDF) as a {@link SchedClass}: CfsRq plus wakeup
 * preemption as check_preempt_wakeup_fair() decides it in current kernels:
 * a woken entity with a shorter request cancels curr's protected slice
 * (PREEMPT_SHORT), then it preempts when the EEVDF pick would choose it.
 * SCHED_IDLE entities (cpu.idle groups) never preempt a normal one and are
 * always preempted by one.
 */
import { CfsRq } from './eevdf.js';
import type { SchedEntity } from './entity.js';
import type { RunQueue, RunQueueContext, SchedClass } from './policy.js';

export class FairRq extends CfsRq implements RunQueue {
  /** Entities of SCHED_IDLE policy (tasks of an idle group); set by the machine. */
  isIdle: (se: SchedEntity) => boolean = () => false;

  wakeupPreempt(curr: SchedEntity, woken: SchedEntity): boolean {
    const ci = this.isIdle(curr);
    const wi = this.isIdle(woken);
    if (ci && !wi) return true;
    if (wi && !ci) return false;
    if (woken.slice < curr.slice) this.cancelProtectSlice(curr);
    return this.pick(true) === woken;
  }
}

export const fairClass: SchedClass = {
  name: 'fair',
  createRunQueue: (ctx: RunQueueContext) => new FairRq({ baseSliceNs: ctx.baseSliceNs, tickNs: ctx.tickNs }),
};
