import { CgroupError } from '../core/errors.js';
import { memoryCharge, memoryUncharge } from '../core/controllers/memory.js';
import type { Kernel } from './kernel.js';
import type { Task } from './task.js';

function memoryCss(k: Kernel, leader: Task) {
  const h = k.hierarchyOf('memory');
  return h ? leader.cgroups.get(h)?.effectiveCss('memory') : undefined;
}

/**
 * Charge memory to a process (its thread-group leader): the memory
 * controller charges the css and every ancestor and may OOM-kill inside the
 * limiting cgroup. When the charge cannot complete (the charging process was
 * the victim, nothing was left to kill, or the v1 OOM killer is disabled)
 * the allocation fails with ENOMEM, as a page fault in that task would.
 */
export function chargeMemory(k: Kernel, t: Task, bytes: bigint): void {
  if (bytes < 0n) throw new CgroupError('EINVAL', 'write', undefined, 'a charge cannot be negative');
  const leader = k.leader(t);
  const css = memoryCss(k, leader);
  if (css) {
    const r = memoryCharge(css as never, leader, bytes, k.services());
    if (!r.ok) throw new CgroupError('ENOMEM', 'write', undefined, `memory charge of ${bytes} bytes by ${leader.tid} failed: ${r.reason ?? 'limit'}`);
  }
  leader.rss += bytes;
}

/** Give memory back: never more than the process holds. */
export function unchargeMemory(k: Kernel, t: Task, bytes: bigint): void {
  if (bytes < 0n) throw new CgroupError('EINVAL', 'write', undefined, 'an uncharge cannot be negative');
  const leader = k.leader(t);
  const amount = bytes > leader.rss ? leader.rss : bytes;
  const css = memoryCss(k, leader);
  if (css) memoryUncharge(css as never, leader, amount);
  leader.rss -= amount;
}
