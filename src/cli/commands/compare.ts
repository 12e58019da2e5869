/**
 * `cgkit compare FILE`: the simulator's prediction of a scenario beside the
 * host kernel's measurement of the same file, share by share, with the
 * difference in percentage points, and an SVG of both over time.
 */
import { writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import type { Comparison } from '../../scenario/compare.js';
import type { RunResult } from '../../scenario/index.js';
import { toJson } from '../../report/json.js';
import type { CliContext } from './context.js';
import { compareScenarioFile } from './compare-run.js';
import { runDeps, type RunDeps } from './run.js';
import { durationOption, intOption } from './sim.js';

interface CompareOptions {
  seed?: number;
  duration?: number;
  json?: boolean;
  svg?: string;
  groupsOnly?: boolean;
  maxDiff?: number;
  shield: boolean;
}

function ppOption(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of percentage points >= 0');
  return n;
}

/** The comparison as JSON: both runs' figures and the rows. */
function comparisonJson(c: Comparison, sim: RunResult, host: RunResult): string {
  return `{"comparison":${JSON.stringify(c)},"simulated":${toJson(sim).trim()},"host":${toJson(host).trim()}}\n`;
}

const AFTER = `
The scenario runs twice: on the simulated kernel, then for real on this host
(as 'cgkit run --backend host' does: root, a private subtree confined to the
scenario's CPU count, real worker processes). Shares are of the scenario's
machine (all its CPUs); the difference is host minus simulated.

Exit status: 0, or 1 when --max-diff is given and a row differs by more, or
the host cannot run the scenario; 2 for a bad scenario or command line.`;

export function compareCommand(cli: CliContext, deps: RunDeps = runDeps): Command {
  return new Command('compare')
    .description('run a scenario on the simulated kernel and on the host, and show predicted and measured shares side by side')
    .argument('<scenario>', 'scenario YAML file')
    .option('--seed <n>', "replace the scenario's seed", intOption)
    .option('--duration <d>', "replace the scenario's duration (10s, 500ms, ...)", durationOption)
    .option('--json', 'print both runs and the comparison as JSON')
    .option('--svg <file>', 'write both share series over time on one chart')
    .option('--groups-only', 'leave the task rows out of the table')
    .option('--max-diff <pp>', 'exit 1 when a share differs by more than this many percentage points', ppOption)
    .option('--no-shield', "host: leave the run's top group at the default weight")
    .addHelpText('after', AFTER)
    .action(async (file: string, opts: CompareOptions) => {
      const { formatCompareTable, renderCompareSvg } = await import('../../report/index.js');
      const runs = await compareScenarioFile(cli, file, {
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.duration !== undefined ? { duration: opts.duration } : {}),
        shield: opts.shield,
      }, deps);
      if (!runs) return;
      const { sim, host, comparison: c } = runs;
      cli.stdout.write(opts.json ? comparisonJson(c, sim, host) : `${formatCompareTable(c, {
        ...(opts.groupsOnly ? { groupsOnly: true } : {}),
        ...(opts.maxDiff !== undefined ? { tolerancePp: opts.maxDiff } : {}),
      })}\n`);
      if (opts.svg !== undefined) {
        try {
          await writeFile(opts.svg, await renderCompareSvg(sim, host));
        } catch (e) {
          cli.stderr.write(`cgkit: ${e instanceof Error ? e.message : String(e)}\n`);
          cli.exitCode = 2;
          return;
        }
      }
      if (cli.exitCode === 0 && opts.maxDiff !== undefined && c.maxAbsDiffPp > opts.maxDiff) cli.exitCode = 1;
    });
}
