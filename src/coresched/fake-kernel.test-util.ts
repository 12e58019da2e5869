/**
 * An in-memory CoreSchedKernel for the trust-group tests, following the
 * kernel's rules (kernel-semantics.md §6.2/6.3): one cookie per thread
 * (ids 1n, 2n, ... in allocation order; 0n = none), fork and clone copy
 * the parent's cookie, exec keeps it; CREATE and SHARE_TO act on a thread,
 * a thread group or a process group, SHARE_FROM pulls into the caller;
 * ESRCH for an unknown (or exited) task, EPERM when the caller's uid is
 * neither 0 nor the target's (for a group: checked on every task first).
 *
 * Tasks, uids and cgroups live in a SimKernel (`sim`), so a binding test
 * reads the same tasks through the cgroup API. The helpers below change
 * tasks and report them as the kernel's events: at once
 * (`synchronousEvents`, the default) or held until `flush()`, as the
 * host's process-event connector delivers them late.
 */
import { SimKernel, type SpawnOptions } from '../api/sim-kernel.js';
import { checkPid, scopeOf, type CookieScope, type CoreSchedEvent, type CoreSchedKernel, type CoreSchedTask } from '../core/coresched.js';
import { CgroupError } from '../core/errors.js';

export interface FakeKernelOptions {
  sim?: SimKernel;
  /** Deliver events as they happen (default true); false: held until `flush()`. */
  synchronousEvents?: boolean;
  /** Report `move` events (default true). */
  reportsMoves?: boolean;
  /**
   * The manager's thread: `'task'` (default) a uid-0 task of its own
   * started at construction, as cgkit's thread is on a host; `'init'` pid 1.
   */
  self?: 'task' | 'init';
}

export class FakeCoreSchedKernel implements CoreSchedKernel {
  readonly kind = 'sim' as const;
  readonly self: number;
  readonly sim: SimKernel;
  readonly synchronousEvents: boolean;
  readonly reportsMoves: boolean;
  /** Every prctl that changed a cookie, as `op caller pid scope`, for tests of the manager's sequences. */
  readonly log: string[] = [];
  private readonly cookies = new Map<number, bigint>();
  private readonly pgids = new Map<number, number>();
  private nextCookie = 1n;
  private readonly listeners = new Set<(e: CoreSchedEvent) => void>();
  private held: CoreSchedEvent[] = [];

  constructor(opts: FakeKernelOptions = {}) {
    this.sim = opts.sim ?? new SimKernel();
    this.synchronousEvents = opts.synchronousEvents ?? true;
    this.reportsMoves = opts.reportsMoves ?? true;
    this.self = opts.self === 'init' ? 1 : this.sim.spawn({ name: 'cgkit', uid: 0 });
  }

  // --- CoreSchedKernel ---

  getCookie(tid: number): bigint {
    return this.cookies.get(this.live(checkPid(tid)).tid) ?? 0n;
  }

  create(caller: number, pid: number, scope: CookieScope): void {
    const targets = this.targets(caller, pid, scope);
    const cookie = this.nextCookie++;
    for (const t of targets) this.cookies.set(t, cookie);
    this.log.push(`create ${caller} ${pid} ${scope}`);
  }

  shareTo(caller: number, pid: number, scope: CookieScope): void {
    const targets = this.targets(caller, pid, scope);
    const cookie = this.cookies.get(this.live(caller).tid) ?? 0n;
    for (const t of targets) this.set(t, cookie);
    this.log.push(`share-to ${caller} ${pid} ${scope}`);
  }

  shareFrom(caller: number, pid: number): void {
    const [from] = this.targets(caller, pid, 'thread');
    this.set(caller, this.cookies.get(from!) ?? 0n);
    this.log.push(`share-from ${caller} ${pid}`);
  }

  task(tid: number): CoreSchedTask | undefined {
    const t = this.sim.task(tid);
    if (!t) return undefined;
    return { tid: t.tid, tgid: t.tgid, ppid: t.ppid, pgid: this.pgid(t.tgid), uid: t.uid, name: t.name };
  }

  threads(tgid: number): number[] {
    return this.sim.ps().filter((t) => t.tgid === tgid && t.state !== 'zombie').map((t) => t.tid).sort((a, b) => (a === tgid ? -1 : b === tgid ? 1 : a - b));
  }

  tasks(): number[] {
    return this.sim.ps().filter((t) => t.state !== 'zombie').map((t) => t.tid);
  }

  watch(fn: (e: CoreSchedEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  // --- helpers that change tasks and report them ---

  /** A new process (a fork of `ppid`, default init); its cookie is its parent's. */
  spawn(opts: SpawnOptions = {}): number {
    const parent = opts.ppid ?? 1;
    const pid = this.sim.spawn(opts);
    return this.born(parent, pid, false);
  }

  fork(parent: number): number {
    return this.born(parent, this.sim.fork(parent), false);
  }

  /** A new thread in `parent`'s process. */
  thread(parent: number): number {
    return this.born(parent, this.sim.spawnThread(parent), true);
  }

  exec(tid: number): void {
    this.live(tid);
    this.emit({ kind: 'exec', tid });
  }

  /** The task ends; a process ends with all its threads (each reported, the leader last). */
  exit(tid: number): void {
    const t = this.live(tid);
    const gone = t.tid === t.tgid ? [...this.threads(t.tgid).filter((x) => x !== tid), tid] : [tid];
    this.sim.exit(tid);
    if (this.sim.task(tid)?.state === 'zombie') this.sim.wait(tid);
    for (const x of gone) {
      this.cookies.delete(x);
      this.emit({ kind: 'exit', tid: x });
    }
  }

  setpgid(pid: number, pgid: number): void {
    this.pgids.set(this.live(pid).tgid, pgid);
  }

  /** Move a process (or with `thread` one thread) to a cgroup directory; a `move` event per thread moved where `reportsMoves`. */
  async move(tid: number, cgroupDir: string, opts: { thread?: boolean } = {}): Promise<void> {
    const t = this.live(tid);
    await this.sim.fs.writeFile(`${cgroupDir}/${opts.thread ? 'cgroup.threads' : 'cgroup.procs'}`, String(tid));
    if (!this.reportsMoves) return;
    for (const x of opts.thread ? [tid] : this.threads(t.tgid)) this.emit({ kind: 'move', tid: x });
  }

  /** Deliver the events held back (when not `synchronousEvents`). */
  flush(): void {
    const held = this.held;
    this.held = [];
    for (const e of held) for (const fn of [...this.listeners]) fn(e);
  }

  get pending(): number {
    return this.held.length;
  }

  // --- internals ---

  private born(parent: number, child: number, thread: boolean): number {
    const c = this.cookies.get(parent);
    if (c !== undefined) this.cookies.set(child, c);
    // A process started by init leads its own process group; others join their parent's.
    if (!thread && parent !== 1) this.pgids.set(child, this.pgid(this.sim.task(parent)!.tgid));
    this.emit({ kind: 'fork', parent, child, thread });
    return child;
  }

  private emit(e: CoreSchedEvent): void {
    if (!this.synchronousEvents) this.held.push(e);
    else for (const fn of [...this.listeners]) fn(e);
  }

  private set(tid: number, cookie: bigint): void {
    if (cookie === 0n) this.cookies.delete(tid);
    else this.cookies.set(tid, cookie);
  }

  private pgid(tgid: number): number {
    return this.pgids.get(tgid) ?? tgid;
  }

  private live(tid: number): CoreSchedTask {
    const t = this.task(tid);
    if (!t || this.sim.task(tid)?.state === 'zombie') throw new CgroupError('ESRCH', 'prctl', undefined, `no task ${tid}`);
    return t;
  }

  /** The tasks `pid`'s scope names, after the kernel's checks (ESRCH, then EPERM on every one). */
  private targets(caller: number, pid: number, scope: CookieScope): number[] {
    const sc = scopeOf(scope);
    const me = this.live(checkPid(caller, 'caller'));
    const t = this.live(checkPid(pid) === 0 ? caller : pid);
    const all = sc === 0 ? [t.tid]
      : sc === 1 ? this.threads(t.tgid)
        : this.tasks().filter((x) => this.task(x)?.pgid === t.pgid);
    for (const x of all) {
      const uid = this.task(x)!.uid;
      if (me.uid !== 0 && me.uid !== uid) throw new CgroupError('EPERM', 'prctl', undefined, `task ${caller} (uid ${me.uid}) may not change task ${x} (uid ${uid})`);
    }
    return all;
  }
}
