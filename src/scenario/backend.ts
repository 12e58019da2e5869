/**
 * What the scenario runner needs of a kernel. The simulated kernel
 * (`SimKernel`) satisfies it as it is; `HostScenarioBackend`
 * (scenario/host-backend.ts) implements it over the real cgroupfs with real
 * processes.
 */
import type { CgroupFs } from '../core/fs.js';
import type { LayoutSpec } from '../core/layout.js';
import type { Program } from '../sim/program.js';
import type { GroupPolicy } from './types.js';
import type { CoreSchedKernel } from '../core/coresched.js';
import type { AnyKernel } from '../api/cgroup.js';
import type { TaskSchedStats } from '../api/sim-kernel.js';

export interface BackendSpawn {
  /** Absolute cgroup directory; on v1 the task starts there in that hierarchy, in its parent's groups in the others. */
  cgroup?: string;
  name?: string;
  /** Absent: the task just sleeps. */
  program?: Program | 'hog' | string;
  nice?: number;
  cpus?: number[];
}

/** Scheduling figures of one task (thread), as the kernel keeps them: the simulated kernel's, without its extras. */
export type BackendTaskStat = Pick<TaskSchedStats,
  'tid' | 'tgid' | 'name' | 'cgroup' | 'runtimeNs' | 'waitNs' | 'timeslices' | 'nvcsw' | 'nivcsw' | 'exited' | 'forcedIdleNs'>;

/** A task ran on a CPU from startNs to endNs. */
export interface BackendSlice {
  readonly cpu: number;
  readonly pid: number;
  readonly startNs: number;
  readonly endNs: number;
}

export interface ScenarioBackend {
  readonly fs: CgroupFs;
  readonly layout: LayoutSpec;
  /** The new task's pid; the host answers once its worker process is ready. */
  spawn(opts: BackendSpawn): number | Promise<number>;
  /** Let `durationNs` pass with the tasks running. */
  run(durationNs: number, opts?: { onProgress?: (doneNs: number, totalNs: number) => void }): Promise<void>;
  kill(pid: number, signal?: number | string): void;
  /** Scheduling class of the group's own children (the "guest scheduler"). */
  setPolicy(cgroupDir: string, policy: GroupPolicy): void;
  /** Every task that ran a program, exited ones included. */
  taskStats(): readonly BackendTaskStat[];
  /**
   * Time that really passed since the first `run`, ns, where it can differ
   * from the time asked for (the host, when this process waited for a CPU).
   * Shares are computed over it; absent, the scenario's own clock is used.
   */
  clockNs?(): number;
  /** Subscribe to CPU slices; returns the unsubscribe function. */
  onSlice(fn: (s: BackendSlice) => void): () => void;
  /**
   * Core scheduling for trust groups: the kernel's operations and the cgroup
   * side bindings read, or why there is none. (The simulated kernel is
   * recognised by the runner itself.)
   */
  coreSched?(): Promise<{ coresched: CoreSchedKernel; cgroups: AnyKernel; close?(): Promise<void> } | string>;
}
