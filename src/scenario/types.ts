/**
 * A scenario after loading: every value checked and converted (durations to
 * ns, programs parsed), each part carrying the YAML line it came from so
 * that a failure while running can point back at it.
 */
import type { Program } from '../sim/program.js';
import type { Expectation } from './expect.js';

export type ScenarioLayout = 'unified' | 'hybrid' | 'legacy';
export type GroupPolicy = 'fair' | 'rr' | 'fifo';

/** One file write: `cpu.weight: 100` under `/guest`. */
export interface FileWrite {
  /** Group path relative to the scenario root (`/` or `/a/b`). */
  readonly group: string;
  /** File name inside the group, e.g. `cpu.max`. */
  readonly file: string;
  readonly value: string;
  readonly line: number;
}

export interface GroupSpec {
  readonly path: string;
  readonly files: readonly FileWrite[];
  readonly policy?: { readonly value: GroupPolicy; readonly line: number };
  readonly line: number;
}

/** One task to spawn (after `count` and rt-app expansion). */
export interface TaskSpec {
  /** Unique in the scenario; expectations and the timeline refer to it. */
  readonly name: string;
  readonly group: string;
  /** Absent: the task just sleeps. */
  readonly program?: Program;
  readonly nice?: number;
  readonly cpus?: readonly number[];
  readonly line: number;
}

export type Action =
  | { readonly kind: 'write'; readonly writes: readonly FileWrite[] }
  | { readonly kind: 'move'; readonly task: string; readonly to: string }
  | { readonly kind: 'spawn'; readonly tasks: readonly TaskSpec[] }
  | { readonly kind: 'kill'; readonly task: string; readonly signal: string | number }
  | { readonly kind: 'freeze' | 'thaw'; readonly group: string }
  | { readonly kind: 'policy'; readonly group: string; readonly policy: GroupPolicy };

/** A core scheduling trust group (the `trust:` section). */
export interface TrustSpec {
  /** Group name, or `/` for the root group (untagged tasks). */
  readonly name: string;
  /** Scenario task names: their whole processes join when spawned. */
  readonly tasks: readonly string[];
  /** A scenario group whose tasks, present and future, are members. */
  readonly cgroup?: string;
  readonly properties?: 'NEW_COOKIE_FOR_CHILD' | 'SAME_COOKIE_FOR_CHILD' | 'ROOT_COOKIE_FOR_CHILD';
  readonly line: number;
}

export type TimedAction = Action & { readonly atNs: number; readonly line: number };

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** The YAML file, for messages (`file:line: ...`); `<scenario>` when given as text. */
  readonly file: string;
  readonly cpus: number;
  readonly smt?: number;
  readonly hz?: number;
  readonly layout: ScenarioLayout;
  readonly seed?: number;
  readonly durationNs: number;
  /** Every group of the tree (declared, used by a task or an action, and their parents), parents first; `/` first. */
  readonly groups: readonly GroupSpec[];
  readonly tasks: readonly TaskSpec[];
  /** Sorted by time; actions at the same time keep file order. */
  readonly timeline: readonly TimedAction[];
  readonly expect: readonly Expectation[];
  /** Core scheduling trust groups; empty without a `trust:` section. */
  readonly trust: readonly TrustSpec[];
  /** Things that load but are not simulated as written (rt-app import notes). */
  readonly warnings: readonly string[];
}
