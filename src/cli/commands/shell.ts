import { Command, InvalidArgumentError, Option } from 'commander';
import { runShell } from '../shell/run.js';
import { commandTable } from '../shell/session.js';
import type { CliContext, KernelOptions, LayoutChoice } from './context.js';

export const LAYOUTS: readonly LayoutChoice[] = ['unified', 'hybrid', 'legacy', 'host'];

function intOption(min: number): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

const AFTER = `
Commands inside the shell:
${commandTable()}
Quoting and syntax as in sh: '...', "...", \\ escapes, # comments, ; between
commands, > FILE and >> FILE (one write(2) per command), $? $! $NAME.
Relative paths start at the cgroup v2 mount (/sys/fs/cgroup on a v1-only layout).

Reads commands from standard input when it is not a terminal. Exit status:
0 when every command succeeded, 1 when any failed, N after 'exit N',
2 for a command-line error.`;

/** `cgkit shell`: a shell over a simulated kernel. */
export function shellCommand(cli: CliContext): Command {
  return new Command('shell')
    .description('a shell over a simulated kernel: mkdir, echo > FILE, cat, ls, tree, spawn, fork, kill, ps')
    .addOption(new Option('--layout <layout>', 'cgroup layout to simulate (host: mirror this machine)').choices(LAYOUTS).default('unified'))
    .option('--cpus <n>', 'number of simulated CPUs', intOption(1))
    .option('--seed <n>', 'random seed of the simulated kernel', intOption(0))
    .option('--json', 'data commands (cat of keyed files, ls, ps, tree) print JSON')
    .addHelpText('after', AFTER)
    .action(async (opts: { layout: LayoutChoice; cpus?: number; seed?: number; json?: boolean }) => {
      const k: KernelOptions = { layout: opts.layout };
      if (opts.cpus !== undefined) k.cpus = opts.cpus;
      if (opts.seed !== undefined) k.seed = opts.seed;
      cli.exitCode = await runShell({
        input: cli.stdin, output: cli.stdout, errors: cli.stderr,
        kernel: await cli.makeKernel(k), json: opts.json === true,
      });
    });
}
