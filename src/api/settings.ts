/**
 * Typed settings of a group, the same on cgroup v1 and v2: plan the writes
 * (every value checked by the controller tables before anything is
 * written), read a setting back, and write a whole set with rollback.
 */
import type { CgroupFs } from '../core/fs.js';
import { CgroupError } from '../core/errors.js';
import type { GroupDirs } from './group-dirs.js';
import { DEFAULT_MACHINE, type Machine } from './settings-probe.js';
import { ProbeSet, settingWrites } from './settings-translate.js';
import {
  isSettingKey, SETTING_ORDER, SETTINGS, type SettingKey, type Settings, type SettingTypes, ValueError,
} from './settings-table.js';

export type { CpuMax, FileWrite, SettingKey, Settings, SettingTypes } from './settings-table.js';
export { SETTING_ORDER, V1_UNLIMITED_BYTES } from './settings-table.js';
export { DEFAULT_MACHINE, type Machine } from './settings-probe.js';
export { controllerOfFile, translateWrite } from './settings-translate.js';

/** One write of a plan: absolute file path, exact text, and the setting it serves. */
export interface PlannedWrite {
  path: string;
  text: string;
  key: SettingKey;
}

/** A value for messages: bigints with `n`, strings quoted. */
export function showValue(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(showValue).join(',')}]`;
  if (typeof v === 'object' && v !== null) return `{${Object.entries(v).map(([k, x]) => `${k}:${showValue(x)}`).join(',')}}`;
  return String(v);
}

function refuse(code: CgroupError['code'], path: string, key: string, value: unknown, why: string): CgroupError {
  return new CgroupError(code, 'write', path, `${key} = ${showValue(value)}: ${why}`);
}

/** The v2 texts that set `key` (cpu.max with a burst is three steps, see planWrites). */
function textsOf(key: SettingKey, value: unknown, settings: Settings, path: string): { key: SettingKey; text: string }[] {
  let text: string;
  try {
    text = SETTINGS[key].toText(value);
  } catch (e) {
    if (e instanceof ValueError) throw refuse(e.code, path, key, value, e.message);
    throw e;
  }
  const max = settings['cpu.max'];
  if (key === 'cpu.max' && settings['cpu.max.burst'] !== undefined && max !== undefined) {
    // Unlimited quota with the new period first, then the burst, then the
    // quota: every step is valid whatever burst the group had before.
    const [q, p] = text.split(' ');
    return q === 'max' ? [{ key, text }] : [{ key, text: `max ${p!}` }];
  }
  if (key === 'cpu.max.burst' && max !== undefined && max.quotaUs !== 'max') {
    return [{ key, text }, { key: 'cpu.max', text: `${max.quotaUs}` }];
  }
  return [{ key, text }];
}

/**
 * The writes that apply `settings` to the group `dirs`, in order. Every
 * value is checked first: a wrong JS type or non-integer is EINVAL, a value
 * the controller table refuses keeps the table's errno (ERANGE for cpu.weight
 * 0, EINVAL for a quota under 1 ms, ...), ENOTSUP where the group's
 * hierarchy is v1 and has no equivalent, ENOENT where the group does not span
 * the controller. Nothing is returned unless every value passed, so a caller
 * that writes only plans writes all or nothing. `machine` bounds cpuset lists
 * (default CPUs 0..1023, nodes 0..63).
 */
export function planWrites(dirs: GroupDirs, settings: Settings, machine: Machine = DEFAULT_MACHINE): PlannedWrite[] {
  for (const k of Object.keys(settings)) {
    if (!isSettingKey(k)) throw refuse('EINVAL', `${dirs.path}`, k, (settings as Record<string, unknown>)[k], 'not a setting cgkit knows');
  }
  const has = (k: SettingKey): boolean => settings[k] !== undefined;
  if (has('cpu.weight') && has('cpu.weight.nice')) {
    throw refuse('EINVAL', dirs.path, 'cpu.weight.nice', settings['cpu.weight.nice'], 'cpu.weight and cpu.weight.nice set the same weight; give one');
  }
  if (settings['cpu.idle'] === true && (has('cpu.weight') || has('cpu.weight.nice'))) {
    throw refuse('EINVAL', dirs.path, 'cpu.idle', true, 'an idle group has no weight of its own');
  }
  const probes = new ProbeSet(machine);
  const out: PlannedWrite[] = [];
  for (const key of SETTING_ORDER) {
    const value = settings[key];
    if (value === undefined) continue;
    const def = SETTINGS[key];
    const dir = dirs.dirOf(def.controller);
    if (!dir) throw refuse('ENOENT', `${dirs.path}`, key, value, `the group does not span the ${def.controller} controller`);
    if (dir.version === 1 && !def.v1) throw refuse('ENOTSUP', `${dir.dir}/${key}`, key, value, 'cgroup v1 has no equivalent');
    for (const step of textsOf(key, value, settings, `${dir.dir}/${key}`)) {
      try {
        for (const w of settingWrites(step.key, step.text, dir.version, probes)) out.push({ path: `${dir.dir}/${w.file}`, text: w.text, key });
      } catch (e) {
        if (!(e instanceof CgroupError)) throw e;
        throw refuse(e.code, `${dir.dir}/${e.path ?? key}`, key, value, e.detail ?? e.message);
      }
    }
  }
  return out;
}

async function readAt(fs: CgroupFs, path: string): Promise<string> {
  return fs.readFile(path);
}

function parseAt<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CgroupError && e.path === undefined) throw new CgroupError(e.code, 'read', path, e.detail);
    throw e;
  }
}

/** The current value of `key`, read from the right file(s) of the group's hierarchy and converted back (v1 shares → weight). */
export async function readSetting<K extends SettingKey>(fs: CgroupFs, dirs: GroupDirs, key: K): Promise<SettingTypes[K]> {
  if (!isSettingKey(key)) throw new CgroupError('EINVAL', 'read', dirs.path, `'${String(key)}' is not a setting cgkit knows`);
  const def = SETTINGS[key] as (typeof SETTINGS)[K];
  const dir = dirs.dirOf(def.controller);
  if (!dir) throw new CgroupError('ENOENT', 'read', dirs.path, `${key}: the group does not span the ${def.controller} controller`);
  if (dir.version === 2) {
    const path = `${dir.dir}/${key}`;
    const text = await readAt(fs, path);
    return parseAt(path, () => def.read(text));
  }
  const v1 = def.v1;
  if (!v1) throw new CgroupError('ENOTSUP', 'read', `${dir.dir}/${key}`, `cgroup v1 has no equivalent of ${key}`);
  const paths = v1.files.map((f) => `${dir.dir}/${f}`);
  const texts = await Promise.all(paths.map((p) => readAt(fs, p)));
  return parseAt(paths.join(' + '), () => v1.read(texts));
}

/** Every setting in `keys`, read now. */
export async function readSettings(fs: CgroupFs, dirs: GroupDirs, keys: readonly SettingKey[]): Promise<Settings> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = await readSetting(fs, dirs, k);
  return out as Settings;
}

/**
 * Plan, then write in order. When a write fails, the settings whose writes
 * had started are put back to the values read before (planned the same
 * safe way) and the write's error is thrown; if putting back fails too, an
 * AggregateError holds the write's error first, then the rollback's.
 * (v1 weights go back through cpu.shares rounding: within 1 %.)
 */
export async function writeSettings(fs: CgroupFs, dirs: GroupDirs, settings: Settings, machine: Machine = DEFAULT_MACHINE): Promise<void> {
  const plan = planWrites(dirs, settings, machine);
  const keys = SETTING_ORDER.filter((k) => plan.some((w) => w.key === k));
  const before = await readSettings(fs, dirs, keys);
  for (let i = 0; i < plan.length; i++) {
    const w = plan[i]!;
    try {
      await fs.writeFile(w.path, w.text);
    } catch (e) {
      const started = new Set(plan.slice(0, i + 1).map((x) => x.key));
      const undo: Record<string, unknown> = {};
      for (const k of started) undo[k] = before[k];
      if (undo['cpu.idle'] === true) {
        delete undo['cpu.weight'];
        delete undo['cpu.weight.nice'];
      }
      const errors: unknown[] = [];
      try {
        for (const u of planWrites(dirs, undo as Settings, machine)) await fs.writeFile(u.path, u.text);
      } catch (r) {
        errors.push(r);
      }
      if (errors.length > 0) throw new AggregateError([e, ...errors], `${w.path}: write failed and the earlier writes could not be undone`, { cause: e });
      throw e;
    }
  }
}
