/**
 * Per-CPU weight of a task group's entities, as kernel/sched/fair.c computes
 * it: calc_group_shares() splits tg->shares among CPUs by each group run
 * queue's share of the group's load, where the group's load (tg->load_avg)
 * is a sum of per-CPU contributions that update_tg_load_avg() refreshes only
 * when one moved by more than 1/64, at most once per millisecond.
 *
 * Units follow the kernel: `shares` and a group queue's `load.weight` are
 * kernel-scaled (<<10, so cpu.weight 100 = 1024 << 10); PELT load averages
 * are unscaled. The result of calcGroupShares is a scaled entity weight;
 * scaleLoadDown() of it is what the EEVDF arithmetic uses.
 */
import { scaleLoadDown } from './fair-math.js';
import { MIN_SHARES, NICE_0_LOAD } from '../core/controllers/cpu-weight.js';

export const SCHED_FIXEDPOINT_SHIFT = 10;
export const NSEC_PER_MSEC = 1_000_000;

/** scale_load(): an unscaled weight in the kernel's <<10 representation. */
export function scaleLoad(w: number): number {
  return w * 1024; // 2^SCHED_FIXEDPOINT_SHIFT
}

/** What calc_group_shares reads of one group run queue (grq). */
export interface GroupRqLoad {
  /** grq->load.weight: Σ kernel-scaled weights of the queued entities. */
  readonly loadWeight: number;
  /** grq->avg.load_avg (unscaled). */
  readonly loadAvg: number;
  /** grq->tg_load_avg_contrib: what this queue last added to tg->load_avg. */
  readonly tgLoadAvgContrib: number;
}

/**
 * calc_group_shares(): tg_shares × load / tg_weight with
 * load = max(scale_load_down(grq->load.weight), grq->avg.load_avg) and
 * tg_weight = tg->load_avg - grq->tg_load_avg_contrib + load, clamped to
 * [MIN_SHARES, tg_shares]. MIN_SHARES is unscaled on purpose (the kernel's
 * floor for a CPU where the group has nothing runnable).
 */
export function calcGroupShares(tgShares: number, tgLoadAvg: number, grq: GroupRqLoad): number {
  const load = Math.max(scaleLoadDown(grq.loadWeight), grq.loadAvg);
  const tgWeight = tgLoadAvg - grq.tgLoadAvgContrib + load;
  let shares = tgShares * load;
  if (tgWeight !== 0) shares = Math.trunc(shares / tgWeight);
  return Math.min(tgShares, Math.max(MIN_SHARES, shares));
}

/**
 * A task group's load bookkeeping across CPUs: tg->shares, tg->load_avg and
 * each CPU's tg_load_avg_contrib / last_update_tg_load_avg. Pure state; the
 * caller supplies each group queue's PELT load_avg and the CPU clock.
 */
export class TaskGroupLoad {
  /** tg->shares, kernel-scaled. */
  shares: number;
  /** tg->load_avg: Σ contributions. */
  loadAvg = 0;
  /** Per CPU: tg_load_avg_contrib. */
  readonly contrib: number[];
  /** Per CPU: last_update_tg_load_avg (ns of that CPU's clock). */
  readonly lastUpdate: number[];
  /** Per CPU: cpu_active(); an inactive CPU's queue does not contribute. */
  readonly active: boolean[];

  constructor(nrCpus: number, shares = scaleLoad(NICE_0_LOAD)) {
    if (!Number.isInteger(nrCpus) || nrCpus < 1) throw new RangeError(`nrCpus ${nrCpus} must be a positive integer`);
    this.checkShares(shares);
    this.shares = shares;
    this.contrib = new Array<number>(nrCpus).fill(0);
    this.lastUpdate = new Array<number>(nrCpus).fill(0);
    this.active = new Array<boolean>(nrCpus).fill(true);
  }

  get nrCpus(): number {
    return this.contrib.length;
  }

  /** tg->shares = scaled shares (the caller has already clamped to the cpu.weight/cpu.shares range). */
  setShares(shares: number): void {
    this.checkShares(shares);
    this.shares = shares;
  }

  /**
   * update_tg_load_avg(): at most once per ms per CPU, and only when the
   * queue's load_avg moved by more than 1/64 of its last contribution,
   * folds the change into tg->load_avg. True when it did.
   */
  updateTgLoadAvg(cpu: number, grqLoadAvg: number, now: number): boolean {
    this.checkCpu(cpu);
    if (!this.active[cpu]) return false;
    if (now - this.lastUpdate[cpu]! < NSEC_PER_MSEC) return false;
    const contrib = this.contrib[cpu]!;
    const delta = grqLoadAvg - contrib;
    if (Math.abs(delta) <= Math.floor(contrib / 64)) return false;
    this.loadAvg += delta;
    this.contrib[cpu] = grqLoadAvg;
    this.lastUpdate[cpu] = now;
    return true;
  }

  /** clear_tg_load_avg(): a CPU going offline withdraws its contribution at once. */
  clearTgLoadAvg(cpu: number, now: number): void {
    this.checkCpu(cpu);
    this.loadAvg -= this.contrib[cpu]!;
    this.contrib[cpu] = 0;
    this.lastUpdate[cpu] = now;
  }

  /** Marks a CPU (in)active; going inactive clears its contribution like the offline callback. */
  setCpuActive(cpu: number, active: boolean, now: number): void {
    this.checkCpu(cpu);
    if (!active && this.active[cpu]) this.clearTgLoadAvg(cpu, now);
    this.active[cpu] = active;
  }

  /** calc_group_shares() for this group's queue on `cpu`: the scaled weight of its entity there. */
  groupShares(cpu: number, grqLoadWeight: number, grqLoadAvg: number): number {
    this.checkCpu(cpu);
    return calcGroupShares(this.shares, this.loadAvg, {
      loadWeight: grqLoadWeight, loadAvg: grqLoadAvg, tgLoadAvgContrib: this.contrib[cpu]!,
    });
  }

  private checkCpu(cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.contrib.length) throw new RangeError(`cpu ${cpu} outside 0..${this.contrib.length - 1}`);
  }

  private checkShares(shares: number): void {
    if (!Number.isInteger(shares) || shares < MIN_SHARES) throw new RangeError(`shares ${shares} must be an integer >= ${MIN_SHARES}`);
  }
}
