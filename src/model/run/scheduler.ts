/**
 * The simulated kernel's scheduler runtime: it runs task programs on the
 * scheduler machine (sched/machine.ts) in simulated time and keeps the two
 * sides in step. Tasks started with a program get a scheduling entity in
 * the task group of their cpu css; after every change to the cgroup model
 * (a write through the filesystem, a kill, a fork) `sync()` follows moves
 * between groups, cpu.weight / cpu.shares / cpu.idle / cpu.max settings,
 * cpuset and affinity changes, freezing and stopping, and exits. Figures
 * flow back with `flush()` (accounting.ts).
 */
import { CgroupError } from '../../core/errors.js';
import { cpusetEffectiveCpus, type CpusetCss } from '../../core/controllers/cpuset-state.js';
import type { CpuState } from '../../core/controllers/cpu-state.js';
import { NS_PER_USER_TICK } from '../../core/controllers/cpuacct.js';
import { Engine, type EventId } from '../../sim/engine.js';
import { ProgramCursor } from '../../sim/program-cursor.js';
import type { Program } from '../../sim/program.js';
import { Machine } from '../../sched/machine.js';
import type { SchedClass } from '../../sched/policy.js';
import type { SchedTask, TaskGroup } from '../../sched/sched-types.js';
import type { CssImpl } from '../cgroup.js';
import type { Kernel } from '../kernel.js';
import { chargeMemory, unchargeMemory } from '../memory-hooks.js';
import type { Task } from '../task.js';
import { exitTask, forkTask } from '../tasks.js';
import { chargePending, foldGroup, foldTask, type AccountRec } from './accounting.js';
import type { SchedulerOptions, SliceEvent, TaskSchedStats } from './types.js';

interface Rec extends AccountRec {
  readonly cursor: ProgramCursor;
  phase: 'run' | 'sleep' | 'done';
  held: boolean;
  wakeEvent: EventId | null;
  wakePending: boolean;
  forkFailures: number;
  dir: string;
}

interface GroupRec {
  readonly tg: TaskGroup;
  applied: string;
}

export class KernelScheduler {
  readonly engine = new Engine();
  readonly machine: Machine;
  private readonly live = new Map<Task, Rec>();
  private readonly all: Rec[] = [];
  private readonly groups = new Map<CssImpl<unknown>, GroupRec>();
  private readonly sliceListeners = new Set<(s: SliceEvent) => void>();
  private syncing = false;
  private resync = false;

  constructor(private readonly k: Kernel, opts: SchedulerOptions = {}) {
    this.machine = new Machine(this.engine, { cpus: k.cpus.length, smt: k.smt, ...(opts.hz !== undefined ? { hz: opts.hz } : {}) }, {
      stepDone: (st) => this.stepDone(st),
      charge: (st, cpu, ns) => {
        const rec = this.recOf(st);
        if (rec) chargePending(rec, cpu, ns);
      },
      forceIdle: (st, ns) => {
        const rec = this.recOf(st);
        if (rec) rec.pendingForceIdle += ns;
      },
      slice: (st, cpu, startNs, endNs) => {
        for (const fn of this.sliceListeners) fn({ cpu, pid: st.id, startNs, endNs });
      },
      ...(opts.trace ? { trace: opts.trace } : {}),
    });
    k.afterChange = () => this.sync();
  }

  get now(): number {
    return this.engine.now;
  }

  onSlice(fn: (s: SliceEvent) => void): () => void {
    this.sliceListeners.add(fn);
    return () => this.sliceListeners.delete(fn);
  }

  private readonly byId = new Map<SchedTask, Rec>();
  private recOf(st: SchedTask): Rec | undefined {
    return this.byId.get(st);
  }

  /** Starts running `program` in `task` (a task the model just created). */
  start(task: Task, program: Program): void {
    this.k.ticks = Math.floor(this.now / NS_PER_USER_TICK);
    const st = this.machine.addTask(task.tid, task.name, this.tgFor(task), task.nice, this.allowedFor(task));
    const rec: Rec = {
      task, st, cursor: new ProgramCursor(program), phase: 'sleep', held: this.heldNow(task), wakeEvent: null,
      wakePending: false, forkFailures: 0, dir: this.dirOf(task), pending: this.k.cpus.map(() => 0), pendingTotal: 0, pendingForceIdle: 0,
    };
    this.machine.setCookie(st, task.coreCookie);
    this.live.set(task, rec);
    this.byId.set(st, rec);
    this.all.push(rec);
    this.advance(rec);
    if (rec.phase === 'run' && !rec.held) this.machine.wake(st, true);
  }

  /** Runs simulated time up to `timeNs` (no flush: call flush() before reading figures). */
  runUntil(timeNs: number): void {
    this.sync();
    this.engine.runUntil(timeNs);
  }

  /** The class that schedules the children of the group of this cpu css. */
  setPolicy(css: CssImpl<unknown>, policy: SchedClass): void {
    this.machine.setPolicy(this.tgOfCss(css), policy);
  }

  /** Charges running time up to now and writes every figure back into the model. */
  flush(): void {
    this.machine.flush();
    this.k.ticks = Math.floor(this.now / NS_PER_USER_TICK);
    for (const rec of this.live.values()) foldTask(this.k, rec);
    for (const [css, g] of this.groups) foldGroup(css, g.tg);
  }

  taskStats(): TaskSchedStats[] {
    this.flush();
    return this.all.map((r) => ({
      tid: r.task.tid, tgid: r.task.tgid, name: r.task.name, cgroup: r.phase === 'done' ? r.dir : this.dirOf(r.task),
      runtimeNs: r.st.counters.runtimeNs, waitNs: r.st.counters.waitNs, timeslices: r.st.counters.timeslices,
      nvcsw: r.st.counters.nvcsw, nivcsw: r.st.counters.nivcsw, migrations: r.st.counters.migrations,
      exited: r.phase === 'done', forkFailures: r.forkFailures, forcedIdleNs: r.st.counters.forceIdleNs,
    }));
  }

  /** Follows the model: exits, group moves, CPU masks, freezing and group settings. */
  sync(): void {
    if (this.syncing) {
      this.resync = true;
      return;
    }
    this.syncing = true;
    try {
      do {
        this.resync = false;
        this.reconcile();
      } while (this.resync);
    } finally {
      this.syncing = false;
    }
  }

  private reconcile(): void {
    this.flush();
    for (const [css, g] of this.groups) if (!css.cgroup.dead) this.applySettings(css, g);
    for (const rec of [...this.live.values()]) {
      const t = rec.task;
      if (t.exited || !this.k.tasks.has(t.tid)) {
        this.finish(rec);
        continue;
      }
      rec.dir = this.dirOf(t);
      const tg = this.tgFor(t);
      if (rec.st.tg !== tg) this.machine.moveGroup(rec.st, tg);
      const allowed = this.allowedFor(t);
      if (!sameCpus(allowed, rec.st.allowed)) this.machine.setAllowed(rec.st, allowed);
      if (rec.st.cookie !== t.coreCookie) this.machine.setCookie(rec.st, t.coreCookie);
      const held = this.heldNow(t);
      if (held && !rec.held) {
        rec.held = true;
        this.machine.sleep(rec.st);
      } else if (!held && rec.held) {
        rec.held = false;
        if (rec.wakePending) {
          rec.wakePending = false;
          this.onWake(rec);
        } else if (rec.phase === 'run') this.machine.wake(rec.st);
      }
    }
  }

  private finish(rec: Rec): void {
    if (rec.wakeEvent !== null) this.engine.cancel(rec.wakeEvent);
    rec.wakeEvent = null;
    this.machine.exit(rec.st);
    foldTask(this.k, rec);
    rec.task.runnable = false;
    rec.phase = 'done';
    this.live.delete(rec.task);
  }

  private heldNow(t: Task): boolean {
    const leader = this.k.tasks.get(t.tgid);
    return this.k.isFrozen(t) || t.stopped || leader?.stopped === true;
  }

  private stepDone(st: SchedTask): void {
    const rec = this.recOf(st);
    if (rec === undefined || rec.phase === 'done') return;
    this.advance(rec);
    if (rec.phase === 'sleep') this.machine.sleep(st);
  }

  private onWake(rec: Rec): void {
    rec.wakeEvent = null;
    if (rec.phase === 'done') return;
    if (rec.held) {
      rec.wakePending = true;
      return;
    }
    this.advance(rec);
    if (rec.phase === 'run' && !rec.held) this.machine.wake(rec.st);
  }

  /** Carries out the program up to the next step that needs the CPU, blocks, or ends it. */
  private advance(rec: Rec): void {
    for (;;) {
      if (rec.task.exited) {
        this.sync();
        return;
      }
      const a = rec.cursor.next(this.now);
      switch (a.op) {
        case 'run':
          rec.st.runLeftNs = a.ns;
          rec.phase = 'run';
          return;
        case 'sleep':
          rec.phase = 'sleep';
          rec.wakeEvent = this.engine.at(a.untilNs, () => this.onWake(rec));
          return;
        case 'exit':
          rec.phase = 'sleep';
          exitTask(this.k, rec.task.tid, a.code);
          this.sync();
          return;
        case 'fork':
        case 'thread':
          this.forkChild(rec, a.op, a.program);
          break;
        case 'alloc':
        case 'free':
          try {
            if (a.op === 'alloc') chargeMemory(this.k, rec.task, a.bytes);
            else unchargeMemory(this.k, rec.task, a.bytes);
          } catch (e) {
            if (!(e instanceof CgroupError && e.code === 'ENOMEM')) throw e;
          }
          this.sync();
          break;
      }
    }
  }

  private forkChild(rec: Rec, op: 'fork' | 'thread', program: Program): void {
    let child: Task;
    try {
      child = forkTask(this.k, rec.task.tid, { thread: op === 'thread', name: program.name ?? rec.task.name });
    } catch (e) {
      if (e instanceof CgroupError && e.code === 'EAGAIN') {
        rec.forkFailures++;
        return;
      }
      throw e;
    }
    child.nice = program.nice ?? rec.task.nice;
    child.allowedCpus = program.cpus ?? rec.task.allowedCpus;
    this.start(child, program);
  }

  private dirOf(t: Task): string {
    const h = this.k.hierarchies.find((x) => x.controllers.includes('cpu') && x.mountPoints.length > 0) ?? this.k.dfl;
    return t.cgroups.get(h)?.fsPath ?? '';
  }

  private tgFor(t: Task): TaskGroup {
    const css = t.css.get('cpu');
    return css ? this.tgOfCss(css) : this.machine.root;
  }

  private tgOfCss(css: CssImpl<unknown>): TaskGroup {
    if (css.parent === null) return this.machine.root;
    const known = this.groups.get(css);
    if (known) return known.tg;
    const g: GroupRec = { tg: this.machine.createGroup(this.tgOfCss(css.parent), css.cgroup.fsPath), applied: '' };
    this.groups.set(css, g);
    this.applySettings(css, g);
    return g.tg;
  }

  private applySettings(css: CssImpl<unknown>, g: GroupRec): void {
    const s = css.state as CpuState;
    const key = `${s.shares}|${s.idle}|${s.quotaUs}|${s.periodUs}|${s.burstUs}`;
    if (key === g.applied) return;
    const [shares, idle, ...limits] = g.applied.split('|');
    g.applied = key;
    if (shares !== String(s.shares)) this.machine.setShares(g.tg, s.shares);
    if (idle !== String(s.idle)) this.machine.setIdle(g.tg, s.idle);
    if (limits.join('|') !== `${s.quotaUs}|${s.periodUs}|${s.burstUs}`) {
      this.machine.setLimits(g.tg, {
        quotaNs: s.quotaUs === 'max' ? 'max' : Number(s.quotaUs) * 1000,
        periodNs: Number(s.periodUs) * 1000,
        burstNs: Number(s.burstUs) * 1000,
      });
    }
  }

  /** Affinity ∩ the cpuset's effective CPUs (the cpuset alone when they do not meet); null for every CPU. */
  private allowedFor(t: Task): readonly number[] | null {
    // guarantee_online_cpus(): a cpuset without CPUs yields to its nearest ancestor that has some.
    let cs = t.css.get('cpuset') as CpusetCss | undefined;
    while (cs && cs.parent && cpusetEffectiveCpus(cs).length === 0) cs = cs.parent as CpusetCss;
    const set = cs && cpusetEffectiveCpus(cs).length > 0 ? cpusetEffectiveCpus(cs) : this.k.cpus;
    let out = t.allowedCpus ? set.filter((c) => t.allowedCpus!.includes(c)) : [...set];
    if (out.length === 0) out = [...set];
    return out.length === this.k.cpus.length ? null : out;
  }
}

function sameCpus(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
