import type { HierVersion } from './controller.js';

/** One mounted cgroup hierarchy. */
export interface MountSpec {
  version: HierVersion;
  /** Absolute mount point, e.g. `/sys/fs/cgroup/cpu,cpuacct`. */
  mountPoint: string;
  /** v1: controllers bound to it. v2: ignored (v2 gets every controller not bound to v1). */
  controllers: string[];
  /** v1 `name=` option (`systemd`), when given. */
  name?: string;
  /** Other paths where the same hierarchy is reachable (`/sys/fs/cgroup/cpu` -> `cpu,cpuacct`). */
  aliases?: string[];
  /** Hierarchy id as /proc/cgroups and /proc/<pid>/cgroup show it (v2 is 0); assigned in mount order when absent. */
  hierarchyId?: number;
}

export type LayoutKind = 'unified' | 'hybrid' | 'legacy';

export interface LayoutSpec {
  kind: LayoutKind;
  mounts: MountSpec[];
  /**
   * Controllers the kernel is built with (v2 spelling). Absent: every
   * controller cgkit models. A mirrored host lists what its /proc/cgroups has.
   */
  controllers?: string[];
}

export const CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * The kernel's controller order (`include/linux/cgroup_subsys.h`): the
 * order of /proc/cgroups and of `cgroup.controllers`. Names as v2 spells
 * them; `io` is `blkio` on v1.
 */
export const KERNEL_CONTROLLER_ORDER = [
  'cpuset', 'cpu', 'cpuacct', 'io', 'memory', 'devices', 'freezer', 'net_cls',
  'perf_event', 'net_prio', 'hugetlb', 'pids', 'rdma', 'misc',
] as const;

/** v1 hierarchies as a systemd hybrid or legacy host mounts them (one per controller, cpu and cpuacct apart, as on this project's hosts). */
const V1_DEFAULT: MountSpec[] = [
  { version: 1, mountPoint: `${CGROUP_ROOT}/blkio`, controllers: ['io'] },
  { version: 1, mountPoint: `${CGROUP_ROOT}/cpu`, controllers: ['cpu'] },
  { version: 1, mountPoint: `${CGROUP_ROOT}/cpuacct`, controllers: ['cpuacct'] },
  { version: 1, mountPoint: `${CGROUP_ROOT}/cpuset`, controllers: ['cpuset'] },
  { version: 1, mountPoint: `${CGROUP_ROOT}/devices`, controllers: ['devices'] },
  { version: 1, mountPoint: `${CGROUP_ROOT}/freezer`, controllers: ['freezer'] },
  { version: 1, mountPoint: `${CGROUP_ROOT}/memory`, controllers: ['memory'] },
  { version: 1, mountPoint: `${CGROUP_ROOT}/pids`, controllers: ['pids'] },
  { version: 1, mountPoint: `${CGROUP_ROOT}/systemd`, controllers: [], name: 'systemd' },
];

export function builtinLayout(kind: LayoutKind): LayoutSpec {
  switch (kind) {
    case 'unified':
      return { kind, mounts: [{ version: 2, mountPoint: CGROUP_ROOT, controllers: [] }] };
    case 'hybrid':
      return { kind, mounts: [...V1_DEFAULT.map((m) => ({ ...m })), { version: 2, mountPoint: `${CGROUP_ROOT}/unified`, controllers: [] }] };
    case 'legacy':
      return { kind, mounts: V1_DEFAULT.map((m) => ({ ...m })) };
  }
}
