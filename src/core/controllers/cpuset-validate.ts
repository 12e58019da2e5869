import type { KernelServices } from '../controller.js';
import { CgroupError } from '../errors.js';
import { parseCpuList } from '../format/cpulist.js';
import { maskEqual, maskIntersects, maskSubset } from './bitmap.js';
import { type CpusetCss, type CpusetState, userXcpus } from './cpuset-state.js';
import { einval } from './refuse.js';

/**
 * The checks of a cpuset write (validate_change() and its v1 part
 * cpuset1_validate_change()), in the kernel's order: children must stay
 * subsets (v1, EBUSY), the group must stay a subset of its parent (v1,
 * EACCES), a populated group keeps non-empty masks (ENOSPC), exclusive
 * siblings must not overlap (EINVAL).
 */

/** MAX_NUMNODES with CONFIG_NODES_SHIFT=10: the width of a node mask. */
export const MAX_NUMNODES = 1024;

export type Trial = Pick<CpusetState, 'cpus' | 'mems' | 'cpuExclusive' | 'memExclusive' | 'exclusiveCpus'>;

export function trialOf(s: CpusetState, change: Partial<Trial>): Trial {
  return {
    cpus: change.cpus ?? s.cpus,
    mems: change.mems ?? s.mems,
    cpuExclusive: change.cpuExclusive ?? s.cpuExclusive,
    memExclusive: change.memExclusive ?? s.memExclusive,
    exclusiveCpus: change.exclusiveCpus ?? s.exclusiveCpus,
  };
}

/** Width of a CPU mask: nr_cpu_ids (one past the highest possible CPU). */
export function nrCpuIds(k: KernelServices): number {
  return k.cpus.length === 0 ? 0 : Math.max(...k.cpus) + 1;
}

/** A cpuset.cpus / cpuset.cpus.exclusive write: a range list (blank clears) within the machine. */
export function parseCpus(text: string, k: KernelServices): number[] {
  const m = parseCpuList(text, nrCpuIds(k));
  if (!maskSubset(m, k.cpus)) throw einval('CPU not present');
  return m;
}

/** A cpuset.mems write: node masks are MAX_NUMNODES wide; nodes must exist. */
export function parseMems(text: string, k: KernelServices): number[] {
  const m = parseCpuList(text, MAX_NUMNODES);
  if (!maskSubset(m, k.mems)) throw einval('memory node not present');
  return m;
}

const isSubsetOf = (p: Trial, q: Trial): boolean =>
  maskSubset(p.cpus, q.cpus) && maskSubset(p.mems, q.mems) &&
  (!p.cpuExclusive || q.cpuExclusive) && (!p.memExclusive || q.memExclusive);

/** cpus_excl_conflict(). */
function cpusConflict(a: Trial, b: Trial): boolean {
  if (a.cpuExclusive || b.cpuExclusive) return maskIntersects(userXcpus(a as CpusetState), userXcpus(b as CpusetState));
  if (maskIntersects(a.exclusiveCpus, b.exclusiveCpus)) return true;
  if (a.cpus.length > 0 && b.exclusiveCpus.length > 0 && maskSubset(a.cpus, b.exclusiveCpus)) return true;
  if (b.cpus.length > 0 && a.exclusiveCpus.length > 0 && maskSubset(b.cpus, a.exclusiveCpus)) return true;
  return false;
}

function memsConflict(a: Trial, b: Trial): boolean {
  return (a.memExclusive || b.memExclusive) && maskIntersects(a.mems, b.mems);
}

/** On v2 a valid partition root counts as cpu-exclusive. */
function asTrial(css: CpusetCss): Trial {
  const s = css.state;
  const v2Excl = css.cgroup.version === 2 && s.partition !== 'member' && s.partitionError === undefined;
  return { ...trialOf(s, {}), cpuExclusive: s.cpuExclusive || v2Excl };
}

export function validateChange(cur: CpusetCss, change: Partial<Trial>): void {
  const trial = trialOf(cur.state, change);
  if (cur.cgroup.version === 1) {
    for (const c of cur.children()) {
      if (!c.state.offline && !isSubsetOf(c.state, trial)) throw new CgroupError('EBUSY', 'write', undefined, 'a child cpuset is not a subset');
    }
    if (cur.parent && !isSubsetOf(trial, cur.parent.state)) throw new CgroupError('EACCES', 'write', undefined, 'not a subset of the parent cpuset');
  }
  if (!cur.parent) return;
  if (cur.cgroup.populated || cur.state.attachInProgress > 0) {
    if ((cur.state.cpus.length > 0 && trial.cpus.length === 0) || (cur.state.mems.length > 0 && trial.mems.length === 0)) {
      throw new CgroupError('ENOSPC', 'write', undefined, 'a populated cpuset cannot be emptied');
    }
  }
  const mine: Trial = cur.cgroup.version === 2 ? { ...trial, cpuExclusive: asTrial(cur).cpuExclusive } : trial;
  for (const s of cur.parent.children()) {
    if (s === cur || s.state.offline) continue;
    if (cpusConflict(mine, asTrial(s)) || memsConflict(mine, asTrial(s))) throw einval('overlaps an exclusive sibling');
  }
}

/** True when the write would not change anything (the kernel returns early without checks). */
export function unchanged(cur: CpusetState, change: Partial<Trial>): boolean {
  return (change.cpus === undefined || maskEqual(change.cpus, cur.cpus)) &&
    (change.mems === undefined || maskEqual(change.mems, cur.mems)) &&
    (change.exclusiveCpus === undefined || maskEqual(change.exclusiveCpus, cur.exclusiveCpus)) &&
    (change.cpuExclusive === undefined || change.cpuExclusive === cur.cpuExclusive) &&
    (change.memExclusive === undefined || change.memExclusive === cur.memExclusive);
}
