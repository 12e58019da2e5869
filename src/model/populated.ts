import type { Cgroup } from './cgroup.js';
import type { Kernel } from './kernel.js';

/**
 * Runs `fn`, which adds or removes tasks or cgroups, and afterwards reports
 * what changed the way the kernel does: a `cgroup.events` modification for
 * every v2 cgroup whose populated state flipped, and on v1 a release
 * notification for every cgroup with notify_on_release that became empty.
 */
export function trackPopulated<T>(k: Kernel, touched: Iterable<Cgroup>, fn: () => T): T {
  const before = new Map<Cgroup, boolean>();
  for (const cg of touched) for (const a of cg.ancestorsAndSelf()) if (!before.has(a)) before.set(a, a.populated);
  const out = fn();
  for (const [cg, was] of before) {
    if (cg.dead) continue;
    const now = cg.populated;
    if (now === was) continue;
    if (cg.version === 2) {
      if (!cg.isRoot) k.emit({ type: 'modified', path: `${cg.fsPath}/cgroup.events` });
    } else if (!now) {
      checkRelease(k, cg);
    }
  }
  return out;
}

/** v1 `check_for_release`: notify_on_release set, no live tasks, no children. */
export function checkRelease(k: Kernel, cg: Cgroup): void {
  if (cg.version !== 1 || cg.isRoot || cg.dead) return;
  if (!cg.notifyOnRelease || cg.populated || cg.children.size > 0) return;
  k.emit({
    type: 'release',
    event: { hierarchyId: cg.hier.id, mountPoint: cg.hier.mountPoint, path: cg.path, agent: cg.hier.releaseAgent },
  });
}

/** Report a freeze-state change of a v2 subtree (`frozen` in cgroup.events). */
export function notifyFrozen(k: Kernel, cg: Cgroup): void {
  for (const c of cg.descendantsPre()) k.emit({ type: 'modified', path: `${c.fsPath}/cgroup.events` });
}
