import { defineController, defineFile, type IfaceFile } from '../controller.js';
import { parseWriteS64, parseWriteU64, U64_MAX } from '../format/int.js';
import type { Max } from '../format/max.js';
import { scanU64 } from '../format/scan.js';
import { checkBandwidth, DEFAULT_PERIOD_US, GLOBAL_RT_PERIOD_NS, GLOBAL_RT_RUNTIME_NS } from './cpu-bandwidth.js';
import { cpuV1Files } from './cpu-v1.js';
import { checkSharesWritable, type CpuCss, type CpuState, idleFile, newCpuCounters, setShares } from './cpu-state.js';
import {
  CGROUP_WEIGHT_MAX, CGROUP_WEIGHT_MIN, MAX_NICE, MIN_NICE, NICE_0_LOAD, SCHED_PRIO_TO_WEIGHT,
  sharesToNice, sharesToWeight, weightToShares,
} from './cpu-weight.js';
import { einval, erange } from './refuse.js';

/**
 * The cpu controller (kernel/sched/core.c cpu_cgrp_subsys): group weight,
 * idle flag, CFS bandwidth, v1 RT bandwidth. v1 files are in cpu-v1.ts.
 */

/** cpu_period_quota_parse(): `sscanf("%20s %llu")`, quota `max` or digits, period optional. */
export function parseCpuMax(text: string, cur: { periodUs: bigint }): { quotaUs: Max<bigint>; periodUs: bigint } {
  const t = text.replace(/^\s+/, '');
  const m = /^\S{1,20}/.exec(t);
  if (!m) throw einval('cpu.max needs "$MAX [$PERIOD]"');
  const tok = m[0];
  const period = scanU64(t.slice(tok.length));
  let quotaUs: Max<bigint>;
  const q = scanU64(tok);
  // RUNTIME_INF is ~0ULL: a quota of 2^64-1 is unlimited, as in the kernel.
  if (q) quotaUs = q.value === U64_MAX ? 'max' : q.value;
  else if (tok === 'max') quotaUs = 'max';
  else throw einval(`bad quota '${tok}'`);
  return { quotaUs, periodUs: period ? period.value : cur.periodUs };
}

const v2Files: IfaceFile<CpuState>[] = [
  defineFile<CpuState, bigint>({
    name: 'cpu.weight',
    versions: [2],
    where: 'nonRoot',
    read: (css) => `${sharesToWeight(css.state.shares)}\n`,
    parse: (t) => parseWriteU64(t),
    validate: (css, v) => {
      if (v < BigInt(CGROUP_WEIGHT_MIN) || v > BigInt(CGROUP_WEIGHT_MAX)) throw erange('cpu.weight is 1..10000');
      checkSharesWritable(css);
    },
    apply: (css, v) => setShares(css, weightToShares(Number(v))),
  }),
  defineFile<CpuState, bigint>({
    name: 'cpu.weight.nice',
    versions: [2],
    where: 'nonRoot',
    read: (css) => `${sharesToNice(css.state.shares)}\n`,
    parse: (t) => parseWriteS64(t),
    validate: (css, v) => {
      if (v < BigInt(MIN_NICE) || v > BigInt(MAX_NICE)) throw erange('cpu.weight.nice is -20..19');
      checkSharesWritable(css);
    },
    apply: (css, v) => setShares(css, SCHED_PRIO_TO_WEIGHT[Number(v) + 20]!),
  }),
  idleFile([2], 'nonRoot'),
  defineFile<CpuState, { quotaUs: Max<bigint>; periodUs: bigint }>({
    name: 'cpu.max',
    versions: [2],
    where: 'nonRoot',
    read: (css) => `${css.state.quotaUs} ${css.state.periodUs}\n`,
    parse: (t, css) => parseCpuMax(t, css.state),
    validate: (css, v) => checkBandwidth(css, v.periodUs, v.quotaUs, css.state.burstUs),
    apply: (css, v) => {
      css.state.quotaUs = v.quotaUs;
      css.state.periodUs = v.periodUs;
    },
  }),
  defineFile<CpuState, bigint>({
    name: 'cpu.max.burst',
    versions: [2],
    where: 'nonRoot',
    read: (css) => `${css.state.burstUs}\n`,
    parse: (t) => parseWriteU64(t),
    validate: (css, v) => checkBandwidth(css, css.state.periodUs, css.state.quotaUs, v),
    apply: (css, v) => {
      css.state.burstUs = v;
    },
  }),
];

/** Keys v2 `cpu.stat` gets from a cgroup's own cpu css (cpu_extra_stat_show); not hierarchical. */
export function cpuStatV2Extra(css: CpuCss): [string, bigint][] {
  const s = css.state.stats;
  return [
    ['nr_periods', s.nrPeriods],
    ['nr_throttled', s.nrThrottled],
    ['throttled_usec', s.throttledNs / 1000n],
    ['nr_bursts', s.nrBursts],
    ['burst_usec', s.burstNs / 1000n],
  ];
}

/** Keys v2 `cpu.stat.local` gets from a cgroup's own cpu css (cpu_local_stat_show). */
export function cpuStatLocalV2Extra(css: CpuCss): [string, bigint][] {
  return [['throttled_usec', css.state.stats.throttledSelfNs / 1000n]];
}

export const cpu = defineController<CpuState>({
  name: 'cpu',
  versions: [1, 2],
  threaded: true,
  depth: 'full',
  summary: 'CPU time: group weights (cpu.weight / cpu.shares), idle groups, CFS bandwidth limits, v1 RT bandwidth',
  create: (parent) => ({
    shares: NICE_0_LOAD,
    idle: false,
    periodUs: DEFAULT_PERIOD_US,
    quotaUs: 'max',
    burstUs: 0n,
    rtPeriodNs: GLOBAL_RT_PERIOD_NS,
    rtRuntimeNs: parent === null ? GLOBAL_RT_RUNTIME_NS : 0n,
    stats: newCpuCounters(),
  }),
  files: [...v2Files, ...cpuV1Files],
});

export type { CpuCounters, CpuState } from './cpu-state.js';
