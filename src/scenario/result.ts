/**
 * The figures of one scenario run, as the runner hands them to the reports
 * (terminal table, SVG, Perfetto trace, CSV/JSON). Times are integer
 * nanoseconds of simulated (or, on the host, measured) time; shares are
 * percentages of the whole machine (all CPUs), so 100 means every CPU busy.
 */
import type { TrustCost } from './trust-cost.js';

/** One group of the scenario's tree. */
export interface GroupFigures {
  /** Path relative to the scenario root, `/` for the root itself. */
  readonly path: string;
  /** CPU time of the group and its descendants. */
  readonly runtimeNs: number;
  /** runtimeNs / (durationNs × cpus) × 100. */
  readonly sharePct: number;
  /** Time the group's tasks spent runnable but waiting for a CPU (sum over tasks). */
  readonly waitNs: number;
  /** cpu.stat throttled time of the group's own limit (0 without one). */
  readonly throttledNs: number;
  readonly nrThrottled: number;
  readonly nrPeriods: number;
  /** Context switches of the group's tasks (voluntary + involuntary). */
  readonly switches: number;
  /** Core scheduling forced idle, when the machine has SMT and cookies are in use. */
  readonly forcedIdleNs?: number;
}

/** One task (thread) that existed during the run. */
export interface TaskFigures {
  readonly pid: number;
  readonly name: string;
  /** Group at the end of the run (or at exit), relative to the scenario root. */
  readonly group: string;
  readonly runtimeNs: number;
  readonly sharePct: number;
  readonly waitNs: number;
  /** Timeslices (times the task was put on a CPU), as /proc/<pid>/schedstat's third field. */
  readonly timeslices: number;
  readonly nvcsw: number;
  readonly nivcsw: number;
  readonly exited: boolean;
  readonly forcedIdleNs?: number;
  /** The trust group the task was in at the end of the run (`/`: the root group), in a scenario with trust groups. */
  readonly trustGroup?: string;
}

/** CPU share over time: one point per interval, per group. */
export interface ShareSeries {
  readonly intervalNs: number;
  /** End time of each interval. */
  readonly timesNs: readonly number[];
  /** Share of the machine (%) each group used in each interval. */
  readonly groups: readonly { readonly path: string; readonly sharePct: readonly number[] }[];
}

/** A stretch of time a task ran on a CPU (for the Perfetto trace). */
export interface Slice {
  readonly cpu: number;
  readonly pid: number;
  readonly startNs: number;
  readonly endNs: number;
}

export interface ExpectationResult {
  /** The expectation as written, e.g. `share of /guest: 50% ± 1`. */
  readonly text: string;
  readonly line?: number;
  readonly actual: number;
  /**
   * Unit of `actual`, for the reports: `'%'` a share, `'ns'` a duration
   * (printed in ms/s), absent a plain number (a count, a ratio).
   */
  readonly unit?: '%' | 'ns';
  readonly ok: boolean;
}

export interface RunResult {
  readonly scenario: string;
  readonly backend: 'sim' | 'host';
  readonly cpus: number;
  readonly seed?: number;
  readonly durationNs: number;
  readonly groups: readonly GroupFigures[];
  readonly tasks: readonly TaskFigures[];
  readonly series?: ShareSeries;
  readonly slices?: readonly Slice[];
  readonly expectations?: readonly ExpectationResult[];
  /** Trust groups: the run's cost against the same scenario without them (trust-cost.ts). */
  readonly trustCost?: TrustCost;
}
