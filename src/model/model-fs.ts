import { CgroupError } from '../core/errors.js';
import type { CgroupFs, CgroupStat, DirEntry } from '../core/fs.js';
import { cString } from '../core/format/text.js';
import { coreFilesOf } from './core-files.js';
import { cgroupFiles, type FileCtx } from './files.js';
import type { Kernel } from './kernel.js';
import { MAY_EXEC, MAY_READ, MAY_WRITE, mayAccess } from './perm.js';
import { resolve, resolveParent, type Node } from './resolve.js';
import type { Owner } from './cgroup.js';
import type { Task } from './task.js';
import { makeCgroup, removeCgroup, renameCgroup } from './tree.js';

/**
 * The simulated kernel's filesystem as seen by one task (its credentials,
 * `/proc/self`, `0` in cgroup.procs). Every method has a synchronous form
 * (`...Sync`) for the model's own callers; the `CgroupFs` methods wrap
 * them in promises.
 */
export class ModelFs implements CgroupFs {
  constructor(private readonly k: Kernel, private readonly actorTid: number) {}

  private actor(): Task {
    const t = this.k.tasks.get(this.actorTid);
    if (!t) throw new CgroupError('ESRCH', 'open', undefined, `task ${this.actorTid} is gone`);
    return t;
  }

  private get cred() {
    return this.actor().cred();
  }

  private ctx(path: string): FileCtx {
    return { k: this.k, cred: this.cred, actor: this.actor(), path };
  }

  private fileOwner(n: Extract<Node, { t: 'cgfile' }>): Owner {
    return n.cg.fileOwner(n.file.name, n.file.mode);
  }

  mkdirSync(path: string, mode = 0o777): void {
    const { parent, name } = resolveParent(this.k, path, this.cred, this.actor(), 'mkdir');
    if (parent.t === 'vdir') {
      if (parent.entries().includes(name)) throw new CgroupError('EEXIST', 'mkdir', path);
      throw new CgroupError('EROFS', 'mkdir', path, 'not inside a cgroup hierarchy');
    }
    if (parent.t !== 'cg') throw new CgroupError(parent.t === 'vfile' || parent.t === 'cgfile' ? 'ENOTDIR' : 'ENOENT', 'mkdir', path);
    const cg = parent.cg;
    if (cg.children.has(name) || cgroupFiles(this.k, cg, coreFilesOf(cg)).has(name)) throw new CgroupError('EEXIST', 'mkdir', path);
    if (!mayAccess(cg.owner, this.cred, MAY_WRITE | MAY_EXEC, true)) throw new CgroupError('EACCES', 'mkdir', path);
    const child = makeCgroup(this.k, cg, name, this.cred);
    child.owner.mode = mode & ~0o022 & 0o777;
  }

  rmdirSync(path: string): void {
    const n = resolve(this.k, path, this.cred, this.actor(), 'rmdir');
    if (n.t === 'cgfile' || n.t === 'vfile') throw new CgroupError('ENOTDIR', 'rmdir', path);
    if (n.t === 'vdir' || n.cg.isRoot) throw new CgroupError('EBUSY', 'rmdir', path);
    if (!mayAccess(n.cg.parent!.owner, this.cred, MAY_WRITE | MAY_EXEC, true)) throw new CgroupError('EACCES', 'rmdir', path);
    removeCgroup(this.k, n.cg);
  }

  readdirSync(path: string): string[] {
    return this.readdirEntriesSync(path).map((e) => e.name);
  }

  readdirEntriesSync(path: string): DirEntry[] {
    const n = resolve(this.k, path, this.cred, this.actor(), 'scandir');
    if (n.t === 'cgfile' || n.t === 'vfile') throw new CgroupError('ENOTDIR', 'scandir', path);
    if (n.t === 'vdir') {
      return n.entries().map((name) => {
        let isDirectory = true;
        try {
          isDirectory = this.statSync(`${path.replace(/\/+$/, '')}/${name}`).isDirectory;
        } catch {
          /* an entry that vanished while listing reads as a directory name only */
        }
        return { name, isDirectory };
      });
    }
    if (!mayAccess(n.cg.owner, this.cred, MAY_READ, true)) throw new CgroupError('EACCES', 'scandir', path);
    const out: DirEntry[] = [...n.cg.children.keys()].map((name) => ({ name, isDirectory: true }));
    for (const name of cgroupFiles(this.k, n.cg, coreFilesOf(n.cg)).keys()) out.push({ name, isDirectory: false });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * open() checks the mode bits (root passes); a file without a read handler
   * (cgroup.kill) opens but fails at read with EINVAL, as kernfs does.
   */
  readFileSync(path: string): string {
    const n = resolve(this.k, path, this.cred, this.actor(), 'open');
    if (n.t === 'vdir' || n.t === 'cg') throw new CgroupError('EISDIR', 'read', path);
    if (n.t === 'vfile') return n.read();
    if (!mayAccess(this.fileOwner(n), this.cred, MAY_READ, false)) throw new CgroupError('EACCES', 'open', path);
    if (!n.file.read) throw new CgroupError('EINVAL', 'read', path, 'the file is write-only');
    return n.file.read(n.cg, this.ctx(n.path));
  }

  /**
   * One write(2): open checks the mode bits (root passes); more than a page
   * is E2BIG; a zero-length write changes nothing; the handler sees the text
   * up to the first NUL; a read-only file fails at write with EINVAL.
   */
  writeFileSync(path: string, data: string): void {
    try {
      this.write(path, data);
    } finally {
      this.k.afterChange?.();
    }
  }

  private write(path: string, data: string): void {
    const n = resolve(this.k, path, this.cred, this.actor(), 'open');
    if (n.t === 'vdir' || n.t === 'cg') throw new CgroupError('EISDIR', 'open', path);
    if (n.t === 'vfile') throw new CgroupError('EACCES', 'open', path);
    if (!mayAccess(this.fileOwner(n), this.cred, MAY_WRITE, false)) throw new CgroupError('EACCES', 'open', path);
    if (Buffer.byteLength(data) > 4096) throw new CgroupError('E2BIG', 'write', path, 'a cgroup file takes at most one page per write');
    if (data.length === 0) return;
    if (!n.file.write) throw new CgroupError('EINVAL', 'write', path, 'the file is read-only');
    n.file.write(n.cg, cString(data), this.ctx(n.path));
  }

  statSync(path: string): CgroupStat {
    const n = resolve(this.k, path, this.cred, this.actor(), 'stat');
    switch (n.t) {
      case 'vdir':
        return { isDirectory: true, isFile: false, mode: 0o755, uid: 0, gid: 0, ino: inoOf(n.path) };
      case 'vfile':
        return { isDirectory: false, isFile: true, mode: 0o444, uid: 0, gid: 0, ino: inoOf(n.path) };
      case 'cg':
        return { isDirectory: true, isFile: false, mode: n.cg.owner.mode, uid: n.cg.owner.uid, gid: n.cg.owner.gid, ino: n.cg.ino };
      case 'cgfile': {
        const o = this.fileOwner(n);
        let ino = n.cg.fileInos.get(n.file.name);
        if (ino === undefined) n.cg.fileInos.set(n.file.name, (ino = this.k.ino()));
        return { isDirectory: false, isFile: true, mode: o.mode, uid: o.uid, gid: o.gid, ino };
      }
    }
  }

  chownSync(path: string, uid: number, gid: number): void {
    const n = resolve(this.k, path, this.cred, this.actor(), 'chown');
    if (this.cred.uid !== 0) throw new CgroupError('EPERM', 'chown', path, 'only root may change owners');
    if (n.t === 'cg') {
      n.cg.owner = { ...n.cg.owner, uid, gid };
    } else if (n.t === 'cgfile') {
      n.cg.fileOwners.set(n.file.name, { ...this.fileOwner(n), uid, gid });
    } else {
      throw new CgroupError('EROFS', 'chown', path);
    }
  }

  chmodSync(path: string, mode: number): void {
    const n = resolve(this.k, path, this.cred, this.actor(), 'chmod');
    if (n.t === 'vdir' || n.t === 'vfile') throw new CgroupError('EROFS', 'chmod', path);
    const owner = n.t === 'cg' ? n.cg.owner : this.fileOwner(n);
    if (this.cred.uid !== 0 && this.cred.uid !== owner.uid) throw new CgroupError('EPERM', 'chmod', path);
    const next = { ...owner, mode: mode & 0o7777 };
    if (n.t === 'cg') n.cg.owner = next;
    else n.cg.fileOwners.set(n.file.name, next);
  }

  renameSync(from: string, to: string): void {
    const src = resolve(this.k, from, this.cred, this.actor(), 'rename');
    const { parent, name } = resolveParent(this.k, to, this.cred, this.actor(), 'rename');
    if (src.t !== 'cg') throw new CgroupError(src.t === 'cgfile' ? 'ENOTDIR' : 'EBUSY', 'rename', from);
    if (src.cg.isRoot) throw new CgroupError('EBUSY', 'rename', from, 'a mount point cannot be renamed');
    if (parent.t !== 'cg' || parent.cg.hier !== src.cg.hier) throw new CgroupError('EXDEV', 'rename', from);
    if (!mayAccess(src.cg.parent!.owner, this.cred, MAY_WRITE | MAY_EXEC, true)) throw new CgroupError('EACCES', 'rename', from);
    renameCgroup(src.cg, parent.cg, name);
  }

  async mkdir(path: string, mode?: number): Promise<void> { this.mkdirSync(path, mode); }
  async rmdir(path: string): Promise<void> { this.rmdirSync(path); }
  async readdir(path: string): Promise<string[]> { return this.readdirSync(path); }
  async readdirEntries(path: string): Promise<DirEntry[]> { return this.readdirEntriesSync(path); }
  async readFile(path: string): Promise<string> { return this.readFileSync(path); }
  async writeFile(path: string, data: string): Promise<void> { this.writeFileSync(path, data); }
  async stat(path: string): Promise<CgroupStat> { return this.statSync(path); }
  async chown(path: string, uid: number, gid: number): Promise<void> { this.chownSync(path, uid, gid); }
  async chmod(path: string, mode: number): Promise<void> { this.chmodSync(path, mode); }
  async rename(from: string, to: string): Promise<void> { this.renameSync(from, to); }
}

/** Stable inode numbers for synthetic nodes (a hash of the path, above the cgroup range). */
function inoOf(path: string): number {
  let h = 2166136261;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 16777619) >>> 0;
  return 0x40000000 + (h & 0x3fffffff);
}
