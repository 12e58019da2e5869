/**
 * Core scheduling, the parts both kernels share: the numbers of
 * `prctl(PR_SCHED_CORE, cmd, pid, scope, uaddr)`, the checks of its
 * arguments, what its errno values mean, and {@link CoreSchedKernel}, what a
 * trust-group manager (`coresched/`) needs of a kernel. The simulated kernel
 * (`api/sim-coresched.ts`) and the host (`host/coresched-kernel.ts`)
 * implement it. Facts: kernel-semantics.md §6. Types and pure functions only.
 */
import { type ErrnoCode, strerror } from './errno.js';
import { CgroupError } from './errors.js';

export const PR_SCHED_CORE = 62;

/** The prctl sub-commands (arg2). */
export const CORE_SCHED_CMDS = { get: 0, create: 1, 'share-to': 2, 'share-from': 3 } as const;
export type CoreSchedCmdName = keyof typeof CORE_SCHED_CMDS;

/** The scopes (arg4), by cgkit's names and by util-linux's `-t` names. */
export const CORE_SCHED_SCOPES = {
  thread: 0, 'thread-group': 1, 'process-group': 2,
  pid: 0, tgid: 1, pgid: 2,
} as const;
export type CoreSchedScopeName = keyof typeof CORE_SCHED_SCOPES;

/** A pid for prctl: an integer ≥ 0 that fits pid_t (0 = the calling thread). */
export function checkPid(pid: unknown, what = 'pid'): number {
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid < 0 || pid > 0x7fffffff) {
    throw new CgroupError('EINVAL', 'prctl', undefined, `${what} must be an integer from 0 to 2147483647 (0: the calling thread), not ${String(pid)}`);
  }
  return pid;
}

/** A scope by name (thread, thread-group, process-group; pid, tgid, pgid) or number (0..2). */
export function scopeOf(scope: unknown): number {
  if (typeof scope === 'number' && (scope === 0 || scope === 1 || scope === 2)) return scope;
  if (typeof scope === 'string' && Object.hasOwn(CORE_SCHED_SCOPES, scope)) return CORE_SCHED_SCOPES[scope as CoreSchedScopeName];
  throw new CgroupError('EINVAL', 'prctl', undefined, `unknown scope ${JSON.stringify(scope)}: one of ${Object.keys(CORE_SCHED_SCOPES).join(', ')} or 0..2`);
}

/** A command by name (get, create, share-to, share-from) or number (0..3). */
export function cmdOf(cmd: unknown): number {
  if (typeof cmd === 'number' && Number.isInteger(cmd) && cmd >= 0 && cmd <= 3) return cmd;
  if (typeof cmd === 'string' && Object.hasOwn(CORE_SCHED_CMDS, cmd)) return CORE_SCHED_CMDS[cmd as CoreSchedCmdName];
  throw new CgroupError('EINVAL', 'prctl', undefined, `unknown core scheduling command ${JSON.stringify(cmd)}: one of ${Object.keys(CORE_SCHED_CMDS).join(', ')} or 0..3`);
}

/** What the kernel's errno means for a PR_SCHED_CORE call, for people. */
export function explainErrno(code: ErrnoCode, cmd: number): string {
  switch (code) {
    case 'EINVAL': return cmd === 0
      ? 'this kernel was built without core scheduling (CONFIG_SCHED_CORE): prctl(PR_SCHED_CORE) fails with EINVAL (errno 22)'
      : 'refused with EINVAL: the kernel has no core scheduling (CONFIG_SCHED_CORE), or an argument was refused';
    case 'ENODEV': return 'core scheduling needs SMT (hardware threads) and this machine has none active: prctl(PR_SCHED_CORE) fails with ENODEV (errno 19)';
    case 'ESRCH': return 'no such process';
    case 'EPERM': return 'not allowed: core scheduling needs ptrace read access (PTRACE_MODE_READ_REALCREDS) to every task it changes';
    case 'ENOMEM': return 'the kernel could not allocate a cookie';
    default: return strerror(code);
  }
}

/** A prctl scope by cgkit's name. */
export type CookieScope = 'thread' | 'thread-group' | 'process-group';

/** A process or thread as a trust-group manager sees it. */
export interface CoreSchedTask {
  readonly tid: number;
  readonly tgid: number;
  /** Parent process (tgid). */
  readonly ppid: number;
  readonly pgid: number;
  readonly uid: number;
  readonly name: string;
}

/** What happened to a task (the kernel's process events, plus moves where the kernel reports them). */
export type CoreSchedEvent =
  /** `child` was created by `parent` (a thread when `thread`, else a process); it already has its parent's cookie. */
  | { readonly kind: 'fork'; readonly parent: number; readonly child: number; readonly thread: boolean }
  /** The task ran execve(); its cookie is kept. */
  | { readonly kind: 'exec'; readonly tid: number }
  /** The task is gone (its cookie reference with it). */
  | { readonly kind: 'exit'; readonly tid: number }
  /** The task was moved to another cgroup (only where `reportsMoves`). */
  | { readonly kind: 'move'; readonly tid: number };

/**
 * The kernel operations behind trust groups, on either kernel. Every
 * operation acts as the task `caller` (the kernel's `current`): SHARE_TO
 * pushes the caller's cookie, SHARE_FROM pulls one into the caller. On the
 * host `caller` must be cgkit's own thread (`self`); the simulator accepts
 * any live task. Failures are CgroupError with the kernel's errno
 * (EINVAL, ENODEV, ESRCH, EPERM).
 */
export interface CoreSchedKernel {
  readonly kind: 'sim' | 'host';
  /** The thread cgkit acts as by default (host: its own; simulator: a root task of its own, not init). */
  readonly self: number;
  /** Fork, exec and exit come synchronously, before the new task runs (simulator), or after a delay (host: the process-event connector). */
  readonly synchronousEvents: boolean;
  /** `move` events are reported; where false, a binding to a cgroup rescans it. */
  readonly reportsMoves: boolean;
  /** PR_SCHED_CORE_GET: the cookie id of one thread (0n: no cookie). */
  getCookie(tid: number): bigint;
  /** PR_SCHED_CORE_CREATE: a new cookie for pid's scope. */
  create(caller: number, pid: number, scope: CookieScope): void;
  /** PR_SCHED_CORE_SHARE_TO: the caller's cookie (0 included) to pid's scope. */
  shareTo(caller: number, pid: number, scope: CookieScope): void;
  /** PR_SCHED_CORE_SHARE_FROM: pid's cookie into the caller thread. */
  shareFrom(caller: number, pid: number): void;
  /** A live (or zombie) task, or undefined. */
  task(tid: number): CoreSchedTask | undefined;
  /** The threads of a process (its leader first); empty when it is gone. */
  threads(tgid: number): number[];
  /** Every live thread, ascending. */
  tasks(): number[];
  /** Subscribe to task events; returns the unsubscribe function. */
  watch(fn: (e: CoreSchedEvent) => void): () => void;
}
