/**
 * Measure the scheduler demo scenarios on this host's real kernel and print
 * them beside what the kernel's rules predict, to judge the simulator
 * against Linux. Needs root and a writable v1 `cpu` + `cpuacct` hierarchy;
 * otherwise it prints why and exits 0. Run with
 * `node --import tsx src/bench/validate.ts [seconds] [scenario...]`
 * (window per scenario, default 10 s; all scenarios by default).
 */
import { HOST_SCENARIO_NAMES, measureHostScenarios, type HostFigure } from './host-scenarios.js';
import { simulateHostScenarios, type SimFigure } from './sim-scenarios.js';

/** The simulator's figure for the same row: same scenario, same position within it. */
function simFor(r: HostFigure, rows: readonly HostFigure[], sims: readonly SimFigure[]): SimFigure | undefined {
  const nth = rows.filter((x) => x.scenario === r.scenario).indexOf(r);
  return sims.filter((x) => x.scenario === r.scenario)[nth];
}

function table(rows: readonly HostFigure[], sims: readonly SimFigure[]): string {
  const fmt = (r: HostFigure, v: number): string => (r.unit === '%' ? `${v.toFixed(1)} %` : String(Math.round(v)));
  const cells = [
    ['scenario', 'what', 'expected', 'simulated', 'host', 'sim - host'],
    ...rows.map((r) => {
      const s = simFor(r, rows, sims);
      const diff = s === undefined || r.unit !== '%' ? '' : `${(s.sim - r.host).toFixed(1)} pp`;
      return [r.scenario, r.what, r.unit === '%' ? `${r.expected} %` : r.expected, s === undefined ? '-' : fmt(r, s.sim), fmt(r, r.host), diff];
    }),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => (i >= 2 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const [secArg, ...names] = process.argv.slice(2);
  const seconds = secArg === undefined ? 10 : Number(secArg);
  if (!(seconds > 0)) throw new Error(`window must be a positive number of seconds, got ${JSON.stringify(secArg)}`);
  const unknown = names.filter((n) => !HOST_SCENARIO_NAMES.includes(n));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${HOST_SCENARIO_NAMES.join(', ')}`);
  const figures = await measureHostScenarios({
    seconds,
    log: (s) => console.error(s),
    onTrial: (t) => console.error(`${t.scenario}: cleaning up ${t.groups.length} group directories, loop pids ${t.pids.join(' ')}`),
    ...(names.length > 0 ? { only: names } : {}),
  });
  const sims = await simulateHostScenarios(seconds);
  if (figures.length > 0) console.log(table(figures, sims));
  else for (const f of sims) console.log(`${f.scenario}  ${f.what}  simulated ${f.sim.toFixed(1)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
