import type { Cgroup } from './cgroup.js';
import type { Kernel } from './kernel.js';

/**
 * Report populated-state flips the way the kernel does: a `cgroup.events`
 * modification for every non-root v2 cgroup that flipped, and on v1 a
 * release notification for every cgroup with notify_on_release that became
 * empty. `flips` come from Cgroup.addTask/removeTask.
 */
export function reportPopulated(k: Kernel, flips: readonly Cgroup[]): void {
  for (const cg of flips) {
    if (cg.dead || cg.isRoot) continue;
    if (cg.version === 2) k.emit({ type: 'modified', path: `${cg.fsPath}/cgroup.events` });
    else if (!cg.populated) checkRelease(k, cg);
  }
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
