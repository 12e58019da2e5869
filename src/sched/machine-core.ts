/**
 * The per-CPU mechanics of the scheduler machine: charging the running
 * task's time up the hierarchy (update_curr at every level, bandwidth
 * runtime), the scheduler tick, the hierarchical pick (pick_next_task_fair:
 * the class of every level picks, descending into group entities), context
 * switches with their statistics, and migrating a queued task to another
 * CPU. machine.ts builds the public operations on top.
 */
import type { Engine } from '../sim/engine.js';
import type { TraceRecord } from '../sim/trace.js';
import { completeDelayed, dequeueEmptyGroups, dequeueTask, enqueueTask, updateGroupWeight, updateLoad } from './hier.js';
import { attachLoad, detachLoad, propagateLoad } from './pelt-attach.js';
import { accountForceIdle, MIN_NR_TASKS_DURING_FORCEIDLE } from './core-sched.js';
import type { Cpu} from './sched-types.js';
import { type GroupCpu, type MEntity, type SchedTask, type TaskGroup } from './sched-types.js';

export interface MachineHooks {
  /** The running task `t` ran `deltaNs` on `cpu`, ending now. */
  charge?(t: SchedTask, cpu: number, deltaNs: number): void;
  /** `t`'s run step is finished while it runs: the owner sets the next one (runLeftNs) or puts it to sleep or exits it. */
  stepDone(t: SchedTask): void;
  /** Core scheduling: a sibling was forced idle for `ns` while `t` ran (its core_forceidle_sum grew). */
  forceIdle?(t: SchedTask, ns: number): void;
  /** `t` ran on `cpu` from startNs to endNs and was switched out. */
  slice?(t: SchedTask, cpu: number, startNs: number, endNs: number): void;
  trace?(r: TraceRecord): void;
}

export abstract class MachineCore {
  readonly cpus: Cpu[] = [];

  constructor(readonly engine: Engine, readonly tickNs: number, protected readonly hooks: MachineHooks) {}

  get now(): number {
    return this.engine.now;
  }

  /** Load balancing; returns the number of tasks pulled to `cpu`. */
  protected abstract balance(cpu: Cpu, kind: 'periodic' | 'newidle' | 'idle'): number;

  /** Called at every tick of a busy CPU: periodic balancing when due, and balancing of idle CPUs (nohz). */
  protected abstract tickBalance(cpu: Cpu): void;

  /** Charges every running task up to now. */
  protected accountAll(): void {
    for (const c of this.cpus) this.account(c);
  }

  /** update_curr() at every level of the running task's chain, and its bandwidth runtime. */
  account(cpu: Cpu): void {
    const now = this.engine.now;
    if (cpu.core.fiCount > 0) accountForceIdle(cpu.core, now, this.chargeForceIdle);
    const delta = now - cpu.lastUpdate;
    cpu.lastUpdate = now;
    const t = cpu.curr;
    if (t === null || delta <= 0 || t.state !== 'running') return;
    let resched = false;
    for (let se: MEntity = t.se; ;) {
      const gc = se.parent;
      if (gc.rq.updateCurr(delta)) resched = true;
      if (gc.se === null) break;
      se = gc.se;
    }
    if (t.tg.bw.charge(cpu.id, delta).length > 0) resched = true;
    t.counters.runtimeNs += delta;
    t.runLeftNs = Math.max(0, t.runLeftNs - delta);
    this.hooks.charge?.(t, cpu.id, delta);
    if (resched) this.kick(cpu);
  }

  private readonly chargeForceIdle = (t: SchedTask, ns: number): void => this.hooks.forceIdle?.(t, ns);

  /** resched_curr(): schedule on `cpu` at the current instant, after what is being done now. */
  kick(cpu: Cpu): void {
    if (cpu.kickPending) return;
    cpu.kickPending = true;
    this.engine.at(this.engine.now, () => this.schedule(cpu));
  }

  /** put_prev_task() along the chain; bandwidth queues that ran out of runtime are throttled on the way out. */
  protected putPrevChain(cpu: Cpu, prev: SchedTask): void {
    for (let se: MEntity = prev.se; ;) {
      const gc = se.parent;
      if (gc.rq.curr === se) gc.rq.putPrev(se);
      if (gc.se === null) break;
      se = gc.se;
    }
    if (prev.stepEvent !== null) this.engine.cancel(prev.stepEvent);
    prev.stepEvent = null;
    cpu.curr = null;
    for (let gc: GroupCpu | null = prev.tg.cpus[cpu.id]!; gc !== null; gc = gc.parent) {
      if (gc.bw.outOfRuntime()) gc.bw.throttle();
    }
  }

  /** The switch-out bookkeeping of a task that stops running. */
  private finishPrev(cpu: Cpu, prev: SchedTask): void {
    const now = this.engine.now;
    prev.lastRanAt = now;
    if (prev.state === 'running') {
      prev.state = 'runnable';
      prev.waitSince = now;
      prev.counters.nivcsw++;
    }
    if (now > prev.ranSince) this.hooks.slice?.(prev, cpu.id, prev.ranSince, now);
  }

  /** Takes the running task off the CPU now (it is moved, frozen or dead) and has the CPU pick again. */
  protected deschedule(cpu: Cpu): void {
    const prev = cpu.curr;
    if (prev === null) return;
    this.account(cpu);
    this.putPrevChain(cpu, prev);
    this.finishPrev(cpu, prev);
    cpu.idleSince = this.engine.now;
    this.kick(cpu);
  }

  /** Core scheduling is in force: the machine has SMT and some task holds a cookie (sched_core_enabled). */
  abstract get coreSched(): boolean;


  /** __schedule(): put the current task back, pick the next, switch; core-wide where core scheduling is in force. */
  schedule(cpu: Cpu): void {
    cpu.kickPending = false;
    if (cpu.core.cpus.length > 1 && this.coreSched) {
      this.scheduleCore(cpu);
      return;
    }
    this.account(cpu);
    const prev = cpu.curr;
    if (prev !== null) this.putPrevChain(cpu, prev);
    let next = this.pick(cpu);
    if (next === null && this.balance(cpu, 'newidle') > 0) next = this.pick(cpu);
    this.switchTo(cpu, prev, next);
  }

  /** The core-wide pick (machine-smt.ts). */
  protected abstract scheduleCore(cpu: Cpu): void;

  /** The switch half of __schedule(): `prev` was put back (if any); `next` runs, or the CPU idles. */
  protected switchTo(cpu: Cpu, prev: SchedTask | null, next: SchedTask | null): void {
    const now = this.engine.now;
    if (prev !== null && next === prev && prev.state === 'running') {
      this.setNextChain(prev);
      cpu.curr = prev;
      this.armStep(prev);
      return;
    }
    if (prev !== null) this.finishPrev(cpu, prev);
    if (next === null) {
      if (prev !== null) {
        cpu.idleSince = now;
        this.hooks.trace?.({ t: now, kind: 'switch', cpu: cpu.id, prev: prev.id, next: 0 });
      }
      if (cpu.tickEvent !== null) this.engine.cancel(cpu.tickEvent);
      cpu.tickEvent = null;
      return;
    }
    if (prev === null) cpu.idleNs += now - cpu.idleSince;
    this.setNextChain(next);
    cpu.curr = next;
    next.counters.timeslices++;
    // cfs_tasks order: the task that starts running goes last, so the balancer
    // (which walks from the front) considers the least recently run first.
    cpu.tasks.delete(next);
    cpu.tasks.add(next);
    this.hooks.trace?.({ t: now, kind: 'switch', cpu: cpu.id, prev: prev?.id ?? 0, next: next.id });
    next.counters.waitNs += now - next.waitSince;
    next.state = 'running';
    next.ranSince = now;
    this.armStep(next);
    if (cpu.tickEvent === null) {
      const at = (Math.floor(now / this.tickNs) + 1) * this.tickNs;
      cpu.tickEvent = this.engine.at(at, () => this.tick(cpu));
    }
  }

  private armStep(t: SchedTask): void {
    if (t.stepEvent !== null) this.engine.cancel(t.stepEvent);
    t.stepEvent = this.engine.at(this.engine.now + t.runLeftNs, () => this.onStepDone(t));
  }

  private onStepDone(t: SchedTask): void {
    t.stepEvent = null;
    const cpu = this.cpus[t.cpu]!;
    if (cpu.curr !== t) return;
    this.account(cpu);
    if (t.runLeftNs > 0) {
      this.armStep(t);
      return;
    }
    this.hooks.stepDone(t);
    if (cpu.curr === t && t.state === 'running' && t.runLeftNs > 0 && t.stepEvent === null) this.armStep(t);
  }

  /** pick_next_task_fair(): descend from the root queue through group entities to a task. */
  private readonly onBlocked = (se: unknown): void => {
    const t = (se as MEntity).task;
    if (t !== null) completeDelayed(t, this.engine.now);
  };

  protected pick(cpu: Cpu): SchedTask | null {
    const now = this.engine.now;
    const onBlocked = this.onBlocked;
    for (let guard = 0; guard < 1_000_000; guard++) {
      let gc = cpu.root;
      for (;;) {
        const se = gc.rq.pickNext(onBlocked) as MEntity | null;
        if (se === null) break;
        if (se.my === null) return se.task;
        gc = se.my;
      }
      if (gc === cpu.root) return null;
      dequeueEmptyGroups(gc, now);
    }
    throw new Error(`cpu ${cpu.id}: the pick does not converge`);
  }

  /** set_next_entity() from the root down to the task. */
  private setNextChain(t: SchedTask): void {
    this.setNextFrom(t.se);
  }

  private setNextFrom(se: MEntity): void {
    const up = se.parent.se;
    if (up !== null) this.setNextFrom(up);
    se.parent.rq.setNext(se);
  }

  /** scheduler_tick() / task_tick_fair(): charge, update every level's load and group weight, balance. */
  private tick(cpu: Cpu): void {
    cpu.tickEvent = null;
    this.account(cpu);
    const t = cpu.curr;
    const now = this.engine.now;
    if (t === null) return;
    for (let se: MEntity = t.se; ;) {
      updateLoad(se.parent, se, now);
      updateGroupWeight(se);
      if (se.parent.se === null) break;
      se = se.parent.se;
    }
    // task_tick_core(): while a sibling is forced idle, a task that used half its slice lets the core pick again.
    if (cpu.core.fiCount > 0 && (now - t.ranSince) * MIN_NR_TASKS_DURING_FORCEIDLE > t.se.slice) this.kick(cpu);
    this.tickBalance(cpu);
    cpu.tickEvent = this.engine.at(now + this.tickNs, () => this.tick(cpu));
  }

  /** Moves a task that is not queued (asleep, or new) to `dst` and group `tg`: se and load go with it. */
  protected setCpu(t: SchedTask, dst: number, tg: TaskGroup = t.tg): void {
    if (t.attached && dst === t.cpu && tg === t.tg) return;
    const se = t.se;
    if (t.attached) {
      detachLoad(se.parent.avg, se.avg, se.weight);
      propagateLoad(se.parent, -se.avg.loadSum);
    }
    if (dst !== t.cpu) t.counters.migrations++;
    t.cpu = dst;
    t.tg = tg;
    se.parent = tg.cpus[dst]!;
    attachLoad(se.parent.avg, se.avg, se.weight);
    propagateLoad(se.parent, se.avg.loadSum);
    t.attached = true;
  }

  /** Moves a queued, not running task to `dst` (load balancing, affinity, group change); its lag goes with it. */
  migrateQueued(t: SchedTask, dst: number, tg: TaskGroup = t.tg): void {
    const src = this.cpus[t.cpu]!;
    const to = this.cpus[dst]!;
    if (src.curr === t) throw new Error(`task ${t.id} is running`);
    this.account(src);
    if (to !== src) this.account(to);
    const now = this.engine.now;
    src.tasks.delete(t);
    dequeueTask(t, false, now);
    // A forced-idle CPU that loses a task picks again: it may have nothing left to be kept from.
    if (src.forcedIdle) this.kick(src);
    this.setCpu(t, dst, tg);
    to.tasks.add(t);
    if (dst !== src.id) this.hooks.trace?.({ t: now, kind: 'migrate', cpu: dst, pid: t.id, from: src.id });
    if (enqueueTask(t, {}, now)) this.checkPreempt(to, t);
  }

  /** check_preempt_curr(): at the level where the woken task and the running one are siblings, ask that class. */
  protected checkPreempt(cpu: Cpu, t: SchedTask): void {
    const curr = cpu.curr;
    if (curr === null || curr.state !== 'running') {
      this.kick(cpu);
      return;
    }
    if (curr === t) return;
    let a: MEntity = curr.se;
    let b: MEntity = t.se;
    while (a.parent.tg.depth > b.parent.tg.depth) a = a.parent.se!;
    while (b.parent.tg.depth > a.parent.tg.depth) b = b.parent.se!;
    while (a.parent !== b.parent) {
      a = a.parent.se!;
      b = b.parent.se!;
    }
    if (a !== b && a.parent.rq.wakeupPreempt(a, b)) this.kick(cpu);
  }
}
