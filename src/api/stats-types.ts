/**
 * Statistics of a group, one shape on cgroup v1 and v2. Counters are
 * bigint; units are in the names. An optional field is absent when the
 * kernel has no file (or key) for it, never a made-up 0.
 */
import type { Max } from '../core/format/max.js';
import type { PsiLine } from '../core/format/psi.js';

export interface CpuStats {
  /** CPU time of the group and its descendants (v1: cpuacct.usage). */
  usageUsec: bigint;
  /** v1: cpuacct.stat in USER_HZ ticks, so 10 ms steps. */
  userUsec: bigint;
  systemUsec: bigint;
  /**
   * CFS bandwidth periods that elapsed with a limit set. The throttling
   * fields are absent where the kernel shows no bandwidth counters: on v2,
   * a group whose parent does not enable the cpu controller for it.
   */
  nrPeriods?: bigint;
  nrThrottled?: bigint;
  throttledUsec?: bigint;
  nrBursts?: bigint;
  burstUsec?: bigint;
}

export interface MemoryEvents {
  /** Times usage went under memory.low protection (v1 has no memory.low: always 0 there). */
  low: bigint;
  /** Times usage went over memory.high (v1 has no memory.high: always 0 there). */
  high: bigint;
  /** Times usage hit the limit (v1: memory.failcnt). */
  max: bigint;
  /** Times the group ran out of memory (v2 only: v1 does not count them). */
  oom?: bigint;
  /** Processes the OOM killer killed in the group (v1: memory.oom_control oom_kill). */
  oomKill: bigint;
}

/**
 * memory.stat by v2 key, in bytes (event counts such as pgfault in events).
 * v2: every key of the file. v1: the keys with a v2 counterpart, from the
 * hierarchical `total_*` lines (rss → anon, cache → file, shmem, mapped_file
 * → file_mapped, dirty → file_dirty, rss_huge → anon_thp, the LRU lists, ...).
 */
export interface MemoryStat {
  anon?: bigint;
  file?: bigint;
  kernel?: bigint;
  shmem?: bigint;
  sock?: bigint;
  [key: string]: bigint | undefined;
}

export interface MemoryStats {
  /** Bytes charged to the group and its descendants (v1: memory.usage_in_bytes). */
  current: bigint;
  /** Highest `current` seen (v1: memory.max_usage_in_bytes). */
  peak?: bigint;
  /** The limit (v1: memory.limit_in_bytes, its PAGE_COUNTER_MAX as `max`). */
  max: Max<bigint>;
  events: MemoryEvents;
  stat: MemoryStat;
  /** v1 only: the group is in an OOM situation now (memory.oom_control under_oom). */
  underOom?: boolean;
}

export interface PidsStats {
  current: bigint;
  max: Max<bigint>;
  peak?: bigint;
  /** v2: times the limit of this group or one below refused a fork; v1: forks refused in this group. */
  events: { max: bigint };
}

export interface IoDeviceStats {
  /** `MAJ:MIN`. */
  device: string;
  rbytes: bigint;
  wbytes: bigint;
  rios: bigint;
  wios: bigint;
}

export interface IoStats {
  devices: IoDeviceStats[];
}

export type PressureLine = PsiLine;

export interface Pressure {
  some: PressureLine;
  full?: PressureLine;
}

export interface CgroupStats {
  /** The logical group path (`/a/b`). */
  path: string;
  cpu?: CpuStats;
  memory?: MemoryStats;
  pids?: PidsStats;
  io?: IoStats;
  /** From the group's v2 directory, where its PSI files exist. */
  pressure?: { cpu?: Pressure; memory?: Pressure; io?: Pressure };
}
