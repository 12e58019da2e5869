import type { Css } from '../controller.js';
import type { Max } from '../format/max.js';
import { U64_MAX } from '../format/int.js';
import { einval } from './refuse.js';

/**
 * CFS bandwidth (quota/period/burst) and v1 RT bandwidth rules: the checks
 * of tg_set_bandwidth(), the hierarchy walk of tg_cfs_schedulable_down()
 * and tg_rt_schedulable(). Every failure is EINVAL, as in the kernel.
 */

/** The bandwidth part of the cpu controller's per-group state. */
export interface Bandwidth {
  periodUs: bigint;
  quotaUs: Max<bigint>;
  burstUs: bigint;
  rtPeriodNs: bigint;
  /** 'inf' is RUNTIME_INF (reads -1). */
  rtRuntimeNs: bigint | 'inf';
}

export const DEFAULT_PERIOD_US = 100000n;
export const MIN_QUOTA_PERIOD_US = 1000n;
export const MAX_QUOTA_PERIOD_US = 1000000n;
/** MAX_BW: (1 << (64 - BW_SHIFT)) - 1, the largest quota in µs. */
export const MAX_BW_US = (1n << 44n) - 1n;
const BW_SHIFT = 20n;
const BW_UNIT = 1n << BW_SHIFT;
/** U64_MAX / NSEC_PER_USEC: the largest µs value that survives conversion to ns. */
export const MAX_USEC = U64_MAX / 1000n;
/** sysctl kernel.sched_rt_period_us / sched_rt_runtime_us defaults, in ns. */
export const GLOBAL_RT_PERIOD_NS = 1000000000n;
export const GLOBAL_RT_RUNTIME_NS = 950000000n;

type BwCss = Css<Bandwidth>;

function toRatio(period: bigint, runtime: bigint | 'inf'): bigint {
  if (runtime === 'inf') return BW_UNIT;
  if (period === 0n) return 0n;
  return ((runtime << BW_SHIFT) & U64_MAX) / period;
}

function rootOf<S>(css: Css<S>): Css<S> {
  let c = css;
  while (c.parent) c = c.parent;
  return c;
}

/** tg_set_bandwidth(): the value checks, then the hierarchy check. */
export function checkBandwidth(css: BwCss, periodUs: bigint, quotaUs: Max<bigint>, burstUs: bigint): void {
  if (css.cgroup.isRoot) throw einval('the root group has no bandwidth limit');
  if (periodUs > MAX_USEC || (quotaUs !== 'max' && quotaUs > MAX_USEC) || burstUs > MAX_USEC) throw einval('value does not fit in ns');
  if ((quotaUs !== 'max' && quotaUs < MIN_QUOTA_PERIOD_US) || periodUs < MIN_QUOTA_PERIOD_US) throw einval('quota and period must be at least 1000 µs');
  if (periodUs > MAX_QUOTA_PERIOD_US) throw einval('period must be at most 1000000 µs');
  if (quotaUs !== 'max' && quotaUs > MAX_BW_US) throw einval('quota is past MAX_BW');
  if (quotaUs !== 'max' && (burstUs > quotaUs || burstUs + quotaUs > MAX_BW_US)) throw einval('burst must not exceed quota');
  checkCfsSchedulable(css, periodUs, quotaUs);
}

/**
 * tg_cfs_schedulable_down() over the whole hierarchy with the proposed
 * values for `target`: on v1 a finite normalized quota larger than the
 * nearest finite ancestor's is EINVAL; on v2 it is allowed (the effective
 * limit is the minimum).
 */
export function checkCfsSchedulable(target: BwCss, periodUs: bigint, quotaUs: Max<bigint>): void {
  const v1 = target.cgroup.version === 1;
  const walk = (css: Css<Bandwidth>, parentQuota: bigint | 'inf'): void => {
    let hq: bigint | 'inf';
    if (!css.parent) hq = 'inf';
    else {
      const p = css === target ? periodUs : css.state.periodUs;
      const q = css === target ? quotaUs : css.state.quotaUs;
      const own = q === 'max' ? 'inf' : toRatio(p, q);
      if (own === 'inf') hq = parentQuota;
      else if (parentQuota === 'inf') hq = own;
      else if (v1) {
        if (own > parentQuota) throw einval('quota is larger than the parent group\'s');
        hq = own;
      } else hq = own < parentQuota ? own : parentQuota;
    }
    for (const c of css.children()) walk(c, hq);
  };
  walk(rootOf(target), 'inf');
}

/** tg_set_rt_bandwidth() + tg_rt_schedulable() for v1 cpu.rt_period_us / cpu.rt_runtime_us. */
export function checkRtBandwidth(target: BwCss, periodNs: bigint, runtimeNs: bigint | 'inf'): void {
  if (target.cgroup.isRoot && runtimeNs === 0n) throw einval('the root group must keep RT runtime');
  if (periodNs === 0n) throw einval('RT period must not be zero');
  if (runtimeNs !== 'inf' && runtimeNs > MAX_BW_US * 1000n) throw einval('RT runtime is past MAX_BW');
  const global = toRatio(GLOBAL_RT_PERIOD_NS, GLOBAL_RT_RUNTIME_NS);
  const bw = (c: Css<Bandwidth>): [bigint, bigint | 'inf'] =>
    c === target ? [periodNs, runtimeNs] : [c.state.rtPeriodNs, c.state.rtRuntimeNs];
  const walk = (css: Css<Bandwidth>): void => {
    const [period, runtime] = bw(css);
    if (runtime !== 'inf' && runtime > period) throw einval('RT runtime exceeds the period');
    const total = toRatio(period, runtime);
    if (total > global) throw einval('RT bandwidth exceeds the global limit');
    let sum = 0n;
    for (const c of css.children()) {
      const [cp, cr] = bw(c);
      sum += toRatio(cp, cr);
    }
    if (sum > total) throw einval('children\'s RT bandwidth exceeds the group\'s');
    for (const c of css.children()) walk(c);
  };
  walk(rootOf(target));
}
