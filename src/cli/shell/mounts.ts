/**
 * More filesystems in the shell's namespace: a `CgroupFs` mounted at a
 * directory beside the kernel's cgroup filesystem (the trust groups'
 * coreschedfs view at /sys/kernel/coresched). Paths at or below the mount
 * point go to the mounted filesystem, everything else to the kernel's.
 * Directories on the way to the mount point that the kernel's filesystem
 * does not have (`/sys/kernel` in the simulated kernel) appear as empty
 * root-owned directories holding the next step, so `ls /sys` and `cd
 * /sys/kernel` work as on a host. A rename between two filesystems is
 * EXDEV, as rename(2) says.
 */
import type { CgroupFs, CgroupStat, DirEntry } from '../../core/fs.js';
import { CgroupError, isErrnoLike, type Syscall } from '../../core/errors.js';
import type { ShellKernel, ShellMount, ShellTask, SpawnRequest } from './kernel.js';
import { normalize } from './paths.js';

/** Who a mounted filesystem acts as: the task's uid and gid. */
export interface MountCred {
  readonly uid: number;
  readonly gid: number;
}

/** A filesystem to mount: the view as root, and a way to get it as another credential. */
export interface MountSource {
  /** Absolute mount point. */
  readonly path: string;
  /** One line for the shell's help. */
  readonly summary: string;
  readonly fs: CgroupFs;
  as(cred: MountCred): CgroupFs;
}

/** Inode numbers of the directories made up on the way to a mount point (far from both filesystems' own). */
const SYNTHETIC_INO = 2 ** 50;

export class MountedFs implements CgroupFs {
  readonly mount: string;
  /** Each strict ancestor of the mount point, with the name of its child on the way there. */
  private readonly ancestors: Map<string, string>;

  constructor(private readonly base: CgroupFs, mount: string, private readonly sub: CgroupFs) {
    if (!mount.startsWith('/') || normalize(mount) === '/') throw new CgroupError('EINVAL', 'mount', mount, 'a mount point is an absolute path below /');
    this.mount = normalize(mount);
    this.ancestors = new Map();
    const segs = this.mount.split('/').filter((s) => s !== '');
    for (let i = 0; i < segs.length; i++) this.ancestors.set(`/${segs.slice(0, i).join('/')}`, segs[i]!);
  }

  private inSub(p: string): boolean {
    const n = normalize(p);
    return n === this.mount || n.startsWith(`${this.mount}/`);
  }

  /** A strict ancestor of the mount point that the kernel's filesystem lacks. */
  private async synthetic(p: string): Promise<boolean> {
    if (!p.startsWith('/') || !this.ancestors.has(normalize(p))) return false;
    try {
      await this.base.stat(p);
      return false;
    } catch (e) {
      if (isErrnoLike(e) && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) return true;
      throw e;
    }
  }

  /** The parent of `p` is a made-up directory (nothing can be made in it). */
  private async inSynthetic(p: string): Promise<boolean> {
    const n = normalize(p);
    return n !== '/' && this.synthetic(n.slice(0, n.lastIndexOf('/')) || '/');
  }

  async mkdir(path: string, mode?: number): Promise<void> {
    if (this.inSub(path)) return this.sub.mkdir(normalize(path), mode);
    if (await this.synthetic(path)) throw new CgroupError('EEXIST', 'mkdir', path);
    if (await this.inSynthetic(path)) throw new CgroupError('EROFS', 'mkdir', path, 'not inside a cgroup hierarchy');
    return this.base.mkdir(path, mode);
  }

  async rmdir(path: string): Promise<void> {
    if (this.inSub(path)) return this.sub.rmdir(normalize(path));
    if (await this.synthetic(path)) throw new CgroupError('EBUSY', 'rmdir', path, `on the way to the mount point ${this.mount}`);
    return this.base.rmdir(path);
  }

  async readdir(path: string): Promise<string[]> {
    return (await this.readdirEntries(path)).map((e) => e.name);
  }

  async readdirEntries(path: string): Promise<DirEntry[]> {
    if (this.inSub(path)) return this.sub.readdirEntries(normalize(path));
    const child = path.startsWith('/') ? this.ancestors.get(normalize(path)) : undefined;
    if (child === undefined) return this.base.readdirEntries(path);
    if (await this.synthetic(path)) return [{ name: child, isDirectory: true }];
    const entries = await this.base.readdirEntries(path);
    return entries.some((e) => e.name === child) ? entries : [...entries, { name: child, isDirectory: true }];
  }

  async readFile(path: string): Promise<string> {
    if (this.inSub(path)) return this.sub.readFile(normalize(path));
    if (await this.synthetic(path)) throw new CgroupError('EISDIR', 'read', path);
    return this.base.readFile(path);
  }

  async writeFile(path: string, data: string): Promise<void> {
    if (this.inSub(path)) return this.sub.writeFile(normalize(path), data);
    if (await this.synthetic(path)) throw new CgroupError('EISDIR', 'open', path);
    return this.base.writeFile(path, data);
  }

  async stat(path: string): Promise<CgroupStat> {
    if (this.inSub(path)) return this.sub.stat(normalize(path));
    if (await this.synthetic(path)) {
      const depth = normalize(path).split('/').filter((s) => s !== '').length;
      return { isDirectory: true, isFile: false, mode: 0o755, uid: 0, gid: 0, ino: SYNTHETIC_INO + depth };
    }
    return this.base.stat(path);
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    if (this.inSub(path)) return this.sub.chown(normalize(path), uid, gid);
    await this.refuseSynthetic(path, 'chown');
    return this.base.chown(path, uid, gid);
  }

  async chmod(path: string, mode: number): Promise<void> {
    if (this.inSub(path)) return this.sub.chmod(normalize(path), mode);
    await this.refuseSynthetic(path, 'chmod');
    return this.base.chmod(path, mode);
  }

  async rename(from: string, to: string): Promise<void> {
    const a = this.inSub(from);
    if (a !== this.inSub(to)) throw new CgroupError('EXDEV', 'rename', from, `${this.mount} is another filesystem`);
    if (a) return this.sub.rename(normalize(from), normalize(to));
    await this.refuseSynthetic(from, 'rename');
    return this.base.rename(from, to);
  }

  private async refuseSynthetic(path: string, syscall: Syscall): Promise<void> {
    if (await this.synthetic(path)) throw new CgroupError('EPERM', syscall, path, `on the way to the mount point ${this.mount}`);
  }
}

/**
 * The kernel with `sources` mounted: `fs` as root, `as(pid).fs` with the
 * task's uid and gid on each mounted filesystem (and the task's own view
 * of the kernel's filesystem).
 */
export class MountingKernel implements ShellKernel {
  readonly mounts: readonly ShellMount[];
  readonly fs: CgroupFs;

  constructor(private readonly k: ShellKernel, private readonly sources: readonly MountSource[]) {
    this.mounts = [...(k.mounts ?? []), ...sources.map((s) => ({ path: s.path, summary: s.summary }))];
    this.fs = sources.reduce((fs, s) => new MountedFs(fs, s.path, s.fs), k.fs);
  }

  as(pid: number): { readonly fs: CgroupFs } {
    const own = this.k.as(pid).fs;
    const t = this.k.task(pid);
    if (t === undefined) throw new CgroupError('ESRCH', 'open', undefined, `no task ${pid}`);
    const cred = { uid: t.uid, gid: t.gid };
    return { fs: this.sources.reduce((fs, s) => new MountedFs(fs, s.path, s.as(cred)), own) };
  }

  get layout(): ShellKernel['layout'] { return this.k.layout; }
  spawn(opts?: SpawnRequest): number { return this.k.spawn(opts); }
  fork(pid: number): number { return this.k.fork(pid); }
  spawnThread(pid: number): number { return this.k.spawnThread(pid); }
  exit(pid: number, code?: number): void { this.k.exit(pid, code); }
  kill(pid: number, signal: number | string): void { this.k.kill(pid, signal); }
  wait(pid: number): number | undefined { return this.k.wait(pid); }
  ps(): readonly ShellTask[] { return this.k.ps(); }
  task(pid: number): ShellTask | undefined { return this.k.task(pid); }
}
