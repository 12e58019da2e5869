/**
 * Micro-benchmark of one EEVDF run queue (src/sched): with N queued
 * entities of mixed nice values, each step charges the running entity
 * 0.1–1 ms (updateCurr), picks (pickNext) and switches (putPrev + setNext)
 * when the pick differs — the work of one scheduler tick. A second figure
 * forces a switch on every step (dequeue from and insert into the tree each
 * time). Prints the median of 5 rounds; run with
 * `node --import tsx src/bench/eevdf-bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import { CfsRq } from '../sched/eevdf.js';
import { SchedEntity } from '../sched/entity.js';
import { baseSliceNs, loadOfNice } from '../sched/fair-math.js';

const ROUNDS = Number(process.env.CGKIT_BENCH_ROUNDS ?? 5);
const STEPS = Number(process.env.CGKIT_BENCH_STEPS ?? 1_000_000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function build(n: number): CfsRq {
  const rq = new CfsRq({ baseSliceNs: baseSliceNs(8), tickNs: 1_000_000 });
  for (let i = 0; i < n; i++) rq.enqueue(new SchedEntity(i, loadOfNice(((i * 7919) % 40) - 20)), { initial: true });
  rq.setNext(rq.pick()!);
  return rq;
}

/** Steps per second: updateCurr + pickNext, switching when the kernel would. */
function tickSteps(n: number, forceSwitch: boolean): { perSec: number; switches: number } {
  const rq = build(n);
  let x = 12345;
  let switches = 0;
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const resched = rq.updateCurr(100_000 + (x % 900_000));
    if (resched || forceSwitch) {
      const curr = rq.curr!;
      if (forceSwitch) rq.putPrev(curr);
      const next = rq.pickNext()!;
      if (!forceSwitch && next !== curr) rq.putPrev(curr);
      if (rq.curr !== next) {
        rq.setNext(next);
        switches++;
      }
    }
  }
  const secs = (performance.now() - t0) / 1000;
  return { perSec: STEPS / secs, switches };
}

console.log(`EEVDF run queue, ${STEPS} steps per round, median of ${ROUNDS}`);
console.log('entities | tick steps/s (switch when resched) | switches | forced switch steps/s');
for (const n of [10, 1000, 10_000]) {
  const a: number[] = [];
  const b: number[] = [];
  let sw = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t = tickSteps(n, false);
    a.push(t.perSec);
    sw = t.switches;
    b.push(tickSteps(n, true).perSec);
  }
  const fmt = (v: number): string => `${(v / 1e6).toFixed(2)} M`.padStart(8);
  console.log(`${String(n).padStart(8)} | ${fmt(median(a)).padStart(35)} | ${String(sw).padStart(8)} | ${fmt(median(b)).padStart(21)}`);
}
