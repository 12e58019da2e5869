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
export async function whyNotWritable(mount: HostMount | undefined): Promise<string | undefined> {
  if (mount === undefined) return 'hierarchy not mounted';
  if (!isRoot()) return 'not running as root';
  if (mount.root !== '/') return `${mount.mountPoint} shows only ${mount.root} of its hierarchy`;
  if (!(await canWrite(mount.mountPoint))) return `${mount.mountPoint} is not writable`;
  return undefined;
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

