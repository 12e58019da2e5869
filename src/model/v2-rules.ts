import type { Cgroup } from './cgroup.js';

/**
 * The cgroup v2 topology predicates, as the kernel defines them
 * (kernel/cgroup/cgroup.c). `threadedCtrl` says whether a controller may be
 * used in threaded subtrees (cpu, cpuset, perf_event, pids).
 */
export type ThreadedPredicate = (ctrl: string) => boolean;

/** Threaded cgroups have an ancestor as their resource domain. */
export function isThreaded(cg: Cgroup): boolean {
  return cg.threaded;
}

/** The resource domain (`dom_cgrp`). */
export function domCgroup(cg: Cgroup): Cgroup {
  return cg.domCgrp;
}

/**
 * cgroup_enable_threaded(): join the parent's domain, and take along every
 * threaded descendant. Returns a function that undoes it.
 */
export function makeThreaded(cg: Cgroup): () => void {
  const dom = cg.parent!.domCgrp;
  const old: [Cgroup, Cgroup][] = [];
  for (const d of cg.descendantsPre()) {
    if (d === cg || d.threaded) {
      old.push([d, d.domCgrp]);
      d.domCgrp = dom;
    }
  }
  return () => {
    for (const [d, prev] of old) d.domCgrp = prev;
  };
}

/** Only the root may have both processes and controller-enabled children. */
export function isMixable(cg: Cgroup): boolean {
  return cg.parent === null;
}

function hasDomainControl(cg: Cgroup, threadedCtrl: ThreadedPredicate): boolean {
  for (const c of cg.subtreeControl) if (!threadedCtrl(c)) return true;
  return false;
}

function hasThreadedControl(cg: Cgroup, threadedCtrl: ThreadedPredicate): boolean {
  for (const c of cg.subtreeControl) if (threadedCtrl(c)) return true;
  return false;
}

/** Live non-threaded children that are populated. */
export function nrPopulatedDomainChildren(cg: Cgroup): number {
  let n = 0;
  for (const c of cg.children.values()) if (!c.threaded && c.populated) n++;
  return n;
}

export function nrThreadedChildren(cg: Cgroup): number {
  let n = 0;
  for (const c of cg.children.values()) if (c.threaded) n++;
  return n;
}

export function canBeThreadRoot(cg: Cgroup, threadedCtrl: ThreadedPredicate): boolean {
  if (isMixable(cg)) return true;
  if (isThreaded(cg)) return false;
  if (nrPopulatedDomainChildren(cg) > 0) return false;
  if (hasDomainControl(cg, threadedCtrl)) return false;
  return true;
}

export function isThreadRoot(cg: Cgroup, threadedCtrl: ThreadedPredicate): boolean {
  if (isThreaded(cg)) return false;
  if (nrThreadedChildren(cg) > 0) return true;
  if (cg.hasTasks && hasThreadedControl(cg, threadedCtrl)) return true;
  return false;
}

export function isValidDomain(cg: Cgroup, threadedCtrl: ThreadedPredicate): boolean {
  if (isThreaded(cg)) return false;
  for (let p = cg.parent; p; p = p.parent) {
    if (!isMixable(p) && isThreadRoot(p, threadedCtrl)) return false;
    if (isThreaded(p)) return false;
  }
  return true;
}

/** What `cgroup.type` reads. */
export function cgroupType(cg: Cgroup, threadedCtrl: ThreadedPredicate): string {
  if (isThreaded(cg)) return 'threaded';
  if (!isValidDomain(cg, threadedCtrl)) return 'domain invalid';
  if (isThreadRoot(cg, threadedCtrl)) return 'domain threaded';
  return 'domain';
}

/**
 * Controllers available in this cgroup (`cgroup.controllers`): the
 * parent's subtree_control (threaded ones only in a threaded cgroup); on the
 * root, every controller bound to the hierarchy that is not implicit.
 */
export function controlSet(cg: Cgroup, threadedCtrl: ThreadedPredicate, rootSet: readonly string[]): string[] {
  if (!cg.parent) return [...rootSet];
  const s = [...cg.parent.subtreeControl];
  return isThreaded(cg) ? s.filter(threadedCtrl) : s;
}
