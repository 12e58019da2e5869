/**
 * Benchmarks of the simulated kernel's cgroup core: how fast it builds a
 * large tree, starts and moves tasks, and answers reads. Prints the median
 * of several rounds of each; run with `npm run bench`.
 */
import { performance } from 'node:perf_hooks';
import { SimKernel } from '../api/sim-kernel.js';

const R = '/sys/fs/cgroup';
const ROUNDS = Number(process.env.CGKIT_BENCH_ROUNDS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Row { name: string; ops: number; ms: number }

function measure(name: string, ops: number, setup: () => (() => void)): Row {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const run = setup();
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return { name, ops, ms: median(times) };
}

/** A kernel with `groups` cgroups (10 per level below /bench) and `tasks` processes spread over the leaves. */
function tree(groups: number, tasks = 0): { k: SimKernel; leaves: string[]; pids: number[] } {
  const k = new SimKernel({ layout: 'unified', cpus: 8 });
  k.fs.writeFileSync(`${R}/cgroup.subtree_control`, '+cpu +memory +pids');
  const leaves: string[] = [];
  k.fs.mkdirSync(`${R}/bench`);
  k.fs.writeFileSync(`${R}/bench/cgroup.subtree_control`, '+cpu +memory +pids');
  for (let i = 0; i < groups; i++) {
    const p = `${R}/bench/g${Math.floor(i / 10)}`;
    if (i % 10 === 0) {
      k.fs.mkdirSync(p);
      k.fs.writeFileSync(`${p}/cgroup.subtree_control`, '+pids');
    }
    k.fs.mkdirSync(`${p}/l${i % 10}`);
    leaves.push(`${p}/l${i % 10}`);
  }
  const pids: number[] = [];
  for (let i = 0; i < tasks; i++) pids.push(k.spawn({ cgroup: leaves[i % leaves.length]! }));
  return { k, leaves, pids };
}

const rows: Row[] = [
  measure('mkdir (1000 groups, two levels)', 1000, () => () => { tree(1000); }),
  measure('spawn into leaves (10 000 tasks, 1000 groups)', 10_000, () => {
    const { k, leaves } = tree(1000);
    return () => { for (let i = 0; i < 10_000; i++) k.spawn({ cgroup: leaves[i % 1000]! }); };
  }),
  measure('migrate via cgroup.procs (10 000 moves)', 10_000, () => {
    const { k, leaves, pids } = tree(1000, 10_000);
    return () => { for (let i = 0; i < pids.length; i++) k.fs.writeFileSync(`${leaves[(i * 7) % 1000]!}/cgroup.procs`, `${pids[i]}`); };
  }),
  measure('read cgroup.events + pids.current (20 000 reads)', 20_000, () => {
    const { k, leaves } = tree(1000, 10_000);
    return () => { for (let i = 0; i < 10_000; i++) { k.fs.readFileSync(`${leaves[i % 1000]!}/cgroup.events`); k.fs.readFileSync(`${leaves[i % 1000]!}/pids.current`); } };
  }),
  measure('fork + exit (10 000 pairs)', 10_000, () => {
    const { k, pids } = tree(1000, 1000);
    return () => { for (let i = 0; i < 10_000; i++) k.exit(k.fork(pids[i % pids.length]!)); };
  }),
];

const mem = process.memoryUsage();
console.log(`cgkit model benchmark (median of ${ROUNDS} rounds, node ${process.version})`);
console.log('operation'.padEnd(52) + 'median ms'.padStart(11) + 'ops/s'.padStart(12));
for (const r of rows) console.log(r.name.padEnd(52) + r.ms.toFixed(1).padStart(11) + Math.round((r.ops / r.ms) * 1000).toString().padStart(12));
console.log(`heap used after the runs: ${(mem.heapUsed / 2 ** 20).toFixed(1)} MiB`);
