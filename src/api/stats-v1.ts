/**
 * Statistics from cgroup v1 files, converted to the v2 shape. The
 * `*FromV1` functions are pure (file texts in); `read*V1` fetch the texts.
 * cpu usage comes from cpuacct (its own hierarchy on most hosts),
 * throttling from the cpu hierarchy.
 */
import { NS_PER_USER_TICK } from '../core/controllers/cpuacct.js';
import { parseBlkioOps } from '../core/format/blkio.js';
import { parseBigInt } from '../core/format/int.js';
import { keyedBig, keyedFlag, parseFlat } from '../core/format/keyed.js';
import type { CgroupFs } from '../core/fs.js';
import { V1_UNLIMITED_BYTES } from './settings-table.js';
import { need, parseAt, readOptional, readPart } from './stats-io.js';
import type { CpuStats, IoDeviceStats, IoStats, MemoryStat, MemoryStats } from './stats-types.js';

const counter = (t: string): bigint => parseBigInt(t, { unsigned: true, syscall: 'read' });
const USEC_PER_USER_TICK = BigInt(NS_PER_USER_TICK) / 1000n;

export interface CpuV1Texts {
  /** cpuacct.usage: ns. */
  'cpuacct.usage': string;
  /** cpuacct.stat: `user`/`system` in USER_HZ ticks. */
  'cpuacct.stat': string;
  /** cpu.stat of the cpu hierarchy: throttled_time and burst_time in ns. */
  'cpu.stat': string;
}

export function cpuStatsFromV1(t: CpuV1Texts): CpuStats {
  const acct = parseFlat(t['cpuacct.stat']);
  const cs = parseFlat(t['cpu.stat']);
  const a = (k: string): bigint => need(keyedBig(acct, k), 'cpuacct.stat', k);
  const c = (k: string): bigint => need(keyedBig(cs, k), 'cpu.stat', k);
  const out: CpuStats = {
    usageUsec: counter(t['cpuacct.usage']) / 1000n,
    userUsec: a('user') * USEC_PER_USER_TICK,
    systemUsec: a('system') * USEC_PER_USER_TICK,
    nrPeriods: c('nr_periods'),
    nrThrottled: c('nr_throttled'),
    throttledUsec: c('throttled_time') / 1000n,
  };
  const nrBursts = keyedBig(cs, 'nr_bursts');
  const burstNs = keyedBig(cs, 'burst_time');
  if (nrBursts !== undefined) out.nrBursts = nrBursts;
  if (burstNs !== undefined) out.burstUsec = burstNs / 1000n;
  return out;
}

/** v2 memory.stat key ← v1 key (read from its hierarchical `total_` line when there is one). */
export const V1_MEMORY_STAT_KEYS: Readonly<Record<string, string>> = {
  anon: 'rss',
  file: 'cache',
  shmem: 'shmem',
  file_mapped: 'mapped_file',
  file_dirty: 'dirty',
  file_writeback: 'writeback',
  anon_thp: 'rss_huge',
  swapcached: 'swapcached',
  inactive_anon: 'inactive_anon',
  active_anon: 'active_anon',
  inactive_file: 'inactive_file',
  active_file: 'active_file',
  unevictable: 'unevictable',
  workingset_refault_anon: 'workingset_refault_anon',
  workingset_refault_file: 'workingset_refault_file',
  pgfault: 'pgfault',
  pgmajfault: 'pgmajfault',
};

export function memoryStatFromV1(text: string): MemoryStat {
  const m = parseFlat(text);
  const out: MemoryStat = {};
  for (const [v2, v1] of Object.entries(V1_MEMORY_STAT_KEYS)) {
    const v = keyedBig(m, `total_${v1}`) ?? keyedBig(m, v1);
    if (v !== undefined) out[v2] = v;
  }
  return out;
}

export interface MemoryV1Texts {
  'memory.usage_in_bytes': string;
  'memory.limit_in_bytes': string;
  'memory.failcnt': string;
  'memory.oom_control': string;
  'memory.stat': string;
  'memory.max_usage_in_bytes'?: string | undefined;
}

export function memoryStatsFromV1(t: MemoryV1Texts): MemoryStats {
  const oc = parseFlat(t['memory.oom_control']);
  const limit = counter(t['memory.limit_in_bytes']);
  const under = keyedFlag(oc, 'under_oom');
  const peak = t['memory.max_usage_in_bytes'];
  return {
    current: counter(t['memory.usage_in_bytes']),
    ...(peak !== undefined ? { peak: counter(peak) } : {}),
    max: limit >= V1_UNLIMITED_BYTES ? 'max' : limit,
    // v1 has neither memory.low nor memory.high, so those events cannot happen.
    events: { low: 0n, high: 0n, max: counter(t['memory.failcnt']), oomKill: need(keyedBig(oc, 'oom_kill'), 'memory.oom_control', 'oom_kill') },
    stat: memoryStatFromV1(t['memory.stat']),
    ...(under !== undefined ? { underOom: under } : {}),
  };
}

/**
 * v1 blkio.throttle.io_service_bytes / io_serviced (or their `_recursive`
 * twins): the Read and Write rows per device. A device that has rows in one
 * file only (it appeared or went between the two reads) counts 0 in the
 * other; absent files give no devices.
 */
export function ioStatsFromV1(bytes: string | undefined, serviced: string | undefined): IoStats {
  const b = bytes === undefined ? new Map<string, Map<string, bigint>>() : parseBlkioOps(bytes).devices;
  const s = serviced === undefined ? new Map<string, Map<string, bigint>>() : parseBlkioOps(serviced).devices;
  const names = [...b.keys(), ...[...s.keys()].filter((d) => !b.has(d))];
  const devices: IoDeviceStats[] = names.map((device) => ({
    device,
    rbytes: b.get(device)?.get('Read') ?? 0n,
    wbytes: b.get(device)?.get('Write') ?? 0n,
    rios: s.get(device)?.get('Read') ?? 0n,
    wios: s.get(device)?.get('Write') ?? 0n,
  }));
  return { devices };
}

/** cpu part on v1: usage from the cpuacct directory, throttling from the cpu directory. */
export async function readCpuV1(fs: CgroupFs, cpuDir: string, acctDir: string): Promise<CpuStats | undefined> {
  const [acct, cpu] = await Promise.all([
    readPart(fs, acctDir, ['cpuacct.usage', 'cpuacct.stat']),
    readPart(fs, cpuDir, ['cpu.stat']),
  ]);
  if (!acct || !cpu) return undefined;
  return parseAt(`${acctDir} + ${cpuDir}`, () => cpuStatsFromV1({ ...acct, ...cpu }));
}

export async function readMemoryV1(fs: CgroupFs, dir: string): Promise<MemoryStats | undefined> {
  const t = await readPart(fs, dir,
    ['memory.usage_in_bytes', 'memory.limit_in_bytes', 'memory.failcnt', 'memory.oom_control', 'memory.stat'], ['memory.max_usage_in_bytes']);
  return t && parseAt(dir, () => memoryStatsFromV1(t));
}

/** Hierarchical counters (`_recursive`, like v2 io.stat) where the kernel has them. */
export async function readIoV1(fs: CgroupFs, dir: string): Promise<IoStats> {
  const pick = async (base: string): Promise<string | undefined> =>
    (await readOptional(fs, `${dir}/${base}_recursive`)) ?? readOptional(fs, `${dir}/${base}`);
  const [bytes, serviced] = await Promise.all([pick('blkio.throttle.io_service_bytes'), pick('blkio.throttle.io_serviced')]);
  if (bytes === undefined && serviced === undefined) await fs.stat(dir);
  return parseAt(dir, () => ioStatsFromV1(bytes, serviced));
}
