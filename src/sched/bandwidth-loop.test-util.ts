/**
 * A fixed-step driver for the bandwidth tests: each CPU runs one always-busy
 * task (unless switched idle). At every step the CPU is charged for the step
 * it just ran, then decides whether it runs the next one.
 */
import type { Engine } from '../sim/engine.js';
import { BandwidthPool } from './bandwidth-pool.js';
import type { BandwidthLimits } from './bandwidth-pool.js';
import { BandwidthRq } from './bandwidth-rq.js';

export interface LoopCpu {
  runnable(): boolean;
  run(deltaNs: number): void;
  idle?(): void;
}

export class BusyLoop {
  readonly usedNs: number[];
  readonly busy: boolean[];
  private readonly running: boolean[];

  constructor(readonly engine: Engine, readonly cpus: LoopCpu[], readonly stepNs = 100_000) {
    this.usedNs = cpus.map(() => 0);
    this.busy = cpus.map(() => true);
    this.running = cpus.map(() => false);
  }

  start(): void {
    this.cpus.forEach((_, i) => this.tick(i));
  }

  get totalNs(): number {
    return this.usedNs.reduce((a, b) => a + b, 0);
  }

  setBusy(cpu: number, busy: boolean): void {
    if (this.busy[cpu] === busy) return;
    this.busy[cpu] = busy;
    if (!busy) this.cpus[cpu]?.idle?.();
  }

  private tick(i: number): void {
    const cpu = this.cpus[i]!;
    if (this.running[i]) {
      this.usedNs[i]! += this.stepNs;
      cpu.run(this.stepNs);
    }
    this.running[i] = this.busy[i]! && cpu.runnable();
    this.engine.at(this.engine.now + this.stepNs, () => this.tick(i));
  }
}

/** One limited group with a queue per CPU, driven by a BusyLoop. */
export function singleGroup(engine: Engine, ncpu: number, limits: BandwidthLimits, busy = true): { pool: BandwidthPool; rqs: BandwidthRq[]; loop: BusyLoop } {
  const pool = new BandwidthPool(engine);
  const rqs = Array.from({ length: ncpu }, (_, c) => new BandwidthRq(pool, c));
  pool.setLimits(limits, rqs);
  const cpus = rqs.map((rq): LoopCpu => ({
    runnable: () => !rq.throttled,
    run: (d) => {
      if (rq.charge(d)) rq.throttle();
    },
    idle: () => rq.idle(),
  }));
  const loop = new BusyLoop(engine, cpus);
  loop.busy.fill(busy);
  loop.start();
  return { pool, rqs, loop };
}
