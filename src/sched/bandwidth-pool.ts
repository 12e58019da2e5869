/**
 * The per-group CFS bandwidth pool (the cfs_bandwidth of a task group): a
 * runtime budget refilled at every period boundary, handed out to the
 * group's per-CPU run queues in slices, with the period timer that refills it
 * and unthrottles, the slack timer that redistributes returned runtime, and
 * the cpu.stat bandwidth counters. Times are integer ns; timers go through
 * an injected {@link TimerHost} (the simulation Engine satisfies it).
 */
import type { BandwidthRq } from './bandwidth-rq.js';

/** The part of a discrete-event scheduler the bandwidth timers need. */
export interface TimerHost {
  readonly now: number;
  at(timeNs: number, fn: () => void): number;
  cancel(id: number): unknown;
}

/** sysctl kernel.sched_cfs_bandwidth_slice_us default, in ns. */
export const DEFAULT_SLICE_NS = 5_000_000;
/** Local runtime a run queue keeps when it returns slack (min_cfs_rq_runtime). */
export const MIN_RQ_RUNTIME_NS = 1_000_000;
/** Delay of the slack timer (cfs_bandwidth_slack_period). */
export const SLACK_PERIOD_NS = 5_000_000;
/** No slack redistribution when a refill is due within this (min_bandwidth_expiration). */
export const MIN_EXPIRATION_NS = 2_000_000;

export interface BandwidthLimits {
  /** Runtime per period in ns, or 'max' for no limit. */
  quotaNs: number | 'max';
  periodNs: number;
  burstNs: number;
}

/** The bandwidth half of cpu.stat (non-hierarchical: this group's own limit only). */
export interface BandwidthStats {
  nrPeriods: bigint;
  nrThrottled: bigint;
  /** Sum over CPUs of the time this group's run queues spent throttled. */
  throttledNs: bigint;
  nrBursts: bigint;
  burstNs: bigint;
}

export class BandwidthPool {
  quotaNs: number | 'max' = 'max';
  periodNs = 100_000_000;
  burstNs = 0;
  /** Runtime left in the pool for this period. */
  runtime = 0;
  readonly stats: BandwidthStats = { nrPeriods: 0n, nrThrottled: 0n, throttledNs: 0n, nrBursts: 0n, burstNs: 0n };
  /** Run queues throttled on this pool, in throttling order (throttled_cfs_rq). */
  readonly throttled: BandwidthRq[] = [];
  private runtimeSnap = 0;
  private idle = false;
  private periodActive = false;
  private expires = 0;
  private periodTimer: number | null = null;
  private slackTimer: number | null = null;
  private inPeriodCallback = false;

  constructor(readonly host: TimerHost, readonly sliceNs = DEFAULT_SLICE_NS) {}

  get limited(): boolean {
    return this.quotaNs !== 'max';
  }

  /** True while the period timer is armed (period_active). */
  get timerActive(): boolean {
    return this.periodActive;
  }

  /** Next period boundary while the timer is active. */
  get nextRefillNs(): number {
    return this.expires;
  }

  /**
   * tg_set_cfs_bandwidth(): new limits, a fresh refill, the period timer
   * (re)started when limited; `rqs` are this group's run queues, which get
   * 1 ns of runtime each and are unthrottled.
   */
  setLimits(limits: BandwidthLimits, rqs: Iterable<BandwidthRq>): void {
    if (this.periodTimer !== null) this.host.cancel(this.periodTimer);
    this.periodTimer = null;
    this.periodActive = false;
    this.quotaNs = limits.quotaNs;
    this.periodNs = limits.periodNs;
    this.burstNs = limits.burstNs;
    this.runtime = 0;
    this.refill();
    if (this.limited) this.start();
    for (const rq of rqs) {
      rq.runtimeRemaining = 1;
      if (rq.throttled) rq.unthrottle();
    }
  }

  /** __refill_cfs_bandwidth_runtime(): add a quota up to quota + burst; count a burst when usage passed quota. */
  refill(): void {
    if (this.quotaNs === 'max') return;
    this.runtime += this.quotaNs;
    const over = this.runtimeSnap - this.runtime;
    if (over > 0) {
      this.stats.burstNs += BigInt(over);
      this.stats.nrBursts++;
    }
    this.runtime = Math.min(this.runtime, this.quotaNs + this.burstNs);
    this.runtimeSnap = this.runtime;
  }

  /** __assign_cfs_rq_runtime(): top `rq` up towards `target` from the pool; true when it has runtime left. */
  assign(rq: BandwidthRq, target: number): boolean {
    const want = target - rq.runtimeRemaining;
    let amount = 0;
    if (this.quotaNs === 'max') amount = want;
    else {
      this.start();
      if (this.runtime > 0) {
        amount = Math.min(this.runtime, want);
        this.runtime -= amount;
        this.idle = false;
      }
    }
    rq.runtimeRemaining += amount;
    return rq.runtimeRemaining > 0;
  }

  /** start_cfs_bandwidth(): arm the period timer on the next boundary aligned to its previous expiry. */
  start(): void {
    if (this.periodActive) return;
    this.periodActive = true;
    this.forward();
    this.periodTimer = this.host.at(this.expires, () => this.onPeriodTimer());
  }

  /** hrtimer_forward_now(): move the expiry past now in whole periods; returns how many. */
  private forward(): number {
    const now = this.host.now;
    if (now < this.expires) return 0;
    const n = Math.floor((now - this.expires) / this.periodNs) + 1;
    this.expires += n * this.periodNs;
    return n;
  }

  /** sched_cfs_period_timer(). */
  private onPeriodTimer(): void {
    this.periodTimer = null;
    this.inPeriodCallback = true;
    let idle = false;
    try {
      for (;;) {
        const overrun = this.forward();
        if (overrun === 0) break;
        idle = this.doPeriod(overrun);
      }
    } finally {
      this.inPeriodCallback = false;
    }
    if (idle) this.periodActive = false;
    else this.periodTimer = this.host.at(this.expires, () => this.onPeriodTimer());
  }

  /** do_sched_cfs_period_timer(): returns true when the timer should stop. */
  private doPeriod(overrun: number): boolean {
    if (this.quotaNs === 'max') return true;
    let throttled = this.throttled.length > 0;
    this.stats.nrPeriods += BigInt(overrun);
    this.refill();
    if (this.idle && !throttled) return true;
    if (!throttled) {
      this.idle = true;
      return false;
    }
    this.stats.nrThrottled += BigInt(overrun);
    while (throttled && this.runtime > 0) throttled = this.distribute();
    this.idle = false;
    return false;
  }

  /** distribute_cfs_runtime(): give throttled queues just enough to run, oldest first; true if some stay throttled. */
  distribute(): boolean {
    for (const rq of [...this.throttled]) {
      if (this.runtime <= 0) break;
      const give = Math.min(this.runtime, -rq.runtimeRemaining + 1);
      this.runtime -= give;
      rq.runtimeRemaining += give;
      if (rq.runtimeRemaining > 0) rq.unthrottle();
    }
    return this.throttled.length > 0;
  }

  /** __return_cfs_rq_runtime(): take back all but MIN_RQ_RUNTIME_NS of an idle queue's runtime. */
  returnSlack(rq: BandwidthRq): void {
    const slack = rq.runtimeRemaining - MIN_RQ_RUNTIME_NS;
    if (slack <= 0) return;
    if (this.quotaNs !== 'max') {
      this.runtime += slack;
      if (this.runtime > this.sliceNs && this.throttled.length > 0) this.startSlack();
    }
    rq.runtimeRemaining -= slack;
  }

  /** runtime_refresh_within(). */
  private refreshWithin(ns: number): boolean {
    if (this.inPeriodCallback) return true;
    return this.expires - this.host.now < ns;
  }

  /** start_cfs_slack_bandwidth(). */
  private startSlack(): void {
    if (this.refreshWithin(SLACK_PERIOD_NS + MIN_EXPIRATION_NS)) return;
    if (this.slackTimer !== null) return;
    this.slackTimer = this.host.at(this.host.now + SLACK_PERIOD_NS, () => this.onSlackTimer());
  }

  /** do_sched_cfs_slack_timer(). */
  private onSlackTimer(): void {
    this.slackTimer = null;
    if (this.refreshWithin(MIN_EXPIRATION_NS)) return;
    if (this.quotaNs !== 'max' && this.runtime > this.sliceNs) this.distribute();
  }

  /** True while a slack redistribution is pending. */
  get slackPending(): boolean {
    return this.slackTimer !== null;
  }
}
