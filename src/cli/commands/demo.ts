import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { failedExpectations, printResult, runScenarioFile, simDeps, type SimDeps } from './sim.js';
import type { RunResult } from '../../scenario/index.js';
import type { CliContext } from './context.js';

/** examples/scenarios/ of the package: three levels up from both src/cli/commands and dist/cli/commands. */
export const DEMO_DIR = fileURLToPath(new URL('../../../examples/scenarios/', import.meta.url));

const AFTER = `
The scenarios are the YAML files in examples/scenarios/ (run one with
'cgkit sim FILE'); each carries its own expectations. NAME picks the ones
whose file name contains it.

Exit status: 0 when every expectation is met, 1 when one is not, 2 when a
scenario cannot run.`;

/** `cgkit demo`: run the seed scenarios and print each report. */
export function demoCommand(cli: CliContext, deps: SimDeps = simDeps, dir: string = DEMO_DIR): Command {
  return new Command('demo')
    .description('run the example scenarios (50/25/25, Alice vs Karl, a throttled group) on the simulated kernel')
    .argument('[name...]', 'only the scenarios whose file name contains one of these')
    .option('--json', 'print the results as a JSON array instead of tables')
    .addHelpText('after', AFTER)
    .action(async (names: string[], opts: { json?: boolean }) => {
      const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort()
        .filter((f) => names.length === 0 || names.some((n) => f.includes(n)));
      if (files.length === 0) {
        cli.stderr.write(`cgkit: no scenario in ${dir}${names.length ? ` matches ${names.join(', ')}` : ''}\n`);
        cli.exitCode = 2;
        return;
      }
      let failed = 0;
      let broken = 0;
      const json: RunResult[] = [];
      for (const [i, f] of files.entries()) {
        if (i > 0 && opts.json !== true) cli.stdout.write('\n');
        const r = await runScenarioFile(cli, join(dir, f), {}, deps);
        if (!r) { broken++; continue; }
        if (opts.json === true) json.push(r);
        else await printResult(cli, r, false);
        failed += failedExpectations(r) > 0 ? 1 : 0;
      }
      if (opts.json === true) {
        const { toJson } = await import('../../report/index.js');
        cli.stdout.write(`[\n${json.map((r) => toJson(r).replace(/\n$/, '')).join(',\n')}\n]\n`);
      } else if (files.length > 1) {
        const ok = files.length - failed - broken;
        cli.stdout.write(`\n${ok} of ${files.length} scenarios met every expectation${broken ? `; ${broken} could not run` : ''}\n`);
      }
      cli.exitCode = broken > 0 ? 2 : failed > 0 ? 1 : 0;
    });
}
