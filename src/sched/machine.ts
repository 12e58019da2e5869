/**
 * The scheduler of a simulated machine: CPUs, task groups with one run
 * queue per CPU, tasks, bandwidth control and load balancing, driven by the
 * discrete-event engine. The owner (the simulated kernel) creates groups
 * and tasks, tells the machine when a task becomes runnable or blocks, and
 * hears back through {@link MachineHooks} when a task has used up the CPU
 * time of its current step.
 */
import type { Engine } from '../sim/engine.js';
import { balanceCpu, balanceIntervalNs, selectForkCpu, selectWakeCpu } from './balance.js';
import { BandwidthTree, type BandwidthGroup } from './bandwidth-tree.js';
import type { BandwidthLimits } from './bandwidth-pool.js';
import { fairClass, FairRq } from './fair-class.js';
import { baseSliceNs, loadOfNice, loadOfWeight, tickNsForHz } from './fair-math.js';
import { scaleLoad, TaskGroupLoad } from './group-shares.js';
import { dequeueTask, enqueueTask, requeueDelayedTask, throttleGroup, unthrottleGroup, updateGroupWeight, updateLoad } from './hier.js';
import { updateCfsRqLoadAvg } from './pelt.js';
import { type MachineHooks } from './machine-core.js';
import { SmtMachine } from './machine-smt.js';
import { detachLoad, propagateLoad } from './pelt-attach.js';
import type { SchedClass } from './policy.js';
import { Cpu, GroupCpu, MEntity, SchedTask, TaskGroup } from './sched-types.js';
import { NICE_0_LOAD } from '../core/controllers/cpu-weight.js';

export type { MachineHooks } from './machine-core.js';

export interface MachineOptions {
  readonly cpus: number;
  /** CONFIG_HZ (default 250). */
  readonly hz?: number;
  /** Hardware threads per core (default 1); CPUs k·smt .. k·smt+smt-1 are the siblings of core k. */
  readonly smt?: number;
}

export class Machine extends SmtMachine {
  readonly root: TaskGroup;
  readonly baseSliceNs: number;
  private readonly bwTree: BandwidthTree;
  private readonly bwOwner = new Map<BandwidthGroup, TaskGroup>();
  private nextGroupId = 1;
  /** Every group but the root, parents before children. */
  private readonly groups: TaskGroup[] = [];
  /** Tasks not yet dead. */
  private readonly live = new Set<SchedTask>();

  constructor(engine: Engine, opts: MachineOptions, hooks: MachineHooks) {
    super(engine, tickNsForHz(opts.hz ?? 250), hooks);
    if (!Number.isInteger(opts.cpus) || opts.cpus < 1 || opts.cpus > 8192) throw new RangeError(`cpus ${opts.cpus} must be 1..8192`);
    this.baseSliceNs = baseSliceNs(opts.cpus);
    this.bwTree = new BandwidthTree(engine, opts.cpus, 5_000_000, {
      throttled: (g, cpu) => this.onThrottle(g, cpu),
      unthrottled: (g, cpu) => this.onUnthrottle(g, cpu),
    });
    this.root = this.makeGroup(null, '/', this.bwTree.root);
    for (const gc of this.root.cpus) {
      const cpu = new Cpu(gc.cpu, gc);
      // CPUs balance at staggered times, as their domains' last_balance drift apart on a real machine.
      cpu.nextBalance = Math.floor((gc.cpu * balanceIntervalNs(opts.cpus, true)) / opts.cpus);
      this.cpus.push(cpu);
    }
    this.makeCores(opts.smt ?? 1);
  }

  private makeGroup(parent: TaskGroup | null, name: string, bw: BandwidthGroup, policy: SchedClass = fairClass): TaskGroup {
    const n = parent === null ? this.bwTree.ncpu : parent.cpus.length;
    const tg = new TaskGroup(this.nextGroupId++, name, parent, policy, new TaskGroupLoad(n, scaleLoad(NICE_0_LOAD)), bw);
    this.bwOwner.set(bw, tg);
    for (let cpu = 0; cpu < n; cpu++) {
      const pgc = parent?.cpus[cpu] ?? null;
      const gc = new GroupCpu(tg, cpu, this.newRq(policy, cpu), pgc, this.now);
      if (pgc !== null) gc.se = new MEntity(-tg.id, loadOfWeight(NICE_0_LOAD), pgc, gc, null, this.now);
      tg.cpus.push(gc);
    }
    return tg;
  }

  private newRq(policy: SchedClass, cpu: number) {
    const rq = policy.createRunQueue({ cpu, baseSliceNs: this.baseSliceNs, tickNs: this.tickNs });
    if (rq instanceof FairRq) rq.isIdle = (se) => (se as MEntity).my?.tg.idle === true;
    return rq;
  }

  /** A child task group (a cpu cgroup). */
  createGroup(parent: TaskGroup, name: string): TaskGroup {
    const tg = this.makeGroup(parent, name, this.bwTree.addGroup(parent.bw));
    this.groups.push(tg);
    return tg;
  }

  /** cpu.weight / cpu.shares: tg->shares (unscaled, 2..262144), applied to every CPU's group entity. */
  setShares(tg: TaskGroup, shares: number): void {
    this.accountAll();
    tg.load.setShares(scaleLoad(shares));
    for (const gc of tg.cpus) if (gc.se !== null) updateGroupWeight(gc.se);
  }

  /** cpu.idle. */
  setIdle(tg: TaskGroup, idle: boolean): void {
    tg.idle = idle;
  }

  /** cpu.max / cpu.max.burst (or cfs_quota_us / cfs_period_us / cfs_burst_us). */
  setLimits(tg: TaskGroup, limits: BandwidthLimits): void {
    this.accountAll();
    tg.bw.setLimits(limits);
  }

  /** The class that schedules this group's children on each CPU. */
  setPolicy(tg: TaskGroup, policy: SchedClass): void {
    if (tg.policy === policy) return;
    for (const cpu of this.cpus) {
      this.account(cpu);
      if (cpu.curr !== null && this.isBelow(cpu.curr.tg, tg)) this.deschedule(cpu);
    }
    // A sleeping task whose dequeue the old class delayed leaves now: the new class never knew it.
    for (const t of this.live) if (t.delayed && t.se.parent.tg === tg) dequeueTask(t, true, this.now);
    tg.policy = policy;
    for (const gc of tg.cpus) {
      const queued: MEntity[] = [];
      for (const t of this.cpus[gc.cpu]!.tasks) if (t.se.parent === gc) queued.push(t.se);
      for (const child of tg.children) {
        const cse = child.cpus[gc.cpu]!.se!;
        if (cse.onRq) queued.push(cse);
      }
      for (const se of queued) gc.rq.dequeue(se, { special: true });
      gc.rq = this.newRq(policy, gc.cpu);
      for (const se of queued) gc.rq.enqueue(se, {});
    }
    for (const cpu of this.cpus) this.kick(cpu);
  }

  private isBelow(g: TaskGroup, anc: TaskGroup): boolean {
    for (let x: TaskGroup | null = g; x; x = x.parent) if (x === anc) return true;
    return false;
  }

  /** A new task in `tg`, asleep until {@link wake}; `allowed` = affinity ∩ cpuset (null: all CPUs). */
  addTask(id: number, name: string, tg: TaskGroup, nice = 0, allowed: readonly number[] | null = null): SchedTask {
    const t = new SchedTask(id, name, tg, allowed?.[0] ?? 0, loadOfNice(nice), this.now);
    t.allowed = allowed;
    // init_entity_runnable_average(): a new task starts with the load of its weight.
    t.se.avg.loadAvg = t.se.weight;
    this.live.add(t);
    return t;
  }

  /** The task becomes runnable (`initial`: wake_up_new_task, with fork balancing). */
  wake(t: SchedTask, initial = false): void {
    if (t.state !== 'sleeping') return;
    const now = this.now;
    if (t.delayed) {
      const cpu = this.cpus[t.cpu]!;
      this.account(cpu);
      t.state = cpu.curr === t ? 'running' : 'runnable';
      t.waitSince = now;
      cpu.tasks.add(t);
      if (requeueDelayedTask(t, now)) this.checkPreempt(cpu, t);
      return;
    }
    // A task that is still current on its CPU (its switch-out is pending) wakes where it is.
    const dst = this.cpus[t.cpu]!.curr === t ? t.cpu : initial ? selectForkCpu(this, t) : selectWakeCpu(this, t);
    this.setCpu(t, dst);
    const cpu = this.cpus[dst]!;
    this.account(cpu);
    t.state = cpu.curr === t ? 'running' : 'runnable';
    t.waitSince = now;
    cpu.tasks.add(t);
    this.hooks.trace?.({ t: now, kind: initial ? 'new' : 'wakeup', cpu: dst, pid: t.id });
    if (enqueueTask(t, initial ? { initial: true } : { wakeup: true }, now)) this.checkPreempt(cpu, t);
  }

  /** The task blocks (sleeps, is frozen or stopped). */
  sleep(t: SchedTask): void {
    if (t.state !== 'runnable' && t.state !== 'running') return;
    const cpu = this.cpus[t.cpu]!;
    this.account(cpu);
    const running = cpu.curr === t;
    cpu.tasks.delete(t);
    dequeueTask(t, true, this.now);
    t.state = 'sleeping';
    if (running) {
      t.counters.nvcsw++;
      this.kick(cpu);
    } else if (cpu.forcedIdle) this.kick(cpu);
  }

  /** sched_move_task(): the task's cgroup changed. */
  moveGroup(t: SchedTask, tg: TaskGroup): void {
    if (t.tg === tg || t.state === 'dead') return;
    this.relocate(t, t.canRunOn(t.cpu) ? t.cpu : selectForkCpu(this, t), tg);
  }

  /** sched_setaffinity() or a cpuset change: null allows every CPU. */
  setAllowed(t: SchedTask, allowed: readonly number[] | null): void {
    t.allowed = allowed;
    if (t.state === 'dead' || t.canRunOn(t.cpu)) return;
    this.relocate(t, selectForkCpu(this, t), t.tg);
  }

  private relocate(t: SchedTask, dst: number, tg: TaskGroup): void {
    const cpu = this.cpus[t.cpu]!;
    if (cpu.curr === t) this.deschedule(cpu);
    if (t.delayed) {
      this.account(cpu);
      dequeueTask(t, true, this.now);
    }
    if (t.state === 'runnable') this.migrateQueued(t, dst, tg);
    else this.setCpu(t, dst, tg);
  }

  /** The task is gone: off every queue and CPU for good. */
  exit(t: SchedTask): void {
    if (t.state === 'dead') return;
    const cpu = this.cpus[t.cpu]!;
    this.account(cpu);
    if (cpu.curr === t) this.deschedule(cpu);
    if (t.state === 'runnable' || t.delayed) {
      cpu.tasks.delete(t);
      dequeueTask(t, t.delayed, this.now);
    }
    t.state = 'dead';
    this.live.delete(t);
    this.dropCookie(t);
    if (cpu.forcedIdle) this.kick(cpu);
    if (t.attached) {
      detachLoad(t.se.parent.avg, t.se.avg, t.se.weight);
      propagateLoad(t.se.parent, -t.se.avg.loadSum);
    }
    t.attached = false;
  }

  /** Charges every running task up to now (before reading statistics). */
  flush(): void {
    this.accountAll();
  }

  protected balance(cpu: Cpu, kind: 'periodic' | 'newidle' | 'idle'): number {
    return balanceCpu(this, cpu, kind);
  }

  protected tickBalance(cpu: Cpu): void {
    const now = this.now;
    if (now >= cpu.nextBalance) {
      this.updateBlocked(cpu);
      balanceCpu(this, cpu, 'periodic');
    }
    if (cpu.nrRunning < 2) return;
    // nohz idle balancing: a busy CPU with waiting tasks has every idle CPU that is due balance.
    for (const c of this.cpus) {
      if (c.curr !== null || c.nrRunning !== 0 || now < c.nextBalance) continue;
      this.updateBlocked(c);
      if (balanceCpu(this, c, 'idle') > 0) this.kick(c);
    }
  }

  /**
   * update_blocked_averages(): the load signals of every group queue on
   * `cpu`, bottom-up, decay to now and fold into their groups' totals, so
   * load that left a CPU stops counting there.
   */
  private updateBlocked(cpu: Cpu): void {
    this.account(cpu);
    const now = this.now;
    for (let i = this.groups.length - 1; i >= 0; i--) {
      const gc = this.groups[i]!.cpus[cpu.id]!;
      updateCfsRqLoadAvg(now, gc.avg, gc.rq.load, gc.hNrRunnable, gc.rq.curr !== null);
      gc.tg.load.updateTgLoadAvg(cpu.id, gc.avg.loadAvg, now);
      if (gc.se !== null) updateLoad(gc.se.parent, gc.se, now);
    }
    const root = cpu.root;
    updateCfsRqLoadAvg(now, root.avg, root.rq.load, root.hNrRunnable, root.rq.curr !== null);
  }

  private onThrottle(g: BandwidthGroup, cpu: number): void {
    const tg = this.bwOwner.get(g);
    if (tg === undefined) return;
    this.hooks.trace?.({ t: this.now, kind: 'throttle', cpu, group: tg.name });
    throttleGroup(tg.cpus[cpu]!, this.now);
  }

  private onUnthrottle(g: BandwidthGroup, cpu: number): void {
    const tg = this.bwOwner.get(g);
    if (tg === undefined) return;
    const c = this.cpus[cpu]!;
    this.account(c);
    this.hooks.trace?.({ t: this.now, kind: 'unthrottle', cpu, group: tg.name });
    if (unthrottleGroup(tg.cpus[cpu]!, this.now)) this.kick(c);
  }
}
