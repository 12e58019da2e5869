import { fail } from '../../core/errors.js';
import type { CgroupFs, CgroupStat, DirEntry } from '../../core/fs.js';
import { builtinLayout, type LayoutKind, type LayoutSpec } from '../../core/layout.js';
import type { ShellKernel, ShellTask, SpawnRequest } from './kernel.js';
import { basename, joinPath, normalize } from './paths.js';

/**
 * A small stand-in kernel for the shell's unit tests: a tree of cgroup
 * directories with a few core files, owners and modes, and a process
 * table. It follows the kernel where the shell's tests depend on it
 * (errno codes, one write per writeFile) and nothing more.
 */

interface FileNode { kind: 'file'; mode: number; uid: number; gid: number; ino: number; read?: () => string; write?: (data: string, uid: number) => void }
interface DirNode { kind: 'dir'; mode: number; uid: number; gid: number; ino: number; children: Map<string, Node>; cgroup: boolean }
type Node = FileNode | DirNode;

interface Task { tid: number; tgid: number; ppid: number; uid: number; gid: number; name: string; state: string; cgroup: string }

export class FakeKernel implements ShellKernel {
  readonly layout: LayoutSpec;
  readonly fs: CgroupFs;
  /** Every write(2) the shell made: path and data. */
  readonly writes: { path: string; data: string }[] = [];
  private readonly root: DirNode;
  private readonly tasks = new Map<number, Task>();
  private nextPid = 2;
  private ino = 1;
  private readonly mount: string;

  constructor(kind: LayoutKind = 'unified') {
    this.layout = builtinLayout(kind);
    this.root = this.dir(0o755, false);
    const v2 = this.layout.mounts.find((m) => m.version === 2) ?? this.layout.mounts[0];
    this.mount = v2?.mountPoint ?? '/sys/fs/cgroup';
    for (const m of this.layout.mounts) this.place(m.mountPoint);
    this.tasks.set(1, { tid: 1, tgid: 1, ppid: 0, uid: 0, gid: 0, name: 'init', state: 'sleeping', cgroup: this.mount });
    this.fs = this.view(0);
  }

  as(pid: number): { fs: CgroupFs } {
    const t = this.tasks.get(pid);
    if (t === undefined) throw fail('ESRCH', 'open');
    return { fs: this.view(t.uid) };
  }

  spawn(o: SpawnRequest = {}): number {
    const cg = o.cgroup === undefined ? this.mount : normalize(o.cgroup);
    if (this.lookup(cg)?.kind !== 'dir') throw fail('ENOENT', 'clone', cg);
    const pid = this.nextPid++;
    this.tasks.set(pid, { tid: pid, tgid: pid, ppid: o.ppid ?? 1, uid: o.uid ?? 0, gid: o.gid ?? 0, name: o.name ?? 'task', state: 'running', cgroup: cg });
    return pid;
  }

  fork(pid: number): number {
    const p = this.get(pid);
    const c = this.nextPid++;
    this.tasks.set(c, { ...p, tid: c, tgid: c, ppid: p.tgid });
    return c;
  }

  spawnThread(pid: number): number {
    const p = this.get(pid);
    const t = this.nextPid++;
    this.tasks.set(t, { ...p, tid: t });
    return t;
  }

  exit(pid: number): void {
    this.get(pid);
    for (const [tid, t] of this.tasks) if (tid === pid || t.tgid === pid) this.tasks.delete(tid);
  }

  kill(pid: number, signal: number | string): void {
    const t = this.get(pid);
    if (signal === 9 || signal === 15) this.exit(t.tgid);
    else if (signal === 19) t.state = 'stopped';
    else if (signal === 18) t.state = 'running';
  }

  wait(): number | undefined {
    return undefined;
  }

  ps(): ShellTask[] {
    return [...this.tasks.values()].map((t) => this.info(t));
  }

  task(pid: number): ShellTask | undefined {
    const t = this.tasks.get(pid);
    return t === undefined ? undefined : this.info(t);
  }

  private info(t: Task): ShellTask {
    const path = t.cgroup.slice(this.mount.length) || '/';
    return { ...t, cgroups: [{ mountPoint: this.mount, path }] };
  }

  private get(pid: number): Task {
    const t = this.tasks.get(pid);
    if (t === undefined) throw fail('ESRCH', 'kill');
    return t;
  }

  private dir(mode: number, cgroup: boolean, uid = 0, gid = 0): DirNode {
    return { kind: 'dir', mode, uid, gid, ino: this.ino++, children: new Map(), cgroup };
  }

  /** Create the directories of an absolute path; the last one becomes a cgroup root. */
  private place(path: string): void {
    let d = this.root;
    const segs = path.split('/').filter((s) => s !== '');
    segs.forEach((s, i) => {
      let n = d.children.get(s);
      if (n === undefined) {
        n = i === segs.length - 1 ? this.cgroupDir(path, 0, 0) : this.dir(0o755, false);
        d.children.set(s, n);
      }
      if (n.kind !== 'dir') throw new Error(`not a directory: ${path}`);
      d = n;
    });
  }

  private cgroupDir(path: string, uid: number, gid: number): DirNode {
    const d = this.dir(0o755, true, uid, gid);
    const file = (name: string, mode: number, read?: () => string, write?: (data: string, uid: number) => void): void => {
      const f: FileNode = { kind: 'file', mode, uid, gid, ino: this.ino++ };
      if (read !== undefined) f.read = read;
      if (write !== undefined) f.write = write;
      d.children.set(name, f);
    };
    let type = 'domain';
    let maxDepth = 'max';
    const members = (): Task[] => [...this.tasks.values()].filter((t) => t.cgroup === path);
    file('cgroup.procs', 0o644, () => members().filter((t) => t.tid === t.tgid).map((t) => `${t.tgid}\n`).join(''), (data) => {
      const pid = Number(data.trim());
      if (!/^\d+\s*$/.test(data)) throw fail('EINVAL', 'write', path);
      const t = this.tasks.get(pid);
      if (t === undefined) throw fail('ESRCH', 'write', path);
      for (const x of this.tasks.values()) if (x.tgid === t.tgid) x.cgroup = path;
    });
    file('cgroup.type', 0o644, () => `${type}\n`, (data) => {
      if (data.trim() !== 'threaded') throw fail('EINVAL', 'write', path);
      type = 'threaded';
    });
    file('cgroup.max.depth', 0o644, () => `${maxDepth}\n`, (data) => {
      const t = data.trim();
      if (t.startsWith('-')) throw fail('ERANGE', 'write', path);
      if (t !== 'max' && !/^\d+$/.test(t)) throw fail('EINVAL', 'write', path);
      maxDepth = t;
    });
    file('cgroup.events', 0o444, () => `populated ${this.populated(path) ? 1 : 0}\nfrozen 0\n`);
    file('cgroup.controllers', 0o444, () => '\n');
    return d;
  }

  private populated(path: string): boolean {
    return [...this.tasks.values()].some((t) => t.cgroup === path || t.cgroup.startsWith(path + '/'));
  }

  private lookup(path: string): Node | undefined {
    let n: Node = this.root;
    for (const s of normalize(path).split('/').filter((x) => x !== '')) {
      if (n.kind !== 'dir') return undefined;
      const c: Node | undefined = n.children.get(s);
      if (c === undefined) return undefined;
      n = c;
    }
    return n;
  }

  private parentOf(path: string, syscall: 'mkdir' | 'rmdir' | 'rename'): DirNode {
    const p = normalize(path);
    const parent = this.lookup(p.slice(0, p.lastIndexOf('/')) || '/');
    if (parent === undefined) throw fail('ENOENT', syscall, path);
    if (parent.kind !== 'dir') throw fail('ENOTDIR', syscall, path);
    return parent;
  }

  private view(uid: number): CgroupFs {
    const may = (n: Node, bit: number): boolean => uid === 0 || ((n.uid === uid ? n.mode >> 6 : n.mode) & bit) !== 0;
    const need = (path: string, syscall: 'open' | 'stat' | 'scandir' | 'chown' | 'chmod'): Node => {
      const n = this.lookup(path);
      if (n === undefined) throw fail('ENOENT', syscall, path);
      return n;
    };
    const entries = (path: string): DirEntry[] => {
      const n = need(path, 'scandir');
      if (n.kind !== 'dir') throw fail('ENOTDIR', 'scandir', path);
      return [...n.children].map(([name, c]) => ({ name, isDirectory: c.kind === 'dir' }));
    };
    return {
      mkdir: async (path) => {
        const parent = this.parentOf(path, 'mkdir');
        if (parent.children.has(basename(path))) throw fail('EEXIST', 'mkdir', path);
        if (!may(parent, 2) || !parent.cgroup) throw fail('EACCES', 'mkdir', path);
        parent.children.set(basename(path), this.cgroupDir(normalize(path), 0, 0));
      },
      rmdir: async (path) => {
        const parent = this.parentOf(path, 'rmdir');
        const n = parent.children.get(basename(path));
        if (n === undefined) throw fail('ENOENT', 'rmdir', path);
        if (n.kind !== 'dir') throw fail('ENOTDIR', 'rmdir', path);
        if ([...n.children.values()].some((c) => c.kind === 'dir') || this.populated(normalize(path))) throw fail('EBUSY', 'rmdir', path);
        parent.children.delete(basename(path));
      },
      readdir: async (path) => entries(path).map((e) => e.name),
      readdirEntries: async (path) => entries(path),
      readFile: async (path) => {
        const n = need(path, 'open');
        if (n.kind === 'dir') throw fail('EISDIR', 'read', path);
        if (!may(n, 4)) throw fail('EACCES', 'open', path);
        if (n.read === undefined) throw fail('EINVAL', 'read', path);
        return n.read();
      },
      writeFile: async (path, data) => {
        const n = this.lookup(path);
        if (n === undefined) throw fail('EACCES', 'open', path);
        if (n.kind === 'dir') throw fail('EISDIR', 'open', path);
        if (!may(n, 2)) throw fail('EACCES', 'open', path);
        this.writes.push({ path: normalize(path), data });
        if (n.write === undefined) throw fail('EINVAL', 'write', path);
        n.write(data, uid);
      },
      stat: async (path): Promise<CgroupStat> => {
        const n = need(path, 'stat');
        return { isDirectory: n.kind === 'dir', isFile: n.kind === 'file', mode: n.mode, uid: n.uid, gid: n.gid, ino: n.ino };
      },
      chown: async (path, u, g) => {
        const n = need(path, 'chown');
        if (uid !== 0) throw fail('EPERM', 'chown', path);
        n.uid = u;
        n.gid = g;
      },
      chmod: async (path, mode) => {
        const n = need(path, 'chmod');
        if (uid !== 0 && uid !== n.uid) throw fail('EPERM', 'chmod', path);
        n.mode = mode & 0o7777;
      },
      rename: async (from, to) => {
        const parent = this.parentOf(from, 'rename');
        const n = parent.children.get(basename(from));
        if (n === undefined) throw fail('ENOENT', 'rename', from);
        if (this.parentOf(to, 'rename') !== parent) throw fail('EXDEV', 'rename', to);
        parent.children.delete(basename(from));
        parent.children.set(basename(to), n);
      },
    };
  }

  /** Absolute path of `name` in the mount (for tests). */
  at(name: string): string {
    return joinPath(this.mount, name);
  }
}
