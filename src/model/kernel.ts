import type { CoreSchedEvent } from '../core/coresched.js';
import type { KernelServices } from '../core/controller.js';
import { CgroupError } from '../core/errors.js';
import type { LayoutSpec } from '../core/layout.js';
import { CssImpl, Hierarchy, type Cgroup } from './cgroup.js';
import { ALL_CONTROLLERS, ctrlDef, sortCtrls, type AnyController } from './registry.js';
import { Task, type Cred } from './task.js';

export interface KernelOptions {
  layout: LayoutSpec;
  cpus?: number;
  mems?: number;
  memoryBytes?: bigint;
  blockDevices?: string[];
  /** /proc/sys/kernel/pid_max: pids run up to pidMax-1, then wrap to 300 (default 32768). */
  pidMax?: number;
  /** Hardware threads per core (default 1): with more, the kernel has core scheduling. */
  smt?: number;
}

/** A v1 release notification: the kernel would exec `agent` with `path` as argv[1]. */
export interface ReleaseEvent {
  hierarchyId: number;
  mountPoint: string;
  path: string;
  agent: string;
}

export type KernelEvent =
  | { type: 'release'; event: ReleaseEvent }
  | { type: 'modified'; path: string };

/**
 * The simulated kernel's cgroup core: hierarchies, tasks and the css of
 * every controller. Operations live in the files beside this one
 * (tasks.ts, migrate.ts, mkdir.ts, ...); this class holds the state.
 */
export class Kernel {
  readonly layout: LayoutSpec;
  readonly hierarchies: Hierarchy[] = [];
  /** The v2 (default) hierarchy; present even where it is not mounted. */
  readonly dfl: Hierarchy;
  readonly tasks = new Map<number, Task>();
  /** Controllers this kernel is built with, in the kernel's order. */
  readonly known: readonly AnyController[];
  readonly cpus: number[];
  readonly mems: number[];
  readonly memoryBytes: bigint;
  readonly blockDevices: string[];
  /** Tasks frozen by each freezing agent (v1 freezer hierarchies). */
  readonly frozenBy = new Map<string, Set<number>>();
  readonly releaseLog: ReleaseEvent[] = [];
  /** Thread-group leaders holding signals until they are thawed or continued. */
  readonly pendingTasks = new Set<Task>();
  private readonly listeners = new Set<(e: KernelEvent) => void>();
  private lastPid = 0;
  private readonly pidMax: number;
  private pendingEvents: KernelEvent[] = [];
  private lastIno = 0;
  /** Clock ticks (USER_HZ) since boot, advanced by the scheduler. */
  ticks = 0;
  /** Called after every change made through the filesystem, so the scheduler can follow moves, limits and freezes. */
  afterChange: (() => void) | undefined;
  /** Hardware threads per core. */
  readonly smt: number;
  /** The next core scheduling cookie (cookies are never reused). */
  nextCookie = 1;
  /** Hears fork, exit and move of every task synchronously, before the new task runs (the seed's fork and exit hooks). */
  readonly taskListeners = new Set<(e: CoreSchedEvent) => void>();

  taskEvent(e: CoreSchedEvent): void {
    for (const fn of [...this.taskListeners]) fn(e);
  }

  constructor(opts: KernelOptions) {
    this.layout = opts.layout;
    this.cpus = range(opts.cpus ?? 2);
    this.mems = range(opts.mems ?? 1);
    this.memoryBytes = opts.memoryBytes ?? 8n << 30n;
    this.blockDevices = opts.blockDevices ?? ['8:0', '8:16'];
    this.pidMax = opts.pidMax ?? 32768;
    this.smt = opts.smt ?? 1;
    if (!Number.isInteger(this.pidMax) || this.pidMax < 301 || this.pidMax > 4194304) {
      throw new CgroupError('EINVAL', 'mount', undefined, `pid_max must be 301..4194304, not ${this.pidMax}`);
    }
    const built = opts.layout.controllers;
    this.known = ALL_CONTROLLERS.filter((c) => !built || built.includes(c.name));
    const bound = new Set<string>();
    const v1 = opts.layout.mounts.filter((m) => m.version === 1);
    let nextId = 1;
    for (const m of v1) {
      for (const c of m.controllers) {
        if (!this.knows(c)) throw new CgroupError('EINVAL', 'mount', m.mountPoint, `unknown controller '${c}'`);
        if (bound.has(c)) throw new CgroupError('EBUSY', 'mount', m.mountPoint, `controller '${c}' is bound to another hierarchy`);
        bound.add(c);
      }
      const id = m.hierarchyId ?? nextId;
      nextId = Math.max(nextId, id) + 1;
      const h = new Hierarchy(id, 1, sortCtrls(m.controllers), m.name, [m.mountPoint, ...(m.aliases ?? [])], () => this.ino());
      this.hierarchies.push(h);
    }
    const v2 = opts.layout.mounts.find((m) => m.version === 2);
    const dflCtrls = this.known.filter((c) => c.versions.includes(2) && !bound.has(c.name)).map((c) => c.name);
    this.dfl = new Hierarchy(0, 2, dflCtrls, undefined, v2 ? [v2.mountPoint, ...(v2.aliases ?? [])] : [], () => this.ino());
    this.hierarchies.unshift(this.dfl);
    for (const h of this.hierarchies) for (const c of h.controllers) this.createCss(h.root, ctrlDef(c)!);
    const init = new Task({ tid: this.allocPid(), tgid: 1, uid: 0, gid: 0, name: 'init', ppid: 0, startTicks: 0 });
    init.threads.add(init);
    this.tasks.set(1, init);
    for (const h of this.hierarchies) {
      h.root.addTask(init);
      init.cgroups.set(h, h.root);
    }
    for (const h of this.hierarchies) for (const c of h.controllers) {
      const css = h.root.css.get(c)!;
      init.css.set(c, css);
      css.def.fork?.(css, init, this.services());
    }
  }

  /** Is the kernel built with this controller (v2 or v1 spelling)? */
  knows(name: string): boolean {
    const d = ctrlDef(name);
    return d !== undefined && this.known.includes(d);
  }

  ino(): number {
    return ++this.lastIno;
  }

  /** alloc_pid(): the next free pid after the last one, wrapping from pid_max-1 to 300 (RESERVED_PIDS). */
  allocPid(): number {
    for (let i = 0; i < this.pidMax; i++) {
      this.lastPid = this.lastPid + 1 >= this.pidMax ? 300 : this.lastPid + 1;
      if (!this.tasks.has(this.lastPid)) return this.lastPid;
    }
    throw new CgroupError('EAGAIN', 'fork', undefined, 'no free pid');
  }

  /** Mounted hierarchies (the v2 one only where the layout mounts it). */
  mounted(): Hierarchy[] {
    return this.hierarchies.filter((h) => h.mountPoints.length > 0);
  }

  hierarchyOf(ctrl: string): Hierarchy | undefined {
    return this.hierarchies.find((h) => h.controllers.includes(ctrl));
  }

  task(tid: number): Task | undefined {
    return this.tasks.get(tid);
  }

  liveTask(tid: number, syscall: 'kill' | 'fork' | 'write' | 'prctl' | 'setpgid' = 'kill'): Task {
    const t = this.tasks.get(tid);
    if (!t || t.exited) throw new CgroupError('ESRCH', syscall, undefined, `no process ${tid}`);
    return t;
  }

  leader(t: Task): Task {
    return this.tasks.get(t.tgid) ?? t;
  }

  /** Live threads of a task's thread group. */
  liveThreads(t: Task): Task[] {
    return [...this.leader(t).threads].filter((x) => !x.exited);
  }

  createCss(cg: Cgroup, def: AnyController): CssImpl<unknown> {
    const parentCss = (cg.parent?.effectiveCss(def.name) ?? null) as CssImpl<unknown> | null;
    const k = this.services();
    const css = new CssImpl<unknown>(def, cg, parentCss, undefined);
    css.state = def.create(parentCss, cg, k);
    cg.css.set(def.name, css);
    def.online?.(css, k);
    return css;
  }

  /**
   * A removed cgroup stays "dying" while zombies still pin it (the kernel's
   * nr_dying_descendants); the last one's release buries it.
   */
  markDying(cg: Cgroup, ctrls: string[]): void {
    if (cg.zombies.size === 0) return;
    cg.dying = true;
    cg.dyingCtrls = ctrls;
    this.countDying(cg, 1);
  }

  buryDying(cg: Cgroup): void {
    if (!cg.dying) return;
    cg.dying = false;
    this.countDying(cg, -1);
  }

  private countDying(cg: Cgroup, d: number): void {
    for (let a = cg.parent; a; a = a.parent) {
      a.nrDyingDescendants += d;
      for (const c of cg.dyingCtrls) a.nrDyingSubsys.set(c, (a.nrDyingSubsys.get(c) ?? 0) + d);
    }
  }

  killCss(cg: Cgroup, ctrl: string): void {
    const css = cg.css.get(ctrl);
    if (!css) return;
    css.def.offline?.(css, this.services());
    cg.css.delete(ctrl);
  }

  isFrozen(t: Task): boolean {
    if (t.exited) return false;
    if (t.cgroups.get(this.dfl)?.frozenV2) return true;
    for (const s of this.frozenBy.values()) if (s.has(t.tid)) return true;
    return false;
  }

  /** The services handed to controller tables; `cred` is the acting caller's. */
  services(cred: Cred = { uid: 0, gid: 0 }): KernelServices {
    const k = this;
    return {
      cpus: k.cpus,
      mems: k.mems,
      blockDevices: k.blockDevices,
      memoryBytes: k.memoryBytes,
      pageSize: 4096n,
      callerIsAdmin: cred.uid === 0,
      signal(tgid, sig) {
        k.signalHook?.(tgid, sig);
      },
      setFrozenBy(key, tids, frozen) {
        let s = k.frozenBy.get(key);
        if (!s) k.frozenBy.set(key, (s = new Set()));
        for (const tid of tids) {
          if (frozen) s.add(tid);
          else s.delete(tid);
        }
        k.afterFreezeChange?.();
      },
      isFrozen(tid) {
        const t = k.tasks.get(tid);
        return t ? k.isFrozen(t) : false;
      },
    };
  }

  /** Set by tasks.ts: how a table's signal reaches a process. */
  signalHook: ((tgid: number, sig: number) => void) | undefined;
  /** Set by tasks.ts: deliver signals held while frozen. */
  afterFreezeChange: (() => void) | undefined;

  on(fn: (e: KernelEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Record an event. Listeners hear it after the current operation has
   * finished (in a microtask, in order), as the kernel defers file
   * notifications: a listener never sees, or re-enters, a half-done change.
   */
  emit(e: KernelEvent): void {
    if (e.type === 'release') this.releaseLog.push(e.event);
    if (this.listeners.size === 0) return;
    this.pendingEvents.push(e);
    if (this.pendingEvents.length === 1) queueMicrotask(() => this.deliverEvents());
  }

  private deliverEvents(): void {
    const batch = this.pendingEvents;
    this.pendingEvents = [];
    for (const e of batch) for (const fn of this.listeners) fn(e);
  }
}

function range(n: number): number[] {
  if (!Number.isInteger(n) || n < 1 || n > 8192) throw new CgroupError('EINVAL', 'mount', undefined, `bad count ${n}`);
  return Array.from({ length: n }, (_, i) => i);
}
