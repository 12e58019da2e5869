import type { Case } from './case.js';
import type { CgroupFs } from '../core/fs.js';

/**
 * What the conformance suite needs from a backend: a cgroup filesystem, the
 * mounts it has, and a way to make and end tasks. The same cases run on the
 * simulated kernel and on the host kernel through this one shape.
 */
export interface Backend {
  name: BackendName;
  /** The filesystem acting as root (uid 0). */
  fs: CgroupFs;
  procs: ProcessAdapter;
  /** The cgroup v2 mount, when there is one. */
  v2Root: string | undefined;
  /**
   * What a new group below the v2 root is offered: the root's
   * `cgroup.subtree_control` (the suite never changes the root of a host).
   */
  v2Controllers: string[];
  /** Every controller bound to v2: the root's `cgroup.controllers`. */
  v2Bound: string[];
  /** v1 controller -> mount point of the hierarchy it is bound to. */
  v1Mounts: Map<string, string>;
  /** Release everything the backend holds (processes, servers, kernels). */
  close(): Promise<void>;
}

export type BackendName = 'sim' | 'host';

/** Creates a backend, or says why it cannot run here. */
export interface BackendFactory {
  name: BackendName;
  /** `undefined` when the backend can run; otherwise the reason it cannot. */
  unavailable(): Promise<string | undefined>;
  /**
   * A backend for one case. The host shares one; the simulator makes a fresh
   * kernel, shaped to the case when the host-mirroring one cannot run it.
   */
  open(forCase?: Case): Promise<Backend>;
  /** Release what `open` kept between cases. */
  shutdown(): Promise<void>;
}

export interface SpawnOptions {
  uid?: number;
  gid?: number;
}

/** How a task looks from outside, reduced to what both backends can tell apart reliably. */
export type TaskState = 'alive' | 'stopped' | 'zombie' | 'gone';

export type Signal = 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT';

/**
 * Tasks under test. Every method resolves only once the kernel has done the
 * thing (a task that exits has left its cgroups; a stopped task is stopped),
 * so a read right after sees the result. Failures are CgroupErrors with the
 * kernel's errno (a fork past `pids.max` rejects with EAGAIN).
 *
 * A new process starts in its parent's cgroups (the backend's root groups);
 * the suite places it with a `cgroup.procs` write afterwards
 * ("spawn-then-move"), identically on both backends.
 */
export interface ProcessAdapter {
  /** A new single-threaded process; returns its pid. */
  spawn(opts?: SpawnOptions): Promise<number>;
  /** A child process of `pid`, in the same cgroups; returns the child's pid. */
  fork(pid: number): Promise<number>;
  /** A new thread in process `pid`; returns its tid. */
  thread(pid: number): Promise<number>;
  /** The whole process exits (every thread). A child of a live non-init parent stays a zombie. */
  exit(pid: number): Promise<void>;
  /** One (non-leader) thread exits. */
  exitThread(tid: number): Promise<void>;
  kill(pid: number, signal: Signal): Promise<void>;
  /** `parent` reaps its zombie child `child`. */
  reap(parent: number, child: number): Promise<void>;
  state(pid: number): Promise<TaskState>;
  /** The process touches `bytes` of new memory; ENOMEM when the kernel kills it for that (OOM). */
  charge(pid: number, bytes: number): Promise<void>;
  /** The filesystem as that task sees it and with its credentials (`0` in cgroup.procs is that task). */
  as(pid: number): CgroupFs;
  /** SIGKILL every task this adapter made that is still alive, and wait until they are gone. */
  releaseAll(): Promise<void>;
}
