import { posix } from 'node:path';
import { CgroupError } from '../core/errors.js';
import type { CgroupFs } from '../core/fs.js';
import { canWrite, isRoot } from './features.js';
import { HostFs } from './hostfs.js';
import { detectHostLayout, type HostLayout, type HostMount } from './layout.js';
import { parseProcCgroup } from '../core/format/proccgroup.js';
import { pidCgroupFor } from './proc-cgroups.js';

/**
 * The real host as a run sees it: its layout, a `HostFs`, and whether a
 * hierarchy can be used for changes (root and writable). Front ends and
 * host tests start here.
 */
export interface LiveHost {
  layout: HostLayout;
  fs: HostFs;
}

/** Detect the live host; `undefined` when no cgroup filesystem is mounted or readable. */
export async function liveHost(): Promise<LiveHost | undefined> {
  try {
    return { layout: await detectHostLayout(), fs: new HostFs() };
  } catch (e) {
    if (e instanceof CgroupError) return undefined;
    throw e;
  }
}

/** The v2 mount, or the v1 mount carrying `controller`. */
export function findMount(layout: HostLayout, which: 'v2' | string): HostMount | undefined {
  return which === 'v2'
    ? layout.mounts.find((m) => m.version === 2)
    : layout.mounts.find((m) => m.version === 1 && m.controllers.includes(which));
}

/** Why `mount` cannot be changed by this process, or `undefined` when it can. */
export async function whyNotWritable(mount: HostMount | undefined, root = '/'): Promise<string | undefined> {
  if (mount === undefined) return 'hierarchy not mounted';
  if (!isRoot()) return 'not running as root';
  if (mount.root !== '/') return `${mount.mountPoint} shows only ${mount.root} of its hierarchy`;
  if (!(await canWrite(mount.mountPoint, root))) return `${mount.mountPoint} is not writable`;
  return undefined;
}

/** How this process may change a hierarchy. */
export interface WriteAccess {
  /** `root`: anywhere in it; `delegated`: below its own cgroup, which its uid owns; `none`: not at all. */
  mode: 'root' | 'delegated' | 'none';
  /** Where groups may be created: the mount point (root) or the delegated cgroup. */
  dir?: string;
  /** Why not, when `mode` is `none`. */
  why?: string;
}

/**
 * May this process change `mount`, and where? As root: the whole hierarchy
 * (see `whyNotWritable`). Otherwise: its own cgroup in that hierarchy
 * (`/proc/<pid>/cgroup`), when this uid owns the directory and its
 * `cgroup.procs` and may write there — a delegated subtree. `as` stands
 * in for this process's pid and effective uid (tests).
 */
export async function writeAccess(fs: HostFs, mount: HostMount | undefined, as: { pid?: number; euid?: number } = {}): Promise<WriteAccess> {
  if (mount === undefined) return { mode: 'none', why: 'hierarchy not mounted' };
  const uid = as.euid ?? process.geteuid?.() ?? -1;
  const pid = as.pid ?? process.pid;
  if (uid === 0) {
    const why = await whyNotWritable(mount, fs.root);
    return why === undefined ? { mode: 'root', dir: mount.mountPoint } : { mode: 'none', why };
  }
  let dir: string | undefined;
  try {
    dir = await ownDirIn(fs, mount, pid);
    if (dir === undefined) return { mode: 'none', why: `not root, and this process's cgroup is outside what ${mount.mountPoint} shows` };
    const [d, procs] = await Promise.all([fs.stat(dir), fs.stat(`${dir}/cgroup.procs`)]);
    if (d.uid !== uid || procs.uid !== uid) return { mode: 'none', why: `not root, and ${dir} is not delegated to uid ${uid}` };
  } catch (e) {
    if (!(e instanceof CgroupError)) throw e;
    return { mode: 'none', why: `not root, and this process's cgroup could not be read (${e.code})` };
  }
  if (!(await canWrite(dir, fs.root))) return { mode: 'none', why: `not root, and ${dir} is not writable` };
  return { mode: 'delegated', dir };
}

/** The directory of `pid`'s cgroup as `mount` shows it, or `undefined` when the mount does not show it. */
async function ownDirIn(fs: CgroupFs, mount: HostMount, pid: number): Promise<string | undefined> {
  const line = pidCgroupFor(parseProcCgroup(await fs.readFile(`/proc/${pid}/cgroup`)), mount);
  if (line === undefined) return undefined;
  const rel = mount.root === '/' ? line.path : line.path === mount.root ? '/' : line.path.startsWith(mount.root + '/') ? line.path.slice(mount.root.length) : undefined;
  if (rel === undefined) return undefined;
  return rel === '/' ? mount.mountPoint : posix.join(mount.mountPoint, rel);
}

/**
 * The directory (under `mount`) of the cgroup that process `pid` is in, read
 * from `/proc/<pid>/cgroup`, for a mount that shows its whole hierarchy (and
 * a reader in the initial cgroup namespace). ENOENT when the process is gone
 * or the line is missing.
 */
export async function cgroupDirOf(fs: CgroupFs, mount: HostMount, pid: number): Promise<string> {
  const file = `/proc/${pid}/cgroup`;
  const line = pidCgroupFor(parseProcCgroup(await fs.readFile(file)), mount);
  if (line === undefined) throw new CgroupError('ENOENT', 'read', file, `no line for ${mount.mountPoint}`);
  return line.path === '/' ? mount.mountPoint : posix.join(mount.mountPoint, line.path);
}

