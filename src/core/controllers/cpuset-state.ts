import type { Css, KernelServices } from '../controller.js';
import { maskAnd, maskAndNot, maskIntersects, maskOr, maskSubset } from './bitmap.js';

/**
 * cpuset state and the computation of effective masks and partition states
 * (kernel/cgroup/cpuset.c). The simulated kernel has no CPU hotplug, so the
 * masks follow only from what was written: effective masks are recomputed
 * for the whole hierarchy after every change (the kernel updates the
 * affected subtree; the result is the same).
 */

export type PartitionType = 'member' | 'root' | 'isolated';

export interface CpusetState {
  /** cpuset.cpus as written (cpus_allowed). */
  cpus: number[];
  /** cpuset.mems as written (mems_allowed). */
  mems: number[];
  /** v2 cpuset.cpus.exclusive as written. */
  exclusiveCpus: number[];
  /** v2 cpuset.cpus.partition as written. */
  partition: PartitionType;
  /** Why a requested partition is invalid (shown as `root invalid (<why>)`). */
  partitionError: string | undefined;
  effectiveCpus: number[];
  effectiveMems: number[];
  /** v2 cpuset.cpus.exclusive.effective. */
  effectiveXcpus: number[];
  cpuExclusive: boolean;
  memExclusive: boolean;
  memHardwall: boolean;
  memoryMigrate: boolean;
  spreadPage: boolean;
  spreadSlab: boolean;
  schedLoadBalance: boolean;
  relaxDomainLevel: number;
  /** Root only: cpuset.memory_pressure_enabled. */
  memoryPressureEnabled: boolean;
  /** Migrations between can_attach and attach/cancel (they count as tasks for ENOSPC). */
  attachInProgress: number;
  /** Set by offline(): ignored by the recomputation. */
  offline: boolean;
}

export type CpusetCss = Css<CpusetState>;

export const PERR = {
  INVCPUS: 'Invalid cpu list in cpuset.cpus.exclusive',
  INVPARENT: 'Parent is an invalid partition root',
  NOTPART: 'Parent is not a partition root',
  NOTEXCL: 'Cpu list in cpuset.cpus not exclusive',
  NOCPUS: 'Parent unable to distribute cpu downstream',
  CPUSEMPTY: 'cpuset.cpus and cpuset.cpus.exclusive are empty',
} as const;

export function newCpusetState(parent: CpusetState | null, k: KernelServices, v2: boolean): CpusetState {
  const root = parent === null;
  return {
    cpus: root ? [...k.cpus] : [],
    mems: root ? [...k.mems] : [],
    exclusiveCpus: [],
    partition: root && v2 ? 'root' : 'member',
    partitionError: undefined,
    effectiveCpus: root ? [...k.cpus] : [],
    effectiveMems: root ? [...k.mems] : [],
    effectiveXcpus: root ? [...k.cpus] : [],
    cpuExclusive: root,
    memExclusive: root,
    memHardwall: false,
    memoryMigrate: v2,
    spreadPage: parent?.spreadPage ?? false,
    spreadSlab: parent?.spreadSlab ?? false,
    schedLoadBalance: true,
    relaxDomainLevel: -1,
    memoryPressureEnabled: false,
    attachInProgress: 0,
    offline: false,
  };
}

const online = (css: CpusetCss): CpusetCss[] => css.children().filter((c) => !c.state.offline);

/** The CPUs a partition claims: cpuset.cpus.exclusive, or cpuset.cpus when that is empty. */
export function userXcpus(s: CpusetState): number[] {
  return s.exclusiveCpus.length > 0 ? s.exclusiveCpus : s.cpus;
}

export function isValidPartition(css: CpusetCss): boolean {
  return !css.parent || (css.state.partition !== 'member' && css.state.partitionError === undefined);
}

/** partition_is_populated(): tasks of its own, or in a non-partition child other than `except`. */
function partitionIsPopulated(css: CpusetCss, except: CpusetCss): boolean {
  if (css.cgroup.threads().length > 0) return true;
  return online(css).some((c) => c !== except && !(c.state.partition !== 'member' && c.state.partitionError === undefined) && c.cgroup.populated);
}

/** Why `c` (requesting root/isolated) cannot be a partition under `p` right now; undefined when it can. */
function partitionProblem(c: CpusetCss, p: CpusetCss, claimed: readonly number[]): { err: string } | { xcpus: number[] } {
  if (!isValidPartition(p)) return { err: p.state.partition === 'member' ? PERR.NOTPART : PERR.INVPARENT };
  if (c.state.cpus.length === 0 && c.state.exclusiveCpus.length === 0) return { err: PERR.CPUSEMPTY };
  const siblings = online(p).filter((s) => s !== c);
  if (c.state.exclusiveCpus.length > 0 && siblings.some((s) => maskIntersects(c.state.exclusiveCpus, s.state.exclusiveCpus))) {
    return { err: PERR.NOTEXCL };
  }
  const xcpus = maskAndNot(maskAnd(userXcpus(c.state), p.state.effectiveXcpus), claimed);
  if (xcpus.length === 0) return { err: PERR.INVCPUS };
  if (partitionIsPopulated(p, c) && maskSubset(p.state.effectiveCpus, xcpus)) return { err: PERR.NOCPUS };
  return { xcpus };
}

function inherit(own: readonly number[], parentEff: readonly number[]): number[] {
  const and = maskAnd(own, parentEff);
  return and.length > 0 ? and : [...parentEff];
}

/** v2: decide the children's partitions, then give every child its effective masks. */
function computeV2Children(p: CpusetCss): void {
  const kids = online(p);
  const valid = new Map<CpusetCss, number[]>();
  let claimed: number[] = [];
  for (const c of kids) {
    if (c.state.partition === 'member') {
      c.state.partitionError = undefined;
      continue;
    }
    const r = partitionProblem(c, p, claimed);
    if ('err' in r) {
      c.state.partitionError = r.err;
      continue;
    }
    c.state.partitionError = undefined;
    valid.set(c, r.xcpus);
    claimed = maskOr(claimed, r.xcpus);
    p.state.effectiveCpus = maskAndNot(p.state.effectiveCpus, r.xcpus);
  }
  for (const c of kids) {
    const x = valid.get(c);
    if (x) {
      c.state.effectiveXcpus = x;
      c.state.effectiveCpus = [...x];
    } else {
      c.state.effectiveXcpus = c.state.exclusiveCpus.length > 0 ? maskAnd(c.state.exclusiveCpus, p.state.effectiveXcpus) : [];
      c.state.effectiveCpus = inherit(c.state.cpus, p.state.effectiveCpus);
    }
    c.state.effectiveMems = inherit(c.state.mems, p.state.effectiveMems);
    computeV2Children(c);
  }
}

function computeV1Children(p: CpusetCss): void {
  for (const c of online(p)) {
    c.state.effectiveCpus = maskAnd(c.state.cpus, p.state.effectiveCpus);
    c.state.effectiveMems = maskAnd(c.state.mems, p.state.effectiveMems);
    computeV1Children(c);
  }
}

function rootOf(css: CpusetCss): CpusetCss {
  let c = css;
  while (c.parent) c = c.parent;
  return c;
}

/** Recompute every effective mask and partition state of the hierarchy `css` is in. */
export function recomputeCpusets(css: CpusetCss, k: KernelServices): void {
  const root = rootOf(css);
  root.state.effectiveCpus = [...k.cpus];
  root.state.effectiveMems = [...k.mems];
  root.state.effectiveXcpus = [...k.cpus];
  if (root.cgroup.version === 1) computeV1Children(root);
  else computeV2Children(root);
}

/** CPUs the tasks of this css may run on (the scheduler's allowed mask for the group). */
export function cpusetEffectiveCpus(css: CpusetCss): readonly number[] {
  return css.state.effectiveCpus;
}

/** Memory nodes the tasks of this css may allocate from. */
export function cpusetEffectiveMems(css: CpusetCss): readonly number[] {
  return css.state.effectiveMems;
}

/** cpuset.cpus.isolated: CPUs of every valid isolated partition. */
export function isolatedCpus(root: CpusetCss): number[] {
  let out: number[] = [];
  const walk = (c: CpusetCss): void => {
    for (const k of online(c)) {
      if (k.state.partition === 'isolated' && isValidPartition(k)) out = maskOr(out, k.state.effectiveXcpus);
      walk(k);
    }
  };
  walk(root);
  return out;
}
