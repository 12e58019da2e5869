import type { AttachSet } from '../core/controller.js';
import type { Cgroup, CssImpl } from './cgroup.js';
import type { Kernel } from './kernel.js';
import { reportPopulated } from './populated.js';
import type { Task } from './task.js';

interface Move {
  dst: CssImpl<unknown>;
  /** Tasks grouped by the css they leave. */
  bySrc: Map<CssImpl<unknown>, Task[]>;
  set: AttachSet;
}

/**
 * Plan the css changes for moving `tasks` into `dst` (or into `targetOf(t)`):
 * one entry per controller whose css differs for some task.
 */
export function planMoves(tasks: readonly Task[], targetOf: (t: Task) => Cgroup, ctrls: readonly string[], wholeProcess: boolean): Move[] {
  const moves = new Map<string, Move>();
  for (const c of ctrls) {
    for (const t of tasks) {
      const h = targetOf(t).hier;
      const from = t.cgroups.get(h)?.effectiveCss(c);
      const to = targetOf(t).effectiveCss(c);
      if (!from || !to || from === to) continue;
      const key = `${c}:${to.cgroup.ino}`;
      let m = moves.get(key);
      if (!m) moves.set(key, (m = { dst: to, bySrc: new Map(), set: { tasks: [], wholeProcess } }));
      const list = m.bySrc.get(from) ?? [];
      list.push(t);
      m.bySrc.set(from, list);
      (m.set.tasks as Task[]).push(t);
    }
  }
  return [...moves.values()];
}

/** Ask every controller; cancel those that agreed when a later one refuses. */
export function canAttachAll(k: Kernel, moves: readonly Move[]): void {
  const svc = k.services();
  const done: Move[] = [];
  try {
    for (const m of moves) {
      m.dst.def.canAttach?.(m.dst, m.set, svc);
      done.push(m);
    }
  } catch (e) {
    for (const m of done.reverse()) m.dst.def.cancelAttach?.(m.dst, m.set, svc);
    throw e;
  }
}

export function attachAll(k: Kernel, moves: readonly Move[]): void {
  const svc = k.services();
  for (const m of moves) {
    for (const [src, list] of m.bySrc) m.dst.def.attach?.(m.dst, src, { tasks: list, wholeProcess: m.set.wholeProcess }, svc);
  }
}

/**
 * Move tasks into `dst` (one hierarchy): can_attach for every controller,
 * then the move, then attach — the kernel's cgroup_migrate(). Tasks already
 * there are left alone.
 */
export function migrate(k: Kernel, dst: Cgroup, tasks: readonly Task[], wholeProcess: boolean): void {
  const h = dst.hier;
  const moving = tasks.filter((t) => !t.exited && t.cgroups.get(h) !== dst);
  if (moving.length === 0) return;
  const moves = planMoves(moving, () => dst, h.controllers, wholeProcess);
  canAttachAll(k, moves);
  const flips: Cgroup[] = [];
  for (const t of moving) {
    flips.push(...dst.addTask(t));
    flips.push(...(t.cgroups.get(h)?.removeTask(t) ?? []));
    t.cgroups.set(h, dst);
  }
  reportPopulated(k, flips);
  attachAll(k, moves);
  k.afterFreezeChange?.();
}
