/**
 * Core scheduling on the host kernel as a {@link CoreSchedKernel}: the
 * `prctl(PR_SCHED_CORE)` operations (host/coresched.ts), the tasks as
 * /proc shows them, and their fork, exec and exit from the kernel's
 * process-event connector (host/proc-events.ts).
 *
 * The caller. prctl acts as the thread that calls it, and on the host that
 * is always cgkit's own main thread (`self`, whose id is `process.pid`):
 * SHARE_TO pushes cgkit's cookie, SHARE_FROM changes cgkit's own. Any other
 * `caller` is refused with EINVAL before a system call.
 *
 * Events arrive late (`synchronousEvents` false). The kernel copies the
 * parent's cookie into a child inside fork() and sends the fork event at
 * the same time, but cgkit only handles it once the event has crossed the
 * socket and Node's event loop. THE RACE WINDOW: from fork() until cgkit
 * has handled the event, the child runs with its parent's cookie, so a
 * child that its group's properties send elsewhere (NEW_ or
 * ROOT_COOKIE_FOR_CHILD) may share a core with its parent's group for that
 * time. It is typically under a millisecond (fork to delivery on a 2-vCPU
 * VM: median 0.8 ms with idle CPUs, 0.1 ms with busy ones, whose p90 was up
 * to 3 ms and maximum 7 ms; handling the event and the prctl calls come on
 * top), but it has no bound: a loaded machine delays cgkit's thread, and
 * when the socket's buffer overflows events are lost until the rescan
 * below. A child can also fork or exec inside the window; its children
 * inherit the cookie it has then. A thread that execs takes over its
 * leader's id, whose exit was reported; the exec event puts it back among
 * the known tasks, but the manager has seen that exit.
 *
 * Lost events. When the kernel reports an overrun (ENOBUFS), the task list
 * is read again from /proc and the difference to the tasks this kernel
 * knew is reported as events: `exit` for tasks gone, `fork` for new ones
 * (parents before children; the parent named is the current parent from
 * /proc, which after a reparenting is the reaper, not the forker). A task
 * that came and went inside the gap is never seen; a pid reused inside it
 * looks like the same task.
 *
 * What the connector names. A fork event's parent is the kernel's
 * `real_parent`: the forking thread for a new process, but for a new thread
 * (CLONE_THREAD) the parent of the whole process. The thread that created a
 * thread is not reported; `parent` of a thread fork is its process (the
 * thread group leader). Moves between cgroups are not reported
 * (`reportsMoves` false): cgroup bindings rescan.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ErrnoCode } from '../core/errno.js';
import { CgroupError, isErrnoLike, toCgroupError } from '../core/errors.js';
import type { CookieScope, CoreSchedEvent, CoreSchedKernel, CoreSchedTask } from '../core/coresched.js';
import { coreSchedSupport, createCookie, getCookie, loadHostPrctl, shareFrom, shareTo, type PrctlLoad, type PrctlSys } from './coresched.js';
import { ProcEvents, type ProcEventMessage, type ProcEventsOptions } from './proc-events.js';

export interface HostCoreSchedOptions {
  /** The prctl binding (default: the host's, through koffi). */
  sys?: PrctlSys;
  /** Where procfs is mounted (default /proc). */
  procRoot?: string;
  /** Options of the process-event connector. */
  events?: ProcEventsOptions;
  /** Where a failure of the event stream goes (default: rethrown as an uncaught exception). */
  onError?: (e: CgroupError) => void;
}

/** The kernel, or why cgkit cannot manage core scheduling here. */
export type HostCoreSchedOpen = { kernel: HostCoreSchedKernel } | { error: string; code?: ErrnoCode };

/**
 * Open the host's core scheduling: fails (as a value, never a throw) when
 * the kernel has no core scheduling (see `coreSchedSupport()`: EINVAL
 * without CONFIG_SCHED_CORE, ENODEV without SMT) or when cgkit may not
 * follow new tasks (see `ProcEvents.open`: EPERM, ENOTSUP, ETIMEDOUT).
 */
export async function openHostCoreSched(opts: HostCoreSchedOptions = {}): Promise<HostCoreSchedOpen> {
  const load: PrctlLoad = opts.sys ? { sys: opts.sys } : loadHostPrctl();
  const support = coreSchedSupport(load);
  if ('error' in load || !support.supported) {
    return { error: `no core scheduling on this host: ${support.why ?? 'unknown reason'}`, ...(support.code ? { code: support.code } : {}) };
  }
  let events: ProcEvents;
  try {
    events = await ProcEvents.open(opts.events);
  } catch (e) {
    if (!(e instanceof CgroupError)) throw e;
    return { error: `cannot follow new tasks through the kernel's process-event connector: ${e.detail ?? e.message}`, code: e.code };
  }
  return { kernel: new HostCoreSchedKernel(events, load.sys, opts) };
}

/** A task as /proc/<tgid>/task/<tid>/stat shows it. */
interface ProcTask {
  tid: number;
  tgid: number;
  ppid: number;
  /** Start time, clock ticks after boot (field 22). */
  start: number;
  zombie: boolean;
}

export class HostCoreSchedKernel implements CoreSchedKernel {
  readonly kind = 'host' as const;
  readonly self = process.pid;
  readonly synchronousEvents = false;
  readonly reportsMoves = false;
  private readonly root: string;
  private readonly watchers = new Set<(e: CoreSchedEvent) => void>();
  /** The live tasks as the events so far describe them, kept while anyone watches. */
  private known: Set<number> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly events: ProcEvents, private readonly sys: PrctlSys, private readonly opts: HostCoreSchedOptions = {}) {
    this.root = opts.procRoot ?? '/proc';
  }

  getCookie(tid: number): bigint {
    return getCookie(tid, this.sys);
  }

  create(caller: number, pid: number, scope: CookieScope): void {
    this.checkCaller(caller);
    createCookie(pid, scope, this.sys);
  }

  shareTo(caller: number, pid: number, scope: CookieScope): void {
    this.checkCaller(caller);
    shareTo(pid, scope, this.sys);
  }

  shareFrom(caller: number, pid: number): void {
    this.checkCaller(caller);
    shareFrom(pid, this.sys);
  }

  task(tid: number): CoreSchedTask | undefined {
    if (!Number.isSafeInteger(tid) || tid <= 0) return undefined;
    const stat = readText(`${this.root}/${tid}/stat`);
    const status = readText(`${this.root}/${tid}/status`);
    if (stat === undefined || status === undefined) return undefined;
    const s = parseProcStat(stat);
    const st = parseProcStatus(status);
    if (s === undefined || st === undefined) return undefined;
    return { tid, tgid: st.tgid, ppid: s.ppid, pgid: s.pgid, uid: st.uid, name: s.name };
  }

  threads(tgid: number): number[] {
    if (!Number.isSafeInteger(tgid) || tgid <= 0) return [];
    const status = readText(`${this.root}/${tgid}/status`);
    if (status === undefined || parseProcStatus(status)?.tgid !== tgid) return []; // gone, or a thread, not a process
    return numericEntries(`${this.root}/${tgid}/task`).sort((a, b) => (a === tgid ? -1 : b === tgid ? 1 : a - b));
  }

  tasks(): number[] {
    return this.scan().filter((t) => !t.zombie).map((t) => t.tid).sort((a, b) => a - b);
  }

  watch(fn: (e: CoreSchedEvent) => void): () => void {
    if (this.events.closed) throw new CgroupError('EBADF', 'watch', undefined, 'the host core scheduling kernel was closed');
    const entry = (e: CoreSchedEvent): void => fn(e);
    if (this.watchers.size === 0) {
      this.known = new Set(this.tasks());
      this.unsubscribe = this.events.subscribe((m) => this.onMessage(m));
    }
    this.watchers.add(entry);
    return () => {
      if (!this.watchers.delete(entry) || this.watchers.size > 0) return;
      this.unsubscribe?.();
      this.unsubscribe = undefined;
      this.known = undefined;
    };
  }

  /** Stop following tasks: closes the connector. */
  async close(): Promise<void> {
    this.watchers.clear();
    this.known = undefined;
    await this.events.close();
  }

  private checkCaller(caller: number): void {
    if (caller === this.self) return;
    throw new CgroupError('EINVAL', 'prctl', undefined,
      `on the host prctl(PR_SCHED_CORE) acts as the thread that calls it, which is cgkit's own main thread (${this.self}); it cannot act as task ${caller}`);
  }

  private onMessage(m: ProcEventMessage): void {
    const known = this.known;
    if (known === undefined) return;
    switch (m.kind) {
      case 'fork': {
        if (known.has(m.childPid)) return; // a rescan reported it first
        known.add(m.childPid);
        const thread = m.childPid !== m.childTgid;
        this.emit({ kind: 'fork', parent: thread ? m.childTgid : m.parentPid, child: m.childPid, thread });
        return;
      }
      case 'exec':
        known.add(m.pid); // a thread that execs takes over the leader's id, whose exit was reported
        this.emit({ kind: 'exec', tid: m.pid });
        return;
      case 'exit':
        if (known.delete(m.pid)) this.emit({ kind: 'exit', tid: m.pid });
        return;
      case 'overrun':
        this.rescan(known);
        return;
      case 'error':
        if (this.opts.onError) this.opts.onError(m.error);
        else process.nextTick(() => { throw m.error; });
    }
  }

  /** After lost events: report the difference between `known` and /proc as exits and forks. */
  private rescan(known: Set<number>): void {
    const live = this.scan().filter((t) => !t.zombie);
    const now = new Set(live.map((t) => t.tid));
    for (const tid of [...known].sort((a, b) => a - b)) {
      if (now.has(tid)) continue;
      known.delete(tid);
      this.emit({ kind: 'exit', tid });
    }
    const fresh = new Map(live.filter((t) => !known.has(t.tid)).map((t) => [t.tid, t]));
    const parentOf = (t: ProcTask): number => (t.tid === t.tgid ? t.ppid : t.tgid);
    const visiting = new Set<number>(); // a cycle (pids reused in the gap) cannot recurse forever
    const report = (t: ProcTask): void => {
      if (known.has(t.tid) || visiting.has(t.tid)) return;
      visiting.add(t.tid);
      const parent = fresh.get(parentOf(t));
      if (parent !== undefined) report(parent);
      known.add(t.tid);
      this.emit({ kind: 'fork', parent: parentOf(t), child: t.tid, thread: t.tid !== t.tgid });
    };
    for (const t of [...fresh.values()].sort((a, b) => a.start - b.start || a.tid - b.tid)) report(t);
  }

  private emit(e: CoreSchedEvent): void {
    for (const fn of [...this.watchers]) {
      try {
        fn(e);
      } catch (err) {
        process.nextTick(() => { throw err; });
      }
    }
  }

  /** Every task under the proc root, from /proc/<tgid>/task/<tid>/stat. */
  private scan(): ProcTask[] {
    const out: ProcTask[] = [];
    for (const tgid of numericEntries(this.root)) {
      for (const tid of numericEntries(`${this.root}/${tgid}/task`)) {
        const text = readText(`${this.root}/${tgid}/task/${tid}/stat`);
        const s = text === undefined ? undefined : parseProcStat(text);
        if (s !== undefined) out.push({ tid, tgid, ppid: s.ppid, start: s.start, zombie: s.state === 'Z' || s.state === 'X' });
      }
    }
    return out;
  }
}

/** The fields of /proc/<pid>/stat cgkit uses. The name (field 2) may hold spaces and parentheses: fields are counted after the last ')'. */
export function parseProcStat(text: string): { name: string; state: string; ppid: number; pgid: number; start: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  const [state, ppid, pgid, start] = [rest[0], Number(rest[1]), Number(rest[2]), Number(rest[19])];
  if (state === undefined || ![ppid, pgid, start].every(Number.isSafeInteger)) return undefined;
  return { name: text.slice(open + 1, close), state, ppid, pgid, start };
}

/** Tgid and the real uid from /proc/<pid>/status (keyed lines, read by key). */
export function parseProcStatus(text: string): { tgid: number; uid: number } | undefined {
  const tgid = /^Tgid:\s*(\d+)$/m.exec(text)?.[1];
  const uid = /^Uid:\s*(\d+)/m.exec(text)?.[1];
  return tgid === undefined || uid === undefined ? undefined : { tgid: Number(tgid), uid: Number(uid) };
}

/** A task's directory vanishes when the task is reaped: ENOENT, or ESRCH in the middle of a read. */
function isGone(e: unknown): boolean {
  return isErrnoLike(e) && (e.code === 'ENOENT' || e.code === 'ESRCH');
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (isGone(e)) return undefined;
    throw toCgroupError(e, 'read', path);
  }
}

function numericEntries(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if (isGone(e)) return [];
    throw toCgroupError(e, 'scandir', dir);
  }
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}
