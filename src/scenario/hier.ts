/**
 * Where a scenario's groups live on a given layout: which mounted hierarchy
 * holds each controller, which hierarchies the scenario's groups are made
 * in, and where group usage, throttling and freezing are read and written.
 *
 * On v2 everything is in the one unified hierarchy. On hybrid and legacy
 * hosts each v1 controller has its own hierarchy: a group is made in each
 * hierarchy the scenario uses (cpu, cpuacct, freezer when it freezes, and
 * the controllers of the files it writes), and a task is placed in all of
 * them.
 */
import type { LayoutSpec, MountSpec } from '../core/layout.js';
import { controllerByName } from '../core/controllers/index.js';
import { mountOfController } from '../core/mounts.js';
import { ScenarioError } from './errors.js';
import { absDir } from './paths.js';
import type { Scenario } from './types.js';

export class Hierarchies {
  /** The hierarchy of the cpu controller: where tasks are spawned and policies set. */
  readonly primary: MountSpec;
  /** Every hierarchy the scenario's groups are made in, primary first. */
  readonly used: readonly MountSpec[];
  /** Controllers to enable in `cgroup.subtree_control` on the v2 hierarchy (when it is used). */
  readonly v2Controllers: readonly string[];
  readonly usage: { readonly file: 'cpuacct.usage' | 'cpu.stat'; readonly mount: MountSpec };
  readonly freezer: { readonly file: 'freezer.state' | 'cgroup.freeze'; readonly mount: MountSpec } | undefined;

  constructor(readonly layout: LayoutSpec, readonly base: string, s: Scenario) {
    const primary = mountOfController(this.layout, 'cpu');
    if (!primary) throw new ScenarioError(s.file, undefined, `the ${layout.kind} layout has no cpu controller mounted`);
    this.primary = primary;
    const cpuacct = mountOfController(this.layout, 'cpuacct');
    this.usage = cpuacct && cpuacct.version === 1
      ? { file: 'cpuacct.usage', mount: cpuacct }
      : { file: 'cpu.stat', mount: this.primary };
    const freezes = s.timeline.some((a) => a.kind === 'freeze' || a.kind === 'thaw');
    const fz = mountOfController(this.layout, 'freezer');
    const v2 = layout.mounts.find((m) => m.version === 2);
    this.freezer = fz && fz.version === 1 ? { file: 'freezer.state', mount: fz } : v2 ? { file: 'cgroup.freeze', mount: v2 } : undefined;
    const used = new Set<MountSpec>([this.primary, this.usage.mount]);
    if (freezes && this.freezer) used.add(this.freezer.mount);
    const v2c = new Set<string>(this.primary.version === 2 ? ['cpu'] : []);
    for (const w of allWrites(s)) {
      const c = controllerOfFile(w);
      const m = c === undefined ? this.primary : mountOfController(this.layout, c);
      if (m === undefined) continue; // the write reports ENOENT with its line
      used.add(m);
      if (m.version === 2 && c !== undefined) v2c.add(c);
    }
    this.used = [...used];
    this.v2Controllers = [...v2c];
  }

  /** The hierarchy a file like `cpu.max` or `cgroup.procs` is written in. */
  mountOfFile(file: string): MountSpec {
    const c = controllerOfFile(file);
    return (c === undefined ? undefined : mountOfController(this.layout, c)) ?? this.primary;
  }

  dir(m: MountSpec, group: string): string {
    return absDir(m.mountPoint, this.base, group);
  }

  /** The scenario group of an absolute directory in the primary hierarchy (`undefined` outside the scenario root). */
  groupOf(dir: string): string | undefined {
    const root = absDir(this.primary.mountPoint, this.base, '/');
    if (dir === root) return '/';
    return dir.startsWith(`${root}/`) ? dir.slice(root.length) : undefined;
  }
}

/** `cpu.max` → `cpu`, `blkio.weight` → `io`; `cgroup.*` and unknown prefixes → undefined. */
export function controllerOfFile(file: string): string | undefined {
  const prefix = file.split('.')[0]!;
  return controllerByName.get(prefix)?.name;
}

function allWrites(s: Scenario): string[] {
  const files = s.groups.flatMap((g) => g.files.map((f) => f.file));
  for (const a of s.timeline) if (a.kind === 'write') files.push(...a.writes.map((w) => w.file));
  return files;
}
