/**
 * Setting writes for a hierarchy version, checked against the controller
 * tables: the text is parsed and validated the way the v2 file would take
 * it (so a bad value gets the same errno on every host), then turned into
 * the v1 files' writes where the group's hierarchy is v1, each of those
 * checked by the v1 table in turn. `translateWrite` is the raw-text form the
 * scenario runner uses to play unified-layout scenario files on v1/hybrid.
 */
import type { HierVersion } from '../core/controller.js';
import { ALL_CONTROLLER_DEFS } from '../core/controllers/index.js';
import { CgroupError } from '../core/errors.js';
import { DEFAULT_MACHINE, type Machine, Probe } from './settings-probe.js';
import { type FileWrite, isSettingKey, SETTINGS, type SettingKey } from './settings-table.js';

/** Scratch groups shared by the writes of one plan, one per controller and version. */
export class ProbeSet {
  private readonly probes = new Map<string, Probe>();
  constructor(private readonly machine: Machine = DEFAULT_MACHINE) {}

  get(controller: string, version: HierVersion): Probe {
    const id = `${controller}@${version}`;
    let p = this.probes.get(id);
    if (!p) this.probes.set(id, (p = new Probe(controller, version, this.machine)));
    return p;
  }
}

/** Run one write on a probe; a refusal keeps its errno and names the file in `path`. */
function check(p: Probe, file: string, text: string): unknown {
  try {
    return p.write(file, text);
  } catch (e) {
    if (e instanceof CgroupError) throw new CgroupError(e.code, 'write', file, e.detail ?? e.message);
    throw e;
  }
}

/**
 * The writes that set `key` to the v2 text `text` on a hierarchy of version
 * `target`, after the tables accepted every one of them on `probes`. ENOTSUP
 * (path = key) when v1 has no equivalent. Errors carry the refused file's
 * name (no directory) in `path`.
 */
export function settingWrites(key: SettingKey, text: string, target: HierVersion, probes: ProbeSet): FileWrite[] {
  const def = SETTINGS[key];
  if (target === 1 && !def.v1) throw new CgroupError('ENOTSUP', 'write', key, `cgroup v1 has no equivalent of ${key}`);
  const parsed = check(probes.get(def.controller, 2), key, text);
  if (target === 2) return [{ file: key, text }];
  const writes = def.v1!.writes(parsed, text);
  const v1 = probes.get(def.controller, 1);
  for (const w of writes) check(v1, w.file, w.text);
  return writes;
}

/** Does some controller table have `file` on hierarchy version `v`? */
export function fileExistsOn(file: string, v: HierVersion): boolean {
  return ALL_CONTROLLER_DEFS.some((c) => c.versions.includes(v) && c.files.some((f) => f.name === file && f.versions.includes(v)));
}

/** The controller (v2 name) whose table has `file`, or undefined for core files (`cgroup.*`, `tasks`). */
export function controllerOfFile(file: string): string | undefined {
  return ALL_CONTROLLER_DEFS.find((c) => c.files.some((f) => f.name === file))?.name;
}

/** Core files of every v1 hierarchy that are not `cgroup.*`. */
const V1_CORE = ['tasks', 'notify_on_release', 'release_agent'];
const isCoreFile = (file: string): boolean => file.startsWith('cgroup.');

/**
 * A write of v2 file `file` with `text`, as the writes that do the same on
 * a hierarchy of version `target`:
 *
 * - the typed settings (cpu.weight, cpu.max, memory.max, ...) go through
 *   the settings table: parsed and validated as v2 takes them (cpu.weight
 *   `0` is ERANGE on either version), then written as their v1 files
 *   (cpu.weight `100` → cpu.shares `1024`; cpu.max `50000 100000` →
 *   cpu.cfs_quota_us `-1`, cpu.cfs_period_us `100000`, cpu.cfs_quota_us
 *   `50000`; memory.max `max` → memory.limit_in_bytes `-1`);
 * - other controller files that exist on the target, and core `cgroup.*`
 *   files (which the caller writes in the group's v2 directory), pass
 *   through unchanged;
 * - anything else is ENOTSUP (memory.high, io.weight, cpuset.cpus.partition
 *   on v1; v1-only files such as cpu.shares on v2).
 *
 * The result names files without a directory; `controllerOfFile` says which
 * hierarchy each belongs to. `machine` bounds cpuset lists (default 0..1023).
 */
export function translateWrite(file: string, text: string, target: HierVersion, machine: Machine = DEFAULT_MACHINE): FileWrite[] {
  if (target === 2) {
    if (isCoreFile(file) || fileExistsOn(file, 2)) return [{ file, text }];
    throw new CgroupError('ENOTSUP', 'write', file, `cgroup v2 has no ${file}`);
  }
  if (isSettingKey(file)) {
    try {
      return settingWrites(file, text, 1, new ProbeSet(machine));
    } catch (e) {
      if (!(e instanceof CgroupError)) throw e;
      throw new CgroupError(e.code, 'write', e.path ?? file, `${file} ${JSON.stringify(text)}: ${e.detail ?? e.message}`);
    }
  }
  if (isCoreFile(file) || V1_CORE.includes(file) || fileExistsOn(file, 1)) return [{ file, text }];
  throw new CgroupError('ENOTSUP', 'write', file, `cgroup v1 has no equivalent of ${file}`);
}
