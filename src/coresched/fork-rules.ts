/**
 * What the manager does on the kernel's task events.
 *
 * fork/clone: the kernel has already copied the parent's cookie to the
 * child. The parent's effective property (its own override, else its
 * group's) decides:
 * - SAME_COOKIE_FOR_CHILD: the child joins the parent's group. Nothing to
 *   ask of the kernel unless the child's cookie is not the group's (see
 *   late events below); in the root group nothing (a task tagged outside
 *   the manager keeps passing its cookie on, as the kernel does) unless
 *   the parent is untagged now and the child is not (late events).
 * - NEW_COOKIE_FOR_CHILD: a new automatic group `task-<child>` (owner and
 *   mode of the parent's group, property SAME_COOKIE_FOR_CHILD) with a
 *   fresh cookie for the child; removed when its last task has left.
 * - ROOT_COOKIE_FOR_CHILD: the child goes to the root group, cookie 0.
 * The properties apply to threads (clone with CLONE_THREAD) as to
 * processes: one vCPU thread per group is the seed's VM use case. A child
 * of a task that a cgroup binding brought in stays in the bound group
 * whatever the properties say (it is in the same cgroup; binding.ts).
 *
 * exit: the task leaves its group; its override is forgotten. exec:
 * nothing (the kernel keeps the cookie). move: bindings rescan.
 *
 * Late events (`synchronousEvents` false, the host's process-event
 * connector): between fork() and the event being handled the child runs
 * with its parent's cookie. Under NEW or ROOT it may, for that window,
 * share cores with its parent's group: that is the race window, as short
 * as the connector's latency plus the manager's queue. A child that forks
 * in the window passes the parent's cookie on; its own fork event comes
 * after the child's, by which time the child is placed, and the grandchild
 * is then placed by the child's group's rules (a cookie found different
 * from the group's is replaced). A child that exited before its event is
 * handled (ESRCH) is dropped without an error.
 */
import type { CoreSchedEvent } from '../core/coresched.js';
import { cookieOf, isGone } from './cookie-ops.js';
import type { Group, GroupState } from './state.js';
import type { ForkProperty } from './types.js';

export interface EventHooks {
  /** A task changed cgroups (bindings rescan). */
  moved(tid: number): void;
}

export function handleEvent(st: GroupState, e: CoreSchedEvent, hooks: EventHooks): void {
  switch (e.kind) {
    case 'fork': {
      const fromBound = st.groupOf(e.parent).binding?.tids.has(e.parent) === true;
      onFork(st, e.parent, e.child);
      // A child may have been cloned straight into a bound cgroup, or out of one: the bindings look again.
      // Where events come late (the host) only for children of bound tasks; the poll finds the others,
      // so a busy machine's forks do not each cost a listing of every bound cgroup.
      if (fromBound || st.kernel.synchronousEvents) hooks.moved(e.child);
      return;
    }
    case 'exit': st.exited(e.tid); return;
    case 'exec': return;
    case 'move': hooks.moved(e.tid);
  }
}

/** The property a fork from `tid` follows: its override, else its group's (a bound member: SAME). */
export function effectiveProperty(st: GroupState, tid: number): ForkProperty {
  const g = st.groupOf(tid);
  if (g.binding?.tids.has(tid)) return 'SAME_COOKIE_FOR_CHILD';
  return st.overrides.get(tid) ?? g.properties;
}

function onFork(st: GroupState, parent: number, child: number): void {
  if (st.groupOfTid.has(child)) return; // a rescan placed it first
  const pg = st.groupOf(parent);
  const prop = effectiveProperty(st, parent);
  try {
    if (prop === 'ROOT_COOKIE_FOR_CHILD') {
      st.place(child, 'thread', st.root);
    } else if (prop === 'NEW_COOKIE_FOR_CHILD') {
      newGroupFor(st, child, pg);
    } else if (pg === st.root) {
      // The parent may have left a group before a late event: the child then holds that group's cookie.
      const c = cookieOf(st.kernel, child);
      if (c === undefined) st.exited(child);
      else if (c !== 0n && cookieOf(st.kernel, parent) === 0n) st.place(child, 'thread', st.root);
    } else {
      const c = cookieOf(st.kernel, child);
      if (c === undefined) st.exited(child);
      else if (c !== 0n && c === pg.cookie) st.adopt(child, pg);
      else st.place(child, 'thread', pg);
      if (pg.binding?.tids.has(parent) && st.groupOf(child) === pg) pg.binding.tids.set(child, st.seq);
    }
  } catch (e) {
    if (!isGone(e)) throw e;
    st.exited(child);
  }
}

function newGroupFor(st: GroupState, child: number, pg: Group): void {
  let name = `task-${child}`;
  for (let n = 2; st.groups.has(name); n++) name = `task-${child}-${n}`;
  const g = st.newGroup(name, pg.owner, true);
  st.groups.set(name, g);
  try {
    st.place(child, 'thread', g);
  } catch (e) {
    if (g.members.size === 0) st.groups.delete(name);
    throw e;
  }
}
