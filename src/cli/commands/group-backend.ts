/**
 * The kernel a group command runs on, chosen once per invocation: the live
 * host (default) or a fresh simulated kernel, optionally populated by
 * running a scenario first. Also the options every group command shares
 * and the wrapper that turns failures into `cgkit: <message>` and an exit
 * status.
 */
import { performance } from 'node:perf_hooks';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CgroupKernel } from '../../core/backend.js';
import { CgroupError } from '../../core/errors.js';
import type { Cgroup } from '../../api/cgroup.js';
import type { SimKernel } from '../../api/sim-kernel.js';
import type { HostKernel as HostKernelType, HostReport } from '../../host/kernel.js';
import type { CliContext } from './context.js';

export type BackendKind = 'host' | 'sim';
export type SimLayoutChoice = 'unified' | 'hybrid' | 'legacy';

/** The options `addBackendOptions` adds (commander's camel-cased names). */
export interface BackendOptions {
  backend: BackendKind;
  layout?: SimLayoutChoice;
  /** Simulated CPUs (`--cpus N`, or `--sim-cpus N` on `exec`, whose `--cpus` is a cpuset). */
  cpus?: number;
  simCpus?: number;
  scenario?: string;
}

/** The options of a group command that can print JSON. */
export interface JsonOptions extends BackendOptions { json?: boolean }

export interface Backend {
  readonly kind: BackendKind;
  readonly kernel: CgroupKernel;
  /** The simulated kernel, on `--backend sim`. */
  readonly sim: SimKernel | undefined;
  /** Time in ms: simulated time on sim, a monotonic clock on the host. */
  nowMs(): number;
  /** Host only: what the host offers (`cgkit host`). */
  describe(): Promise<HostReport>;
}

/** A failure already worded for the user, with the exit status it means. */
export class CliFailure extends Error {
  constructor(message: string, readonly status = 1) {
    super(message);
  }
}

export function positiveInt(name: string, min = 1): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

/** Seconds as a user writes them (`1`, `0.5`); returned in ms. */
export function secondsOption(value: string): number {
  const t = value.trim();
  const n = /^\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected seconds (1, 0.5, ...)');
  return Math.round(n * 1000);
}

/**
 * `--backend`, `--layout`, `--cpus` (or `--sim-cpus` when the command
 * uses `--cpus` itself) and `--scenario`.
 */
export function addBackendOptions(cmd: Command, opts: { cpusFlag?: '--cpus' | '--sim-cpus' } = {}): Command {
  const flag = opts.cpusFlag ?? '--cpus';
  return cmd
    .addOption(new Option('--backend <kind>', 'kernel to act on').choices(['host', 'sim']).default('host'))
    .addOption(new Option('--layout <layout>', 'sim: cgroup layout (default unified, or the scenario\'s)').choices(['unified', 'hybrid', 'legacy']))
    .option(`${flag} <n>`, 'sim: number of simulated CPUs (default 2, or the scenario\'s)', positiveInt('the CPU count'))
    .option('--scenario <file>', 'sim: build this scenario\'s tree and run it for its duration first');
}

/** A group command: `name` with the backend options, its description and the `<group>` argument. */
export function groupCommand(name: string, description: string, groupHelp = 'group path'): Command {
  return addBackendOptions(new Command(name)).description(description).argument('<group>', groupHelp);
}

const isRoot = (): boolean => process.geteuid?.() === 0;

/**
 * Open the kernel the options name. `writes`: the command changes groups,
 * so on the host it needs root. A host without a cgroup filesystem, or a
 * bad scenario, is a CliFailure.
 */
export async function openBackend(cli: CliContext, o: BackendOptions, writes: boolean): Promise<Backend> {
  const hostOnly = [o.layout !== undefined && '--layout', (o.cpus ?? o.simCpus) !== undefined && 'the CPU count', o.scenario !== undefined && '--scenario'].filter((x) => x !== false);
  if (o.backend === 'host') {
    if (hostOnly.length > 0) throw new CliFailure(`${hostOnly.join(', ')}: only with --backend sim`, 2);
    return openHost(writes);
  }
  return openSim(cli, o);
}

/**
 * Create options for where the groups' ancestors may be changed: on
 * `--backend sim` the kernel is this invocation's own, so a create may
 * enable controllers in the root's `cgroup.subtree_control`; on the host
 * only the ancestors a create makes are changed (an existing one must
 * already enable the controllers the group needs).
 */
export function enableInParents(b: Backend): { enableInParents?: true } {
  return b.kind === 'sim' ? { enableInParents: true } : {};
}

/** `openBackend`, then the existing group `path` on that kernel. */
export async function openGroup(cli: CliContext, o: BackendOptions, path: string, writes: boolean): Promise<{ b: Backend; g: Cgroup }> {
  const b = await openBackend(cli, o, writes);
  const { Cgroup } = await import('../../api/cgroup.js');
  return { b, g: await Cgroup.open(b.kernel, path) };
}

async function openHost(writes: boolean): Promise<Backend> {
  const { HostKernel } = await import('../../host/kernel.js');
  let k: HostKernelType;
  try {
    k = await HostKernel.open();
  } catch (e) {
    throw new CliFailure(`the host has no usable cgroup filesystem (${e instanceof Error ? e.message : String(e)}); use --backend sim`);
  }
  if (writes && !isRoot()) throw new CliFailure('changing cgroups on the host needs root (run as root, or use --backend sim)');
  return { kind: 'host', kernel: k, sim: undefined, nowMs: () => performance.now(), describe: () => k.describe() };
}

async function openSim(cli: CliContext, o: BackendOptions): Promise<Backend> {
  const { SimKernel } = await import('../../api/sim-kernel.js');
  const { asCgroupKernel } = await import('../../api/cgroup.js');
  const cpus = o.cpus ?? o.simCpus;
  let sim: SimKernel;
  if (o.scenario === undefined) {
    // The composition root's kernel factory: a fresh kernel per run (tests may hand out one kernel to several runs).
    let k: unknown;
    try {
      k = await cli.makeKernel({ layout: o.layout ?? 'unified', ...(cpus !== undefined ? { cpus } : {}) });
    } catch (e) {
      throw new CliFailure(e instanceof Error ? e.message : String(e), 2);
    }
    if (!(k instanceof SimKernel)) throw new CliFailure('the simulated kernel at hand cannot run programs (not a SimKernel)');
    sim = k;
  } else {
    sim = await simFromScenario(cli, o.scenario, { ...(o.layout !== undefined ? { layout: o.layout } : {}), ...(cpus !== undefined ? { cpus } : {}) });
  }
  const kernel = asCgroupKernel(sim);
  return {
    kind: 'sim',
    kernel,
    sim,
    nowMs: () => sim.now / 1e6,
    describe: () => Promise.reject(new CliFailure('describing the kernel is for --backend host')),
  };
}

/**
 * A simulated kernel after a scenario file: its tree built, its tasks
 * spawned, its timeline run for its duration. `layout`/`cpus` replace the
 * scenario's. A bad scenario is a CliFailure with status 2.
 */
export async function simFromScenario(cli: CliContext, file: string, over: { layout?: SimLayoutChoice; cpus?: number } = {}): Promise<SimKernel> {
  const { SimKernel } = await import('../../api/sim-kernel.js');
  const { loadScenarioFile, runScenario, ScenarioError } = await import('../../scenario/index.js');
  try {
    const s0 = loadScenarioFile(file);
    const s = { ...s0, layout: over.layout ?? s0.layout, cpus: over.cpus ?? s0.cpus };
    for (const w of s.warnings) cli.stderr.write(`cgkit: warning: ${w}\n`);
    const sim = new SimKernel({
      layout: s.layout, cpus: s.cpus,
      ...(s.seed !== undefined ? { seed: s.seed } : {}),
      ...(s.smt !== undefined ? { smt: s.smt } : {}),
      ...(s.hz !== undefined ? { hz: s.hz } : {}),
    });
    await runScenario(s, sim, { samples: 0 });
    return sim;
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof CgroupError) throw new CliFailure(e.message, 2);
    throw e;
  }
}

/**
 * Run a command's body: a CliFailure prints its message and sets its
 * status; any other error prints `cgkit: <message>` and sets `failStatus`.
 * With `onlyStatus`, every failure is `failStatus` (exec: 125 for anything
 * that kept the command from starting).
 */
export async function runAction(cli: CliContext, body: () => Promise<number | void>, failStatus = 1, onlyStatus = false): Promise<void> {
  try {
    const status = await body();
    cli.exitCode = status ?? 0;
  } catch (e) {
    if (e instanceof CliFailure) {
      cli.stderr.write(`cgkit: ${e.message}\n`);
      cli.exitCode = onlyStatus ? failStatus : e.status;
      return;
    }
    cli.stderr.write(`cgkit: ${describeError(e)}\n`);
    cli.exitCode = failStatus;
  }
}

/** One line for any error; every part of an AggregateError. */
export function describeError(e: unknown): string {
  if (e instanceof AggregateError) return [e.message, ...e.errors.map(describeError)].join('; ');
  return e instanceof Error ? e.message : String(e);
}
