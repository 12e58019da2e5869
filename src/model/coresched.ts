/**
 * `prctl(PR_SCHED_CORE)` in the simulated kernel (kernel/sched/core_sched.c,
 * sched_core_share_pid): cookies on tasks, in the kernel's order of checks.
 *
 * 1. No SMT: ENODEV, before anything else.
 * 2. scope > process-group, cmd ≥ 4, pid < 0, or an out address with a
 *    command other than GET: EINVAL.
 * 3. pid 0 is the caller; an unknown pid is ESRCH.
 * 4. The caller needs ptrace read access to the task (same thread group,
 *    uid 0, or the same uid and gid): EPERM. For a thread-group or
 *    process-group scope every task of the group is checked before any
 *    cookie changes.
 * 5. GET (thread scope only, 8-byte aligned address; NULL is EFAULT) reads the cookie id;
 *    CREATE allocates one new cookie for the whole scope; SHARE_TO gives the
 *    scope the caller's cookie (none included); SHARE_FROM (thread scope
 *    only) gives the caller the task's cookie.
 *
 * Cookie ids read by GET are not the cookie itself: the kernel hashes the
 * cookie's address. The simulator hashes the cookie's number (splitmix64),
 * so ids are opaque 64-bit values, stable for a run, 0 for no cookie.
 * Every change is followed by the scheduler (Kernel.afterChange).
 */
import { CgroupError } from '../core/errors.js';
import { explainErrno, type CookieScope } from '../core/coresched.js';
import type { Kernel } from './kernel.js';
import type { Task } from './task.js';

export interface SchedCoreArgs {
  /** 0 get, 1 create, 2 share to, 3 share from. */
  readonly cmd: number;
  readonly pid: number;
  /** 0 thread, 1 thread group, 2 process group. */
  readonly scope: number;
  /**
   * The out address: for GET a buffer (absent: a valid one; 0 is NULL,
   * EFAULT; its alignment is checked), for the others 0 or absent.
   */
  readonly uaddr?: number;
}

const SCOPES: readonly CookieScope[] = ['thread', 'thread-group', 'process-group'];
const MASK64 = (1n << 64n) - 1n;

/** The id GET reports for cookie `c` (0n for none). */
export function cookieId(c: number): bigint {
  if (c === 0) return 0n;
  let z = (BigInt(c) * 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  z ^= z >> 31n;
  return z === 0n ? 1n : z;
}

function fail(code: 'ENODEV' | 'EINVAL' | 'ESRCH' | 'EPERM' | 'EFAULT', a: SchedCoreArgs, why?: string): CgroupError {
  return new CgroupError(code, 'prctl', undefined, `PR_SCHED_CORE ${a.cmd} on pid ${a.pid}: ${why ?? explainErrno(code, a.cmd)}`);
}

/** ptrace_may_access(PTRACE_MODE_READ_REALCREDS), as far as the model has credentials. */
function mayAccess(caller: Task, t: Task): boolean {
  return caller.tgid === t.tgid || caller.uid === 0 || (caller.uid === t.uid && caller.gid === t.gid);
}

/** The tasks of `t`'s scope, threads of every process included, in pid order. */
function scopeTasks(k: Kernel, t: Task, scope: number): Task[] {
  const out: Task[] = [];
  for (const x of k.tasks.values()) {
    if (x.exited) continue;
    if (scope === 1 ? x.tgid === t.tgid : k.leader(x).pgid === k.leader(t).pgid) out.push(x);
  }
  return out.sort((a, b) => a.tid - b.tid);
}

/**
 * One PR_SCHED_CORE call made by task `callerTid`. GET returns the cookie
 * id; the other commands return undefined.
 */
export function schedCore(k: Kernel, callerTid: number, a: SchedCoreArgs): bigint | undefined {
  const caller = k.liveTask(callerTid, 'prctl');
  if (k.smt < 2) throw fail('ENODEV', a);
  const uaddr = a.uaddr ?? 0;
  if (!Number.isInteger(a.scope) || a.scope < 0 || a.scope > 2) throw fail('EINVAL', a, `scope ${a.scope} is not 0 (thread), 1 (thread group) or 2 (process group)`);
  if (!Number.isInteger(a.cmd) || a.cmd < 0 || a.cmd > 3) throw fail('EINVAL', a, `command ${a.cmd} is not 0..3`);
  if (!Number.isInteger(a.pid) || a.pid < 0) throw fail('EINVAL', a, `pid ${a.pid} is negative`);
  if (a.cmd !== 0 && uaddr !== 0) throw fail('EINVAL', a, 'only get takes an address');
  const t = a.pid === 0 ? caller : k.tasks.get(a.pid);
  if (t === undefined) throw fail('ESRCH', a);
  if (!mayAccess(caller, t)) throw fail('EPERM', a);
  let cookie: number;
  switch (a.cmd) {
    case 0:
      if (a.scope !== 0 || uaddr % 8 !== 0) throw fail('EINVAL', a, a.scope !== 0 ? 'get reads one thread: the scope must be 0 (thread)' : 'the address is not 8-byte aligned');
      if (a.uaddr === 0) throw fail('EFAULT', a, 'get writes the cookie id to the address, and it is NULL');
      return cookieId(t.coreCookie);
    case 1:
      cookie = k.nextCookie++;
      break;
    case 2:
      cookie = caller.coreCookie;
      break;
    default:
      if (a.scope !== 0) throw fail('EINVAL', a, 'share from sets the caller\'s own cookie: the scope must be 0 (thread)');
      caller.coreCookie = t.coreCookie;
      k.afterChange?.();
      return undefined;
  }
  const targets = a.scope === 0 ? [t] : scopeTasks(k, t, a.scope);
  for (const x of targets) if (!mayAccess(caller, x)) throw fail('EPERM', a, `no ptrace read access to task ${x.tid} of the ${SCOPES[a.scope]}`);
  for (const x of targets) x.coreCookie = cookie;
  k.afterChange?.();
  return undefined;
}
