import { CgroupError, type Syscall } from '../core/errors.js';
import { CGROUP_ROOT } from '../core/layout.js';

/**
 * Host paths that `HostFs` accepts. The cgroup tree may be read and changed;
 * `/proc` may only be read (`/proc/<pid>/cgroup`, `/proc/cgroups`).
 */
export const AREAS = [
  { prefix: CGROUP_ROOT, writable: true },
  { prefix: '/proc', writable: false },
] as const;

export type Area = (typeof AREAS)[number];

/** Operations that change the tree or a file. */
export type Access = 'read' | 'write';

/**
 * Check a host path before any I/O (pure). Returns the area it lies in.
 *
 * - not a string, not absolute, contains NUL, an empty segment (`a//b`, a
 *   trailing `/`), `.` or `..` -> EINVAL;
 * - outside `/sys/fs/cgroup` and `/proc`, or a change under `/proc` -> EACCES.
 */
export function checkHostPath(path: string, syscall: Syscall, access: Access): Area {
  if (typeof path !== 'string') throw new CgroupError('EINVAL', syscall, undefined, 'path is not a string');
  if (path.includes('\0')) throw new CgroupError('EINVAL', syscall, path.replace(/\0/g, '\\0'), 'path contains NUL');
  if (!path.startsWith('/')) throw new CgroupError('EINVAL', syscall, path, 'path is not absolute');
  const segs = path.split('/').slice(1);
  for (const s of segs) {
    if (s === '') throw new CgroupError('EINVAL', syscall, path, 'empty path segment');
    if (s === '.' || s === '..') throw new CgroupError('EINVAL', syscall, path, `'${s}' segment`);
  }
  const area = AREAS.find((a) => path === a.prefix || path.startsWith(a.prefix + '/'));
  if (area === undefined) {
    throw new CgroupError('EACCES', syscall, path, `outside ${AREAS.map((a) => a.prefix).join(' and ')}`);
  }
  if (access === 'write' && !area.writable) throw new CgroupError('EACCES', syscall, path, `${area.prefix} is read-only through HostFs`);
  return area;
}

/** Is `p` the directory `dir` or below it? Both absolute and normalized. */
export function isWithin(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir === '/' ? '/' : dir + '/');
}
