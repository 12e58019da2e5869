/**
 * The bandwidth side of one group's run queue on one CPU (the
 * runtime_remaining / throttled part of a cfs_rq): runtime is charged
 * locally and topped up from the group's {@link BandwidthPool} in slices;
 * when neither has runtime left the queue must be throttled until the
 * period timer (or the slack timer) gives it some.
 */
import type { BandwidthPool } from './bandwidth-pool.js';

export interface BandwidthRqHooks {
  /** Called after the queue becomes throttled. */
  throttled?: (rq: BandwidthRq) => void;
  /** Called after the queue is unthrottled (the caller re-enqueues its group entity). */
  unthrottled?: (rq: BandwidthRq) => void;
}

export class BandwidthRq {
  /** Local runtime left; ≤ 0 means in debt to the pool. */
  runtimeRemaining = 0;
  throttled = false;
  /** Total time this queue spent throttled by its own group's limit. */
  throttledNs = 0;
  /** Times this queue was throttled. */
  throttleCount = 0;
  private throttledAt = 0;

  constructor(readonly pool: BandwidthPool, readonly cpu: number, readonly hooks: BandwidthRqHooks = {}) {}

  /** runtime_enabled: the group has a finite quota. */
  get enabled(): boolean {
    return this.pool.limited;
  }

  /**
   * __account_cfs_rq_runtime(): charge `deltaNs` of execution; returns true
   * when the queue is out of runtime and cannot get more, so the caller must
   * reschedule and throttle it (see {@link throttle}).
   */
  charge(deltaNs: number): boolean {
    if (!this.enabled) return false;
    this.runtimeRemaining -= deltaNs;
    if (this.runtimeRemaining > 0) return false;
    if (this.throttled) return false;
    return !this.pool.assign(this, this.pool.sliceNs);
  }

  /** check_cfs_rq_runtime(): whether the queue should be throttled now. */
  outOfRuntime(): boolean {
    return this.enabled && !this.throttled && this.runtimeRemaining <= 0;
  }

  /**
   * throttle_cfs_rq(): asks the pool for 1 ns first (which also starts the
   * period timer); if that succeeds the throttle is not needed and false is
   * returned. Otherwise the queue joins the pool's throttled list.
   */
  throttle(): boolean {
    if (!this.enabled || this.throttled) return false;
    if (this.pool.assign(this, 1)) return false;
    this.pool.throttled.push(this);
    this.throttled = true;
    this.throttleCount++;
    this.throttledAt = this.pool.host.now;
    this.hooks.throttled?.(this);
    return true;
  }

  /** unthrottle_cfs_rq(): leave the throttled list and account the throttled time. */
  unthrottle(): void {
    if (!this.throttled) return;
    const list = this.pool.throttled;
    const i = list.indexOf(this);
    if (i >= 0) list.splice(i, 1);
    this.throttled = false;
    const spent = this.pool.host.now - this.throttledAt;
    this.throttledNs += spent;
    this.pool.stats.throttledNs += BigInt(spent);
    this.hooks.unthrottled?.(this);
  }

  /** return_cfs_rq_runtime(): the queue went idle (no queued entities); hand slack back. */
  idle(): void {
    if (!this.enabled || this.throttled) return;
    this.pool.returnSlack(this);
  }
}
