/**
 * The one table of typed settings. A setting is named by its cgroup v2 file
 * and has one JS type on every host; each entry says how a typed value
 * becomes the v2 file's text, how that file's text reads back, and what the
 * v1 files are (how a value the v2 table parsed is written there, and how
 * those files read back). planWrites (settings.ts) and translateWrite
 * (settings-translate.ts) both go through this table.
 */
import { parseCpuList } from '../core/format/cpulist.js';
import { pageCounterMax } from '../core/format/bytes.js';
import { parseFlat } from '../core/format/keyed.js';
import { parseBigInt, parseSafeInt, U64_MAX } from '../core/format/int.js';
import { scanU64 } from '../core/format/scan.js';
import { formatCpuList } from '../core/format/cpulist.js';
import { strstrip } from '../core/format/text.js';
import type { Max } from '../core/format/max.js';
import { SCHED_PRIO_TO_WEIGHT, sharesToNice, sharesToWeight, weightToShares } from '../core/controllers/cpu-weight.js';
import { CgroupError } from '../core/errors.js';

export interface CpuMax {
  quotaUs: 'max' | number;
  periodUs: number;
}

/** Settings by v2 file name, with the same types on cgroup v1 and v2. */
export interface SettingTypes {
  /** 1..10000; v1 cpu.shares (weightToShares), read back with sharesToWeight. */
  'cpu.weight': number;
  /** -20..19; v1 cpu.shares from the nice→weight table. */
  'cpu.weight.nice': number;
  'cpu.idle': boolean;
  /** v1 cpu.cfs_quota_us (-1 for max) and cpu.cfs_period_us. */
  'cpu.max': CpuMax;
  /** µs; v1 cpu.cfs_burst_us. */
  'cpu.max.burst': number;
  'cpuset.cpus': number[];
  'cpuset.mems': number[];
  /** Bytes; v1 memory.limit_in_bytes (-1 for max). */
  'memory.max': Max<bigint>;
  /** v2 only. */
  'memory.high': Max<bigint>;
  /** v2 only; `max` protects everything. */
  'memory.low': Max<bigint>;
  /** v2 only; `max` protects everything. */
  'memory.min': Max<bigint>;
  /** v2 only (v1 memory.memsw.limit_in_bytes counts memory and swap together: not the same limit). */
  'memory.swap.max': Max<bigint>;
  'pids.max': Max<number>;
  /** The default weight of io.weight, 1..10000; v2 only. */
  'io.weight': number;
}

export type SettingKey = keyof SettingTypes;
export type Settings = { [K in SettingKey]?: SettingTypes[K] };

/** One write of a plan: a file name (no directory) and the exact text. */
export interface FileWrite {
  file: string;
  text: string;
}

export type SettingController = 'cpu' | 'cpuset' | 'memory' | 'pids' | 'io';

export interface V1Mapping<T> {
  /** Writes on v1 for `parsed`, the value the v2 table's parse gave for `text`. */
  writes(parsed: unknown, text: string): FileWrite[];
  /** Files readSetting reads, in this order. */
  files: readonly string[];
  read(texts: readonly string[]): T;
}

export interface SettingDef<T> {
  readonly controller: SettingController;
  /** The typed value as the v2 file's text; EINVAL for a wrong JS type, ERANGE for an unsafe number. */
  toText(v: unknown): string;
  /** The v2 file's text as read. */
  read(text: string): T;
  /** v1 files, or undefined where v1 has no equivalent (ENOTSUP). */
  readonly v1?: V1Mapping<T>;
}

/** A type error of a value; `planWrites` adds the key and the value to the message. */
export class ValueError extends Error {
  constructor(readonly code: 'EINVAL' | 'ERANGE', why: string) {
    super(why);
  }
}

function int(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ValueError('EINVAL', 'an integer number is needed');
  if (!Number.isSafeInteger(v)) throw new ValueError('ERANGE', 'not a safe integer');
  return v;
}

function bytes(v: unknown, maxOk: boolean): string {
  if (maxOk && v === 'max') return 'max';
  if (typeof v !== 'bigint') throw new ValueError('EINVAL', maxOk ? "'max' or a bigint byte count is needed" : 'a bigint byte count is needed');
  if (v > U64_MAX) throw new ValueError('ERANGE', 'more than 2^64-1 bytes');
  return `${v}`;
}

function cpuList(v: unknown): string {
  if (!Array.isArray(v)) throw new ValueError('EINVAL', 'an array of numbers is needed');
  for (const x of v) {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) throw new ValueError('EINVAL', `${String(x)} is not a CPU or node number`);
  }
  return formatCpuList(v as number[]).replace(/\n$/, '');
}

const readInt = (t: string): number => parseSafeInt(t);
const readMaxBytes = (t: string): Max<bigint> => (strstrip(t) === 'max' ? 'max' : parseBigInt(t, { unsigned: true, syscall: 'read' }));

/**
 * v1 memory limits read as bytes; PAGE_COUNTER_MAX pages (9223372036854771712
 * with 4 KiB pages) is unlimited. Anything at or past the 64 KiB-page value of
 * it is taken as unlimited, so hosts with larger pages read `max` too.
 */
export const V1_UNLIMITED_BYTES = pageCounterMax(65536n) * 65536n;

function readV1Limit(t: string): Max<bigint> {
  const v = parseBigInt(t, { syscall: 'read' });
  return v < 0n || v >= V1_UNLIMITED_BYTES ? 'max' : v;
}

/** Did a cpu.max text give a period? (cpu_period_quota_parse: `%20s %llu`, 1 or 2 fields.) */
function cpuMaxHasPeriod(text: string): boolean {
  const t = text.replace(/^\s+/, '');
  const tok = /^\S{1,20}/.exec(t)?.[0] ?? '';
  return scanU64(t.slice(tok.length)) !== undefined;
}

const same = (file: string) => ({
  writes: (_p: unknown, text: string): FileWrite[] => [{ file, text }],
  files: [file],
});

function def<T>(d: SettingDef<T>): SettingDef<T> {
  return d;
}

const maxBytes = (maxOk: boolean) => ({ controller: 'memory' as const, toText: (v: unknown) => bytes(v, maxOk), read: readMaxBytes });

export const SETTINGS: { readonly [K in SettingKey]: SettingDef<SettingTypes[K]> } = {
  'cpu.weight': def({
    controller: 'cpu',
    toText: (v) => {
      // The file takes an unsigned number (`-1` is EINVAL there); a typed
      // weight below the range is out of range like 0 is.
      if (int(v) < 0) throw new ValueError('ERANGE', 'cpu.weight is 1..10000');
      return `${v as number}`;
    },
    read: readInt,
    v1: {
      writes: (p) => [{ file: 'cpu.shares', text: `${weightToShares(Number(p as bigint))}` }],
      files: ['cpu.shares'],
      read: ([s]) => sharesToWeight(readInt(s!)),
    },
  }),
  'cpu.weight.nice': def({
    controller: 'cpu',
    toText: (v) => `${int(v)}`,
    read: readInt,
    v1: {
      writes: (p) => [{ file: 'cpu.shares', text: `${SCHED_PRIO_TO_WEIGHT[Number(p as bigint) + 20]!}` }],
      files: ['cpu.shares'],
      read: ([s]) => sharesToNice(readInt(s!)),
    },
  }),
  'cpu.idle': def({
    controller: 'cpu',
    toText: (v) => {
      if (typeof v !== 'boolean') throw new ValueError('EINVAL', 'true or false is needed');
      return v ? '1' : '0';
    },
    read: (t) => readInt(t) !== 0,
    v1: { ...same('cpu.idle'), read: ([t]) => readInt(t!) !== 0 },
  }),
  'cpu.max': def({
    controller: 'cpu',
    toText: (v) => {
      if (typeof v !== 'object' || v === null) throw new ValueError('EINVAL', 'an object { quotaUs, periodUs } is needed');
      const { quotaUs, periodUs } = v as Partial<CpuMax>;
      return `${quotaUs === 'max' ? 'max' : int(quotaUs)} ${int(periodUs)}`;
    },
    read: (t) => {
      const [q, p, ...rest] = strstrip(t).split(/\s+/);
      if (q === undefined || p === undefined || rest.length > 0) throw new CgroupError('EINVAL', 'read', undefined, `not "$MAX $PERIOD": ${JSON.stringify(t)}`);
      return { quotaUs: q === 'max' ? 'max' : readInt(q), periodUs: readInt(p) };
    },
    v1: {
      // Lifting the quota first makes every step valid whatever the old
      // values were (a finite quota/period pair in between could exceed the
      // parent's ratio or fall below the burst); the limit is then set last.
      writes: (p, text) => {
        const { quotaUs, periodUs } = p as { quotaUs: Max<bigint>; periodUs: bigint };
        if (!cpuMaxHasPeriod(text)) return [{ file: 'cpu.cfs_quota_us', text: quotaUs === 'max' ? '-1' : `${quotaUs}` }];
        const w = [{ file: 'cpu.cfs_quota_us', text: '-1' }, { file: 'cpu.cfs_period_us', text: `${periodUs}` }];
        return quotaUs === 'max' ? w : [...w, { file: 'cpu.cfs_quota_us', text: `${quotaUs}` }];
      },
      files: ['cpu.cfs_quota_us', 'cpu.cfs_period_us'],
      read: ([q, p]) => {
        const quota = parseSafeInt(q!);
        return { quotaUs: quota < 0 ? 'max' : quota, periodUs: readInt(p!) };
      },
    },
  }),
  'cpu.max.burst': def({
    controller: 'cpu',
    toText: (v) => `${int(v)}`,
    read: readInt,
    v1: {
      writes: (_p, text) => [{ file: 'cpu.cfs_burst_us', text }],
      files: ['cpu.cfs_burst_us'],
      read: ([t]) => readInt(t!),
    },
  }),
  'cpuset.cpus': def({
    controller: 'cpuset',
    toText: cpuList,
    read: (t) => parseCpuList(t, 8192, { syscall: 'read' }),
    v1: { ...same('cpuset.cpus'), read: ([t]) => parseCpuList(t!, 8192, { syscall: 'read' }) },
  }),
  'cpuset.mems': def({
    controller: 'cpuset',
    toText: cpuList,
    read: (t) => parseCpuList(t, 8192, { syscall: 'read' }),
    v1: { ...same('cpuset.mems'), read: ([t]) => parseCpuList(t!, 8192, { syscall: 'read' }) },
  }),
  'memory.max': def({
    ...maxBytes(true),
    v1: {
      writes: (_p, text) => [{ file: 'memory.limit_in_bytes', text: strstrip(text) === 'max' ? '-1' : text }],
      files: ['memory.limit_in_bytes'],
      read: ([t]) => readV1Limit(t!),
    },
  }),
  'memory.high': def(maxBytes(true)),
  'memory.low': def(maxBytes(true)),
  'memory.min': def(maxBytes(true)),
  'memory.swap.max': def(maxBytes(true)),
  'pids.max': def({
    controller: 'pids',
    toText: (v) => (v === 'max' ? 'max' : `${int(v)}`),
    read: (t) => (strstrip(t) === 'max' ? 'max' : readInt(t)),
    v1: { ...same('pids.max'), read: ([t]) => (strstrip(t!) === 'max' ? 'max' : readInt(t!)) },
  }),
  'io.weight': def({
    controller: 'io',
    toText: (v) => `default ${int(v)}`,
    read: (t) => {
      const d = parseFlat(t).get('default');
      if (d === undefined) throw new CgroupError('EINVAL', 'read', undefined, 'io.weight has no default line');
      return readInt(d);
    },
  }),
};

/** Keys in the order a plan writes them (cpu.idle first: a group leaving idle takes a weight after it). */
export const SETTING_ORDER: readonly SettingKey[] = [
  'cpu.idle', 'cpu.weight', 'cpu.weight.nice', 'cpu.max', 'cpu.max.burst', 'cpuset.mems', 'cpuset.cpus',
  'memory.min', 'memory.low', 'memory.high', 'memory.max', 'memory.swap.max', 'pids.max', 'io.weight',
];

export function isSettingKey(k: string): k is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTINGS, k);
}
