/**
 * What trust groups cost: the same scenario run again without its `trust:`
 * section (same seed, same machine), and the CPU time each group and the
 * whole scenario got in both runs. With core scheduling a sibling idles
 * whenever the core runs another cookie, so the machine delivers less.
 */
import type { RunResult } from './result.js';
import type { Scenario } from './types.js';

export interface GroupCost {
  readonly path: string;
  readonly withNs: number;
  readonly withoutNs: number;
  /** (without − with) / without × 100; 0 when the group got nothing either way. */
  readonly lostPct: number;
}

export interface TrustCost {
  /** CPU time of the scenario's root group with trust groups, and without. */
  readonly withNs: number;
  readonly withoutNs: number;
  readonly lostPct: number;
  /** Forced idle of the run with trust groups (time siblings idled, charged to the tasks that ran). */
  readonly forcedIdleNs: number;
  readonly groups: readonly GroupCost[];
}

/** The scenario without trust groups: the baseline of the cost. */
export function withoutTrust(s: Scenario): Scenario {
  return { ...s, trust: [], expect: [] };
}

function lost(withNs: number, withoutNs: number): number {
  return withoutNs > 0 ? ((withoutNs - withNs) / withoutNs) * 100 : 0;
}

export function trustCost(withRun: RunResult, withoutRun: RunResult): TrustCost {
  const base = new Map(withoutRun.groups.map((g) => [g.path, g.runtimeNs]));
  const groups = withRun.groups.map((g): GroupCost => {
    const withoutNs = base.get(g.path) ?? 0;
    return { path: g.path, withNs: g.runtimeNs, withoutNs, lostPct: lost(g.runtimeNs, withoutNs) };
  });
  const root = groups.find((g) => g.path === '/')!;
  const forcedIdleNs = withRun.groups.find((g) => g.path === '/')?.forcedIdleNs ?? 0;
  return { withNs: root.withNs, withoutNs: root.withoutNs, lostPct: root.lostPct, forcedIdleNs, groups };
}

/**
 * Runs `s` and, when it has trust groups, the baseline without them through
 * `run` (a fresh kernel each time); the result carries the cost.
 */
export async function runWithTrustCost(s: Scenario, run: (s: Scenario, baseline: boolean) => Promise<RunResult>): Promise<RunResult> {
  const r = await run(s, false);
  if (s.trust.length === 0) return r;
  const b = await run(withoutTrust(s), true);
  return { ...r, trustCost: trustCost(r, b) };
}
