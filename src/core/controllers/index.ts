import type { ControllerDef, HierVersion, IfaceFile } from '../controller.js';
import { KERNEL_CONTROLLER_ORDER } from '../layout.js';
import { cpu } from './cpu.js';
import { cpuacct } from './cpuacct.js';
import { cpuset } from './cpuset.js';
import { devices } from './devices.js';
import { freezer } from './freezer.js';
import { hugetlb } from './hugetlb.js';
import { io } from './io.js';
import { memory } from './memory.js';
import { misc } from './misc.js';
import { net_cls } from './net-cls.js';
import { net_prio } from './net-prio.js';
import { perf_event } from './perf-event.js';
import { pids } from './pids.js';
import { rdma } from './rdma.js';

/**
 * The controller registry: one list, in the kernel's order
 * (include/linux/cgroup_subsys.h). Ids, bit masks, name lookups and file
 * listings are all derived from it.
 */
export const CONTROLLERS = [
  cpuset, cpu, cpuacct, io, memory, devices, freezer, net_cls, perf_event, net_prio, hugetlb, pids, rdma, misc,
] as const;

/** Controller names as v2 spells them (`io`, not `blkio`). */
export type ControllerName = (typeof KERNEL_CONTROLLER_ORDER)[number];

export type AnyControllerDef = ControllerDef<unknown>;

/** The registry with the per-controller state types erased, for code that handles any controller. */
export const ALL_CONTROLLER_DEFS = CONTROLLERS as unknown as readonly AnyControllerDef[];
const ALL = ALL_CONTROLLER_DEFS;

if (ALL.length !== KERNEL_CONTROLLER_ORDER.length || ALL.some((c, i) => c.name !== KERNEL_CONTROLLER_ORDER[i])) {
  throw new Error('controller registry is out of step with KERNEL_CONTROLLER_ORDER');
}

/** Lookup by name; `blkio` (the v1 name) finds `io` too. */
export const controllerByName: ReadonlyMap<string, AnyControllerDef> = new Map([
  ...ALL.map((c) => [c.name, c] as const),
  ...ALL.filter((c) => c.legacyName !== undefined).map((c) => [c.legacyName!, c] as const),
]);

/** The kernel's subsystem id: the index in the registry. */
export function controllerId(name: string): number {
  const def = controllerByName.get(name);
  if (!def) throw new RangeError(`unknown controller '${name}'`);
  return ALL.indexOf(def);
}

/** Bit mask of a set of controllers (bit i = registry index i), as subtree_control masks are kept. */
export function controllerMask(names: Iterable<string>): number {
  let m = 0;
  for (const n of names) m |= 1 << controllerId(n);
  return m;
}

/** Names in a mask, in kernel order. */
export function maskNames(mask: number): ControllerName[] {
  return KERNEL_CONTROLLER_ORDER.filter((_n, i) => (mask & (1 << i)) !== 0);
}

/** The v1 name of a controller (`blkio` for `io`). */
export function v1Name(name: string): string {
  return controllerByName.get(name)?.legacyName ?? name;
}

/** Controllers that can be enabled in cgroup.subtree_control (v2-capable, not implicit), kernel order. */
export const v2Controllers: readonly ControllerName[] = KERNEL_CONTROLLER_ORDER.filter((_n, i) => {
  const c = ALL[i]!;
  return c.versions.includes(2) && !c.implicitOnV2;
});

/** Controllers that may be enabled in a threaded subtree. */
export const threadedControllers: readonly ControllerName[] = KERNEL_CONTROLLER_ORDER.filter((_n, i) => ALL[i]!.threaded);

/** Controllers that can be mounted on a v1 hierarchy. */
export const v1Controllers: readonly ControllerName[] = KERNEL_CONTROLLER_ORDER.filter((_n, i) => ALL[i]!.versions.includes(1));

export interface ControllerFile {
  controller: AnyControllerDef;
  file: IfaceFile<unknown>;
}

/**
 * Every (controller, file) pair a cgroup of this version shows when all
 * controllers are present, by file name. Files tied to a kernel feature
 * are kept only when `hasFeature` says so (all of them when it is absent).
 */
export function filesFor(version: HierVersion, isRoot: boolean, hasFeature?: (feature: string) => boolean): ControllerFile[] {
  const out: ControllerFile[] = [];
  for (const controller of ALL) {
    if (!controller.versions.includes(version)) continue;
    for (const file of controller.files) {
      if (!file.versions.includes(version)) continue;
      const where = file.where ?? 'all';
      if ((where === 'nonRoot' && isRoot) || (where === 'rootOnly' && !isRoot)) continue;
      if (file.feature !== undefined && hasFeature && !hasFeature(file.feature)) continue;
      out.push({ controller, file });
    }
  }
  return out.sort((a, b) => (a.file.name < b.file.name ? -1 : a.file.name > b.file.name ? 1 : 0));
}

export { cpu, cpuacct, cpuset, devices, freezer, hugetlb, io, memory, misc, net_cls, net_prio, perf_event, pids, rdma };
