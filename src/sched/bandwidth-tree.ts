/**
 * Hierarchical CFS bandwidth: one {@link BandwidthPool} per group and one
 * {@link BandwidthRq} per (group, CPU). Running time is charged to the
 * queue of the task's group and of every ancestor with a limit, so a group
 * is throttled on a CPU when its own queue or an ancestor's is throttled
 * (throttle_count). Also the v2 effective limit (the smallest quota/period
 * ratio along the path; an unlimited group inherits its parent's).
 */
import { BandwidthPool } from './bandwidth-pool.js';
import type { BandwidthLimits, TimerHost } from './bandwidth-pool.js';
import { BandwidthRq } from './bandwidth-rq.js';

/** Told after one of a group's queues is throttled or unthrottled (throttle counts already updated). */
export interface BandwidthListener {
  throttled(g: BandwidthGroup, cpu: number): void;
  unthrottled(g: BandwidthGroup, cpu: number): void;
}

export class BandwidthGroup {
  readonly pool: BandwidthPool;
  readonly rqs: BandwidthRq[];
  readonly children: BandwidthGroup[] = [];
  /** Per CPU: how many queues on the path from here to the root are throttled. */
  readonly throttleCount: number[];
  /** Per CPU: time throttled by this group's or any ancestor's limit (cpu.stat.local throttled time). */
  readonly throttledSelfNs: number[];
  private readonly throttledSince: number[];

  constructor(readonly parent: BandwidthGroup | null, host: TimerHost, ncpu: number, sliceNs: number, listener?: BandwidthListener) {
    this.pool = new BandwidthPool(host, sliceNs);
    this.rqs = Array.from({ length: ncpu }, (_, cpu) =>
      new BandwidthRq(this.pool, cpu, {
        throttled: (rq) => {
          this.walkDown(rq.cpu, 1);
          listener?.throttled(this, rq.cpu);
        },
        unthrottled: (rq) => {
          this.walkDown(rq.cpu, -1);
          listener?.unthrottled(this, rq.cpu);
        },
      }));
    this.throttleCount = Array.from({ length: ncpu }, (_, c) => parent?.throttleCount[c] ?? 0);
    this.throttledSelfNs = this.rqs.map(() => 0);
    this.throttledSince = this.rqs.map(() => host.now);
    parent?.children.push(this);
  }

  /** cpu.max / cpu.max.burst: sets this group's limits and unthrottles its queues. */
  setLimits(limits: BandwidthLimits): void {
    this.pool.setLimits(limits, this.rqs);
  }

  /** throttled_hierarchy(): this group cannot run on `cpu`. */
  isThrottled(cpu: number): boolean {
    return (this.throttleCount[cpu] ?? 0) > 0;
  }

  /** The nearest group on the path to the root whose own queue on `cpu` is throttled, or null. */
  throttledBy(cpu: number): BandwidthGroup | null {
    for (let g: BandwidthGroup | null = this; g; g = g.parent) if (g.rqs[cpu]?.throttled) return g;
    return null;
  }

  /** Quota/period ratio in CPUs, 'max' when unlimited along the whole path (v2 semantics). */
  effectiveCpus(): number | 'max' {
    let best: number | 'max' = 'max';
    for (let g: BandwidthGroup | null = this; g; g = g.parent) {
      const q = g.pool.quotaNs;
      if (q === 'max') continue;
      const r = q / g.pool.periodNs;
      if (best === 'max' || r < best) best = r;
    }
    return best;
  }

  /**
   * A task of this group ran `deltaNs` on `cpu`: account_cfs_rq_runtime()
   * for each limited queue from here to the root. Returns the queues that
   * are out of runtime (the caller throttles them when it puts the task back).
   */
  charge(cpu: number, deltaNs: number): BandwidthRq[] {
    const out: BandwidthRq[] = [];
    for (let g: BandwidthGroup | null = this; g; g = g.parent) {
      const rq = g.rqs[cpu];
      if (rq?.charge(deltaNs)) out.push(rq);
    }
    return out;
  }

  /** Charges and then throttles what ran out; returns true when this group can no longer run on `cpu`. */
  chargeAndThrottle(cpu: number, deltaNs: number): boolean {
    for (const rq of this.charge(cpu, deltaNs)) rq.throttle();
    return this.isThrottled(cpu);
  }

  /** The group's last task on `cpu` went to sleep: queues from here up that became empty return slack. */
  idle(cpu: number, emptyUpTo: BandwidthGroup | null = null): void {
    for (let g: BandwidthGroup | null = this; g; g = g.parent) {
      g.rqs[cpu]?.idle();
      if (g === emptyUpTo) break;
    }
  }

  /** tg_throttle_down() / tg_unthrottle_up(): adjust throttle_count of this subtree on `cpu`. */
  private walkDown(cpu: number, delta: 1 | -1): void {
    const now = this.pool.host.now;
    const visit = (g: BandwidthGroup): void => {
      const before = g.throttleCount[cpu] ?? 0;
      const after = before + delta;
      g.throttleCount[cpu] = after;
      if (before === 0 && after > 0) g.throttledSince[cpu] = now;
      if (before > 0 && after === 0) g.throttledSelfNs[cpu]! += now - (g.throttledSince[cpu] ?? now);
      for (const c of g.children) visit(c);
    };
    visit(this);
  }
}

/** The groups of one simulated machine, rooted at an unlimited root group. */
export class BandwidthTree {
  readonly root: BandwidthGroup;

  constructor(readonly host: TimerHost, readonly ncpu: number, readonly sliceNs = 5_000_000, readonly listener?: BandwidthListener) {
    this.root = new BandwidthGroup(null, host, ncpu, sliceNs, listener);
  }

  addGroup(parent: BandwidthGroup, limits?: BandwidthLimits): BandwidthGroup {
    const g = new BandwidthGroup(parent, this.host, this.ncpu, this.sliceNs, this.listener);
    if (limits) g.setLimits(limits);
    return g;
  }
}
