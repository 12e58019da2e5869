/**
 * Paths of the coreschedfs view: what a path names, and the mode and inode
 * number of each entry.
 *
 * ```
 * <mount>/                      the root group (mode of the root group)
 *   cookie_id cookie properties tasks procs
 *   <tid>/properties            one directory per root member
 *   <group>/                    a trust group
 *     cookie_id cookie properties tasks procs cgroup
 *     <tid>/properties          one directory per member
 * ```
 */
import { CgroupError, type Syscall } from '../core/errors.js';
import type { GroupInfo, TrustGroups } from './trust-groups.js';
import { GROUP_FILES, ROOT, type Cred, type GroupFile } from './types.js';

export type Node =
  | { readonly t: 'dir'; readonly group: GroupInfo }
  | { readonly t: 'file'; readonly group: GroupInfo; readonly file: GroupFile }
  | { readonly t: 'taskdir'; readonly group: GroupInfo; readonly tid: number }
  | { readonly t: 'taskfile'; readonly group: GroupInfo; readonly tid: number };

/** Files of a group's directory (the root has no `cgroup`: it cannot be bound). */
export function filesOf(g: GroupInfo): readonly GroupFile[] {
  return g.name === ROOT ? GROUP_FILES.filter((f) => f !== 'cgroup') : GROUP_FILES;
}

const READ_ONLY: ReadonlySet<GroupFile> = new Set(['cookie_id', 'cookie']);

export function isReadOnly(f: GroupFile): boolean {
  return READ_ONLY.has(f);
}

/** Segments of `path` below `mount`; ENOENT outside it. `.` is skipped; `..` is refused. */
export function relSegments(mount: string, path: string, syscall: Syscall): string[] {
  if (path !== mount && !path.startsWith(`${mount}/`)) throw new CgroupError('ENOENT', syscall, path, `not below the coreschedfs mount ${mount}`);
  const segs = path.slice(mount.length).split('/').filter((s) => s !== '' && s !== '.');
  if (segs.includes('..')) throw new CgroupError('EINVAL', syscall, path, "'..' is not followed in coreschedfs paths");
  return segs;
}

/** What the segments name; ENOENT for nothing, ENOTDIR below a file. */
export function resolveNode(tg: TrustGroups, segs: readonly string[], syscall: Syscall, path: string): Node {
  const none = (): never => {
    throw new CgroupError('ENOENT', syscall, path);
  };
  let node: Node = { t: 'dir', group: tg.group(ROOT) };
  for (const s of segs) {
    if (node.t === 'file' || node.t === 'taskfile') throw new CgroupError('ENOTDIR', syscall, path);
    const g: GroupInfo = node.group;
    if (node.t === 'taskdir') {
      node = s === 'properties' ? { t: 'taskfile', group: g, tid: node.tid } : none();
    } else if ((filesOf(g) as readonly string[]).includes(s)) {
      node = { t: 'file', group: g, file: s as GroupFile };
    } else if (/^[0-9]{1,10}$/.test(s)) {
      const tid = Number(s);
      node = tid > 0 && tg.members(g.name).includes(tid) ? { t: 'taskdir', group: g, tid } : none();
    } else if (g.name === ROOT && tg.groups().some((x) => x.name === s && x.name !== ROOT)) {
      node = { t: 'dir', group: tg.group(s) };
    } else {
      none();
    }
  }
  return node;
}

export function isDir(n: Node): boolean {
  return n.t === 'dir' || n.t === 'taskdir';
}

/** Directories have the group's mode; files its read/write bits (read-only files its read bits). */
export function modeOf(n: Node): number {
  const m = n.group.mode;
  switch (n.t) {
    case 'dir': return m;
    case 'taskdir': return m & 0o555;
    case 'taskfile': return m & 0o666;
    case 'file': return isReadOnly(n.file) ? m & 0o444 : m & 0o666;
  }
}

/** Stable and unique within one view: from the group's cookie id, the file's index, or the tid. */
export function inoOf(n: Node): number {
  const base = 1 + n.group.cookieId * 16;
  switch (n.t) {
    case 'dir': return base;
    case 'file': return base + 1 + GROUP_FILES.indexOf(n.file);
    case 'taskdir': return 2 ** 40 + n.tid * 2;
    case 'taskfile': return 2 ** 40 + n.tid * 2 + 1;
  }
}

/** Permission bits without ACLs; root may read and write anything. */
export function mayAccess(mode: number, owner: { uid: number; gid: number }, cred: Cred, want: 4 | 2): boolean {
  if (cred.uid === 0) return true;
  const bits = cred.uid === owner.uid ? mode >> 6 : cred.gid === owner.gid ? mode >> 3 : mode;
  return (bits & want) !== 0;
}
