/**
 * The trust groups as a filesystem (the seed's coreschedfs), shaped like
 * the cgroup filesystem so the shell and the API work on it the same way.
 * Mounted at `/sys/kernel/coresched` unless told otherwise; layout in
 * fs-paths.ts. Files:
 *
 * - `cookie_id` (read-only): the group's stable id (root 0).
 * - `cookie` (read-only): the kernel cookie its members hold (0: untagged or empty).
 * - `properties`: NEW_COOKIE_FOR_CHILD, SAME_COOKIE_FOR_CHILD (default) or
 *   ROOT_COOKIE_FOR_CHILD; write one to change it.
 * - `tasks`: member threads, one per line, ascending; write a tid to add
 *   that thread (one per write; 0 is refused: a view has no calling task).
 * - `procs`: processes with a member thread; write a pid to add all its threads.
 * - `cgroup` (not in the root): the cgroup the group is bound to, or
 *   nothing; write a cgroup path (`/jobs/a`) to bind, an empty line to unbind.
 * - `<tid>/properties`: reading shows the property a fork from that task
 *   follows (its override, else the group's), one word; write one of the
 *   three to override, or `inherit` to follow the group again.
 *
 * mkdir in the root makes a group (owned by the caller, with the mode
 * given); mkdir anywhere deeper fails with EPERM (trust groups are one
 * level deep; kernfs says EPERM where a directory takes no mkdir). Names
 * must not be all digits (EINVAL: those are `<tid>`); a name already in
 * the directory, a file's included, is EEXIST. rmdir removes a group
 * (EBUSY with tasks; EBUSY for the root). rename renames a group within the
 * root. chown/chmod on a group directory set its owner and mode (files
 * follow); on anything else EPERM. `as(cred)` acts with a credential:
 * reads need the read bits, writes the write bits and the manager's rules
 * (trust-groups.ts). Errors are CgroupError with the path.
 */
import type { CgroupFs, CgroupStat, DirEntry } from '../core/fs.js';
import { CgroupError, type Syscall } from '../core/errors.js';
import { filesOf, inoOf, isDir, isReadOnly, mayAccess, modeOf, relSegments, resolveNode, type Node } from './fs-paths.js';
import type { TrustGroups } from './trust-groups.js';
import { DEFAULT_MOUNT, parseProperty, parseTid, ROOT, ROOT_CRED, type Cred } from './types.js';

export interface CoreSchedFsOptions {
  /** Mount point (default /sys/kernel/coresched). */
  mount?: string;
  /** Who acts (default root). */
  cred?: Cred;
}

export class CoreSchedFs implements CgroupFs {
  readonly mount: string;
  readonly cred: Cred;

  constructor(readonly groups: TrustGroups, opts: CoreSchedFsOptions = {}) {
    const m = opts.mount ?? DEFAULT_MOUNT;
    if (!m.startsWith('/') || m.includes('\0')) throw new CgroupError('EINVAL', 'mount', m, 'the mount point is an absolute path');
    this.mount = m.length > 1 ? m.replace(/\/+$/, '') : m;
    this.cred = opts.cred ?? ROOT_CRED;
  }

  /** The same view acting as `cred` (a uid alone: its gid is taken equal). */
  as(cred: Cred | number): CoreSchedFs {
    const c = typeof cred === 'number' ? { uid: cred, gid: cred } : cred;
    return new CoreSchedFs(this.groups, { mount: this.mount, cred: c });
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    this.run('mkdir', path, () => {
      const segs = this.segs(path, 'mkdir');
      if (this.lookup(segs, 'mkdir', path) !== undefined) throw new CgroupError('EEXIST', 'mkdir', path);
      const parent = this.node(segs.slice(0, -1), 'mkdir', path);
      if (!isDir(parent)) throw new CgroupError('ENOTDIR', 'mkdir', path);
      if (parent.t !== 'dir' || parent.group.name !== ROOT) {
        throw new CgroupError('EPERM', 'mkdir', path, 'trust groups are one level deep: make groups in the root directory only');
      }
      this.groups.create(segs[segs.length - 1]!, { mode }, this.cred);
    });
  }

  async rmdir(path: string): Promise<void> {
    this.run('rmdir', path, () => {
      const n = this.node(this.segs(path, 'rmdir'), 'rmdir', path);
      if (!isDir(n)) throw new CgroupError('ENOTDIR', 'rmdir', path);
      if (n.t === 'taskdir') throw new CgroupError('EPERM', 'rmdir', path, 'a task directory goes when the task leaves the group');
      this.groups.remove(n.group.name, this.cred);
    });
  }

  async readdir(path: string): Promise<string[]> {
    return (await this.readdirEntries(path)).map((e) => e.name);
  }

  async readdirEntries(path: string): Promise<DirEntry[]> {
    return this.run('scandir', path, () => {
      const n = this.node(this.segs(path, 'scandir'), 'scandir', path);
      if (!isDir(n)) throw new CgroupError('ENOTDIR', 'scandir', path);
      this.mayRead(n, 'scandir', path);
      if (n.t === 'taskdir') return [{ name: 'properties', isDirectory: false }];
      const out: DirEntry[] = filesOf(n.group).map((name) => ({ name, isDirectory: false }));
      if (n.group.name === ROOT) {
        for (const g of this.groups.groups()) if (g.name !== ROOT) out.push({ name: g.name, isDirectory: true });
      }
      for (const t of this.groups.members(n.group.name)) out.push({ name: String(t), isDirectory: true });
      return out;
    });
  }

  async readFile(path: string): Promise<string> {
    return this.run('read', path, () => {
      const n = this.node(this.segs(path, 'open'), 'open', path);
      if (isDir(n)) throw new CgroupError('EISDIR', 'read', path);
      this.mayRead(n, 'open', path);
      if (n.t === 'taskfile') return `${this.groups.taskProperty(n.tid).effective}\n`;
      if (n.t !== 'file') throw new CgroupError('EISDIR', 'read', path);
      const g = n.group;
      switch (n.file) {
        case 'cookie_id': return `${g.cookieId}\n`;
        case 'cookie': return `${g.cookie}\n`;
        case 'properties': return `${g.properties}\n`;
        case 'tasks': return lines(this.groups.members(g.name));
        case 'procs': return lines(this.groups.procs(g.name));
        case 'cgroup': return g.cgroup === undefined ? '' : `${g.cgroup}\n`;
      }
    });
  }

  async writeFile(path: string, data: string): Promise<void> {
    let bind: Promise<void> | undefined;
    this.run('write', path, () => {
      const n = this.node(this.segs(path, 'open'), 'open', path);
      if (isDir(n)) throw new CgroupError('EISDIR', 'open', path);
      if (n.t === 'file' && isReadOnly(n.file)) throw new CgroupError('EACCES', 'open', path, `${n.file} is read-only`);
      if (!mayAccess(modeOf(n), n.group, this.cred, 2)) throw new CgroupError('EACCES', 'open', path, `uid ${this.cred.uid} has no write permission (mode 0${modeOf(n).toString(8)}, owner ${n.group.uid}:${n.group.gid})`);
      const name = n.group.name;
      if (n.t === 'taskfile') {
        const v = data.trim();
        this.groups.setTaskProperty(n.tid, v === 'inherit' ? undefined : parseProperty(v), this.cred);
        return;
      }
      if (n.t !== 'file') return;
      switch (n.file) {
        case 'properties': this.groups.setProperties(name, parseProperty(data), this.cred); return;
        case 'tasks': this.groups.addThread(name, parseTid(data), this.cred); return;
        case 'procs': this.groups.addProcess(name, parseTid(data), this.cred); return;
        case 'cgroup': {
          const p = data.trim();
          if (p === '') this.groups.unbind(name, this.cred);
          else bind = this.groups.bind(name, p, {}, this.cred);
          return;
        }
        default: throw new CgroupError('EACCES', 'open', path, `${n.file} is read-only`);
      }
    });
    if (bind) await bind.catch((e: unknown) => { throw withPath(e, 'write', path); });
  }

  async stat(path: string): Promise<CgroupStat> {
    return this.run('stat', path, () => {
      const n = this.node(this.segs(path, 'stat'), 'stat', path);
      return { isDirectory: isDir(n), isFile: !isDir(n), mode: modeOf(n), uid: n.group.uid, gid: n.group.gid, ino: inoOf(n) };
    });
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    this.run('chown', path, () => this.groups.chown(this.groupDir(path, 'chown').group.name, uid, gid, this.cred));
  }

  async chmod(path: string, mode: number): Promise<void> {
    this.run('chmod', path, () => this.groups.chmod(this.groupDir(path, 'chmod').group.name, mode, this.cred));
  }

  async rename(from: string, to: string): Promise<void> {
    this.run('rename', from, () => {
      const n = this.node(this.segs(from, 'rename'), 'rename', from);
      if (n.t !== 'dir' || n.group.name === ROOT) throw new CgroupError('EPERM', 'rename', from, 'only trust group directories can be renamed');
      const dst = this.segs(to, 'rename');
      if (dst.length !== 1) throw new CgroupError('EPERM', 'rename', to, 'trust groups are one level deep: rename within the root directory');
      if (this.lookup(dst, 'rename', to) !== undefined) throw new CgroupError('EEXIST', 'rename', to);
      this.groups.rename(n.group.name, dst[0]!, this.cred);
    });
  }

  // --- internals ---

  private segs(path: string, syscall: Syscall): string[] {
    if (typeof path !== 'string' || path.includes('\0')) throw new CgroupError('EINVAL', syscall, String(path), 'a path is a string without NUL');
    return relSegments(this.mount, path.length > 1 ? path.replace(/\/+$/, '') : path, syscall);
  }

  private node(segs: readonly string[], syscall: Syscall, path: string): Node {
    return resolveNode(this.groups, segs, syscall, path);
  }

  /** The node, or undefined where nothing is (other errors thrown). */
  private lookup(segs: readonly string[], syscall: Syscall, path: string): Node | undefined {
    try {
      return this.node(segs, syscall, path);
    } catch (e) {
      if (e instanceof CgroupError && e.code === 'ENOENT') return undefined;
      throw e;
    }
  }

  private groupDir(path: string, syscall: 'chown' | 'chmod'): Node {
    const n = this.node(this.segs(path, syscall), syscall, path);
    if (n.t !== 'dir') throw new CgroupError('EPERM', syscall, path, 'owner and mode are set on a group directory; its files follow it');
    return n;
  }

  private mayRead(n: Node, syscall: Syscall, path: string): void {
    if (!mayAccess(modeOf(n), n.group, this.cred, 4)) throw new CgroupError('EACCES', syscall, path, `uid ${this.cred.uid} has no read permission (mode 0${modeOf(n).toString(8)}, owner ${n.group.uid}:${n.group.gid})`);
  }

  /** Run `fn`, giving the manager's errors this path. */
  private run<T>(syscall: Syscall, path: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw withPath(e, syscall, path);
    }
  }
}

function lines(ids: readonly number[]): string {
  return ids.map((i) => `${i}\n`).join('');
}

function withPath(e: unknown, syscall: Syscall, path: string): unknown {
  if (!(e instanceof CgroupError) || e.path !== undefined) return e;
  return new CgroupError(e.code, e.syscall ?? syscall, path, e.detail);
}
