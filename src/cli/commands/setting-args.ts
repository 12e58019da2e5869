/**
 * Settings as a user types them on the command line (`cpu.max=50000/100000`,
 * `memory.max=512M`, `cpuset.cpus=0-1`) to typed values, and typed values
 * back to that text. Only the form is checked here (EINVAL); ranges and the
 * kernel's rules are checked by the API against the controller tables
 * before anything is written.
 */
import { CgroupError } from '../../core/errors.js';
import { formatCpuList, parseCpuList } from '../../core/format/cpulist.js';
import type { Cgroup } from '../../api/cgroup.js';
import { isSettingKey, SETTING_ORDER } from '../../api/settings-table.js';
import type { SettingKey, Settings, SettingTypes } from '../../api/settings.js';

/** The default CFS period, µs (what a group starts with). */
export const DEFAULT_PERIOD_US = 100_000;

/** A parsed value; `cpu.max` may lack its period (`50000`, `max`): the group's current one is kept. */
export type ParsedValue = SettingTypes[SettingKey] | { quotaUs: 'max' | number; periodUs?: number };
export type ParsedSettings = Map<SettingKey, ParsedValue>;

const bad = (key: string, text: string, why: string): CgroupError => new CgroupError('EINVAL', 'write', key, `${JSON.stringify(text)}: ${why}`);

const SHIFT: Record<string, bigint> = { k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n };

/** `4096`, `512K`, `1G`, `2GiB`, `1.5G` is not taken (whole numbers only). */
export function parseSize(key: string, text: string): bigint {
  const m = /^(\d+)\s*([kmgtpe])?(?:i?b)?$/i.exec(text.trim());
  if (!m) throw bad(key, text, 'expected bytes (4096, 512K, 1G, ...)');
  const shift = m[2] === undefined ? 0n : SHIFT[m[2].toLowerCase()]!;
  return BigInt(m[1]!) << shift;
}

function parseMaxSize(key: string, text: string): 'max' | bigint {
  return text.trim() === 'max' ? 'max' : parseSize(key, text);
}

function parseInteger(key: string, text: string, signed: boolean): number {
  const t = text.trim();
  if (!(signed ? /^[+-]?\d+$/ : /^\d+$/).test(t)) throw bad(key, text, signed ? 'expected an integer' : 'expected a whole number');
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw new CgroupError('ERANGE', 'write', key, `${JSON.stringify(text)}: too large`);
  return n;
}

function parseBool(key: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off'].includes(t)) return false;
  throw bad(key, text, 'expected 1 or 0 (true/false)');
}

/** `50000/100000`, `50000 100000`, `max`, `max/100000`, `50000` (period kept). */
function parseCpuMax(key: string, text: string): ParsedValue {
  const parts = text.trim().split(/\s*\/\s*|\s+/);
  if (parts.length < 1 || parts.length > 2 || parts[0] === '') throw bad(key, text, 'expected QUOTA/PERIOD, "QUOTA PERIOD" or max');
  const q = parts[0]!;
  const quotaUs = q === 'max' ? 'max' : parseInteger(key, q, false);
  return parts[1] === undefined ? { quotaUs } : { quotaUs, periodUs: parseInteger(key, parts[1], false) };
}

function parseList(key: string, text: string): number[] {
  try {
    return parseCpuList(text, 8192, { path: key });
  } catch (e) {
    if (e instanceof CgroupError) throw bad(key, text, 'expected a list such as 0-3,6');
    throw e;
  }
}

/** One value of `key` from its command-line text. */
export function parseSettingValue(key: SettingKey, text: string): ParsedValue {
  switch (key) {
    case 'cpu.weight': case 'cpu.max.burst': case 'io.weight': return parseInteger(key, text, false);
    case 'cpu.weight.nice': return parseInteger(key, text, true);
    case 'cpu.idle': return parseBool(key, text);
    case 'cpu.max': return parseCpuMax(key, text);
    case 'cpuset.cpus': case 'cpuset.mems': return parseList(key, text);
    case 'memory.max': case 'memory.high': case 'memory.low': case 'memory.min': case 'memory.swap.max': return parseMaxSize(key, text);
    case 'pids.max': return text.trim() === 'max' ? 'max' : parseInteger(key, text, false);
  }
}

export function settingKey(k: string): SettingKey {
  if (!isSettingKey(k)) throw new CgroupError('EINVAL', 'write', k, `unknown setting; known: ${SETTING_ORDER.join(', ')}`);
  return k;
}

/** `KEY=VALUE` arguments; every one parsed before anything is used. A key given twice: the last wins. */
export function parseAssignments(args: readonly string[]): ParsedSettings {
  const out: ParsedSettings = new Map();
  for (const a of args) {
    const i = a.indexOf('=');
    if (i <= 0) throw new CgroupError('EINVAL', 'write', a, 'expected KEY=VALUE');
    const key = settingKey(a.slice(0, i).trim());
    out.set(key, parseSettingValue(key, a.slice(i + 1)));
  }
  return out;
}

/**
 * Typed settings: a `cpu.max` without a period takes the group's current
 * period (the default period for a group not made yet).
 */
export async function completeSettings(parsed: ParsedSettings, group: Cgroup | undefined): Promise<Settings> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of parsed) {
    if (key === 'cpu.max' && typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { periodUs?: number }).periodUs === undefined) {
      const periodUs = group ? (await group.get('cpu.max')).periodUs : DEFAULT_PERIOD_US;
      out[key] = { quotaUs: (v as { quotaUs: 'max' | number }).quotaUs, periodUs };
    } else {
      out[key] = v;
    }
  }
  return out as Settings;
}

/** A typed value as `set` takes it back (`cpu.max` as QUOTA/PERIOD, lists as ranges, booleans 1/0). */
export function formatSettingValue(key: SettingKey, v: unknown): string {
  if (key === 'cpu.max') {
    const c = v as SettingTypes['cpu.max'];
    return `${c.quotaUs}/${c.periodUs}`;
  }
  if (Array.isArray(v)) return formatCpuList(v as number[]).replace(/\n$/, '');
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

/** Every setting key, in the order plans write them. */
export const ALL_KEYS: readonly SettingKey[] = SETTING_ORDER;
