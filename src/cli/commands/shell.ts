import { Command, InvalidArgumentError, Option } from 'commander';
import { CgroupError } from '../../core/errors.js';
import { runShell } from '../shell/run.js';
import { commandTable } from '../shell/session.js';
import type { ShellKernel } from '../shell/kernel.js';
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

With --smt 2 or more the machine has core scheduling, and its trust groups
(the coreschedfs) are mounted at /sys/kernel/coresched: mkdir NAME makes a
group, echo PID > NAME/tasks (or NAME/procs) adds a task, cat NAME/cookie_id
and NAME/cookie show its ids, echo NEW_COOKIE_FOR_CHILD > NAME/properties
sets what forks do (NAME/PID/properties for one task), echo /CGROUP >
NAME/cgroup binds a cgroup, chown/chmod set who may add tasks, rmdir removes
an empty group. 'as PID ...' acts there with that task's uid and gid.

Reads commands from standard input when it is not a terminal. Exit status:
0 when every command succeeded, 1 when any failed, N after 'exit N',
2 for a command-line error.`;

interface ShellOpts { layout: LayoutChoice; cpus?: number; smt?: number; seed?: number; json?: boolean }

/** `cgkit shell`: a shell over a simulated kernel. */
export function shellCommand(cli: CliContext): Command {
  return new Command('shell')
    .description('a shell over a simulated kernel: mkdir, echo > FILE, cat, ls, tree, spawn, fork, kill, ps')
    .addOption(new Option('--layout <layout>', 'cgroup layout to simulate (host: mirror this machine)').choices(LAYOUTS).default('unified'))
    .option('--cpus <n>', 'number of simulated CPUs', intOption(1))
    .option('--smt <n>', 'hardware threads per core (CPUs must be a multiple); 2 or more: core scheduling, trust groups at /sys/kernel/coresched', intOption(1))
    .option('--seed <n>', 'random seed of the simulated kernel', intOption(0))
    .option('--json', 'data commands (cat of keyed files, ls, ps, tree) print JSON')
    .addHelpText('after', AFTER)
    .action(async function (this: Command, opts: ShellOpts) {
      if (opts.smt !== undefined && opts.cpus !== undefined && opts.cpus % opts.smt !== 0) {
        this.error(`--cpus ${opts.cpus} is not a multiple of --smt ${opts.smt}`, { exitCode: 2 });
      }
      const k: KernelOptions = { layout: opts.layout };
      if (opts.cpus !== undefined) k.cpus = opts.cpus;
      if (opts.smt !== undefined) k.smt = opts.smt;
      if (opts.seed !== undefined) k.seed = opts.seed;
      let kernel: ShellKernel;
      try {
        kernel = await cli.makeKernel(k);
      } catch (e) {
        // The simulated kernel refuses an SMT width that does not divide its (default) CPU count.
        if (!(e instanceof CgroupError) || e.code !== 'EINVAL' || opts.smt === undefined) throw e;
        this.error(`--smt ${opts.smt}: ${e.detail ?? e.message}`, { exitCode: 2 });
      }
      let close = (): void => undefined;
      if ((opts.smt ?? 1) >= 2) {
        const mounted = await mountTrustGroups(kernel, opts.smt ?? 1);
        if (typeof mounted === 'string') this.error(`--smt ${opts.smt ?? ''}: ${mounted}`, { exitCode: 2 });
        kernel = mounted.kernel;
        close = mounted.close;
      }
      try {
        cli.exitCode = await runShell({ input: cli.stdin, output: cli.stdout, errors: cli.stderr, kernel, json: opts.json === true });
      } finally {
        close();
      }
    });
}

/** A simulated kernel with SMT, with its trust groups mounted; or why not. */
async function mountTrustGroups(kernel: ShellKernel, smt: number): Promise<{ kernel: ShellKernel; close: () => void } | string> {
  const { SimKernel } = await import('../../api/sim-kernel.js');
  if (!(kernel instanceof SimKernel) || kernel.smt !== smt) return 'core scheduling in the shell needs the simulated kernel built with SMT';
  const { TrustGroups } = await import('../../coresched/trust-groups.js');
  const { withTrustGroups } = await import('../shell/coresched-mount.js');
  const groups = new TrustGroups(kernel.coresched, { cgroups: kernel });
  return { kernel: withTrustGroups(kernel, groups), close: () => groups.close() };
}
