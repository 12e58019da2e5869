/**
 * Core scheduling (kernel/sched/core.c with CONFIG_SCHED_CORE): the SMT
 * siblings of a core only ever run tasks with one cookie at a time.
 *
 * - A `Core` holds its sibling CPUs and the forced-idle state: how many
 *   siblings idle although they have runnable tasks (`fiCount`), how many
 *   run a task (`occupation`), and the forced-idle sequence number that
 *   decides when the priority snapshots below are taken.
 * - `prioLess(a, b)` is the kernel's cross-CPU comparison of two fair tasks
 *   (cfs_prio_less): walk both up to entities of the same task group, then
 *   compare their vruntime, each relative to its queue's min_vruntime as it
 *   was when the current forced-idle stretch began (se_fi_update); outside
 *   forced idle the snapshot is taken at every comparison. A running task
 *   thus loses priority while its sibling is forced idle, and the idled
 *   sibling's task gets its turn.
 * - `findCookie(cpu, cookie)` is sched_core_find(): the most deserving
 *   pickable task of that cookie on one CPU. Like the kernel, an untagged
 *   core pick (cookie 0) never looks for other untagged tasks: a sibling
 *   whose best task is tagged then idles.
 * - `accountForceIdle(core, now)` is sched_core_account_forceidle(): every
 *   ns a sibling is forced idle is charged to the tasks running on the
 *   other siblings, scaled by fiCount / occupation, and counted per CPU.
 *
 * The core-wide pick itself is SmtMachine.scheduleCore (machine-smt.ts).
 */
import { CfsRq } from './eevdf.js';
import type { Cpu, GroupCpu, MEntity, SchedTask } from './sched-types.js';

/** MIN_NR_TASKS_DURING_FORCEIDLE: task_tick_core reschedules a task that used more than 1/2 of its slice. */
export const MIN_NR_TASKS_DURING_FORCEIDLE = 2;

export class Core {
  /** Siblings forced idle in the current core-wide pick. */
  fiCount = 0;
  /** Siblings running a task in the current core-wide pick. */
  occupation = 0;
  /** Incremented when a forced-idle stretch begins. */
  fiSeq = 0;
  /** Time up to which forced idle has been charged. */
  fiLast = 0;
  /** The cookie of the current core-wide pick. */
  cookie = 0;

  constructor(readonly id: number, readonly cpus: readonly Cpu[]) {}
}

function minVruntimeOf(gc: GroupCpu): number {
  return gc.rq instanceof CfsRq ? gc.rq.minVruntime : 0;
}

/** se_fi_update(): snapshot min_vruntime from `se`'s queue upward (once per forced-idle stretch while in one). */
function fiUpdate(se: MEntity, seq: number, inFi: boolean): void {
  for (let s: MEntity | null = se; s !== null; s = s.parent.se) {
    const gc = s.parent;
    if (inFi) {
      if (gc.fiSeq === seq) break;
      gc.fiSeq = seq;
    }
    gc.minVruntimeFi = minVruntimeOf(gc);
  }
}

/** Walks two entities up until they are queued in the same task group (on their own CPUs). */
function commonLevel(a: SchedTask, b: SchedTask): [MEntity, MEntity] {
  let sa = a.se;
  let sb = b.se;
  while (sa.parent.tg !== sb.parent.tg) {
    const da = sa.parent.tg.depth;
    const db = sb.parent.tg.depth;
    if (da >= db) sa = sa.parent.se!;
    if (da <= db) sb = sb.parent.se!;
  }
  return [sa, sb];
}

/**
 * prio_less(a, b) for two fair tasks on siblings of `core`: true when `a`
 * deserves the CPU less than `b`. Only fair queues have a vruntime; where the
 * common level is scheduled by another class the two are equal (false).
 */
export function prioLess(core: Core, a: SchedTask, b: SchedTask, inFi: boolean): boolean {
  const [sa, sb] = commonLevel(a, b);
  if (!(sa.parent.rq instanceof CfsRq) || !(sb.parent.rq instanceof CfsRq)) return false;
  fiUpdate(sa, core.fiSeq, inFi);
  fiUpdate(sb, core.fiSeq, inFi);
  const delta = sa.vruntime - sb.vruntime + (sb.parent.minVruntimeFi - sa.parent.minVruntimeFi);
  return delta > 0;
}

/** The task could be picked on its CPU now: queued, not delayed, and no group above it throttled. */
export function pickable(t: SchedTask): boolean {
  if (t.state !== 'runnable' && t.state !== 'running') return false;
  if (t.delayed) return false;
  for (let se: MEntity | null = t.se; se !== null; se = se.parent.se) {
    if (!se.onRq || se.delayed) return false;
  }
  return true;
}

/** Same-CPU order of two tasks: the lower vruntime at their common level first (the core tree's order). */
function sameCpuLess(a: SchedTask, b: SchedTask): boolean {
  const [sa, sb] = commonLevel(a, b);
  return sa.vruntime > sb.vruntime;
}

/** sched_core_find(): the most deserving pickable task with `cookie` on `cpu`, or null. */
export function findCookie(cpu: Cpu, cookie: number): SchedTask | null {
  let best: SchedTask | null = null;
  for (const t of cpu.tasks) {
    if (t.cookie !== cookie || !pickable(t)) continue;
    if (best === null || sameCpuLess(best, t)) best = t;
  }
  return best;
}

/** sched_core_account_forceidle(): charge forced idle from `core.fiLast` to `now`. */
export function accountForceIdle(core: Core, now: number, charge: (t: SchedTask, ns: number) => void): void {
  const d = now - core.fiLast;
  core.fiLast = now;
  if (d <= 0 || core.fiCount === 0) return;
  for (const c of core.cpus) if (c.forcedIdle) c.forcedIdleNs += d;
  if (core.occupation === 0) return;
  const share = Math.floor((d * core.fiCount) / core.occupation);
  for (const c of core.cpus) {
    const t = c.curr;
    if (t === null || c.forcedIdle) continue;
    t.counters.forceIdleNs += share;
    charge(t, share);
  }
}
