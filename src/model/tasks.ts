import { CgroupError } from '../core/errors.js';
import type { Cgroup, CssImpl, Hierarchy } from './cgroup.js';
import type { Kernel } from './kernel.js';
import { reportPopulated } from './populated.js';
import { signalNumber } from '../core/signals.js';
import { defaultAction } from './signals.js';
import { Task, type Cred } from './task.js';
import { vetV2Destination } from './vet.js';
import { checkAttachPermission } from './procs-write.js';

export interface ForkOptions {
  /** A new thread of the same process instead of a new process. */
  thread?: boolean;
  /** clone3(CLONE_INTO_CGROUP): start in this cgroup of its hierarchy. */
  into?: Cgroup;
  name?: string;
  uid?: number;
  gid?: number;
}

/**
 * fork()/clone(): the child starts in the parent's cgroups (or `into` on
 * its hierarchy); every controller's can_fork is asked first (pids says
 * EAGAIN past pids.max) and cancelled when a later one refuses.
 */
export function forkTask(k: Kernel, parentTid: number, opts: ForkOptions = {}): Task {
  const parent = k.liveTask(parentTid, 'fork');
  const targets = new Map<Hierarchy, Cgroup>(parent.cgroups);
  if (opts.into) {
    const into = opts.into;
    if (into.dead) throw new CgroupError('ENODEV', 'clone', into.fsPath);
    if (into.version === 2) {
      checkAttachPermission(parent.cgroups.get(into.hier)!, into, parent.cred(), 'clone', into.fsPath, true);
      vetV2Destination(into, 'clone');
    }
    targets.set(into.hier, into);
  }
  const tid = k.allocPid();
  const svc = k.services();
  const cssSet = new Map<string, CssImpl<unknown>>();
  for (const [h, cg] of targets) {
    for (const c of h.controllers) {
      const css = cg.effectiveCss(c);
      if (css) cssSet.set(c, css);
    }
  }
  const charged: CssImpl<unknown>[] = [];
  try {
    for (const css of cssSet.values()) {
      css.def.canFork?.(css, svc);
      charged.push(css);
    }
  } catch (e) {
    for (const css of charged.reverse()) css.def.cancelFork?.(css, svc);
    throw e;
  }
  const leader = k.leader(parent);
  const t = new Task({
    tid,
    tgid: opts.thread ? parent.tgid : tid,
    uid: opts.uid ?? parent.uid,
    gid: opts.gid ?? parent.gid,
    name: opts.name ?? parent.name,
    ppid: opts.thread ? parent.ppid : parent.tgid,
    startTicks: k.ticks,
  });
  t.nice = parent.nice;
  t.pgid = leader.pgid;
  t.coreCookie = parent.coreCookie;
  k.tasks.set(tid, t);
  if (opts.thread) leader.threads.add(t);
  else {
    t.threads.add(t);
    leader.children.add(tid);
  }
  const flips: Cgroup[] = [];
  for (const [h, cg] of targets) {
    flips.push(...cg.addTask(t));
    t.cgroups.set(h, cg);
  }
  for (const [c, css] of cssSet) t.css.set(c, css);
  for (const css of cssSet.values()) css.def.fork?.(css, t, svc);
  reportPopulated(k, flips);
  k.taskEvent({ kind: 'fork', parent: parent.tid, child: tid, thread: opts.thread === true });
  return t;
}

/** Take a task out of its cgroups' live lists (it becomes a zombie there or is gone). */
function leaveCgroups(k: Kernel, t: Task, keepAsZombie: boolean): void {
  const flips: Cgroup[] = [];
  for (const cg of t.cgroups.values()) {
    flips.push(...cg.removeTask(t));
    if (keepAsZombie) cg.zombies.add(t);
  }
  const svc = k.services();
  for (const css of t.css.values()) css.def.exit?.(css, t, svc);
  reportPopulated(k, flips);
  k.taskEvent({ kind: 'exit', tid: t.tid });
}

/** release_task(): the last reference; pids uncharges here. */
function release(k: Kernel, t: Task): void {
  const svc = k.services();
  for (const cg of t.cgroups.values()) {
    cg.zombies.delete(t);
    if (cg.dead && cg.zombies.size === 0) k.buryDying(cg);
  }
  for (const css of t.css.values()) css.def.release?.(css, t, svc);
  for (const s of k.frozenBy.values()) s.delete(t.tid);
  k.tasks.delete(t.tid);
  k.pendingTasks.delete(t);
  if (!t.isLeader) k.leader(t).threads.delete(t);
  else k.tasks.get(t.ppid)?.children.delete(t.tid);
}

/**
 * exit(): a thread that is not the leader ends and is released at once; the
 * leader ends the whole thread group (exit_group) and stays a zombie until
 * its parent reaps it — init reaps at once.
 */
export function exitTask(k: Kernel, tid: number, code = 0, signal = 0): void {
  const t = k.liveTask(tid);
  if (t.tid === 1) throw new CgroupError('EPERM', 'kill', undefined, 'init cannot exit');
  if (!t.isLeader) {
    t.exited = true;
    t.exitCode = code;
    leaveCgroups(k, t, false);
    release(k, t);
    return;
  }
  for (const th of [...t.threads]) {
    if (th === t || th.exited) continue;
    th.exited = true;
    th.exitCode = code;
    leaveCgroups(k, th, false);
    release(k, th);
  }
  t.exited = true;
  t.exitCode = code;
  t.exitSignal = signal;
  t.stopped = false;
  leaveCgroups(k, t, true);
  for (const childTid of [...t.children]) {
    const child = k.tasks.get(childTid);
    if (!child) continue;
    for (const th of child.threads) th.ppid = 1;
    child.ppid = 1;
    t.children.delete(childTid);
    k.tasks.get(1)?.children.add(childTid);
    if (child.exited) release(k, child);
  }
  const parent = k.tasks.get(t.ppid);
  if (!parent || parent.tid === 1 || parent.exited) release(k, t);
}

/** wait(): reap a zombie child; undefined while it still runs. */
export function waitTask(k: Kernel, tid: number): number | undefined {
  const t = k.tasks.get(tid);
  if (!t || !t.isLeader) throw new CgroupError('ECHILD', 'wait', undefined, `no child process ${tid}`);
  if (!t.exited) return undefined;
  const code = t.exitSignal ? 128 + t.exitSignal : t.exitCode;
  release(k, t);
  return code;
}

/**
 * kill(): signals go to the thread group. A zombie takes any signal and
 * ignores it. Fatal signals end a task frozen by cgroup v2 at once; a task
 * frozen by the v1 freezer holds every signal, SIGKILL too, until thawed;
 * a stopped task holds all but SIGKILL until continued.
 */
export function killTask(k: Kernel, pid: number, sig: number | string, sender?: Cred): void {
  const n = signalNumber(sig);
  const t = k.tasks.get(pid);
  if (!t) throw new CgroupError('ESRCH', 'kill', undefined, `no process ${pid}`);
  const leader = k.leader(t);
  if (sender && sender.uid !== 0 && sender.uid !== leader.uid) throw new CgroupError('EPERM', 'kill', undefined, `not allowed to signal ${pid}`);
  if (leader.exited) return;
  deliver(k, leader, n, false);
}

function v1Frozen(k: Kernel, leader: Task): boolean {
  for (const s of k.frozenBy.values()) for (const th of k.liveThreads(leader)) if (s.has(th.tid)) return true;
  return false;
}

/** `force`: the OOM killer's SIGKILL, which thaws its victim first (mark_oom_victim). */
function deliver(k: Kernel, leader: Task, n: number, force: boolean): void {
  const action = defaultAction(n);
  const threads = k.liveThreads(leader);
  const hold = !force && (v1Frozen(k, leader) || (leader.stopped && n !== 9 && action !== 'continue'));
  if (hold && action !== 'none' && action !== 'ignore') {
    leader.pendingSignals.push(n);
    k.pendingTasks.add(leader);
    return;
  }
  switch (action) {
    case 'none':
    case 'ignore':
      return;
    case 'stop':
      for (const th of threads) th.stopped = true;
      return;
    case 'continue':
      for (const th of threads) th.stopped = false;
      flushPending(k, leader);
      return;
    case 'terminate':
      if (leader.tid === 1) return;
      if (force) for (const s of k.frozenBy.values()) for (const th of threads) s.delete(th.tid);
      exitTask(k, leader.tid, 0, n);
  }
}

/** Deliver held signals of tasks that can run again. */
export function flushPending(k: Kernel, leader?: Task): void {
  const list = leader ? [leader] : [...k.pendingTasks];
  for (const t of list) {
    if (!k.pendingTasks.has(t) || t.exited || v1Frozen(k, t)) continue;
    const q = t.pendingSignals;
    t.pendingSignals = [];
    k.pendingTasks.delete(t);
    for (const n of q) if (!t.exited) deliver(k, t, n, false);
  }
}

/** Wire the hooks the controller tables use (OOM kill, v1 freezer thaw). */
export function installTaskHooks(k: Kernel): void {
  k.signalHook = (tgid, sig) => {
    const t = k.tasks.get(tgid);
    if (t && !t.exited) deliver(k, k.leader(t), sig, true);
  };
  k.afterFreezeChange = () => flushPending(k);
}

/**
 * setpgid(2) for a process: `pgid` 0 (or its own pid) makes it the leader of
 * a new group; otherwise the group must exist (EPERM). A thread that is not
 * a leader names its process.
 */
export function setpgid(k: Kernel, pid: number, pgid: number): void {
  if (!Number.isInteger(pgid) || pgid < 0) throw new CgroupError('EINVAL', 'setpgid', undefined, `pgid ${pgid} is negative`);
  const t = k.leader(k.liveTask(pid, 'setpgid'));
  const target = pgid === 0 ? t.tgid : pgid;
  if (target !== t.tgid && ![...k.tasks.values()].some((x) => !x.exited && x.isLeader && x.pgid === target)) {
    throw new CgroupError('EPERM', 'setpgid', undefined, `no process group ${target} to join`);
  }
  t.pgid = target;
}
