/**
 * Benchmark of core scheduling on the simulated kernel: one load on an SMT
 * machine (64 CPUs as 32 cores × 2 threads; 256 CPU hogs and 256 run/sleep
 * loops in 16 cpu groups; 10 s of simulated time) run with no cookies, with
 * 4 cookies (one per 4 groups), 64 cookies (4 per group) and one cookie per
 * task. Cookies are set through the prctl ops (`k.coresched`) before the
 * run. Prints, per variant, the median over rounds of simulated seconds per
 * wall second and scheduler events per second, the speed relative to the
 * run without cookies, and what the machine delivered: forced idle (time
 * siblings idled with runnable tasks) and CPU time, both in CPU-seconds and
 * as a share of the machine's capacity. The variants take turns in every
 * round, so drift in the host's speed reaches all of them alike. A further
 * table scales the machine (16, 64, 128 CPUs; 8 tasks per CPU; the same
 * simulated CPU time in each run) with no cookies and with one per task.
 * Run with `node --import tsx src/bench/coresched-bench.ts`
 * (`CGKIT_BENCH_QUICK=1` for a short run, `CGKIT_BENCH_ROUNDS=n`).
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SimKernel } from '../api/sim-kernel.js';
import { RandomStream } from '../sim/random.js';

const QUICK = process.env.CGKIT_BENCH_QUICK === '1';
const ROUNDS = Number(process.env.CGKIT_BENCH_ROUNDS ?? (QUICK ? 3 : 5));
const SEC = 1_000_000_000;
const ROOT = '/sys/fs/cgroup';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Shape { cpus: number; smt: number; tasks: number; groups: number; seconds: number }

/** How tasks share cookies: none, `n` cookies over consecutive tasks (so over whole groups or parts of one), or one each. */
type Cookies = { kind: 'none' } | { kind: 'shared'; n: number } | { kind: 'per-task' };

interface Variant { name: string; cookies: Cookies }

interface Run {
  wallMs: number;
  setupMs: number;
  events: number;
  /** CPU time the tasks got (root cpu.stat usage_usec), ns. */
  usageNs: number;
  /** Time CPUs were forced idle, summed over CPUs, ns. */
  forcedIdleNs: number;
}

/** `shape.groups` cpu groups holding the tasks in blocks (task i in group ⌊i / (tasks / groups)⌋), alternately a hog and a run/sleep loop. */
function build(shape: Shape, seed: number): { k: SimKernel; pids: number[] } {
  const k = new SimKernel({ cpus: shape.cpus, smt: shape.smt, seed });
  const rng = new RandomStream(seed);
  k.fs.writeFileSync(`${ROOT}/cgroup.subtree_control`, '+cpu');
  const per = shape.tasks / shape.groups;
  const pids: number[] = [];
  for (let g = 0; g < shape.groups; g++) {
    const cg = `${ROOT}/g${g}`;
    k.fs.mkdirSync(cg);
    k.fs.writeFileSync(`${cg}/cpu.weight`, String(rng.int(50, 200)));
    for (let i = 0; i < per; i++) {
      const program = i % 2 === 0 ? 'hog' : `loop { run ${rng.int(1, 10)}ms; sleep ${rng.int(1, 30)}ms }`;
      pids.push(k.spawn({ cgroup: cg, program, name: `g${g}t${i}` }));
    }
  }
  return { k, pids };
}

/** Gives the tasks their cookies as a trust-group manager would: CREATE on the first of a block, SHARE_FROM it for the rest. */
function setCookies(k: SimKernel, pids: number[], cookies: Cookies): void {
  if (cookies.kind === 'none') return;
  const cs = k.coresched;
  const n = cookies.kind === 'per-task' ? pids.length : cookies.n;
  const per = pids.length / n;
  for (let c = 0; c < n; c++) {
    const lead = pids[c * per]!;
    cs.create(cs.self, lead, 'thread');
    for (let j = 1; j < per; j++) cs.shareFrom(pids[c * per + j]!, lead);
  }
}

function statOf(k: SimKernel, key: string): number {
  const line = k.fs.readFileSync(`${ROOT}/cpu.stat`).split('\n').find((l) => l.startsWith(`${key} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]) * 1000;
}

function runOnce(shape: Shape, cookies: Cookies, seed = 1): Run {
  const s0 = performance.now();
  const { k, pids } = build(shape, seed);
  setCookies(k, pids, cookies);
  const setupMs = performance.now() - s0;
  gc();
  const e0 = k.sched.engine.processed;
  const t0 = performance.now();
  for (let s = 0; s < shape.seconds; s++) k.runSync(SEC);
  const wallMs = performance.now() - t0;
  return {
    wallMs, setupMs, events: k.sched.engine.processed - e0,
    usageNs: statOf(k, 'usage_usec'),
    forcedIdleNs: k.sched.machine.cpus.reduce((a, c) => a + c.forcedIdleNs, 0),
  };
}

interface Summary { name: string; simPerWall: number; evPerSec: number; wallMs: number; setupMs: number; last: Run; deterministic: boolean }

/** Every variant once per round, in turn; medians per variant. The simulation is seeded, so its figures must agree across rounds. */
function measure(shape: Shape, variants: Variant[], rounds: number): Summary[] {
  const runs: Run[][] = variants.map(() => []);
  for (let r = 0; r < rounds; r++) variants.forEach((v, i) => runs[i]!.push(runOnce(shape, v.cookies)));
  return variants.map((v, i) => {
    const rs = runs[i]!;
    const last = rs[rs.length - 1]!;
    const same = rs.every((x) => x.events === last.events && x.usageNs === last.usageNs && x.forcedIdleNs === last.forcedIdleNs);
    return {
      name: v.name,
      simPerWall: median(rs.map((x) => shape.seconds / (x.wallMs / 1000))),
      evPerSec: median(rs.map((x) => x.events / (x.wallMs / 1000))),
      wallMs: median(rs.map((x) => x.wallMs)),
      setupMs: median(rs.map((x) => x.setupMs)),
      last, deterministic: same,
    };
  });
}

const cpuS = (ns: number): string => `${(ns / SEC).toFixed(1)}`;
const pct = (ns: number, cap: number): string => `${((100 * ns) / cap).toFixed(1)} %`;

function table(shape: Shape, rows: Summary[]): void {
  const cap = shape.cpus * shape.seconds * SEC;
  const base = rows[0]!;
  console.log('variant             sim s/wall s   vs none   events/s   events    wall   setup   forced idle CPU-s        CPU time CPU-s');
  for (const r of rows) {
    console.log([
      r.name.padEnd(18),
      r.simPerWall.toFixed(2).padStart(12),
      `${(r.simPerWall / base.simPerWall).toFixed(2)}×`.padStart(9),
      `${(r.evPerSec / 1e6).toFixed(2)}M`.padStart(10),
      `${(r.last.events / 1e6).toFixed(2)}M`.padStart(8),
      `${(r.wallMs / 1000).toFixed(2)} s`.padStart(7),
      `${(r.setupMs / 1000).toFixed(2)} s`.padStart(7),
      `${cpuS(r.last.forcedIdleNs).padStart(7)} (${pct(r.last.forcedIdleNs, cap).padStart(6)})`.padStart(19),
      `${cpuS(r.last.usageNs).padStart(7)} (${pct(r.last.usageNs, cap).padStart(7)})`.padStart(22),
    ].join(' ') + (r.deterministic ? '' : '  (figures differ between rounds!)'));
  }
}

function main(): void {
  const t0 = performance.now();
  const seconds = QUICK ? 2 : 10;
  const shape: Shape = { cpus: 64, smt: 2, tasks: 512, groups: 16, seconds };
  const variants: Variant[] = [
    { name: 'no cookies', cookies: { kind: 'none' } },
    { name: '4 cookies', cookies: { kind: 'shared', n: 4 } },
    { name: '64 cookies', cookies: { kind: 'shared', n: 64 } },
    { name: 'cookie per task', cookies: { kind: 'per-task' } },
  ];
  console.log(`core scheduling benchmark (simulated kernel, one Node thread, median of ${ROUNDS} rounds, node ${process.version})`);
  console.log(`load: ${shape.cpus} CPUs as ${shape.cpus / shape.smt} cores × ${shape.smt} threads; ${shape.tasks / 2} CPU hogs and `
    + `${shape.tasks / 2} run/sleep loops in ${shape.groups} cpu groups; ${seconds} simulated s per run${QUICK ? ' (quick run: scaled down from 10 s)' : ''}`);
  console.log('4 cookies: one per 4 groups; 64 cookies: 4 per group (8 tasks each); cookie per task: 512 cookies');
  console.log(`forced idle and CPU time: CPU-seconds over the run (share of ${shape.cpus} CPUs × ${seconds} s); setup (spawn + prctl) is not in the wall time\n`);
  table(shape, measure(shape, variants, ROUNDS));

  // Every scaling run simulates the same CPU time (640 CPU-seconds, 128 in a quick run), so small machines run long enough to time.
  const cpuSeconds = QUICK ? 128 : 640;
  const scRounds = QUICK ? 1 : 3;
  console.log(`\nscaling (${cpuSeconds} simulated CPU-seconds per run, 8 tasks per CPU in 16 groups, SMT 2, median of ${scRounds})`);
  console.log('  cpus  tasks  sim s   no cookies sim s/wall s   cookie per task sim s/wall s   ratio   forced idle');
  for (const cpus of [16, 64, 128]) {
    const s: Shape = { cpus, smt: 2, tasks: cpus * 8, groups: 16, seconds: cpuSeconds / cpus };
    const [none, each] = measure(s, [variants[0]!, variants[3]!], scRounds) as [Summary, Summary];
    console.log([
      String(cpus).padStart(6), String(s.tasks).padStart(6), String(s.seconds).padStart(6),
      none.simPerWall.toFixed(2).padStart(26), each.simPerWall.toFixed(2).padStart(30),
      `${(each.simPerWall / none.simPerWall).toFixed(2)}×`.padStart(7),
      pct(each.last.forcedIdleNs, cpus * s.seconds * SEC).padStart(13),
    ].join(' ') + (none.deterministic && each.deterministic ? '' : '  (figures differ between rounds!)'));
  }
  console.log(`\ntotal wall time ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main();
