import { defineFile, type Css, type IfaceFile } from '../controller.js';
import type { Bandwidth } from './cpu-bandwidth.js';
import { clampShares, NICE_0_LOAD, WEIGHT_IDLEPRIO } from './cpu-weight.js';
import { parseWriteS64 } from '../format/int.js';
import { einval } from './refuse.js';

/**
 * Per-group state of the cpu controller and the pieces its v1 and v2 files
 * share. Counters are the scheduler's to update; a new group reads as an
 * idle one.
 */
export interface CpuCounters {
  /** Enforcement periods that elapsed (cfs_b->nr_periods). */
  nrPeriods: bigint;
  nrThrottled: bigint;
  /** Sum over CPUs of time this group's runqueues were throttled by its own limit. */
  throttledNs: bigint;
  nrBursts: bigint;
  burstNs: bigint;
  /** Throttled time of this group's runqueues including throttling by ancestors (cpu.stat.local). */
  throttledSelfNs: bigint;
  /** CPU time used by the group and its descendants. */
  usageNs: bigint;
  userNs: bigint;
  systemNs: bigint;
}

export interface CpuState extends Bandwidth {
  /** tg->shares, unscaled (1024 = nice 0 = cpu.weight 100). */
  shares: number;
  idle: boolean;
  stats: CpuCounters;
}

export function newCpuCounters(): CpuCounters {
  return { nrPeriods: 0n, nrThrottled: 0n, throttledNs: 0n, nrBursts: 0n, burstNs: 0n, throttledSelfNs: 0n, usageNs: 0n, userNs: 0n, systemNs: 0n };
}

export type CpuCss = Css<CpuState>;
type C = CpuCss;

/** sched_group_set_shares(): EINVAL on an idle group or the root, then the silent clamp. */
export function setShares(css: C, shares: number): void {
  css.state.shares = clampShares(shares);
}

export function checkSharesWritable(css: C): void {
  if (css.state.idle) throw einval('the group is idle');
  if (css.cgroup.isRoot) throw einval('the root group has no shares');
}

/** sched_group_set_idle(). */
export const idleFile = (versions: readonly (1 | 2)[], where: 'all' | 'nonRoot'): IfaceFile<CpuState> =>
  defineFile<CpuState, bigint>({
    name: 'cpu.idle',
    versions,
    where,
    read: (css) => `${css.state.idle ? 1 : 0}\n`,
    parse: (t) => parseWriteS64(t),
    validate: (css, v) => {
      if (css.cgroup.isRoot) throw einval('the root group cannot be idle');
      if (v < 0n || v > 1n) throw einval('cpu.idle is 0 or 1');
    },
    apply: (css, v) => {
      const idle = v === 1n;
      if (css.state.idle === idle) return;
      css.state.idle = idle;
      css.state.shares = idle ? WEIGHT_IDLEPRIO : NICE_0_LOAD;
    },
  });

