/**
 * A stand-in for `prctl(PR_SCHED_CORE)` on a host whose kernel has no core
 * scheduling: a {@link PrctlSys} that keeps a cookie per thread id the way
 * the kernel does (kernel-semantics.md §6.2), over the real tasks of /proc.
 *
 * - The calling thread is this process's main thread (pid 0 names it).
 * - GET writes a thread's cookie id (0: none); CREATE gives the scope
 *   (thread, thread group, process group, read from /proc) one new id;
 *   SHARE_TO copies the caller's cookie to the scope; SHARE_FROM copies a
 *   thread's cookie into the caller. A task /proc does not show: ESRCH.
 * - Fork inheritance. The kernel copies the parent's cookie inside fork();
 *   this table never sees a fork, so a task it has never seen holds its
 *   parent's cookie as of the first lookup (the parent read from
 *   /proc/<pid>/stat; for a thread, its thread group leader), and keeps
 *   it from then on. A task id is known together with its start time, so a
 *   reused pid counts as a new task. The lookup is late, not at fork time:
 *   a parent whose cookie changes between its child's fork and the first
 *   lookup passes the new one on (the tests keep parents' cookies fixed).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { PrctlSys } from '../host/coresched.js';
import { parseProcStat, parseProcStatus } from '../host/coresched-kernel.js';

const ESRCH = 3;
const EINVAL = 22;

interface Facts {
  tgid: number;
  ppid: number;
  pgid: number;
  start: number;
}

export class ProcCookieTable implements PrctlSys {
  /** The calling thread of every prctl: this process's main thread. */
  readonly self = process.pid;
  /** When (process.hrtime, ns) a call last changed each thread's cookie. */
  readonly changedAt = new Map<number, bigint>();
  private readonly table = new Map<number, { start: number; cookie: bigint }>();
  private next = 1n;

  constructor(private readonly proc = '/proc') {}

  schedCore(cmd: number, pid: number, scope: number, out: BigUint64Array | null): number {
    const target = pid === 0 ? this.self : pid;
    if (this.facts(target) === undefined) return ESRCH;
    switch (cmd) {
      case 0: {
        if (out === null || scope !== 0) return EINVAL;
        out[0] = this.cookie(target) ?? 0n;
        return 0;
      }
      case 1: return this.setScope(target, scope, this.next++);
      case 2: return this.setScope(target, scope, this.cookie(this.self) ?? 0n);
      case 3: {
        if (scope !== 0) return EINVAL;
        const c = this.cookie(target);
        if (c === undefined) return ESRCH;
        this.set(this.self, c);
        return 0;
      }
      default: return EINVAL;
    }
  }

  /** A thread's cookie (inherited from its parent when never seen); undefined when it is gone. */
  cookie(tid: number, depth = 0): bigint | undefined {
    const f = this.facts(tid);
    if (f === undefined) return undefined;
    const known = this.table.get(tid);
    if (known !== undefined && known.start === f.start) return known.cookie;
    const parent = tid !== f.tgid ? f.tgid : f.ppid;
    const inherited = parent > 0 && parent !== tid && depth < 64 ? (this.cookie(parent, depth + 1) ?? 0n) : 0n;
    this.table.set(tid, { start: f.start, cookie: inherited });
    return inherited;
  }

  private setScope(target: number, scope: number, cookie: bigint): number {
    const tids = this.scope(target, scope);
    if (tids === undefined) return EINVAL;
    for (const t of tids) this.set(t, cookie);
    return 0;
  }

  private set(tid: number, cookie: bigint): void {
    const f = this.facts(tid);
    if (f === undefined) return; // gone meanwhile: the kernel skips exiting tasks too
    this.table.set(tid, { start: f.start, cookie });
    this.changedAt.set(tid, process.hrtime.bigint());
  }

  /** The threads a scope names: 0 the thread, 1 its thread group, 2 every thread of its process group. */
  private scope(target: number, scope: number): number[] | undefined {
    const f = this.facts(target);
    if (f === undefined) return [];
    if (scope === 0) return [target];
    if (scope === 1) return this.threadsOf(f.tgid);
    if (scope !== 2) return undefined;
    return numeric(this.proc).filter((p) => this.facts(p)?.pgid === f.pgid).flatMap((p) => this.threadsOf(p));
  }

  private threadsOf(tgid: number): number[] {
    return numeric(`${this.proc}/${tgid}/task`);
  }

  private facts(tid: number): Facts | undefined {
    const stat = read(`${this.proc}/${tid}/stat`);
    const status = read(`${this.proc}/${tid}/status`);
    const s = stat === undefined ? undefined : parseProcStat(stat);
    const st = status === undefined ? undefined : parseProcStatus(status);
    if (s === undefined || st === undefined) return undefined;
    return { tgid: st.tgid, ppid: s.ppid, pgid: s.pgid, start: s.start };
  }
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function numeric(dir: string): number[] {
  try {
    return readdirSync(dir).filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return [];
  }
}
