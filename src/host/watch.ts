/**
 * Which cgroup files the kernel announces changes of. kernfs sends an
 * inotify modify event (`kernfs_notify`, through `cgroup_file_notify`) for
 * the v2 event files only: `cgroup.events`, `memory.events[.local]`,
 * `memory.swap.events`, `pids.events[.local]`, `misc.events[.local]`,
 * `rdma.events[.local]`, `hugetlb.<size>.events[.local]`. Everything else —
 * every v1 file included (v1 `pids.events` counts but stays silent, checked
 * on Linux 6.18) — must be polled.
 */
import { posix } from 'node:path';
import type { LayoutSpec, MountSpec } from '../core/layout.js';

const NOTIFYING = /^(?:cgroup|memory|memory\.swap|pids|misc|rdma|hugetlb\.[^.]+)\.events(?:\.local)?$/;

/** The mount holding `path` (longest mount point or alias that is a prefix of it). */
export function mountHolding(layout: LayoutSpec, path: string): MountSpec | undefined {
  let best: MountSpec | undefined;
  let bestLen = -1;
  for (const m of layout.mounts) {
    for (const p of [m.mountPoint, ...(m.aliases ?? [])]) {
      if ((path === p || path.startsWith(p + '/')) && p.length > bestLen) {
        best = m;
        bestLen = p.length;
      }
    }
  }
  return best;
}

/** Does the kernel send an inotify event when `path` (a cgroup file) changes? */
export function kernelNotifies(layout: LayoutSpec, path: string): boolean {
  const m = mountHolding(layout, path);
  if (m === undefined || m.version !== 2) return false;
  const dir = posix.dirname(path);
  if (dir === m.mountPoint || (m.aliases ?? []).includes(dir)) return false; // event files are never on the root
  return NOTIFYING.test(posix.basename(path));
}
