import type { CgroupFs } from '../core/fs.js';
import { CgroupError } from '../core/errors.js';
import { builtinLayout, type LayoutKind, type LayoutSpec } from '../core/layout.js';
import { detectHostLayoutSync } from '../host/layout.js';
import { Kernel, type KernelEvent, type ReleaseEvent } from '../model/kernel.js';
import { ModelFs } from '../model/model-fs.js';
import { resolve } from '../model/resolve.js';
import { chargeMemory, unchargeMemory } from '../model/memory-hooks.js';
import { mountCgroup, remountCgroup, umountCgroup } from '../model/mount.js';
import { exitTask, forkTask, installTaskHooks, killTask, waitTask } from '../model/tasks.js';
import { stateChar } from '../model/procfs.js';
import type { Task } from '../model/task.js';

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
}

export interface SpawnOptions {
  /** Absolute cgroup directory to start in (clone3 with CLONE_INTO_CGROUP on that hierarchy). */
  cgroup?: string;
  uid?: number;
  gid?: number;
  name?: string;
  /** Parent process (default 1, init). */
  ppid?: number;
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

  constructor(opts: SimKernelOptions = {}) {
    const layout = resolveLayout(opts.layout ?? 'unified');
    this.kernel = new Kernel({
      layout,
      ...(opts.cpus !== undefined ? { cpus: opts.cpus } : {}),
      ...(opts.mems !== undefined ? { mems: opts.mems } : {}),
      ...(opts.memoryBytes !== undefined ? { memoryBytes: opts.memoryBytes } : {}),
      ...(opts.pidMax !== undefined ? { pidMax: opts.pidMax } : {}),
    });
    installTaskHooks(this.kernel);
    this.seed = opts.seed;
    this.fs = new ModelFs(this.kernel, 1);
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
    const into = opts.cgroup === undefined ? undefined : this.cgroupAt(opts.cgroup);
    const t = forkTask(this.kernel, opts.ppid ?? 1, {
      ...(into ? { into } : {}),
      name: opts.name ?? 'task',
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : opts.uid !== undefined ? { gid: opts.uid } : {}),
    });
    return t.tid;
  }

  fork(pid: number): number {
    return forkTask(this.kernel, pid).tid;
  }

  spawnThread(pid: number): number {
    return forkTask(this.kernel, pid, { thread: true }).tid;
  }

  exit(pid: number, code = 0): void {
    exitTask(this.kernel, pid, code);
  }

  kill(pid: number, signal: number | string = 'SIGTERM'): void {
    killTask(this.kernel, pid, signal);
  }

  wait(pid: number): number | undefined {
    return waitTask(this.kernel, pid);
  }

  /** Charge `bytes` of memory to a task (may OOM-kill; ENOMEM when the charger itself is killed). */
  charge(pid: number, bytes: bigint): void {
    chargeMemory(this.kernel, this.kernel.liveTask(pid), bytes);
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
