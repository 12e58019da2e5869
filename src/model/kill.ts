import type { Cgroup } from './cgroup.js';
import type { Kernel } from './kernel.js';
import { killTask } from './tasks.js';

/** cgroup.kill: SIGKILL to every process in the subtree, frozen ones included. */
export function killCgroup(k: Kernel, cg: Cgroup): void {
  const tgids = new Set<number>();
  for (const t of cg.subtreeThreads()) tgids.add(t.tgid);
  for (const tgid of tgids) {
    const t = k.tasks.get(tgid);
    if (t && !t.exited && tgid !== 1) killTask(k, tgid, 9);
  }
}
