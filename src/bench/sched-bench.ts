/**
 * Benchmark of the scheduler on the simulated kernel: a large scenario
 * (1,000 tasks in 100 cpu groups three levels deep, 64 CPUs, 60 s of
 * simulated time: a mix of CPU hogs and run/sleep loops at several nice
 * values and group weights, a few groups under cpu.max) and a scaling
 * table of tasks × CPUs. Prints scheduler events per second (engine events
 * run: ticks, switches, wakeups, timers), wall time and memory. Run with
 * `node dist/bench/sched-bench.js` (`CGKIT_BENCH_QUICK=1` for a short run).
 */
import { performance } from 'node:perf_hooks';
import { SimKernel } from '../api/sim-kernel.js';
import { RandomStream } from '../sim/random.js';

const QUICK = process.env.CGKIT_BENCH_QUICK === '1';
const SEC = 1_000_000_000;

interface Shape { tasks: number; groups: number; cpus: number; seconds: number }

interface Result extends Shape { events: number; wallMs: number; heapMiB: number; rssMiB: number; busyPct: number }

/** Builds 100 groups as 4 × 4 × 5 (three levels) and spreads the tasks over the 80 leaves. */
function build(shape: Shape, seed: number): SimKernel {
  const k = new SimKernel({ cpus: shape.cpus, seed });
  const rng = new RandomStream(seed);
  const root = '/sys/fs/cgroup';
  k.fs.writeFileSync(`${root}/cgroup.subtree_control`, '+cpu');
  const leaves: string[] = [];
  const fan = shape.groups >= 100 ? [4, 4, 5] : [2, 2, Math.max(1, Math.round(shape.groups / 4))];
  for (let a = 0; a < fan[0]!; a++) {
    const pa = `${root}/g${a}`;
    k.fs.mkdirSync(pa);
    k.fs.writeFileSync(`${pa}/cgroup.subtree_control`, '+cpu');
    k.fs.writeFileSync(`${pa}/cpu.weight`, String(rng.int(50, 200)));
    for (let b = 0; b < fan[1]!; b++) {
      const pb = `${pa}/s${b}`;
      k.fs.mkdirSync(pb);
      k.fs.writeFileSync(`${pb}/cgroup.subtree_control`, '+cpu');
      k.fs.writeFileSync(`${pb}/cpu.weight`, String(rng.int(50, 200)));
      for (let c = 0; c < fan[2]!; c++) {
        const pc = `${pb}/l${c}`;
        k.fs.mkdirSync(pc);
        k.fs.writeFileSync(`${pc}/cpu.weight`, String(rng.int(20, 500)));
        if (rng.int(0, 9) === 0) k.fs.writeFileSync(`${pc}/cpu.max`, `${rng.int(20, 200) * 1000} 100000`);
        leaves.push(pc);
      }
    }
  }
  for (let i = 0; i < shape.tasks; i++) {
    const cg = leaves[i % leaves.length]!;
    const kind = rng.int(0, 3);
    const program = kind === 0 ? 'hog'
      : kind === 1 ? `loop { run ${rng.int(1, 10)}ms; sleep ${rng.int(1, 30)}ms }`
        : kind === 2 ? `loop { timer ${rng.int(5, 50)}ms; run ${rng.int(1, 4)}ms }`
          : `loop { run ${rng.int(100, 2000)}us; sleep ${rng.int(100, 5000)}us }`;
    k.spawn({ cgroup: cg, program, nice: rng.int(-5, 10), name: `t${i}` });
  }
  return k;
}

function measure(shape: Shape, seed = 1): Result {
  const k = build(shape, seed);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const t0 = performance.now();
  const e0 = k.sched.engine.processed;
  let rss = process.memoryUsage().rss;
  for (let s = 0; s < shape.seconds; s++) {
    k.runSync(SEC);
    rss = Math.max(rss, process.memoryUsage().rss);
  }
  const wallMs = performance.now() - t0;
  const events = k.sched.engine.processed - e0;
  const usage = Number(k.fs.readFileSync('/sys/fs/cgroup/cpu.stat').split('\n')[0]!.split(' ')[1]) * 1000;
  return {
    ...shape, events, wallMs, rssMiB: rss / 2 ** 20, heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
    busyPct: (100 * usage) / (shape.seconds * SEC * shape.cpus),
  };
}

function row(r: Result): string {
  const evps = r.events / (r.wallMs / 1000);
  return [
    String(r.tasks).padStart(6), String(r.groups).padStart(6), String(r.cpus).padStart(5), `${r.seconds} s`.padStart(6),
    `${(r.events / 1e6).toFixed(2)}M`.padStart(8), `${(evps / 1e6).toFixed(2)}M/s`.padStart(10),
    `${(r.wallMs / 1000).toFixed(2)} s`.padStart(9), `${r.busyPct.toFixed(1)} %`.padStart(7), `${r.rssMiB.toFixed(0)} MiB`.padStart(9),
  ].join('  ');
}

const HEAD = ' tasks  groups   cpus    sim    events    events/s       wall     busy   peak RSS';

function main(): void {
  console.log('scheduler benchmark (simulated kernel, one Node thread)');
  console.log('\nlarge scenario: 1,000 tasks, 100 groups three levels deep, 64 CPUs');
  console.log(HEAD);
  const large = measure({ tasks: 1000, groups: 100, cpus: 64, seconds: QUICK ? 5 : 60 });
  console.log(row(large));
  console.log(`target: ≥ 2M events/s, < 30 s wall, < 1 GiB: ${large.events / (large.wallMs / 1000) >= 2e6 ? 'events/s met' : 'events/s NOT met'}, `
    + `${large.wallMs < 30_000 ? 'wall met' : 'wall NOT met'}, ${large.rssMiB < 1024 ? 'memory met' : 'memory NOT met'}`);
  console.log('\nscaling (10 s simulated each)');
  console.log(HEAD);
  for (const cpus of [4, 16, 64]) {
    for (const tasks of [100, 1000]) console.log(row(measure({ tasks, groups: 100, cpus, seconds: QUICK ? 2 : 10 })));
  }
}

main();
