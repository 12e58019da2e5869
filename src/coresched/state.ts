/**
 * The trust groups' state and the one primitive that changes membership,
 * `place`: the kernel's cookies first (cookie-ops.ts), then the books. No
 * permission checks here (trust-groups.ts does them); every kernel refusal
 * leaves the books as they were.
 *
 * Membership is per thread. The root group has no member list: every task
 * the kernel lists that is in no other group is in it.
 */
import type { CookieScope, CoreSchedKernel } from '../core/coresched.js';
import { CgroupError } from '../core/errors.js';
import { cookieOf, createCookie, shareCookie, type CookieContext } from './cookie-ops.js';
import { DEFAULT_PROPERTY, ROOT, type ForkProperty, type Owner } from './types.js';

/** A cgroup bound to a group: its tasks are the group's (binding.ts). */
export interface BindingState {
  readonly path: string;
  /** Members the binding brought in, with the event sequence number they joined at. */
  readonly tids: Map<number, number>;
  timer: ReturnType<typeof setInterval> | undefined;
}

export interface Group {
  /** Stable id, like a file descriptor: root 0, then 1, 2, ... never reused. */
  readonly cookieId: number;
  name: string;
  /** The kernel cookie its members hold (GET); 0n while the group is empty. */
  cookie: bigint;
  properties: ForkProperty;
  readonly owner: Owner;
  /** Threads (root: unused, see the file comment). */
  readonly members: Set<number>;
  /** Made for a NEW_COOKIE_FOR_CHILD fork; removed when its last task leaves. */
  readonly auto: boolean;
  binding: BindingState | undefined;
}

export class GroupState implements CookieContext {
  readonly root: Group;
  /** Groups below the root by name. */
  readonly groups = new Map<string, Group>();
  /** Non-root membership: thread → group. */
  readonly groupOfTid = new Map<number, Group>();
  /** Per-task property overrides. */
  readonly overrides = new Map<number, ForkProperty>();
  private nextId = 1;
  /** Counts membership changes; bindings compare it to what a cgroup listing saw. */
  seq = 0;

  constructor(readonly kernel: CoreSchedKernel) {
    this.root = this.newGroup(ROOT, { uid: 0, gid: 0, mode: 0o755 }, false, 0);
  }

  newGroup(name: string, owner: Owner, auto: boolean, id = this.nextId++): Group {
    return { cookieId: id, name, cookie: 0n, properties: DEFAULT_PROPERTY, owner: { ...owner }, members: new Set(), auto, binding: undefined };
  }

  /** The group by name (`/` is the root); ENOENT otherwise. */
  group(name: string, syscall: 'open' | 'mkdir' | 'rmdir' | 'write' | 'stat' | 'rename' | 'chown' | 'chmod' = 'open', path?: string): Group {
    const g = name === ROOT ? this.root : this.groups.get(name);
    if (!g) throw new CgroupError('ENOENT', syscall, path, `no trust group '${name}'`);
    return g;
  }

  groupOf(tid: number): Group {
    return this.groupOfTid.get(tid) ?? this.root;
  }

  /** Members, ascending (the root's: every live task in no other group). */
  members(g: Group): number[] {
    const m = g === this.root ? this.kernel.tasks().filter((t) => !this.groupOfTid.has(t)) : [...g.members];
    return m.sort((a, b) => a - b);
  }

  /** The threads `tid`'s scope names (thread: itself; thread-group: every thread of its process). */
  scopeOf(tid: number, scope: CookieScope): number[] {
    const t = this.kernel.task(tid);
    if (!t) throw new CgroupError('ESRCH', 'write', undefined, `no task ${tid}`);
    if (scope === 'thread') return [tid];
    const all = this.kernel.threads(t.tgid);
    return all.length > 0 ? all : [tid];
  }

  /**
   * Put `tid`'s scope in `dest`. Kernel first: a new cookie for the first
   * member of an empty group, a member's cookie for the others, cookie 0
   * for the root. Then the books; a group left empty gets cookie 0, and an
   * automatic one is removed.
   */
  place(tid: number, scope: CookieScope, dest: Group): number[] {
    const targets = this.scopeOf(tid, scope);
    const selfIncluded = targets.includes(this.kernel.self);
    if (dest === this.root) {
      if (targets.some((t) => cookieOf(this.kernel, t) !== 0n)) shareCookie(this, 'untagged', tid, scope, selfIncluded);
    } else if (!targets.every((t) => dest.members.has(t))) {
      const source = this.liveMember(dest);
      if (source === undefined) createCookie(this, tid, scope);
      else shareCookie(this, source, tid, scope, selfIncluded);
    }
    this.seq++;
    for (const t of targets) {
      if (this.groupOf(t) === dest) continue;
      this.leave(t);
      if (dest !== this.root) {
        dest.members.add(t);
        this.groupOfTid.set(t, dest);
      }
    }
    if (dest !== this.root) dest.cookie = this.kernel.getCookie(targets[0]!);
    this.refreshSelf();
    return targets;
  }

  /** Record that `tid` is in `dest` already (a fork that inherited the cookie). */
  adopt(tid: number, dest: Group): void {
    if (this.groupOf(tid) === dest) return;
    this.seq++;
    this.leave(tid);
    if (dest === this.root) return;
    dest.members.add(tid);
    this.groupOfTid.set(tid, dest);
  }

  /** `tid` leaves its group (it exited, or moves on); bookkeeping only. */
  leave(tid: number): void {
    const g = this.groupOfTid.get(tid);
    if (!g) return;
    g.members.delete(tid);
    g.binding?.tids.delete(tid);
    this.groupOfTid.delete(tid);
    if (g.members.size > 0) return;
    g.cookie = 0n;
    if (g.auto && !g.binding) this.groups.delete(g.name);
  }

  /** The task is gone: out of its group, its override forgotten. */
  exited(tid: number): void {
    this.seq++;
    this.leave(tid);
    this.overrides.delete(tid);
  }

  /**
   * A member still alive that holds the group's cookie, to share it from;
   * members found gone are dropped. A member whose cookie was changed behind
   * the manager's back (its own prctl, or a reused pid) is not a source.
   */
  private liveMember(g: Group): number | undefined {
    for (const m of [...g.members]) {
      const c = cookieOf(this.kernel, m);
      if (c === undefined) {
        this.exited(m);
        continue;
      }
      if (c !== 0n && (g.cookie === 0n || c === g.cookie)) return m;
    }
    return undefined;
  }

  /** After a sequence the manager's own thread may hold a new cookie (cookie-ops.ts restore): its group follows. */
  private refreshSelf(): void {
    const g = this.groupOfTid.get(this.kernel.self);
    if (g) g.cookie = this.kernel.getCookie(this.kernel.self);
  }

  // --- CookieContext ---

  *untaggedCandidates(): Iterable<number> {
    const first = this.kernel.task(1) && !this.groupOfTid.has(1) ? [1] : [];
    yield* first;
    for (const t of this.kernel.tasks()) if (t !== 1 && !this.groupOfTid.has(t)) yield t;
  }

  holdersLike(tid: number): Iterable<number> {
    const g = this.groupOfTid.get(tid);
    return g ? [...g.members] : this.untaggedCandidates();
  }
}
