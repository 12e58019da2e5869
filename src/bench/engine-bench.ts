/**
 * Benchmarks of the simulator's event engine: events per second with a
 * steady number of pending events (every handler reschedules itself at
 * now + a random delay), the same with a cancelled timer per event, memory
 * per pending event, and the speed of the random streams and trace hashing.
 * Prints the median of several rounds; run with
 * `node --import tsx src/bench/engine-bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Engine } from '../sim/engine.js';
import type { EventId } from '../sim/engine.js';
import { RandomStream } from '../sim/random.js';
import { TraceRecorder } from '../sim/trace.js';

const ROUNDS = Number(process.env.CGKIT_BENCH_ROUNDS ?? 5);
/** Events run per round of each steady-state measurement. */
const EVENTS = Number(process.env.CGKIT_BENCH_EVENTS ?? 2_000_000);
/** Delays are uniform in [1, MAX_DELAY] ns. */
const MAX_DELAY = 1_000_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** An engine holding `n` pending events, each of which reschedules itself when it runs. */
function steady(n: number, seed: number): Engine {
  const e = new Engine();
  const rng = new RandomStream(seed);
  const tick = (): void => { e.after(rng.int(1, MAX_DELAY), tick); };
  for (let i = 0; i < n; i++) e.at(rng.int(0, MAX_DELAY), tick);
  return e;
}

/**
 * Like `steady`, but each event also re-arms its task's timer (cancels it and
 * schedules it again further out, as a slice timer is): per event one pop,
 * one cancel and two insertions, with 2n pending.
 */
function withTimers(n: number, seed: number): Engine {
  const e = new Engine();
  const rng = new RandomStream(seed);
  const noop = (): void => {};
  for (let i = 0; i < n; i++) {
    let timer: EventId = e.at(MAX_DELAY * 4, noop);
    const tick = (): void => {
      e.cancel(timer);
      timer = e.after(MAX_DELAY * 4, noop);
      e.after(rng.int(1, MAX_DELAY), tick);
    };
    e.at(rng.int(0, MAX_DELAY), tick);
  }
  return e;
}

interface Row { name: string; rate: number; unit: string }

/** Median rate of `run` over the rounds; `run` returns how many things it did. */
function rate(name: string, unit: string, setup: (round: number) => () => number): Row {
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const run = setup(r);
    gc();
    const t0 = performance.now();
    const done = run();
    rates.push(done / ((performance.now() - t0) / 1000));
  }
  return { name, rate: median(rates), unit };
}

/** Runs an engine for about `EVENTS` events, after a warm-up of a tenth of that. */
function runEvents(e: Engine, pending: number): () => number {
  // Events fire at pending / (MAX_DELAY / 2) per ns on average.
  const window = Math.ceil((EVENTS * MAX_DELAY) / 2 / pending);
  e.runFor(Math.ceil(window / 10));
  return () => e.runFor(window);
}

/** Heap and array-buffer bytes per pending event, with one shared handler (engine only) or one closure per event. */
function bytesPerEvent(n: number, closures: boolean): number {
  gc();
  const before = process.memoryUsage();
  const e = new Engine();
  const fn = (): void => {};
  for (let i = 0; i < n; i++) e.at(i, closures ? (): void => { void i; } : fn);
  gc();
  const after = process.memoryUsage();
  const bytes = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  if (e.pending !== n) throw new Error('lost events');
  return bytes / n;
}

const rows: Row[] = [];
for (const [label, n] of [['1k', 1_000], ['64k', 65_536], ['1M', 1_000_000]] as const) {
  rows.push(rate(`steady state, ${label} pending`, 'events/s', (r) => runEvents(steady(n, r + 1), n)));
}
rows.push(rate('64k tasks, each event re-arms a timer', 'events/s', (r) => runEvents(withTimers(65_536, r + 1), 65_536)));
rows.push(rate('RandomStream.next', 'draws/s', (r) => {
  const rng = new RandomStream(r);
  return () => { let x = 0; for (let i = 0; i < 10_000_000; i++) x ^= rng.next(); return x === 0.5 ? 0 : 10_000_000; };
}));
rows.push(rate('RandomStream.int(1, 1e6)', 'draws/s', (r) => {
  const rng = new RandomStream(r);
  return () => { let x = 0; for (let i = 0; i < 10_000_000; i++) x += rng.int(1, 1_000_000); return x < 0 ? 0 : 10_000_000; };
}));
rows.push(rate('trace record + hash (6 fields, no kept lines)', 'records/s', () => {
  const tr = new TraceRecorder({ keepLines: false });
  return () => {
    for (let i = 0; i < 500_000; i++) tr.record({ t: i * 1000, kind: 'switch', cpu: i & 63, pid: i, prev: i - 1, state: 'R' });
    return tr.hash() === '' ? 0 : 500_000;
  };
}));

console.log(`cgkit engine benchmark (median of ${ROUNDS} rounds, ~${EVENTS} events per round, node ${process.version})`);
console.log('measurement'.padEnd(48) + 'rate'.padStart(14) + '  unit');
for (const r of rows) console.log(r.name.padEnd(48) + Math.round(r.rate).toLocaleString('en-US').padStart(14) + `  ${r.unit}`);
for (const n of [65_536, 1_000_000]) {
  console.log(`bytes per pending event at ${n.toLocaleString('en-US')}: engine ${bytesPerEvent(n, false).toFixed(1)}, ` +
    `with a closure per event ${bytesPerEvent(n, true).toFixed(1)}`);
}
