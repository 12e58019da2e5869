/**
 * The simulator judged against Linux: each validation scenario runs on the
 * simulated kernel and then for real on this host, exactly as
 * `cgkit compare FILE` runs it, and every CPU share (per group below the
 * scenario's root and per task, of the scenario's machine; the root's own
 * row is shown, not judged: see `judged`) must agree within a tolerance: 2 percentage
 * points, 3 for a scenario that writes a bandwidth limit (cpu.max), whose
 * host figure also depends on where the limit bites within a tick.
 *
 *   npm run validate
 *   node --import tsx src/bench/validate.ts [--duration D] [scenario.yaml...]
 *
 * Needs root. Where the host cannot run scenarios it prints why and the
 * simulated figures, and exits 0. Otherwise it exits 1 when a share is
 * further off than its tolerance, or a run failed; 2 for a bad command line
 * or scenario file.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { compareScenarioFile } from '../cli/commands/compare-run.js';
import type { CliContext } from '../cli/commands/context.js';
import { runDeps } from '../cli/commands/run.js';
import { runScenarioFile, simDeps } from '../cli/commands/sim.js';
import type { HostRunEnv } from '../host/run/index.js';
import { printable } from '../report/units.js';
import type { Comparison, CompareRow } from '../scenario/compare.js';
import { loadScenarioFile, parseDuration, ScenarioError, type RunResult, type Scenario } from '../scenario/index.js';

/** The repository (or package) root: two levels up from both src/bench and dist/bench. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Run in this order when no file is named. */
const DEFAULT_FILES = [
  'examples/scenarios/01-fifty-twenty-five.yaml',
  'examples/scenarios/02-alice-karl-groups.yaml',
  'examples/scenarios/04-throttled-batch.yaml',
  'examples/validate/weights-one-cpu.yaml',
  'examples/validate/quota-1ms.yaml',
  'examples/validate/three-on-two.yaml',
  'examples/validate/not-overloaded.yaml',
  'examples/validate/fifty-in-one-group.yaml',
];

const TOLERANCE_PP = 2;
const BANDWIDTH_TOLERANCE_PP = 3;
/** With more task rows than this, only the first instance of each counted task is printed (all are checked). */
const MAX_TASK_ROWS = 10;

interface Case {
  file: string;
  s: Scenario;
  tolerancePp: number;
}

type Outcome =
  | { kind: 'compared'; c: Comparison; sim: RunResult; host: RunResult; cleanupFailed: boolean }
  | { kind: 'simulated'; sim: RunResult }
  | { kind: 'skipped'; why: string }
  | { kind: 'failed'; why: string };

const BANDWIDTH_FILES = new Set(['cpu.max', 'cpu.cfs_quota_us']);

function usesBandwidth(s: Scenario): boolean {
  const writes = [...s.groups.flatMap((g) => g.files), ...s.timeline.flatMap((a) => (a.kind === 'write' ? a.writes : []))];
  return writes.some((w) => BANDWIDTH_FILES.has(w.file));
}

function parseArgs(argv: readonly string[]): { files: string[]; duration?: number } {
  const files: string[] = [];
  let duration: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--duration') {
      const v = argv[++i];
      if (v === undefined) throw new Error('--duration needs a value (10s, 500ms, ...)');
      duration = parseDuration(v);
      if (!(duration > 0)) throw new Error('the duration must be more than 0');
    } else if (a.startsWith('-')) {
      throw new Error(`unknown option ${a}; usage: validate [--duration D] [scenario.yaml...]`);
    } else {
      files.push(a);
    }
  }
  return { files: files.length > 0 ? files : DEFAULT_FILES.map((f) => resolve(ROOT, f)), ...(duration !== undefined ? { duration } : {}) };
}

/** A context for one run: the process's streams, its own exit status. */
function context(): CliContext {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    exitCode: 0,
    makeKernel: () => Promise.reject(new Error('validate runs scenarios only')),
  };
}

const shown = (file: string): string => {
  const r = relative(ROOT, file);
  return r.startsWith('..') || isAbsolute(r) ? file : r;
};
const pct = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(1)}%`);
const pp = (v: number | undefined): string => (v === undefined ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(1)} pp`);
/**
 * The scenario's root group (`/`) is shown but not judged: on the host it
 * is what the run got of the machine, and what it lacks is CPU time that
 * other processes (cgkit itself, kernel threads, other load) used, which
 * no prediction of the scenario's own split can contain. Every group below
 * it and every task is judged.
 */
const judged = (r: CompareRow): boolean => !(r.kind === 'group' && r.name === '/');
const over = (r: CompareRow, tol: number): boolean => judged(r) && r.diffPp !== undefined && Math.abs(r.diffPp) > tol;
/** A row present on one side only (a task the host did not report, say) fails too. */
const bad = (r: CompareRow, tol: number): boolean => over(r, tol) || r.diffPp === undefined;
const verdict = (r: CompareRow, tol: number): string => {
  if (!judged(r) && r.diffPp !== undefined) return 'not judged';
  if (r.diffPp !== undefined) return over(r, tol) ? 'over' : 'ok';
  return r.measuredPct === undefined ? 'not on host' : 'not simulated';
};

/** Rows to print: all, or with many tasks the groups, the first instance of each counted task, and every bad row. */
function visible(rows: readonly CompareRow[], tol: number): CompareRow[] {
  if (rows.filter((r) => r.kind === 'task').length <= MAX_TASK_ROWS) return [...rows];
  return rows.filter((r) => r.kind === 'group' || !/-\d+$/.test(r.name) || /-1$/.test(r.name) || bad(r, tol));
}

function largest(rows: readonly CompareRow[]): CompareRow | undefined {
  let best: CompareRow | undefined;
  for (const r of rows) if (judged(r) && r.diffPp !== undefined && (best === undefined || Math.abs(r.diffPp) > Math.abs(best.diffPp!))) best = r;
  return best;
}

const label = (r: CompareRow): string => `${r.kind} ${printable(r.name)}`;

function table(cases: readonly Case[], outcomes: readonly Outcome[]): string {
  const t = new Table({
    head: ['scenario', 'row', 'simulated', 'host', 'host − sim', 'tolerance', 'result'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'left'],
    style: { head: [], border: [], compact: true },
  });
  cases.forEach((k, i) => {
    const o = outcomes[i]!;
    const name = printable(k.s.name);
    const tol = `${k.tolerancePp} pp`;
    if (o.kind === 'compared') {
      visible(o.c.rows, k.tolerancePp).forEach((r, j) => {
        t.push([j === 0 ? name : '', label(r), pct(r.predictedPct), pct(r.measuredPct), pp(r.diffPp), tol, verdict(r, k.tolerancePp)]);
      });
    } else if (o.kind === 'simulated') {
      const rows = [...o.sim.groups.map((g) => ['group', g.path, g.sharePct] as const), ...o.sim.tasks.map((x) => ['task', x.name, x.sharePct] as const)];
      const many = rows.filter((r) => r[0] === 'task').length > MAX_TASK_ROWS;
      rows.filter((r) => !many || r[0] === 'group' || !/-\d+$/.test(r[1]) || /-1$/.test(r[1])).forEach((r, j) => {
        t.push([j === 0 ? name : '', `${r[0]} ${printable(r[1])}`, pct(r[2]), '-', '-', tol, 'not run']);
      });
    } else {
      t.push([name, '-', '-', '-', '-', tol, o.kind === 'skipped' ? 'skipped' : 'failed']);
    }
  });
  return t.toString();
}

/** Throttling on both kernels, for the groups that have a bandwidth limit. */
function throttling(sim: RunResult, host: RunResult): string {
  const parts: string[] = [];
  for (const g of sim.groups) {
    const h = host.groups.find((x) => x.path === g.path);
    if (g.nrPeriods === 0 && (h?.nrPeriods ?? 0) === 0) continue;
    parts.push(`${printable(g.path)} throttled in ${g.nrThrottled} of ${g.nrPeriods} periods simulated, ${h?.nrThrottled ?? '-'} of ${h?.nrPeriods ?? '-'} on the host`);
  }
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

function summary(k: Case, o: Outcome): string {
  const head = `${printable(k.s.name)} (${shown(k.file)})`;
  if (o.kind === 'skipped') return `${head}: skipped: ${o.why}`;
  if (o.kind === 'failed') return `${head}: FAILED: ${o.why}`;
  if (o.kind === 'simulated') return `${head}: simulated only`;
  const rows = o.c.rows;
  const hidden = rows.length - visible(rows, k.tolerancePp).length;
  const overRows = rows.filter((r) => over(r, k.tolerancePp)).length;
  const oneSided = rows.filter((r) => r.diffPp === undefined).length;
  const top = largest(rows);
  const big = top === undefined ? 'no row on both sides' : `largest ${Math.abs(top.diffPp!).toFixed(1)} pp (${label(top)})`;
  const problems = [
    ...(overRows > 0 ? [`${overRows} of ${rows.filter(judged).length} judged rows beyond ${k.tolerancePp} pp`] : []),
    ...(oneSided > 0 ? [`${oneSided} rows on one side only`] : []),
  ];
  const judgedRows = rows.filter(judged).length;
  const result = problems.length === 0 ? `ok: all ${judgedRows} judged rows within ${k.tolerancePp} pp` : `FAILED: ${problems.join(', ')}`;
  const root = rows.find((r) => r.kind === 'group' && r.name === '/');
  const starved = root?.diffPp !== undefined && root.diffPp < -k.tolerancePp
    ? `; the run's groups got ${pct(root.measuredPct)} of the machine against ${pct(root.predictedPct)} simulated: other load on the host took CPU time from the run, re-run when it is quiet`
    : '';
  const cleanup = o.cleanupFailed ? '; the host run could not remove everything (see above)' : '';
  return `${head}: ${result}, ${big}${hidden > 0 ? `, ${hidden} task rows not printed` : ''}${throttling(o.sim, o.host)}${starved}${cleanup}`;
}

/** Skipped (the host lacks what the scenario needs) passes; a failed run, a failed cleanup or a row beyond the tolerance does not. */
function passed(k: Case, o: Outcome): boolean {
  if (o.kind === 'failed') return false;
  if (o.kind !== 'compared') return true;
  return !o.cleanupFailed && !o.c.rows.some((r) => bad(r, k.tolerancePp));
}

async function runCase(k: Case, env: HostRunEnv, duration: number | undefined): Promise<Outcome> {
  if (k.s.cpus > env.allowedCpus.length) {
    return { kind: 'skipped', why: `needs ${k.s.cpus} CPUs, this process may use ${env.allowedCpus.length}` };
  }
  const cli = context();
  const runs = await compareScenarioFile(cli, k.file, { ...(duration !== undefined ? { duration } : {}), shield: true }, {
    sim: simDeps,
    probeHost: () => Promise.resolve(env),
  });
  if (!runs) return { kind: 'failed', why: cli.exitCode === 2 ? 'the scenario did not run (see above)' : 'the host run failed (see above)' };
  return { kind: 'compared', c: runs.comparison, sim: runs.sim, host: runs.host, cleanupFailed: cli.exitCode !== 0 };
}

async function main(): Promise<number> {
  let args: { files: string[]; duration?: number };
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`validate: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const cases: Case[] = [];
  for (const file of args.files) {
    try {
      const s = loadScenarioFile(file, args.duration !== undefined ? { durationNs: args.duration } : {});
      cases.push({ file, s, tolerancePp: usesBandwidth(s) ? BANDWIDTH_TOLERANCE_PP : TOLERANCE_PP });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      console.error(`validate: ${e.message}`);
      return 2;
    }
  }
  const env = await runDeps.probeHost();
  const outcomes: Outcome[] = [];
  if (typeof env === 'string') {
    console.error(`validate: the host cannot run the scenarios (${env}); printing the simulator's figures only`);
    for (const k of cases) {
      const r = await runScenarioFile(context(), k.file, args.duration !== undefined ? { duration: args.duration } : {}, simDeps);
      outcomes.push(r ? { kind: 'simulated', sim: r } : { kind: 'failed', why: 'the scenario did not run (see above)' });
    }
  } else {
    for (const [i, k] of cases.entries()) {
      console.error(`validate: [${i + 1}/${cases.length}] ${shown(k.file)}: simulating, then running on the host (${(k.s.durationNs / 1e9).toFixed(1)} s)`);
      outcomes.push(await runCase(k, env, args.duration));
    }
  }
  console.log(table(cases, outcomes));
  cases.forEach((k, i) => console.log(summary(k, outcomes[i]!)));
  if (typeof env === 'string') {
    console.log(`host not measured: ${env}`);
    return outcomes.some((o) => o.kind === 'failed') ? 2 : 0;
  }
  return cases.every((k, i) => passed(k, outcomes[i]!)) ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
