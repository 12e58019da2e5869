/** What the simulated kernel's scheduler runtime (scheduler.ts) takes and reports. */
import type { TraceRecord } from '../../sim/trace.js';

export interface SchedulerOptions {
  readonly hz?: number;
  readonly trace?: (r: TraceRecord) => void;
}

/** One stretch a task ran on a CPU. */
export interface SliceEvent {
  readonly cpu: number;
  readonly pid: number;
  readonly startNs: number;
  readonly endNs: number;
}

/** Per-task scheduler figures, exited tasks included. */
export interface TaskSchedStats {
  readonly tid: number;
  readonly tgid: number;
  readonly name: string;
  /** The task's cgroup directory in the hierarchy that holds the cpu controller. */
  readonly cgroup: string;
  readonly runtimeNs: number;
  readonly waitNs: number;
  readonly timeslices: number;
  readonly nvcsw: number;
  readonly nivcsw: number;
  readonly migrations: number;
  readonly exited: boolean;
  /** Forks the program asked for that failed (EAGAIN from pids.max). */
  readonly forkFailures: number;
  readonly forcedIdleNs: number;
}
