/**
 * The trust-group manager with the seed's coreschedfs semantics (seed
 * 000_*): a root group — the system-wide trust group, cookie 0, every task
 * that is in no other group — and trust groups below it, no deeper. Each
 * group has a `cookieId` the manager assigns (root 0, then 1, 2, ... never
 * reused, like a file descriptor), the kernel cookie its members hold (0
 * while empty; a group that empties and fills again gets a new one), fork
 * `properties`, an owner and a mode, and members (threads).
 *
 * Works over any CoreSchedKernel (simulated or host); kernel sequences in
 * cookie-ops.ts, event rules in fork-rules.ts, cgroup bindings in
 * binding.ts, the filesystem view in coresched-fs.ts.
 *
 * Permissions, for a caller given as a credential (default root):
 * - making, removing and renaming groups: write access to the root
 *   directory (EACCES);
 * - adding tasks, setting properties, binding: write access to the group
 *   (EACCES), and for tasks the kernel's ptrace rule — the caller's uid is
 *   0 or the task's (EPERM, checked on every thread before any change);
 * - chown: uid 0 only; chmod: uid 0 or the owner (EPERM).
 * - init (pid 1) stays in the root group (EPERM): the kernel's only way
 *   back to cookie 0 is SHARE_FROM an untagged task, and init is the one
 *   the manager can count on (cookie-ops.ts). Where the manager's own
 *   thread is init, there is no such rule and another untagged task must
 *   exist when one is needed (EAGAIN otherwise).
 * Every refusal leaves the state as it was.
 */
import type { AnyKernel } from '../api/cgroup.js';
import type { CoreSchedEvent, CoreSchedKernel, CookieScope } from '../core/coresched.js';
import { CgroupError, type Syscall } from '../core/errors.js';
import { Bindings, type BindOptions } from './binding.js';
import { effectiveProperty, handleEvent } from './fork-rules.js';
import { GroupState, type Group } from './state.js';
import { checkGroupName, checkId, checkMode, GROUP_FILES, mayWrite, parseProperty, ROOT_CRED, type Cred, type ForkProperty } from './types.js';

export interface TrustGroupsOptions {
  /** The cgroup side, for bindings (`bind`): a SimKernel or any CgroupKernel. */
  cgroups?: AnyKernel;
  /** Called with each failure while handling a kernel event (also kept in `errors`). */
  onError?: (error: unknown, event: CoreSchedEvent | undefined) => void;
}

export interface GroupInfo {
  /** `/` for the root group. */
  readonly name: string;
  readonly cookieId: number;
  /** The kernel cookie the members hold (0n: untagged, or the group is empty). */
  readonly cookie: bigint;
  readonly properties: ForkProperty;
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
  /** Made for a NEW_COOKIE_FOR_CHILD fork; removed with its last task. */
  readonly auto: boolean;
  /** The cgroup the group is bound to. */
  readonly cgroup: string | undefined;
}

export interface CreateGroupOptions {
  properties?: ForkProperty;
  /** Directory mode (default 0o755); the group's files get its read/write bits. */
  mode?: number;
}

export interface TaskProperty {
  /** What a fork from the task does. */
  readonly effective: ForkProperty;
  /** The task's own setting, if any. */
  readonly override: ForkProperty | undefined;
}

/** The task kept untagged as the source of cookie 0. */
const INIT = 1;

export class TrustGroups {
  /** Failures while handling kernel events, oldest first (at most 100 kept). */
  readonly errors: unknown[] = [];
  private readonly st: GroupState;
  private readonly bindings: Bindings;
  private readonly unwatch: () => void;

  constructor(readonly kernel: CoreSchedKernel, private readonly opts: TrustGroupsOptions = {}) {
    this.st = new GroupState(kernel);
    this.bindings = new Bindings(this.st, opts.cgroups, (e) => this.fail(e, undefined));
    this.unwatch = kernel.watch((e) => this.onEvent(e));
  }

  /** Stop following the kernel's events and every binding's poll. Cookies stay as they are. */
  close(): void {
    this.unwatch();
    this.bindings.close();
  }

  /** The root group first, then the others by cookie id. */
  groups(): GroupInfo[] {
    return [this.st.root, ...[...this.st.groups.values()].sort((a, b) => a.cookieId - b.cookieId)].map(info);
  }

  group(name: string): GroupInfo {
    return info(this.st.group(name));
  }

  /** The name of the group `tid` is in (`/`: the root group); ESRCH for no such task. */
  groupOf(tid: number): string {
    this.task(tid, 'open');
    return this.st.groupOf(tid).name;
  }

  /** Member threads, ascending. */
  members(name: string): number[] {
    return this.st.members(this.st.group(name));
  }

  /** Processes with a thread in the group, ascending. */
  procs(name: string): number[] {
    const out = new Set<number>();
    for (const t of this.members(name)) out.add(this.kernel.task(t)?.tgid ?? t);
    return [...out].sort((a, b) => a - b);
  }

  create(name: string, opts: CreateGroupOptions = {}, cred: Cred = ROOT_CRED): GroupInfo {
    this.checkNewName(name, 'mkdir');
    const mode = checkMode(opts.mode ?? 0o755, 'mkdir');
    const properties = opts.properties === undefined ? undefined : parseProperty(opts.properties, 'mkdir');
    this.mayWriteTo(this.st.root, cred, 'mkdir', 'make trust groups');
    const g = this.st.newGroup(name, { uid: cred.uid, gid: cred.gid, mode }, false);
    if (properties) g.properties = properties;
    this.st.groups.set(name, g);
    return info(g);
  }

  /** EBUSY while it has tasks; the root group is never removed. */
  remove(name: string, cred: Cred = ROOT_CRED): void {
    const g = this.st.group(name, 'rmdir');
    if (g === this.st.root) throw new CgroupError('EBUSY', 'rmdir', undefined, 'the root group cannot be removed');
    this.mayWriteTo(this.st.root, cred, 'rmdir', 'remove trust groups');
    const live = this.st.members(g).filter((t) => this.kernel.task(t));
    if (live.length > 0) throw new CgroupError('EBUSY', 'rmdir', undefined, `trust group '${name}' has ${live.length} task(s): move them first`);
    for (const t of [...g.members]) this.st.exited(t);
    this.bindings.unbind(g);
    this.st.groups.delete(name);
  }

  rename(from: string, to: string, cred: Cred = ROOT_CRED): void {
    const g = this.st.group(from, 'rename');
    if (g === this.st.root) throw new CgroupError('EBUSY', 'rename', undefined, 'the root group cannot be renamed');
    this.checkNewName(to, 'rename');
    this.mayWriteTo(this.st.root, cred, 'rename', 'rename trust groups');
    this.st.groups.delete(from);
    g.name = to;
    this.st.groups.set(to, g);
  }

  setProperties(name: string, properties: ForkProperty, cred: Cred = ROOT_CRED): void {
    const p = parseProperty(properties);
    const g = this.st.group(name, 'write');
    this.mayWriteTo(g, cred, 'write', 'set its properties');
    g.properties = p;
  }

  taskProperty(tid: number): TaskProperty {
    this.task(tid, 'open');
    return { effective: effectiveProperty(this.st, tid), override: this.st.overrides.get(tid) };
  }

  /** Override the group's property for one task (`undefined`: follow the group again). */
  setTaskProperty(tid: number, properties: ForkProperty | undefined, cred: Cred = ROOT_CRED): void {
    const p = properties === undefined ? undefined : parseProperty(properties);
    this.task(tid, 'write');
    this.mayWriteTo(this.st.groupOf(tid), cred, 'write', `set properties of task ${tid}`);
    this.mayChange([tid], cred);
    if (p === undefined) this.st.overrides.delete(tid);
    else this.st.overrides.set(tid, p);
  }

  /** Put one thread in the group (the root group: cookie 0). */
  addThread(name: string, tid: number, cred: Cred = ROOT_CRED): void {
    this.add(name, tid, 'thread', cred);
  }

  /** Put every thread of the process `pid` belongs to in the group. */
  addProcess(name: string, pid: number, cred: Cred = ROOT_CRED): void {
    this.add(name, pid, 'thread-group', cred);
  }

  chown(name: string, uid: number, gid: number, cred: Cred = ROOT_CRED): void {
    const g = this.st.group(name, 'chown');
    checkId(uid, 'uid');
    checkId(gid, 'gid');
    if (cred.uid !== 0) throw new CgroupError('EPERM', 'chown', undefined, 'only root may change the owner of a trust group');
    g.owner.uid = uid;
    g.owner.gid = gid;
  }

  chmod(name: string, mode: number, cred: Cred = ROOT_CRED): void {
    const g = this.st.group(name, 'chmod');
    const m = checkMode(mode);
    if (cred.uid !== 0 && cred.uid !== g.owner.uid) throw new CgroupError('EPERM', 'chmod', undefined, `only root or the owner (uid ${g.owner.uid}) may change the mode of trust group '${g.name}'`);
    g.owner.mode = m;
  }

  /** Bind the group to a cgroup (logical path, `/jobs/a`): see binding.ts for the rules. */
  async bind(name: string, cgroupPath: string, opts: BindOptions = {}, cred: Cred = ROOT_CRED): Promise<void> {
    const g = this.st.group(name, 'write');
    this.mayWriteTo(g, cred, 'write', 'bind it');
    await this.bindings.bind(g, cgroupPath, opts, (tids) => this.mayChange(tids.filter((t) => this.kernel.task(t)), cred), cred);
  }

  /** The members stay where they are. */
  unbind(name: string, cred: Cred = ROOT_CRED): void {
    const g = this.st.group(name, 'write');
    this.mayWriteTo(g, cred, 'write', 'unbind it');
    this.bindings.unbind(g);
  }

  /** Bring bindings up to date with their cgroups, and drop members the kernel no longer has. */
  rescan(): Promise<void> {
    return this.bindings.rescan();
  }

  /** Settles once the rescans that events scheduled are done. */
  settled(): Promise<void> {
    return this.bindings.idle();
  }

  // --- internals ---

  private add(name: string, tid: number, scope: CookieScope, cred: Cred): void {
    const g = this.st.group(name, 'write');
    this.mayWriteTo(g, cred, 'write', 'add tasks');
    this.task(tid, 'write');
    const targets = this.st.scopeOf(tid, scope);
    if (g !== this.st.root && targets.includes(INIT) && this.kernel.self !== INIT) {
      throw new CgroupError('EPERM', 'write', undefined, 'init (pid 1) stays in the root group: it is the untagged task the manager takes cookie 0 from');
    }
    this.mayChange(targets, cred);
    for (const t of targets) {
      const from = this.st.groupOf(t);
      if (from !== g && from.binding?.tids.has(t)) {
        throw new CgroupError('EBUSY', 'write', undefined, `task ${t} is in cgroup ${from.binding.path}, bound to trust group '${from.name}': move it out of that cgroup instead`);
      }
    }
    this.st.place(tid, scope, g);
  }

  private task(tid: number, syscall: Syscall): void {
    if (!Number.isSafeInteger(tid) || tid <= 0) throw new CgroupError('EINVAL', syscall, undefined, `a task id is a positive integer, not ${String(tid)}`);
    if (!this.kernel.task(tid)) throw new CgroupError('ESRCH', syscall, undefined, `no task ${tid}`);
  }

  private checkNewName(name: string, syscall: 'mkdir' | 'rename'): void {
    checkGroupName(name, syscall);
    if ((GROUP_FILES as readonly string[]).includes(name)) throw new CgroupError('EEXIST', syscall, undefined, `'${name}' is a file of the root directory`);
    if (this.st.groups.has(name)) throw new CgroupError('EEXIST', syscall, undefined, `trust group '${name}' exists`);
  }

  private mayWriteTo(g: Group, cred: Cred, syscall: Syscall, what: string): void {
    if (mayWrite(g.owner, cred)) return;
    const o = g.owner;
    const where = g === this.st.root ? 'the root group' : `trust group '${g.name}'`;
    throw new CgroupError('EACCES', syscall, undefined, `uid ${cred.uid} (gid ${cred.gid}) may not ${what}: ${where} is owned by ${o.uid}:${o.gid} with mode 0${o.mode.toString(8)}`);
  }

  /** The kernel's ptrace rule, for the caller: uid 0 or the task's own uid, for every task. */
  private mayChange(tids: number[], cred: Cred): void {
    if (cred.uid === 0) return;
    for (const t of tids) {
      const uid = this.kernel.task(t)?.uid;
      if (uid !== undefined && uid !== cred.uid) throw new CgroupError('EPERM', 'write', undefined, `uid ${cred.uid} may not change the core scheduling cookie of task ${t} (uid ${uid})`);
    }
  }

  private onEvent(e: CoreSchedEvent): void {
    try {
      handleEvent(this.st, e, { moved: () => { if (this.bindings.active) this.bindings.schedule(); } });
    } catch (err) {
      this.fail(err, e);
    }
  }

  private fail(e: unknown, event: CoreSchedEvent | undefined): void {
    this.errors.push(e);
    if (this.errors.length > 100) this.errors.shift();
    this.opts.onError?.(e, event);
  }
}

function info(g: Group): GroupInfo {
  return {
    name: g.name, cookieId: g.cookieId, cookie: g.cookie, properties: g.properties,
    uid: g.owner.uid, gid: g.owner.gid, mode: g.owner.mode, auto: g.auto, cgroup: g.binding?.path,
  };
}
