import type { WriteStream } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { Command, InvalidArgumentError } from 'commander';
import type { RunResult, Scenario, ScenarioBackend } from '../../scenario/index.js';
import { parseDuration } from '../../scenario/units.js';
import type { CliContext } from './context.js';

/** How a command gets a kernel for a scenario: the composition root's choice, replaceable in tests. */
export interface SimDeps {
  /** `trace`: where to stream the scheduler trace (JSON lines), when asked. */
  makeBackend(s: Scenario, opts: { trace?: (line: string) => void }): Promise<ScenarioBackend>;
}

/** The simulated kernel, sized and seeded as the scenario says. */
export const simDeps: SimDeps = {
  async makeBackend(s, opts) {
    const { SimKernel } = await import('../../api/sim-kernel.js');
    const { TraceRecorder } = await import('../../sim/trace.js');
    const o: ConstructorParameters<typeof SimKernel>[0] & { smt?: number; hz?: number; trace?: InstanceType<typeof TraceRecorder> } = {
      layout: s.layout, cpus: s.cpus,
    };
    if (s.seed !== undefined) o.seed = s.seed;
    if (s.smt !== undefined) o.smt = s.smt;
    if (s.hz !== undefined) o.hz = s.hz;
    if (opts.trace) o.trace = new TraceRecorder({ keepLines: false, onLine: opts.trace });
    const k: ScenarioBackend = new SimKernel(o);
    return k;
  },
};

/** The options `addScenarioOptions` adds (commander's names). */
export interface SimOptions {
  seed?: number;
  duration?: number;
  json?: boolean;
  csv?: string;
  svg?: string;
  perfetto?: string;
  trace?: string;
}

/** What the command line replaces in a scenario file (`loadScenarioFile`'s overrides). */
export function scenarioOverrides(opts: SimOptions): { seed?: number; durationNs?: number } {
  return {
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.duration !== undefined ? { durationNs: opts.duration } : {}),
  };
}

export function intOption(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer >= 0');
  return n;
}

export function durationOption(value: string): number {
  try {
    const ns = parseDuration(value);
    if (ns > 0) return ns;
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  throw new InvalidArgumentError('the duration must be more than 0');
}

const isTty = (w: Writable): boolean => (w as { isTTY?: unknown }).isTTY === true;

/**
 * Load and run one scenario file; warnings go to stderr. Returns the result,
 * or undefined after printing a ScenarioError (the caller exits with 2).
 */
export async function runScenarioFile(cli: CliContext, file: string, opts: SimOptions, deps: SimDeps): Promise<RunResult | undefined> {
  // Loaded here, not at start-up: other subcommands need neither the YAML/schema code nor the charts.
  const { loadScenarioFile, runScenario, runWithTrustCost, ScenarioError } = await import('../../scenario/index.js');
  const { createProgress } = await import('../../report/index.js');
  let traceOut: WriteStream | undefined;
  try {
    const s = loadScenarioFile(file, scenarioOverrides(opts));
    for (const w of s.warnings) cli.stderr.write(`cgkit: warning: ${w}\n`);
    if (opts.trace !== undefined) {
      try {
        traceOut = (await open(opts.trace, 'w')).createWriteStream();
      } catch (e) {
        throw new ScenarioError(opts.trace, undefined, `cannot write the trace: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    }
    const out = traceOut;
    // With trust groups the scenario runs a second time without them (silently): the cost is the difference.
    return await runWithTrustCost(s, async (sc, baseline) => {
      const backend = await deps.makeBackend(sc, out && !baseline ? { trace: (line) => { out.write(`${line}\n`); } } : {});
      if (baseline) return runScenario(sc, backend, { samples: 0 });
      const progress = createProgress({ stream: cli.stderr, totalNs: s.durationNs });
      try {
        return await runScenario(sc, backend, { slices: opts.perfetto !== undefined, onProgress: (done) => progress.update(done) });
      } finally {
        progress.stop();
      }
    });
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    cli.stderr.write(`cgkit: ${e.message}\n`);
    return undefined;
  } finally {
    if (traceOut) await new Promise<void>((res, rej) => traceOut!.end((err?: Error | null) => (err ? rej(err) : res())));
  }
}

/** The files asked for with --csv, --svg, --perfetto. */
export async function writeOutputs(r: RunResult, opts: SimOptions): Promise<void> {
  const { renderShareSvg, toChromeTrace, toCsv } = await import('../../report/index.js');
  if (opts.csv !== undefined) {
    const c = toCsv(r);
    await mkdir(opts.csv, { recursive: true });
    await writeFile(join(opts.csv, 'groups.csv'), c.groups);
    await writeFile(join(opts.csv, 'tasks.csv'), c.tasks);
  }
  if (opts.svg !== undefined) await writeFile(opts.svg, await renderShareSvg(r));
  if (opts.perfetto !== undefined) await writeFile(opts.perfetto, JSON.stringify(toChromeTrace(r)));
}

export async function printResult(cli: CliContext, r: RunResult, json: boolean): Promise<void> {
  const { formatTable, toJson } = await import('../../report/index.js');
  cli.stdout.write(json ? `${toJson(r).replace(/\n$/, '')}\n` : `${formatTable(r, { color: isTty(cli.stdout) && process.env['NO_COLOR'] === undefined })}\n`);
}

export const failedExpectations = (r: RunResult): number => (r.expectations ?? []).filter((e) => !e.ok).length;

/**
 * Print a run's report and write the files asked for. The exit status: 2
 * when a file cannot be written, else (unless already set) 1 when an
 * expectation failed and 0 when all were met.
 */
export async function reportRun(cli: CliContext, r: RunResult, opts: SimOptions): Promise<void> {
  await printResult(cli, r, opts.json === true);
  try {
    await writeOutputs(r, opts);
  } catch (e) {
    cli.stderr.write(`cgkit: ${e instanceof Error ? e.message : String(e)}\n`);
    cli.exitCode = 2;
    return;
  }
  if (cli.exitCode === 0) cli.exitCode = failedExpectations(r) > 0 ? 1 : 0;
}

/** `--seed`, `--duration`, `--json`, `--csv`, `--svg`, `--perfetto`, `--trace`; `simOnly`: the last two marked as needing the simulated kernel. */
export function addScenarioOptions(cmd: Command, simOnly = false): Command {
  return cmd
    .option('--seed <n>', "replace the scenario's seed", intOption)
    .option('--duration <d>', "replace the scenario's duration (10s, 500ms, ...)", durationOption)
    .option('--json', 'print the result as JSON instead of tables')
    .option('--csv <dir>', 'write groups.csv and tasks.csv into DIR')
    .option('--svg <file>', 'write a chart of CPU share over time')
    .option('--perfetto <file>', `write a Chrome/Perfetto trace of the CPU slices${simOnly ? ' (sim only)' : ''}`)
    .option('--trace <file>', `write the scheduler's trace (JSON lines${simOnly ? '; sim only' : ''})`);
}

const AFTER = `
A scenario is a YAML file: a machine, a cgroup tree with file values, tasks
with programs, a timeline of writes, moves, spawns, kills, freezes and
expectations such as 'share of /guest: 50% ± 1'. examples/scenarios/README.md
describes the format; examples/*.yaml and examples/scenarios/ are examples.

Exit status: 0 when every expectation is met, 1 when one is not, 2 for a
bad scenario (with its file and line) or a command-line error.`;

/** `cgkit sim`: run a scenario on the simulated kernel and print the report. */
export function simCommand(cli: CliContext, deps: SimDeps = simDeps): Command {
  return addScenarioOptions(new Command('sim')
    .description('run a scenario file on the simulated kernel and report CPU shares')
    .argument('<scenario>', 'scenario YAML file'))
    .addHelpText('after', AFTER)
    .action(async (file: string, opts: SimOptions) => {
      const r = await runScenarioFile(cli, file, opts, deps);
      if (r) await reportRun(cli, r, opts);
      else cli.exitCode = 2;
    });
}
