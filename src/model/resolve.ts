import { CgroupError, type Syscall } from '../core/errors.js';
import type { Cgroup, Hierarchy } from './cgroup.js';
import type { CgFile } from './files.js';
import type { Kernel } from './kernel.js';
import { MAY_EXEC, mayAccess } from './perm.js';
import { resolveProc } from './procfs.js';
import type { Cred, Task } from './task.js';
import { coreFilesOf } from './core-files.js';
import { findFile } from './files.js';

/** What a path names in the simulated kernel's filesystem. */
export type Node =
  | { t: 'vdir'; path: string; entries: () => string[]; readOnlyFs: boolean }
  | { t: 'vfile'; path: string; read: () => string }
  | { t: 'cg'; path: string; cg: Cgroup }
  | { t: 'cgfile'; path: string; cg: Cgroup; file: CgFile };

/**
 * Split an absolute path into names. Empty (`a//b`, a trailing `/`), `.`
 * and `..` segments are refused (EINVAL), as HostFs refuses them: callers
 * name cgroups by their real path. `/` alone is the root.
 */
export function splitPath(path: string, syscall: Syscall): string[] {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new CgroupError('EINVAL', syscall, path, 'paths must be absolute');
  if (path.includes('\0')) throw new CgroupError('EINVAL', syscall, path, 'path contains NUL');
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '') {
      if (path === '/' || out.length === 0) continue;
      throw new CgroupError('EINVAL', syscall, path, 'empty path segment');
    }
    if (seg === '.' || seg === '..') throw new CgroupError('EINVAL', syscall, path, `'${seg}' segments are not accepted`);
    if (seg.length > 255) throw new CgroupError('ENAMETOOLONG', syscall, path);
    out.push(seg);
  }
  return out;
}

/** Mount points (and their aliases) of every mounted hierarchy, longest first. */
function mountTable(k: Kernel): [string[], Hierarchy][] {
  const rows: [string[], Hierarchy][] = [];
  for (const h of k.mounted()) for (const mp of h.mountPoints) rows.push([mp.split('/').filter(Boolean), h]);
  return rows.sort((a, b) => b[0].length - a[0].length);
}

function startsWith(segs: string[], prefix: string[]): boolean {
  return prefix.length <= segs.length && prefix.every((p, i) => segs[i] === p);
}

/** Synthetic directories: every proper prefix of a mount point, plus /proc. */
function syntheticEntries(k: Kernel, segs: string[]): string[] | undefined {
  const names = new Set<string>();
  let hit = segs.length === 0;
  for (const [mp] of mountTable(k)) {
    if (mp.length > segs.length && startsWith(mp, segs)) {
      names.add(mp[segs.length]!);
      hit = true;
    }
  }
  if (segs.length === 0) names.add('proc');
  return hit ? [...names].sort() : undefined;
}

/**
 * Resolve a path for `cred`: search permission on every cgroup directory on
 * the way (EACCES), ENOENT for what does not exist, ENOTDIR below a file.
 */
export function resolve(k: Kernel, path: string, cred: Cred, actor: Task, syscall: Syscall): Node {
  const segs = splitPath(path, syscall);
  const norm = '/' + segs.join('/');
  if (segs[0] === 'proc') {
    const p = resolveProc(k, segs.slice(1), actor);
    if (!p) throw new CgroupError('ENOENT', syscall, path);
    return p.kind === 'dir' ? { t: 'vdir', path: norm, entries: p.entries, readOnlyFs: true } : { t: 'vfile', path: norm, read: p.read };
  }
  for (const [mp, h] of mountTable(k)) {
    if (!startsWith(segs, mp)) continue;
    let cg = h.root;
    const rest = segs.slice(mp.length);
    for (let i = 0; i < rest.length; i++) {
      if (!mayAccess(cg.owner, cred, MAY_EXEC, true)) throw new CgroupError('EACCES', syscall, path);
      const name = rest[i]!;
      const child = cg.children.get(name);
      if (child) {
        cg = child;
        continue;
      }
      const file = findFile(k, cg, name, coreFilesOf(cg));
      if (!file) throw new CgroupError('ENOENT', syscall, path);
      if (i !== rest.length - 1) throw new CgroupError('ENOTDIR', syscall, path);
      return { t: 'cgfile', path: norm, cg, file };
    }
    return { t: 'cg', path: norm, cg };
  }
  const entries = syntheticEntries(k, segs);
  if (!entries) throw new CgroupError('ENOENT', syscall, path);
  return { t: 'vdir', path: norm, entries: () => entries, readOnlyFs: true };
}

/** Resolve the parent directory of a path and return it with the last name. */
export function resolveParent(k: Kernel, path: string, cred: Cred, actor: Task, syscall: Syscall): { parent: Node; name: string } {
  const segs = splitPath(path, syscall);
  const name = segs.pop();
  if (name === undefined) throw new CgroupError('EBUSY', syscall, path);
  return { parent: resolve(k, '/' + segs.join('/'), cred, actor, syscall), name };
}
