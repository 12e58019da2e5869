import { constants, realpathSync, watch as fsWatch, type FSWatcher } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { posix } from 'node:path';
import { CgroupError, isErrnoLike, toCgroupError, type Syscall } from '../core/errors.js';
import type { CgroupFs, CgroupStat, DirEntry } from '../core/fs.js';
import { checkHostPath, isWithin, type Access, type Area } from './paths.js';

export interface HostFsOptions {
  /**
   * Directory that host paths are resolved under (default `/`). Tests point
   * it at a temporary tree; `/sys/fs/cgroup/x` is then `<root>/sys/fs/cgroup/x`.
   */
  root?: string;
}

/**
 * The host kernel's cgroup filesystem behind `CgroupFs`.
 *
 * Paths are host paths (`/sys/fs/cgroup/...`, `/proc/<pid>/cgroup`), checked
 * before any I/O (see `checkHostPath`): malformed paths are EINVAL, paths
 * outside `/sys/fs/cgroup` and `/proc` or changes under `/proc` are EACCES.
 * A path whose symlinks resolve outside the area it names (or loop) is
 * EACCES too. The check and the operation are two steps; the kernel's
 * cgroupfs has no user-made symlinks, so only links in the tmpfs holding the
 * mount points could change in between.
 *
 * Every failure is a CgroupError with the code Node reports and the host
 * path (never the `root`-prefixed one). Codes outside cgkit's errno table
 * reach the caller as Node's own error (see `toCgroupError`).
 */
export class HostFs implements CgroupFs {
  readonly root: string;
  private readonly bases = new Map<string, Promise<string>>();

  constructor(opts: HostFsOptions = {}) {
    const root = opts.root ?? '/';
    if (!posix.isAbsolute(root) || root.includes('\0')) throw new CgroupError('EINVAL', 'open', root, 'HostFs root must be an absolute path');
    this.root = posix.normalize(root);
  }

  async mkdir(path: string, mode = 0o755): Promise<void> {
    checkMode(mode, 'mkdir', path);
    const p = await this.resolve(path, 'mkdir', 'write');
    await this.run('mkdir', path, () => fsp.mkdir(p, { mode }));
  }

  async rmdir(path: string): Promise<void> {
    const p = await this.resolve(path, 'rmdir', 'write');
    await this.run('rmdir', path, () => fsp.rmdir(p));
  }

  async readdir(path: string): Promise<string[]> {
    const p = await this.resolve(path, 'scandir', 'read');
    return this.run('scandir', path, () => fsp.readdir(p));
  }

  async readdirEntries(path: string): Promise<DirEntry[]> {
    const p = await this.resolve(path, 'scandir', 'read');
    const ents = await this.run('scandir', path, () => fsp.readdir(p, { withFileTypes: true }));
    return ents.map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  }

  async readFile(path: string): Promise<string> {
    const p = await this.resolve(path, 'open', 'read');
    return this.run('read', path, () => fsp.readFile(p, 'utf8'));
  }

  /**
   * Exactly one write(2) of `data`, on a descriptor opened O_WRONLY (no
   * O_CREAT, no O_TRUNC). The kernel's verdict on the value comes back as
   * the error of the `write` call; a short write is EIO.
   */
  async writeFile(path: string, data: string): Promise<void> {
    const p = await this.resolve(path, 'open', 'write');
    const fh = await this.run('open', path, () => fsp.open(p, constants.O_WRONLY));
    let failure: CgroupError | undefined;
    try {
      const buf = Buffer.from(data, 'utf8');
      const { bytesWritten } = await fh.write(buf, 0, buf.length, null);
      if (bytesWritten !== buf.length) {
        failure = new CgroupError('EIO', 'write', path, `short write: ${bytesWritten} of ${buf.length} bytes`);
      }
    } catch (e) {
      failure = hostError(e, 'write', path);
    }
    try {
      await fh.close();
    } catch (e) {
      failure ??= hostError(e, 'write', path);
    }
    if (failure !== undefined) throw failure;
  }

  async stat(path: string): Promise<CgroupStat> {
    const p = await this.resolve(path, 'stat', 'read');
    const s = await this.run('stat', path, () => fsp.stat(p));
    return { isDirectory: s.isDirectory(), isFile: s.isFile(), mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, ino: s.ino };
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    checkId(uid, 'chown', path);
    checkId(gid, 'chown', path);
    const p = await this.resolve(path, 'chown', 'write');
    await this.run('chown', path, () => fsp.chown(p, uid, gid));
  }

  async chmod(path: string, mode: number): Promise<void> {
    checkMode(mode, 'chmod', path);
    const p = await this.resolve(path, 'chmod', 'write');
    await this.run('chmod', path, () => fsp.chmod(p, mode));
  }

  async rename(from: string, to: string): Promise<void> {
    const a = await this.resolve(from, 'rename', 'write');
    const b = await this.resolve(to, 'rename', 'write');
    await this.run('rename', from, () => fsp.rename(a, b));
  }

  /**
   * inotify on `path` through node:fs `watch`: `onChange` is called when the
   * kernel reports a modification (kernfs does for the v2 `*.events` files;
   * most cgroup files never notify, see `host/watch.ts`). Also called once
   * if the watch fails (the file went away), so a reader re-reads and finds
   * out. The path is checked like every other operation, synchronously so
   * that callers which cannot await may subscribe. Returns the function that
   * stops watching (idempotent).
   */
  watch(path: string, onChange: () => void): () => void {
    const area = checkHostPath(path, 'watch', 'read');
    const real = this.hostToReal(path);
    let w: FSWatcher;
    try {
      const base = realpathSync(this.hostToReal(area.prefix));
      if (!isWithin(realpathSync(real), base)) throw new CgroupError('EACCES', 'watch', path, `symlinks lead outside ${area.prefix}`);
      w = fsWatch(real, { persistent: true }, () => onChange());
    } catch (e) {
      if (isErrnoLike(e) && e.code === 'ELOOP') throw new CgroupError('EACCES', 'watch', path, 'symlink loop');
      throw hostError(e, 'watch', path);
    }
    let open = true;
    const stop = (): void => {
      if (!open) return;
      open = false;
      w.close();
    };
    w.on('error', () => {
      stop();
      onChange();
    });
    return stop;
  }

  /** The real path for `path`, after checking it and where its symlinks lead. */
  private async resolve(path: string, syscall: Syscall, access: Access): Promise<string> {
    const area = checkHostPath(path, syscall, access);
    const real = this.hostToReal(path);
    const base = await this.base(area, syscall);
    const resolved = await this.realpathOfExisting(real, syscall, path);
    if (!isWithin(resolved, base)) {
      throw new CgroupError('EACCES', syscall, path, `symlinks lead outside ${area.prefix}`);
    }
    return real;
  }

  private hostToReal(path: string): string {
    return this.root === '/' ? path : posix.join(this.root, path);
  }

  private base(area: Area, syscall: Syscall): Promise<string> {
    let b = this.bases.get(area.prefix);
    if (b === undefined) {
      b = fsp.realpath(this.hostToReal(area.prefix)).catch((e: unknown) => {
        this.bases.delete(area.prefix);
        throw hostError(e, syscall, area.prefix);
      });
      this.bases.set(area.prefix, b);
    }
    return b;
  }

  /**
   * realpath of the longest existing prefix of `real`, with the rest
   * appended. A dangling symlink on the way is followed by hand, so its
   * target is checked too.
   */
  private async realpathOfExisting(real: string, syscall: Syscall, path: string): Promise<string> {
    const rest: string[] = [];
    let cur = real;
    for (let hops = 0; ; ) {
      try {
        return posix.join(await fsp.realpath(cur), ...rest.reverse());
      } catch (e) {
        if (isErrnoLike(e) && e.code === 'ELOOP') throw new CgroupError('EACCES', syscall, path, 'symlink loop');
        const parent = posix.dirname(cur);
        if (!isErrnoLike(e) || (e.code !== 'ENOENT' && e.code !== 'ENOTDIR') || parent === cur) throw hostError(e, syscall, path);
        const link = await fsp.readlink(cur).catch(() => undefined);
        if (link === undefined) {
          rest.push(posix.basename(cur));
          cur = parent;
        } else {
          if (++hops > 40) throw new CgroupError('EACCES', syscall, path, 'symlink loop');
          cur = posix.resolve(await fsp.realpath(parent), link);
        }
      }
    }
  }

  private async run<T>(syscall: Syscall, path: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      throw hostError(e, syscall, path);
    }
  }
}

/** A Node fs error as a CgroupError naming the host path. */
function hostError(e: unknown, syscall: Syscall, path: string): CgroupError {
  const c = toCgroupError(e, syscall, path);
  return c.path === path ? c : new CgroupError(c.code, c.syscall, path, c.detail);
}

function checkMode(mode: number, syscall: Syscall, path: string): void {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new CgroupError('EINVAL', syscall, path, `bad mode ${mode}`);
}

function checkId(id: number, syscall: Syscall, path: string): void {
  if (!Number.isInteger(id) || id < -1 || id > 0xffffffff) throw new CgroupError('EINVAL', syscall, path, `bad id ${id}`);
}
