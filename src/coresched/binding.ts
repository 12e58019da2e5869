/**
 * Binding a trust group to a cgroup: every task of that cgroup, present
 * and future, shares the group's cookie — something no kernel interface
 * offers.
 *
 * Rules:
 * - "The cgroup's tasks" are the threads in the cgroup and in its
 *   descendants, except in a subtree bound to another group (the nearest
 *   bound ancestor decides, as a cgroup's nearest setting does).
 * - Present tasks: listed through the cgroup API at bind time and joined
 *   to the group. Only a group below the root can be bound, to one cgroup,
 *   and a cgroup to one group (EBUSY otherwise).
 * - Forks: a child of a task the binding brought in is in the same cgroup
 *   and stays in the group, whatever the fork properties say
 *   (fork-rules.ts). A child started elsewhere with CLONE_INTO_CGROUP, or
 *   into the cgroup from outside, is found by the next rescan.
 * - Tasks moved in: on `move` events where the kernel reports them, a
 *   rescan; elsewhere `rescan()` and, optionally, a poll interval per
 *   binding. Until then a moved task keeps its old cookie: the race window
 *   is the poll interval (host) or nothing (simulator, synchronous moves).
 * - Tasks that leave the cgroup leave the group, back to the root group
 *   (cookie 0), as a user who bound "this cgroup" expects. Only tasks the
 *   binding brought in: a task written to the group's `tasks` by hand
 *   stays until it is moved or exits.
 * - While bound, a task the binding brought in cannot be written into
 *   another group (EBUSY: move it out of the cgroup instead), as the next
 *   rescan would take it back.
 * - init (pid 1), where it is in the cgroup, stays in the root group: it
 *   is the manager's source of cookie 0 (trust-groups.ts).
 * - Unbinding keeps the members where they are; removing the cgroup
 *   empties the binding at the next rescan (a cgroup made again under the
 *   same path is followed).
 * - Permission: binding needs write access to the group, and the binder
 *   must be allowed to change every task listed then (EPERM otherwise,
 *   nothing changed). Tasks that join later are joined with the manager's
 *   own rights: putting a task into the cgroup already needed write access
 *   to it.
 */
import { Cgroup, type AnyKernel } from '../api/cgroup.js';
import { CgroupError } from '../core/errors.js';
import { isGone } from './cookie-ops.js';
import { mayWrite, ROOT_CRED, type Cred } from './types.js';
import type { Group, GroupState } from './state.js';

export interface BindOptions {
  /** Rescan every `pollMs` milliseconds (for kernels without move events). */
  pollMs?: number;
}

export class Bindings {
  private running: Promise<void> | undefined;
  private dirty = false;
  /** Every poll timer started, so close() stops them all. */
  private readonly timers = new Set<ReturnType<typeof setInterval>>();

  constructor(
    private readonly st: GroupState,
    private readonly cgroups: AnyKernel | undefined,
    private readonly report: (e: unknown) => void,
  ) {}

  /** Bind `g` to the cgroup at `path` (logical, `/jobs/a`); `vet` sees the present threads before anything changes. */
  async bind(g: Group, path: string, opts: BindOptions, vet: (tids: number[]) => void, cred: Cred = ROOT_CRED): Promise<void> {
    const p = normalizePath(path);
    const poll = opts.pollMs;
    if (poll !== undefined && (!Number.isInteger(poll) || poll < 10)) {
      throw new CgroupError('EINVAL', 'write', undefined, `poll interval must be an integer of at least 10 ms, not ${String(poll)}`);
    }
    this.checkFree(g, p);
    const k = this.kernel();
    let cg: Cgroup;
    try {
      cg = await Cgroup.open(k, p);
    } catch (e) {
      if (e instanceof CgroupError && e.code === 'ENOENT') throw new CgroupError('ENOENT', 'write', undefined, `no cgroup ${p} to bind trust group '${g.name}' to`);
      throw e;
    }
    // Tasks that enter the cgroup later join with the manager's rights: only who may put tasks there may bind it.
    if (cred.uid !== 0) {
      for (const d of cg.dirs) {
        const st = await cg.kernel.fs.stat(`${d.dir}/cgroup.procs`);
        if (!mayWrite({ uid: st.uid, gid: st.gid, mode: st.mode }, cred)) {
          throw new CgroupError('EACCES', 'write', undefined, `binding cgroup ${p} needs write access to its cgroup.procs (${d.dir}), which uid ${cred.uid} lacks`);
        }
      }
    }
    const seqAtList = this.st.seq;
    const tids = await this.list(p, g);
    // Again after the awaits: the group may have been removed, or another bind may have run meanwhile.
    if (this.st.groups.get(g.name) !== g) throw new CgroupError('ENOENT', 'write', undefined, `trust group '${g.name}' was removed while it was being bound`);
    this.checkFree(g, p);
    vet(tids);
    g.binding = { path: p, tids: new Map(), timer: undefined };
    this.apply(g, tids, seqAtList);
    if (poll !== undefined) {
      g.binding.timer = setInterval(() => this.schedule(), poll);
      this.timers.add(g.binding.timer);
    }
  }

  unbind(g: Group): void {
    if (!g.binding) return;
    if (g.binding.timer) {
      clearInterval(g.binding.timer);
      this.timers.delete(g.binding.timer);
    }
    g.binding = undefined;
  }

  /** Bring every binding up to date with its cgroup (and drop members found gone). */
  async rescan(): Promise<void> {
    for (const t of [...this.st.groupOfTid.keys()]) if (!this.st.kernel.task(t)) this.st.exited(t);
    for (const g of [...this.st.groups.values()]) {
      const b = g.binding;
      if (!b) continue;
      const seqAtList = this.st.seq;
      const tids = await this.list(b.path, g);
      if (g.binding === b) this.apply(g, tids, seqAtList);
    }
  }

  /** A rescan soon (coalesced); failures go to the manager's error report. */
  schedule(): void {
    this.dirty = true;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Settles once no scheduled rescan is left. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  close(): void {
    for (const g of this.st.groups.values()) this.unbind(g);
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
  }

  get active(): boolean {
    for (const g of this.st.groups.values()) if (g.binding) return true;
    return false;
  }

  private async loop(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      try {
        await this.rescan();
      } catch (e) {
        this.report(e);
      }
    }
  }

  /** Join the listed threads; members brought in earlier and no longer listed go back to the root. */
  private apply(g: Group, tids: number[], seqAtList: number): void {
    const b = g.binding!;
    const listed = new Set(tids);
    for (const t of tids) {
      if (b.tids.has(t) || g.members.has(t) || (t === 1 && this.st.kernel.self !== 1)) continue; // init stays untagged (trust-groups.ts)
      try {
        this.st.place(t, 'thread', g);
        b.tids.set(t, this.st.seq);
      } catch (e) {
        if (!isGone(e)) throw e;
      }
    }
    for (const [t, since] of [...b.tids]) {
      if (listed.has(t) || since > seqAtList) continue;
      try {
        this.st.place(t, 'thread', this.st.root);
      } catch (e) {
        if (!isGone(e)) throw e;
        this.st.exited(t);
      }
    }
  }

  /** Threads of the cgroup at `path` and its descendants, without subtrees bound to another group. */
  private async list(path: string, g: Group): Promise<number[]> {
    let top: Cgroup;
    try {
      top = await Cgroup.open(this.kernel(), path);
    } catch (e) {
      if (e instanceof CgroupError && e.code === 'ENOENT') return [];
      throw e;
    }
    const others = [...this.st.groups.values()].filter((x) => x !== g && x.binding && isBelow(x.binding.path, path)).map((x) => x.binding!.path);
    const out: number[] = [];
    for (const cg of [top, ...(await top.descendants())]) {
      if (others.some((o) => isBelow(cg.path, o) || cg.path === o)) continue;
      try {
        out.push(...(await cg.threads()));
      } catch (e) {
        if (!(e instanceof CgroupError && e.code === 'ENOENT')) throw e; // removed meanwhile
      }
    }
    return [...new Set(out)].sort((a, b) => a - b);
  }

  private checkFree(g: Group, path: string): void {
    if (g === this.st.root) throw new CgroupError('EINVAL', 'write', undefined, 'the root group cannot be bound to a cgroup: its tasks are the untagged ones');
    if (g.binding) throw new CgroupError('EBUSY', 'write', undefined, `trust group '${g.name}' is bound to cgroup ${g.binding.path} already`);
    for (const x of this.st.groups.values()) {
      if (x.binding?.path === path) throw new CgroupError('EBUSY', 'write', undefined, `cgroup ${path} is bound to trust group '${x.name}' already`);
    }
  }

  private kernel(): AnyKernel {
    if (!this.cgroups) throw new CgroupError('ENODEV', 'write', undefined, 'this trust-group manager was made without a cgroup kernel (option `cgroups`): it cannot bind groups to cgroups');
    return this.cgroups;
  }
}

/** A logical cgroup path: absolute, no empty, `.` or `..` segment; no trailing `/`. */
export function normalizePath(path: string): string {
  const segs = path.split('/');
  if (!path.startsWith('/') || segs.slice(1).some((s, i) => s === '.' || s === '..' || (s === '' && i < segs.length - 2)) || path.includes('\0')) {
    throw new CgroupError('EINVAL', 'write', undefined, `a cgroup path is absolute, like /jobs/build-42, not ${JSON.stringify(path)}`);
  }
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** `a` is strictly below `b`. */
function isBelow(a: string, b: string): boolean {
  return b === '/' ? a !== '/' : a.startsWith(`${b}/`);
}
