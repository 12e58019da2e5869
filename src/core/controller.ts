import type { CgroupError } from './errors.js';

/**
 * Controllers are tables (the kernel's `struct cgroup_subsys` + `struct
 * cftype[]`). One `ControllerDef` per controller, declared in one file under
 * `core/controllers/`; the simulated kernel, the host driver's pre-write
 * checks and the CLI's help are all derived from these records.
 *
 * The table functions are pure over the state they are handed: the model owns
 * the tree and calls them at the right moments; a table never does I/O.
 */

export type HierVersion = 1 | 2;

/** Where in a hierarchy a file exists (cftype flags CFTYPE_NOT_ON_ROOT / CFTYPE_ONLY_ON_ROOT). */
export type FileWhere = 'all' | 'nonRoot' | 'rootOnly';

/** A task as the tables see it. */
export interface TaskView {
  readonly tid: number;
  readonly tgid: number;
  readonly uid: number;
  /** Bytes of memory this task has charged (simulated RSS). */
  readonly rss: bigint;
  readonly kernelThread: boolean;
}

/** A cgroup as the tables see it (read-only; the model keeps the real node). */
export interface CgroupView {
  readonly version: HierVersion;
  readonly isRoot: boolean;
  /** Path inside its hierarchy: `/` for the root, `/a/b` below it. */
  readonly path: string;
  /** Live threads whose cgroup (in this hierarchy) is exactly this one. */
  threads(): readonly TaskView[];
  /** Live threads of this cgroup and every descendant. */
  subtreeThreads(): readonly TaskView[];
  /** Does the cgroup or any descendant have a live task? */
  readonly populated: boolean;
  /** Number of live child cgroups. */
  readonly nrChildren: number;
  /** v1 `cgroup.clone_children` of this cgroup's parent was set at mkdir (cpuset copies its parent's masks). */
  readonly cloneChildren: boolean;
}

/** What the simulated kernel offers to a table. */
export interface KernelServices {
  /** Possible/online CPUs of the simulated machine (0..ncpus-1). */
  readonly cpus: readonly number[];
  /** Memory nodes (0..nmems-1). */
  readonly mems: readonly number[];
  /** Block devices as `MAJ:MIN` (sorted). */
  readonly blockDevices: readonly string[];
  /** Total memory in bytes. */
  readonly memoryBytes: bigint;
  readonly pageSize: bigint;
  /** Send a signal to one thread group from the kernel itself (the OOM killer's SIGKILL, which thaws its victim first). */
  signal(tgid: number, signal: number): void;
  /** Freeze or thaw tasks on behalf of a hierarchy (v1 freezer). */
  setFrozenBy(key: string, tids: readonly number[], frozen: boolean): void;
  /** Is this task frozen by any agent? */
  isFrozen(tid: number): boolean;
  /** Does the caller have CAP_SYS_ADMIN in the initial namespace? */
  readonly callerIsAdmin: boolean;
}

/**
 * One css (cgroup subsystem state): a controller's state in one cgroup. The
 * model creates it when the controller becomes active there (mkdir under a
 * v1 hierarchy, `+ctrl` in the parent's v2 `subtree_control`) and frees it
 * when it goes away.
 */
export interface Css<S> {
  readonly ctrl: string;
  readonly cgroup: CgroupView;
  /** The same controller's css in the parent cgroup (null on the root). */
  readonly parent: Css<S> | null;
  /** Online children that have this controller's css. */
  children(): readonly Css<S>[];
  state: S;
}

/**
 * An interface file. `name` is the whole file name (`cpu.weight`).
 * A write runs `parse` (no side effects, EINVAL/ERANGE on bad text), then
 * `validate` against the current state, then `apply`; nothing is changed
 * unless all three succeed.
 */
export interface IfaceFile<S, V = unknown> {
  readonly name: string;
  /** Hierarchy versions that have this file. */
  readonly versions: readonly HierVersion[];
  readonly where?: FileWhere;
  /** File mode; derived from read/write presence when absent (0644, 0444, 0200). */
  readonly mode?: number;
  /** Present only when a kernel feature is on (e.g. 'psi'); the model decides. */
  readonly feature?: string;
  read?(css: Css<S>, k: KernelServices): string;
  parse?(text: string, css: Css<S>): V;
  validate?(css: Css<S>, value: V, k: KernelServices): void;
  apply?(css: Css<S>, value: V, k: KernelServices): void;
}

/** A migration in progress: which threads go where. */
export interface AttachSet {
  readonly tasks: readonly TaskView[];
  /** True for a whole-process move (cgroup.procs), false for one thread. */
  readonly wholeProcess: boolean;
}

export interface ControllerDef<S> {
  readonly name: string;
  /** The name on v1 when it differs (`blkio` for `io`): mount option, /proc/cgroups, file prefix. */
  readonly legacyName?: string;
  /** Hierarchy versions the controller can bind to. */
  readonly versions: readonly HierVersion[];
  /** v2: may be enabled in threaded subtrees. */
  readonly threaded: boolean;
  /** v2: always on, never listed in cgroup.controllers (perf_event). */
  readonly implicitOnV2?: boolean;
  /** v2: enabling this enables these first (the kernel's depends_on). */
  readonly dependsOn?: readonly string[];
  /** Modelled in depth, or only its core bookkeeping (files present, values inert). */
  readonly depth: 'full' | 'bookkeeping';
  /** One line for help text. */
  readonly summary: string;
  /** State for a new css; `parent` is null on a hierarchy root. */
  create(parent: Css<S> | null, cgroup: CgroupView, k: KernelServices): S;
  /** Called after the css is linked into the tree (cpuset computes effective masks). */
  online?(css: Css<S>, k: KernelServices): void;
  /** Called when the css goes away (rmdir, controller disabled). */
  offline?(css: Css<S>, k: KernelServices): void;
  /** May these tasks move into `dst`? Throw a CgroupError to refuse. */
  canAttach?(dst: Css<S>, set: AttachSet, k: KernelServices): void;
  /** Undo what canAttach reserved, when a later controller refused. */
  cancelAttach?(dst: Css<S>, set: AttachSet, k: KernelServices): void;
  /** The tasks have moved from `src` to `dst`. */
  attach?(dst: Css<S>, src: Css<S>, set: AttachSet, k: KernelServices): void;
  /** May a new task be created in `css`? (pids: EAGAIN past pids.max) */
  canFork?(css: Css<S>, k: KernelServices): void;
  /** Undo canFork when a later controller refused. */
  cancelFork?(css: Css<S>, k: KernelServices): void;
  /** A new task now lives in `css`. */
  fork?(css: Css<S>, task: TaskView, k: KernelServices): void;
  /** A task exited (it is still counted as a zombie where the kernel does). */
  exit?(css: Css<S>, task: TaskView, k: KernelServices): void;
  /** A task was reaped: its last reference to `css` is gone. */
  release?(css: Css<S>, task: TaskView, k: KernelServices): void;
  readonly files: readonly IfaceFile<S>[];
}

/** Helper that keeps a controller's state type while declaring it. */
export function defineController<S>(def: ControllerDef<S>): ControllerDef<S> {
  return def;
}

/** Helper that types one file of a controller with its parsed value type. */
export function defineFile<S, V>(f: IfaceFile<S, V>): IfaceFile<S> {
  return f as IfaceFile<S>;
}

/** Mode of a file from its table entry. */
export function fileMode(f: IfaceFile<unknown>): number {
  if (f.mode !== undefined) return f.mode;
  const r = f.read !== undefined;
  const w = f.apply !== undefined;
  return r && w ? 0o644 : r ? 0o444 : w ? 0o200 : 0o000;
}

export type { CgroupError };
