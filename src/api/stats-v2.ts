/**
 * Statistics from cgroup v2 files (and the pids files, which v1 shares).
 * The `*FromV2` functions are pure: file texts in, typed values out, keyed
 * files read by key. The `read*` functions fetch the texts.
 */
import { parseBigInt } from '../core/format/int.js';
import { keyedBig, parseFlat, parseNested } from '../core/format/keyed.js';
import type { Max } from '../core/format/max.js';
import { parsePsi } from '../core/format/psi.js';
import { strstrip } from '../core/format/text.js';
import { CgroupError } from '../core/errors.js';
import type { CgroupFs } from '../core/fs.js';
import { need, parseAt, readOptional, readPart } from './stats-io.js';
import type { CpuStats, IoDeviceStats, IoStats, MemoryStat, MemoryStats, PidsStats, Pressure } from './stats-types.js';

const counter = (t: string): bigint => parseBigInt(t, { unsigned: true, syscall: 'read' });
export const maxOrCounter = (t: string): Max<bigint> => (strstrip(t) === 'max' ? 'max' : counter(t));

/**
 * v2 cpu.stat. The core always prints usage_usec, user_usec and
 * system_usec (even where the cpu controller is not enabled for the
 * group); the throttling keys (nr_periods, nr_throttled, throttled_usec,
 * and the burst ones) only come with the cpu controller, and are left out
 * where absent.
 */
export function cpuStatsFromV2(cpuStat: string): CpuStats {
  const m = parseFlat(cpuStat);
  const get = (k: string): bigint => need(keyedBig(m, k), 'cpu.stat', k);
  const out: CpuStats = { usageUsec: get('usage_usec'), userUsec: get('user_usec'), systemUsec: get('system_usec') };
  const nrPeriods = keyedBig(m, 'nr_periods');
  if (nrPeriods !== undefined) {
    out.nrPeriods = nrPeriods;
    out.nrThrottled = get('nr_throttled');
    out.throttledUsec = get('throttled_usec');
  }
  const nrBursts = keyedBig(m, 'nr_bursts');
  const burstUsec = keyedBig(m, 'burst_usec');
  if (nrBursts !== undefined) out.nrBursts = nrBursts;
  if (burstUsec !== undefined) out.burstUsec = burstUsec;
  return out;
}

/** Every key of a flat keyed file as a counter. */
export function flatCounters(text: string): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  const m = parseFlat(text);
  for (const k of m.keys()) out[k] = keyedBig(m, k)!;
  return out;
}

export interface MemoryV2Texts {
  'memory.current': string;
  'memory.max': string;
  'memory.events': string;
  'memory.stat': string;
  'memory.peak'?: string | undefined;
}

export function memoryStatsFromV2(t: MemoryV2Texts): MemoryStats {
  const ev = parseFlat(t['memory.events']);
  const e = (k: string): bigint => need(keyedBig(ev, k), 'memory.events', k);
  const oom = keyedBig(ev, 'oom');
  const peak = t['memory.peak'];
  return {
    current: counter(t['memory.current']),
    ...(peak !== undefined ? { peak: counter(peak) } : {}),
    max: maxOrCounter(t['memory.max']),
    events: { low: e('low'), high: e('high'), max: e('max'), ...(oom !== undefined ? { oom } : {}), oomKill: e('oom_kill') },
    stat: flatCounters(t['memory.stat']) as MemoryStat,
  };
}

export interface PidsTexts {
  'pids.current': string;
  'pids.max': string;
  'pids.events': string;
  'pids.peak'?: string | undefined;
}

/** pids files (the same on v1 and v2). */
export function pidsStatsFromTexts(t: PidsTexts): PidsStats {
  const peak = t['pids.peak'];
  return {
    current: counter(t['pids.current']),
    max: maxOrCounter(t['pids.max']),
    ...(peak !== undefined ? { peak: counter(peak) } : {}),
    events: { max: need(keyedBig(parseFlat(t['pids.events']), 'max'), 'pids.events', 'max') },
  };
}

/**
 * v2 io.stat: `MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=..`.
 * The kernel prints a device with nothing counted as a bare `MAJ:MIN`: all
 * four counters are zero then.
 */
export function ioStatsFromV2(ioStat: string): IoStats {
  const devices: IoDeviceStats[] = [];
  for (const [device, sub] of parseNested(ioStat)) {
    if (sub.size === 0) {
      devices.push({ device, rbytes: 0n, wbytes: 0n, rios: 0n, wios: 0n });
      continue;
    }
    const g = (k: string): bigint => counter(need(sub.get(k), 'io.stat', `${device} ${k}`));
    devices.push({ device, rbytes: g('rbytes'), wbytes: g('wbytes'), rios: g('rios'), wios: g('wios') });
  }
  return { devices };
}

/** A {cpu,memory,io}.pressure file. */
export function pressureFromText(text: string): Pressure {
  const p = parsePsi(text);
  if (!p.some) throw new CgroupError('EINVAL', 'read', undefined, 'no "some" line');
  return p.full ? { some: p.some, full: p.full } : { some: p.some };
}

export async function readCpuV2(fs: CgroupFs, dir: string): Promise<CpuStats | undefined> {
  const t = await readPart(fs, dir, ['cpu.stat']);
  return t && parseAt(`${dir}/cpu.stat`, () => cpuStatsFromV2(t['cpu.stat']));
}

export async function readMemoryV2(fs: CgroupFs, dir: string): Promise<MemoryStats | undefined> {
  const t = await readPart(fs, dir, ['memory.current', 'memory.max', 'memory.events', 'memory.stat'], ['memory.peak']);
  return t && parseAt(dir, () => memoryStatsFromV2(t));
}

export async function readPids(fs: CgroupFs, dir: string): Promise<PidsStats | undefined> {
  const t = await readPart(fs, dir, ['pids.current', 'pids.max', 'pids.events'], ['pids.peak']);
  return t && parseAt(dir, () => pidsStatsFromTexts(t));
}

export async function readIoV2(fs: CgroupFs, dir: string): Promise<IoStats | undefined> {
  const t = await readPart(fs, dir, ['io.stat']);
  return t && parseAt(`${dir}/io.stat`, () => ioStatsFromV2(t['io.stat']));
}

/** PSI of a v2 directory; each resource is absent where its file is. */
export async function readPressure(fs: CgroupFs, dir: string): Promise<{ cpu?: Pressure; memory?: Pressure; io?: Pressure } | undefined> {
  const out: { cpu?: Pressure; memory?: Pressure; io?: Pressure } = {};
  const names = ['cpu', 'memory', 'io'] as const;
  const texts = await Promise.all(names.map((r) => readOptional(fs, `${dir}/${r}.pressure`)));
  names.forEach((r, i) => {
    const t = texts[i];
    if (t !== undefined) out[r] = parseAt(`${dir}/${r}.pressure`, () => pressureFromText(t));
  });
  return Object.keys(out).length > 0 ? out : undefined;
}
