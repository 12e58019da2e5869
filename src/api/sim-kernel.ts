import type { CgroupFs } from '../core/fs.js';
import { CgroupError } from '../core/errors.js';
import { builtinLayout, type LayoutKind, type LayoutSpec } from '../core/layout.js';
import { detectHostLayoutSync } from '../host/layout.js';
import { Kernel, type KernelEvent, type ReleaseEvent } from '../model/kernel.js';
import { ModelFs } from '../model/model-fs.js';
import { resolve } from '../model/resolve.js';
import { chargeMemory, unchargeMemory } from '../model/memory-hooks.js';
import { mountCgroup, remountCgroup, umountCgroup } from '../model/mount.js';
import { exitTask, forkTask, installTaskHooks, killTask, setpgid, waitTask } from '../model/tasks.js';
import { SimCoreSchedKernel } from './sim-coresched.js';
import { stateChar } from '../model/procfs.js';
import type { Task } from '../model/task.js';
import { KernelScheduler } from '../model/run/scheduler.js';
import type { SliceEvent, TaskSchedStats } from '../model/run/types.js';
import { SCHED_CLASSES, type SchedClassName } from '../sched/classes.js';
import type { SchedClass } from '../sched/policy.js';
import { hog, validateProgram, type Program } from '../sim/program.js';
import { parseProgram } from '../sim/program-text.js';
import type { TraceRecord, TraceRecorder } from '../sim/trace.js';

export type { SliceEvent, TaskSchedStats } from '../model/run/types.js';

export type SimLayout = LayoutKind | 'host';

export interface SimKernelOptions {
  /** `unified` (default), `hybrid`, `legacy`, `host` (mirror this machine's mounts), or a layout of your own. */
  layout?: SimLayout | LayoutSpec;
  /** CPUs of the simulated machine (default 2). */
  cpus?: number;
  /** Memory nodes (default 1). */
  mems?: number;
  /** Memory of the machine in bytes (default 8 GiB). */
  memoryBytes?: bigint;
  /** Seed of the kernel's random streams; the cgroup core itself draws none. */
  seed?: number;
  /** /proc/sys/kernel/pid_max (default 32768): pids wrap from pidMax-1 to 300. */
  pidMax?: number;
  /** CONFIG_HZ of the simulated kernel: the scheduler tick (default 250). */
  hz?: number;
  /** Hardware threads per core (default 1); `cpus` must be a multiple of it. */
  smt?: number;
  /** Records every scheduler event (switches, wakeups, migrations, throttling). */
  trace?: TraceRecorder | ((r: TraceRecord) => void);
}

export interface SpawnOptions {
  /** Absolute cgroup directory to start in (clone3 with CLONE_INTO_CGROUP on that hierarchy). */
  cgroup?: string;
  uid?: number;
  gid?: number;
  name?: string;
  /** Parent process (default 1, init). */
  ppid?: number;
  /** What the task does: `'hog'` (run forever), a program, or the program text form. Without one it sleeps. */
  program?: Program | 'hog' | string;
  /** Nice value -20..19 (default: the program's, else 0). */
  nice?: number;
  /** CPU affinity (default: the program's, else every CPU). */
  cpus?: number[];
}

export interface RunOptions {
  /** Called between chunks of simulated time (about every 100 ms of it) with the time done so far. */
  onProgress?: (doneNs: number, totalNs: number) => void;
}

export type TaskStateName = 'running' | 'sleeping' | 'stopped' | 'frozen' | 'zombie';

export interface TaskInfo {
  tid: number;
  tgid: number;
  ppid: number;
  uid: number;
  gid: number;
  name: string;
  state: TaskStateName;
  exitCode?: number;
  /** One entry per hierarchy: its mount point and the path inside it. */
  cgroups: { mountPoint: string; path: string }[];
}

/**
 * A simulated Linux kernel: cgroup hierarchies, controllers and tasks,
 * deterministic and in-process. `fs` is its cgroup filesystem as root
 * (pid 1); `as(pid).fs` acts with that task's credentials.
 */
export class SimKernel {
  readonly kernel: Kernel;
  readonly fs: ModelFs;
  readonly seed: number | undefined;
  readonly smt: number;
  /** The scheduler: runs task programs in simulated time. */
  readonly sched: KernelScheduler;
  private simCoreSched: SimCoreSchedKernel | undefined;

  constructor(opts: SimKernelOptions = {}) {
    const layout = resolveLayout(opts.layout ?? 'unified');
    this.kernel = new Kernel({
      layout,
      ...(opts.cpus !== undefined ? { cpus: opts.cpus } : {}),
      ...(opts.mems !== undefined ? { mems: opts.mems } : {}),
      ...(opts.memoryBytes !== undefined ? { memoryBytes: opts.memoryBytes } : {}),
      ...(opts.pidMax !== undefined ? { pidMax: opts.pidMax } : {}),
      ...(opts.smt !== undefined ? { smt: opts.smt } : {}),
    });
    installTaskHooks(this.kernel);
    this.seed = opts.seed;
    this.smt = opts.smt ?? 1;
    const ncpu = this.kernel.cpus.length;
    if (!Number.isInteger(this.smt) || this.smt < 1 || ncpu % this.smt !== 0) {
      throw new CgroupError('EINVAL', 'mount', undefined, `smt ${this.smt} must be a positive integer dividing cpus (${ncpu})`);
    }
    const tr = opts.trace;
    const trace = tr === undefined ? undefined : typeof tr === 'function' ? tr : (r: TraceRecord) => tr.record(r);
    this.sched = new KernelScheduler(this.kernel, { ...(opts.hz !== undefined ? { hz: opts.hz } : {}), ...(trace ? { trace } : {}) });
    this.fs = new ModelFs(this.kernel, 1);
  }

  /** Simulated time since boot, ns. */
  get now(): number {
    return this.sched.now;
  }

  /** Advances simulated time by `durationNs`, yielding to the event loop now and then. */
  async run(durationNs: number, opts: RunOptions = {}): Promise<void> {
    const end = this.checkedEnd(durationNs);
    const start = this.now;
    const chunk = 100_000_000;
    let lastYield = Date.now();
    while (this.now < end) {
      this.sched.runUntil(Math.min(end, this.now + chunk));
      opts.onProgress?.(this.now - start, durationNs);
      if (Date.now() - lastYield > 50) {
        await new Promise<void>((r) => setImmediate(r));
        lastYield = Date.now();
      }
    }
    this.sched.flush();
  }

  /** run() without yielding. */
  runSync(durationNs: number): void {
    this.sched.runUntil(this.checkedEnd(durationNs));
    this.sched.flush();
  }

  private checkedEnd(durationNs: number): number {
    if (!Number.isSafeInteger(durationNs) || durationNs < 0) {
      throw new CgroupError('EINVAL', 'clock_nanosleep', undefined, `duration must be a non-negative integer of ns, not ${durationNs}`);
    }
    return this.now + durationNs;
  }

  /**
   * The scheduling class for the children of a cpu cgroup (`fair`, `rr`,
   * `fifo`, or a SchedClass of your own): the seeds' guest scheduler.
   */
  setPolicy(cgroupDir: string, policy: SchedClassName | SchedClass): void {
    const cls = typeof policy === 'string' ? SCHED_CLASSES[policy] : policy;
    if (cls === undefined) throw new CgroupError('EINVAL', 'sched_setattr', cgroupDir, `unknown scheduling class '${String(policy)}'`);
    const cg = this.cgroupAt(cgroupDir);
    const css = cg.css.get('cpu');
    if (!css) throw new CgroupError('ENOENT', 'sched_setattr', cgroupDir, 'the cpu controller is not enabled for this cgroup');
    this.sched.setPolicy(css, cls);
  }

  /** Scheduler figures of every task that ran a program, exited ones included. */
  taskStats(): TaskSchedStats[] {
    return this.sched.taskStats();
  }

  /** Subscribe to the stretches tasks run on CPUs; returns an unsubscribe function. */
  onSlice(fn: (s: SliceEvent) => void): () => void {
    return this.sched.onSlice(fn);
  }

  get layout(): LayoutSpec {
    return this.kernel.layout;
  }

  /** The filesystem as task `pid` sees it. */
  as(pid: number): { fs: CgroupFs & ModelFs } {
    this.kernel.liveTask(pid);
    return { fs: new ModelFs(this.kernel, pid) };
  }

  /** Start a new process; see SpawnOptions. Returns its pid. */
  spawn(opts: SpawnOptions = {}): number {
    const program = opts.program === undefined ? undefined : toProgram(opts.program);
    const nice = opts.nice ?? program?.nice;
    if (nice !== undefined && (!Number.isInteger(nice) || nice < -20 || nice > 19)) {
      throw new CgroupError('EINVAL', 'setpriority', undefined, `nice ${nice} is outside -20..19`);
    }
    const cpus = opts.cpus ?? program?.cpus;
    if (cpus !== undefined && (cpus.length === 0 || cpus.some((c) => !this.kernel.cpus.includes(c)))) {
      throw new CgroupError('EINVAL', 'sched_setaffinity', undefined, `cpus [${cpus.join(',')}] must be a non-empty subset of 0..${this.kernel.cpus.length - 1}`);
    }
    const into = opts.cgroup === undefined ? undefined : this.cgroupAt(opts.cgroup);
    const name = opts.name ?? program?.name ?? 'task';
    const t = forkTask(this.kernel, opts.ppid ?? 1, {
      ...(into ? { into } : {}),
      name,
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : opts.uid !== undefined ? { gid: opts.uid } : {}),
    });
    if (nice !== undefined) t.nice = nice;
    if (cpus !== undefined) t.allowedCpus = [...new Set(cpus)].sort((a, b) => a - b);
    if (program) this.sched.start(t, program);
    return t.tid;
  }

  fork(pid: number): number {
    return forkTask(this.kernel, pid).tid;
  }

  /** Core scheduling on this kernel (ENODEV from every operation without SMT). */
  get coresched(): SimCoreSchedKernel {
    this.simCoreSched ??= new SimCoreSchedKernel(this.kernel);
    return this.simCoreSched;
  }

  /** setpgid(2): `pgid` 0 makes the process a group leader; otherwise it joins an existing group. */
  setpgid(pid: number, pgid: number): void {
    setpgid(this.kernel, pid, pgid);
  }

  spawnThread(pid: number): number {
    return forkTask(this.kernel, pid, { thread: true }).tid;
  }

  exit(pid: number, code = 0): void {
    exitTask(this.kernel, pid, code);
    this.sched.sync();
  }

  kill(pid: number, signal: number | string = 'SIGTERM'): void {
    try {
      killTask(this.kernel, pid, signal);
    } finally {
      this.sched.sync();
    }
  }

  wait(pid: number): number | undefined {
    return waitTask(this.kernel, pid);
  }

  /** Charge `bytes` of memory to a task (may OOM-kill; ENOMEM when the charger itself is killed). */
  charge(pid: number, bytes: bigint): void {
    try {
      chargeMemory(this.kernel, this.kernel.liveTask(pid), bytes);
    } finally {
      this.sched.sync();
    }
  }

  uncharge(pid: number, bytes: bigint): void {
    unchargeMemory(this.kernel, this.kernel.liveTask(pid), bytes);
  }

  /**
   * mount(2) of a cgroup filesystem: `mount('cgroup', '/sys/fs/cgroup/cpu,cpuacct', 'cpu,cpuacct')`.
   * A controller can be bound to one hierarchy at a time (EBUSY otherwise).
   */
  mount(fstype: 'cgroup' | 'cgroup2', mountPoint: string, options = ''): void {
    mountCgroup(this.kernel, fstype, mountPoint, options);
  }

  /** umount(2): a v1 hierarchy with only its root is destroyed and its controllers go back to v2. */
  umount(mountPoint: string): void {
    umountCgroup(this.kernel, mountPoint);
  }

  /** mount -o remount: rebind a v1 hierarchy's controllers; EBUSY once it has child cgroups. */
  remount(mountPoint: string, options: string): void {
    remountCgroup(this.kernel, mountPoint, options);
  }

  task(pid: number): TaskInfo | undefined {
    const t = this.kernel.tasks.get(pid);
    return t ? this.info(t) : undefined;
  }

  ps(): TaskInfo[] {
    return [...this.kernel.tasks.values()].sort((a, b) => a.tid - b.tid).map((t) => this.info(t));
  }

  /** v1 release notifications so far. */
  get releases(): readonly ReleaseEvent[] {
    return this.kernel.releaseLog;
  }

  /** Subscribe to kernel events (release notifications, modified files); returns an unsubscribe function. */
  on(fn: (e: KernelEvent) => void): () => void {
    return this.kernel.on(fn);
  }

  private cgroupAt(path: string) {
    const n = resolve(this.kernel, path, { uid: 0, gid: 0 }, this.kernel.tasks.get(1)!, 'clone');
    if (n.t !== 'cg') throw new CgroupError('EBADF', 'clone', path, 'not a cgroup directory');
    return n.cg;
  }

  private info(t: Task): TaskInfo {
    const c = stateChar(this.kernel, t);
    const state: TaskStateName = c === 'Z' ? 'zombie' : c === 'T' ? 'stopped' : this.kernel.isFrozen(t) ? 'frozen' : c === 'R' ? 'running' : 'sleeping';
    const out: TaskInfo = {
      tid: t.tid, tgid: t.tgid, ppid: t.ppid, uid: t.uid, gid: t.gid, name: t.name, state,
      cgroups: [...t.cgroups].filter(([h]) => h.mountPoints.length > 0).map(([h, cg]) => ({ mountPoint: h.mountPoint, path: cg.path })),
    };
    if (t.exited) out.exitCode = t.exitSignal ? 128 + t.exitSignal : t.exitCode;
    return out;
  }
}

function toProgram(p: Program | 'hog' | string): Program {
  if (p === 'hog') return hog();
  if (typeof p === 'string') return parseProgram(p);
  return validateProgram(p);
}

function resolveLayout(l: SimLayout | LayoutSpec): LayoutSpec {
  if (typeof l !== 'string') return l;
  if (l === 'host') {
    const h = detectHostLayoutSync();
    const controllers = h.known.filter((c) => c.enabled).map((c) => c.name);
    return { kind: h.kind, ...(controllers.length ? { controllers } : {}), mounts: h.mounts.map((m) => ({ version: m.version, mountPoint: m.mountPoint, controllers: m.controllers, ...(m.name !== undefined ? { name: m.name } : {}), ...(m.aliases ? { aliases: m.aliases } : {}), ...(m.hierarchyId !== undefined ? { hierarchyId: m.hierarchyId } : {}) })) };
  }
  if (l !== 'unified' && l !== 'hybrid' && l !== 'legacy') throw new CgroupError('EINVAL', 'mount', undefined, `unknown layout '${String(l)}'`);
  return builtinLayout(l);
}
