/**
 * One logical group, many directories. A group `/jobs/a` lives at that path
 * in every hierarchy it needs: on a unified host that is one directory; on a
 * hybrid or legacy host it is one directory per v1 hierarchy carrying a
 * controller the group uses, plus the v2 tree (where mounted) for
 * `cgroup.kill`, `cgroup.freeze` and `cgroup.events`. Callers name
 * controllers; this module says where each one is.
 */
import { CgroupError } from '../core/errors.js';
import { controllerByName } from '../core/controllers/index.js';
import type { LayoutSpec, MountSpec } from '../core/layout.js';
import { mountOfController } from '../core/mounts.js';

/** Controllers a group spans when the caller names none: the ones cgkit's settings and statistics use (plus the v1 freezer on a host without v2). */
export const DEFAULT_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'io'] as const;

export interface GroupDir {
  readonly mount: MountSpec;
  /** Absolute directory of the group in this hierarchy. */
  readonly dir: string;
  readonly version: 1 | 2;
  /** Controllers of the group that live in this hierarchy (v2 spelling; empty for a bare v2 tree). */
  readonly controllers: readonly string[];
}

export interface GroupDirs {
  /** Logical path: `/` or `/a/b`. */
  readonly path: string;
  /** Every directory of the group; the v2 one (when present) last. */
  readonly dirs: readonly GroupDir[];
  /** The v2 directory, when a v2 hierarchy is mounted. */
  readonly v2: GroupDir | undefined;
  /** Where `controller` lives for this group, when the group spans it. */
  dirOf(controller: string): GroupDir | undefined;
}

/** `/a//b/` → `/a/b`; EINVAL for relative paths, `.`/`..`, NUL, `/` inside names. */
export function normPath(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new CgroupError('EINVAL', 'mkdir', String(path), 'a group path is absolute: /name or /a/b');
  if (path.includes('\0')) throw new CgroupError('EINVAL', 'mkdir', path.replace(/\0/g, '\\0'), 'group path contains NUL');
  const segs = path.split('/').filter((s) => s !== '');
  for (const s of segs) {
    if (s === '.' || s === '..') throw new CgroupError('EINVAL', 'mkdir', path, `'${s}' is not a group name`);
    if (s.length > 255) throw new CgroupError('ENAMETOOLONG', 'mkdir', path, 'a group name has at most 255 bytes');
  }
  return `/${segs.join('/')}`;
}

/** `mount` + `/a/b` → `/sys/fs/cgroup/cpu/a/b`. */
export function dirIn(mount: MountSpec, path: string): string {
  return path === '/' ? mount.mountPoint : `${mount.mountPoint}${path}`;
}

/**
 * Where group `path` lives for `controllers` (v2 names; `blkio` is `io`).
 * Controllers the layout does not have are left out when `strict` is false
 * (the default set), and are ENOENT when the caller asked for them.
 */
export function placeGroup(layout: LayoutSpec, path: string, controllers: readonly string[] = DEFAULT_CONTROLLERS, strict = false): GroupDirs {
  const p = normPath(path);
  const v2mount = layout.mounts.find((m) => m.version === 2);
  // Without a v2 tree (legacy), freezing and killing need the v1 freezer.
  const wanted = controllers === DEFAULT_CONTROLLERS && !v2mount ? [...controllers, 'freezer'] : controllers;
  const byMount = new Map<MountSpec, string[]>();
  for (const c of wanted) {
    const def = controllerByName.get(c);
    if (!def) throw new CgroupError('EINVAL', 'mkdir', p, `unknown controller '${c}'`);
    const m = mountOfController(layout, def.name);
    if (!m) {
      if (strict) throw new CgroupError('ENOENT', 'mkdir', p, `the ${def.name} controller is not mounted on this ${layout.kind} host`);
      continue;
    }
    const list = byMount.get(m) ?? [];
    if (!list.includes(def.name)) list.push(def.name);
    byMount.set(m, list);
  }
  if (v2mount && !byMount.has(v2mount)) byMount.set(v2mount, []);
  const dirs: GroupDir[] = [...byMount.entries()]
    .sort(([a], [b]) => a.version - b.version)
    .map(([mount, cs]) => ({ mount, dir: dirIn(mount, p), version: mount.version, controllers: cs }));
  const v2 = dirs.find((d) => d.version === 2);
  return {
    path: p,
    dirs,
    v2,
    dirOf: (c) => {
      const name = controllerByName.get(c)?.name ?? c;
      return dirs.find((d) => d.controllers.includes(name));
    },
  };
}
