import { defineFile, type IfaceFile } from '../controller.js';
import { parseWriteS64, parseWriteU64, U64_MAX } from '../format/int.js';
import type { Max } from '../format/max.js';
import { checkBandwidth, checkRtBandwidth, MAX_USEC } from './cpu-bandwidth.js';
import { checkSharesWritable, type CpuState, idleFile } from './cpu-state.js';
import { MAX_SHARES, MIN_SHARES } from './cpu-weight.js';
import { einval } from './refuse.js';

/**
 * cgroup v1 files of the cpu controller (the kernel's cpu_legacy_files).
 * All exist on the hierarchy root too; writes that would limit the root
 * group fail with EINVAL.
 */

/** cpu.shares write: the value is scaled (<< 10, wrapping) and clamped to 2..262144 like __sched_group_set_shares(). */
export function sharesFromWrite(v: bigint): number {
  const scaled = (v << 10n) & U64_MAX;
  const lo = BigInt(MIN_SHARES) << 10n;
  const hi = BigInt(MAX_SHARES) << 10n;
  const c = scaled < lo ? lo : scaled > hi ? hi : scaled;
  return Number(c >> 10n);
}

/** v1 cpu.cfs_quota_us: any negative value is unlimited. */
function quotaFromS64(v: bigint): Max<bigint> {
  if (v < 0n) return 'max';
  if (v > MAX_USEC) throw einval('quota does not fit in ns');
  return v;
}

export const cpuV1Files: IfaceFile<CpuState>[] = [
  defineFile<CpuState, bigint>({
    name: 'cpu.shares',
    versions: [1],
    read: (css) => `${css.state.shares}\n`,
    parse: (t) => parseWriteU64(t),
    validate: (css) => checkSharesWritable(css),
    apply: (css, v) => {
      css.state.shares = sharesFromWrite(v);
    },
  }),
  idleFile([1], 'all'),
  defineFile<CpuState, Max<bigint>>({
    name: 'cpu.cfs_quota_us',
    versions: [1],
    read: (css) => `${css.state.quotaUs === 'max' ? -1 : css.state.quotaUs}\n`,
    parse: (t) => quotaFromS64(parseWriteS64(t)),
    validate: (css, v) => checkBandwidth(css, css.state.periodUs, v, css.state.burstUs),
    apply: (css, v) => {
      css.state.quotaUs = v;
    },
  }),
  defineFile<CpuState, bigint>({
    name: 'cpu.cfs_period_us',
    versions: [1],
    read: (css) => `${css.state.periodUs}\n`,
    parse: (t) => parseWriteU64(t),
    validate: (css, v) => checkBandwidth(css, v, css.state.quotaUs, css.state.burstUs),
    apply: (css, v) => {
      css.state.periodUs = v;
    },
  }),
  defineFile<CpuState, bigint>({
    name: 'cpu.cfs_burst_us',
    versions: [1],
    read: (css) => `${css.state.burstUs}\n`,
    parse: (t) => parseWriteU64(t),
    validate: (css, v) => checkBandwidth(css, css.state.periodUs, css.state.quotaUs, v),
    apply: (css, v) => {
      css.state.burstUs = v;
    },
  }),
  defineFile<CpuState, bigint>({
    name: 'cpu.rt_period_us',
    versions: [1],
    read: (css) => `${css.state.rtPeriodNs / 1000n}\n`,
    parse: (t) => parseWriteU64(t),
    validate: (css, v) => {
      if (v > MAX_USEC) throw einval('RT period does not fit in ns');
      checkRtBandwidth(css, v * 1000n, css.state.rtRuntimeNs);
    },
    apply: (css, v) => {
      css.state.rtPeriodNs = v * 1000n;
    },
  }),
  defineFile<CpuState, bigint | 'inf'>({
    name: 'cpu.rt_runtime_us',
    versions: [1],
    read: (css) => `${css.state.rtRuntimeNs === 'inf' ? -1 : css.state.rtRuntimeNs / 1000n}\n`,
    parse: (t) => {
      const v = parseWriteS64(t);
      if (v < 0n) return 'inf';
      if (v > MAX_USEC) throw einval('RT runtime does not fit in ns');
      return v * 1000n;
    },
    validate: (css, v) => checkRtBandwidth(css, css.state.rtPeriodNs, v),
    apply: (css, v) => {
      css.state.rtRuntimeNs = v;
    },
  }),
  defineFile<CpuState, never>({
    name: 'cpu.stat',
    versions: [1],
    read: (css) => {
      const s = css.state.stats;
      return `nr_periods ${s.nrPeriods}\nnr_throttled ${s.nrThrottled}\nthrottled_time ${s.throttledNs}\nnr_bursts ${s.nrBursts}\nburst_time ${s.burstNs}\n`;
    },
  }),
  defineFile<CpuState, never>({
    name: 'cpu.stat.local',
    versions: [1],
    read: (css) => `throttled_time ${css.state.stats.throttledSelfNs}\n`,
  }),
];
