/**
 * One comparison of a scenario file: the simulated kernel's run, then the
 * host kernel's run of the same file (as `cgkit run --backend host` does
 * it), then the two side by side. Shared by `cgkit compare` and the
 * validation bench (src/bench/validate.ts).
 */
import type { Comparison } from '../../scenario/compare.js';
import type { RunResult } from '../../scenario/index.js';
import type { CliContext } from './context.js';
import { runOnHost, type RunDeps } from './run.js';
import { runScenarioFile } from './sim.js';

export interface CompareRunOptions {
  seed?: number;
  /** Replaces the scenario's duration, ns. */
  duration?: number;
  /** Host: raise the run's top group above the default weight. */
  shield: boolean;
}

export interface ComparedRuns {
  readonly sim: RunResult;
  readonly host: RunResult;
  readonly comparison: Comparison;
}

/**
 * Run `file` on both kernels and compare. Returns undefined after printing
 * why, with `cli.exitCode` set: 2 for a bad scenario, 1 when the host could
 * not run it. A host run that worked but could not clean everything up also
 * sets `cli.exitCode` (1) and still returns the figures.
 */
export async function compareScenarioFile(cli: CliContext, file: string, opts: CompareRunOptions, deps: RunDeps): Promise<ComparedRuns | undefined> {
  const common = {
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.duration !== undefined ? { duration: opts.duration } : {}),
  };
  const sim = await runScenarioFile(cli, file, common, deps.sim);
  if (!sim) {
    cli.exitCode = 2;
    return undefined;
  }
  const host = await runOnHost(cli, file, { ...common, backend: 'host', shield: opts.shield }, deps);
  if (!host) return undefined;
  const { compareRuns } = await import('../../scenario/compare.js');
  return { sim, host, comparison: compareRuns(sim, host) };
}
