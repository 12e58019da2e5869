import { CgroupError, type Syscall } from '../core/errors.js';
import { parseInt32 } from '../core/format/int.js';
import type { Cgroup } from './cgroup.js';
import type { FileCtx } from './files.js';
import { migrate } from './migrate.js';
import { MAY_WRITE, mayAccess } from './perm.js';
import type { Cred, Task } from './task.js';
import { domCgroup } from './v2-rules.js';
import { vetV2Destination } from './vet.js';

/**
 * cgroup_procs_write_permission(): the writer needs write access to the
 * `cgroup.procs` of the common ancestor of source and destination. A file
 * write had the destination's own file checked at open; clone3 into a
 * cgroup checks it here (`checkDst`). EACCES otherwise.
 */
export function checkAttachPermission(src: Cgroup, dst: Cgroup, cred: Cred, syscall: Syscall, path: string, checkDst = false): void {
  let com: Cgroup = src;
  while (!dst.isDescendantOf(com)) com = com.parent!;
  for (const cg of new Set(checkDst ? [dst, com] : [com])) {
    if (!mayAccess(cg.fileOwner('cgroup.procs', 0o644), cred, MAY_WRITE, false)) {
      throw new CgroupError('EACCES', syscall, path, `no write access to ${cg.fsPath}/cgroup.procs${cg === com ? ' (the common ancestor)' : ''}`);
    }
  }
}

/** `kstrtoint(strstrip(buf), 0)`; negative is EINVAL; 0 is the writer; unknown is ESRCH. */
function findTask(text: string, ctx: FileCtx): Task {
  let pid: number;
  try {
    pid = parseInt32(text, { base: 0, path: ctx.path });
  } catch {
    throw new CgroupError('EINVAL', 'write', ctx.path, `not a pid: '${text.trim()}'`);
  }
  if (pid < 0) throw new CgroupError('EINVAL', 'write', ctx.path, `not a pid: '${text.trim()}'`);
  const t = pid === 0 ? ctx.actor : ctx.k.tasks.get(pid);
  // A zombie is still found (its pid is not free until reaped); moving it moves nothing.
  if (!t) throw new CgroupError('ESRCH', 'write', ctx.path, `no task ${pid}`);
  return t;
}

/**
 * A write to v2 `cgroup.procs` (whole process) or `cgroup.threads` (one
 * thread), with the kernel's checks in its order: pid, delegation
 * permission on the common ancestor's cgroup.procs (EACCES), destination
 * vetting, and for threads the same resource domain (EOPNOTSUPP).
 */
export function writeV2Procs(dst: Cgroup, text: string, ctx: FileCtx, threadgroup: boolean): void {
  if (dst.dead) throw new CgroupError('ENODEV', 'write', ctx.path);
  let t = findTask(text, ctx);
  if (threadgroup) t = ctx.k.leader(t);
  const src = t.cgroups.get(dst.hier)!;
  checkAttachPermission(src, dst, ctx.cred, 'write', ctx.path);
  vetV2Destination(dst, 'write');
  if (!threadgroup && domCgroup(src) !== domCgroup(dst)) {
    throw new CgroupError('ENOTSUP', 'write', ctx.path, 'a thread can only move within its resource domain');
  }
  const tasks = threadgroup ? ctx.k.liveThreads(t) : [t];
  migrate(ctx.k, dst, tasks, threadgroup);
}

/**
 * A write to v1 `tasks` (one thread) or `cgroup.procs` (whole process): the
 * writer must be root or the target's owner (EACCES); no topology rules.
 */
export function writeV1Procs(dst: Cgroup, text: string, ctx: FileCtx, threadgroup: boolean): void {
  if (dst.dead) throw new CgroupError('ENODEV', 'write', ctx.path);
  let t = findTask(text, ctx);
  if (threadgroup) t = ctx.k.leader(t);
  if (ctx.cred.uid !== 0 && ctx.cred.uid !== t.uid) {
    throw new CgroupError('EACCES', 'write', ctx.path, `uid ${ctx.cred.uid} may not move task ${t.tid} of uid ${t.uid}`);
  }
  const tasks = threadgroup ? ctx.k.liveThreads(t) : [t];
  migrate(ctx.k, dst, tasks, threadgroup);
}
