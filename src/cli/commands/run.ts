import { Command, Option } from 'commander';
import type { HostRunEnv, SweepReport } from '../../host/run/index.js';
import type { HostScenarioBackend } from '../../scenario/host-backend.js';
import type { RunResult, Scenario } from '../../scenario/index.js';
import type { CliContext } from './context.js';
import { addScenarioOptions, reportRun, runScenarioFile, scenarioOverrides, simDeps, type SimDeps, type SimOptions } from './sim.js';

export interface RunOptions extends SimOptions {
  backend: 'sim' | 'host';
  cleanupOnly?: boolean;
  shield: boolean;
}

/** What `cgkit run` needs from outside: the composition root's choices, replaceable in tests. */
export interface RunDeps {
  sim: SimDeps;
  /** The host as a run needs it, or why it cannot run there. */
  probeHost(): Promise<HostRunEnv | string>;
}

export const runDeps: RunDeps = {
  sim: simDeps,
  probeHost: async () => (await import('../../host/run/index.js')).probeHostRun(),
};

/** Extra time a worker may live beyond the scenario's duration before it ends itself. */
const LIFETIME_MARGIN_MS = 120_000;
/** Falling behind the timeline by more than this is worth a note. */
const LAG_NOTE_NS = 20_000_000;
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
const HOST_SAMPLES = 25;

function describeSweep(r: SweepReport): string[] {
  const out: string[] = [];
  if (r.removed.length > 0) out.push(`removed ${r.removed.length} group(s) left by an earlier run: ${r.removed.join(', ')}${r.killed.length ? ` (killed ${r.killed.length} worker(s))` : ''}`);
  for (const s of r.spared) out.push(`left alone: pid ${s.pid} in ${s.group} is not a cgkit worker`);
  for (const e of r.errors) out.push(`cleaning up leftovers: ${e instanceof Error ? e.message : String(e)}`);
  return out;
}

function errorLines(e: unknown): string[] {
  if (e instanceof AggregateError) return e.errors.flatMap(errorLines);
  return [e instanceof Error ? e.message : String(e)];
}

/**
 * Run the scenario on the host: sweep leftovers of dead runs, make the
 * run's subtree, run, and remove everything on every way out (a signal
 * included). Returns the result, or undefined after printing why (with
 * `cli.exitCode` set).
 */
export async function runOnHost(cli: CliContext, file: string, opts: RunOptions, deps: RunDeps): Promise<RunResult | undefined> {
  const { loadScenarioFile, runScenario, ScenarioError } = await import('../../scenario/index.js');
  const { Hierarchies } = await import('../../scenario/hier.js');
  const { sweepLeftovers } = await import('../../host/run/index.js');
  const { HostScenarioBackend } = await import('../../scenario/host-backend.js');
  const { createProgress } = await import('../../report/index.js');
  let s: Scenario;
  try {
    s = loadScenarioFile(file, scenarioOverrides(opts));
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    cli.stderr.write(`cgkit: ${e.message}\n`);
    cli.exitCode = 2;
    return undefined;
  }
  for (const w of s.warnings) cli.stderr.write(`cgkit: warning: ${w}\n`);
  const env = await deps.probeHost();
  if (typeof env === 'string') {
    cli.stderr.write(`cgkit: cannot run on the host: ${env}\n`);
    cli.exitCode = 1;
    return undefined;
  }
  if (s.layout !== env.layout.kind) cli.stderr.write(`cgkit: note: the scenario is written for a ${s.layout} layout; this host is ${env.layout.kind}\n`);
  if (s.smt !== undefined || s.hz !== undefined) cli.stderr.write('cgkit: note: machine.smt and machine.hz describe the simulated machine; the host runs with its own\n');
  for (const line of describeSweep(await sweepLeftovers(env.fs, env.layout))) cli.stderr.write(`cgkit: ${line}\n`);
  let mountPoints: string[];
  let v2Controllers: readonly string[];
  try {
    const h = new Hierarchies(env.layout, '', s);
    mountPoints = h.used.map((m) => m.mountPoint);
    v2Controllers = h.v2Controllers;
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    cli.stderr.write(`cgkit: ${e.message}\n`);
    cli.exitCode = 1;
    return undefined;
  }
  let backend: HostScenarioBackend;
  try {
    backend = await HostScenarioBackend.create({
      fs: env.fs, layout: env.layout, cpus: s.cpus, allowedCpus: env.allowedCpus, mountPoints, v2Controllers,
      lifetimeMs: s.durationNs / 1e6 + LIFETIME_MARGIN_MS, taskset: env.taskset, shield: opts.shield,
    });
  } catch (e) {
    for (const line of errorLines(e)) cli.stderr.write(`cgkit: cannot set the run up on the host: ${line}\n`);
    cli.exitCode = 1;
    return undefined;
  }
  const b = backend;
  let stopping = false;
  const onSignal = (sig: keyof typeof SIGNALS): void => {
    if (stopping) return;
    stopping = true;
    cli.stderr.write(`\ncgkit: ${sig}: stopping the run and removing its groups\n`);
    b.dispose().then(
      () => process.exit(128 + SIGNALS[sig]),
      (e: unknown) => {
        for (const line of errorLines(e)) cli.stderr.write(`cgkit: cleanup: ${line}\n`);
        process.exit(128 + SIGNALS[sig]);
      },
    );
  };
  const handlers = (Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]).map((sig) => {
    const h = (): void => onSignal(sig);
    process.on(sig, h);
    return [sig, h] as const;
  });
  const lastResort = (): void => b.disposeSync();
  process.on('exit', lastResort);
  const progress = createProgress({ stream: cli.stderr, totalNs: s.durationNs });
  try {
    // 25 share samples, not 100: every read of the counters is CPU time taken from the run being measured.
    return await runScenario(s, b, { base: b.base, backend: 'host', samples: HOST_SAMPLES, onProgress: (done) => progress.update(done) });
  } catch (e) {
    // Stopped by a signal: its handler cleans up and exits with 128 + the signal number.
    if (stopping) await new Promise<never>(() => undefined);
    if (!(e instanceof ScenarioError)) throw e;
    cli.stderr.write(`cgkit: ${e.message}\n`);
    cli.exitCode = 2;
    return undefined;
  } finally {
    progress.stop();
    try {
      await b.dispose();
    } catch (e) {
      for (const line of errorLines(e)) cli.stderr.write(`cgkit: cleanup: ${line}\n`);
      cli.exitCode = 1;
    }
    for (const [sig, h] of handlers) process.off(sig, h);
    process.off('exit', lastResort);
    for (const w of b.workerErrors) cli.stderr.write(`cgkit: worker: ${w}\n`);
    if (b.maxLagNs > LAG_NOTE_NS) {
      cli.stderr.write(`cgkit: note: the run fell up to ${(b.maxLagNs / 1e6).toFixed(0)} ms behind the scenario's timeline (starting workers takes real time); figures next to that point are affected\n`);
    }
  }
}

async function cleanupOnly(cli: CliContext, deps: RunDeps): Promise<void> {
  const env = await deps.probeHost();
  if (typeof env === 'string') {
    cli.stderr.write(`cgkit: cannot clean up on the host: ${env}\n`);
    cli.exitCode = 1;
    return;
  }
  const { sweepLeftovers } = await import('../../host/run/index.js');
  const r = await sweepLeftovers(env.fs, env.layout);
  const lines = describeSweep(r);
  cli.stdout.write(lines.length === 0 ? 'no leftovers of earlier runs\n' : `${lines.join('\n')}\n`);
  cli.exitCode = r.errors.length > 0 ? 1 : 0;
}

const AFTER = `
With --backend host the scenario runs for real: its groups are made in a
private subtree cgkit-run-<pid>-<start>-<hex> of each hierarchy it uses, confined to
the scenario's number of CPUs (the highest-numbered ones this process may
use), its tasks are worker processes executing the programs, and the report
shows what the kernel measured. Needs root. Everything is removed at the
end, on Ctrl-C, SIGTERM and SIGHUP; after a SIGKILL the workers end
themselves and the next run (or --cleanup-only) removes the groups.

The host has no per-slice record (no --perfetto) and schedules every group
with its fair class (policy rr/fifo is refused).

Exit status: 0 when every expectation is met, 1 when one is not or the host
cannot run the scenario, 2 for a bad scenario or a command-line error.`;

/** `cgkit run`: run a scenario file on the simulated kernel or, for real, on the host. */
export function runCommand(cli: CliContext, deps: RunDeps = runDeps): Command {
  return addScenarioOptions(new Command('run')
    .description('run a scenario file on the simulated kernel or on the host kernel and report CPU shares')
    .argument('[scenario]', 'scenario YAML file')
    .addOption(new Option('--backend <kind>', 'where to run it').choices(['sim', 'host']).default('sim')), true)
    .option('--no-shield', 'host: leave the run\'s top group at the default weight')
    .option('--cleanup-only', 'host: remove what earlier runs killed with SIGKILL left behind, and stop')
    .addHelpText('after', AFTER)
    .action(async (file: string | undefined, opts: RunOptions) => {
      if (opts.cleanupOnly) return cleanupOnly(cli, deps);
      if (file === undefined) {
        cli.stderr.write('cgkit: run: a scenario file is needed (or --cleanup-only)\n');
        cli.exitCode = 2;
        return;
      }
      if (opts.backend === 'host' && (opts.perfetto !== undefined || opts.trace !== undefined)) {
        cli.stderr.write(`cgkit: run: ${opts.perfetto !== undefined ? '--perfetto' : '--trace'} needs the simulated kernel's record; the host keeps none\n`);
        cli.exitCode = 2;
        return;
      }
      let r: RunResult | undefined;
      if (opts.backend === 'host') {
        r = await runOnHost(cli, file, opts, deps);
      } else {
        r = await runScenarioFile(cli, file, opts, deps.sim);
        if (!r) cli.exitCode = 2;
      }
      if (r) await reportRun(cli, r, opts);
    });
}
