import type { AttachSet } from '../core/controller.js';
import type { Cgroup, CssImpl } from './cgroup.js';
import type { Kernel } from './kernel.js';
import { reportPopulated } from './populated.js';
import type { Task } from './task.js';

type AnyCss = CssImpl<unknown>;

/** One controller's part of a migration: the css the tasks go to, grouped by the css they leave. */
export interface Move {
  dst: AnyCss;
  bySrc: Map<AnyCss, Task[]>;
  set: AttachSet;
}

/**
 * Plan the css changes for `tasks`: for each controller, the tasks whose
 * css (their css_set entry, `t.css`) differs from `target(t, ctrl)`.
 */
export function planMoves(tasks: readonly Task[], ctrls: readonly string[], target: (t: Task, ctrl: string) => AnyCss | undefined, wholeProcess: boolean): Move[] {
  const moves = new Map<AnyCss, Move>();
  for (const c of ctrls) {
    for (const t of tasks) {
      const from = t.css.get(c);
      const to = target(t, c);
      if (!from || !to || from === to) continue;
      let m = moves.get(to);
      if (!m) moves.set(to, (m = { dst: to, bySrc: new Map(), set: { tasks: [], wholeProcess } }));
      const list = m.bySrc.get(from) ?? [];
      list.push(t);
      m.bySrc.set(from, list);
      (m.set.tasks as Task[]).push(t);
    }
  }
  return [...moves.values()];
}

/** can_attach for every controller; cancel those that agreed when a later one refuses. */
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

/** attach for every controller, and the tasks' css_set entries follow. */
export function attachAll(k: Kernel, moves: readonly Move[]): void {
  const svc = k.services();
  for (const m of moves) {
    for (const [src, list] of m.bySrc) {
      for (const t of list) t.css.set(m.dst.ctrl, m.dst);
      m.dst.def.attach?.(m.dst, src, { tasks: list, wholeProcess: m.set.wholeProcess }, svc);
    }
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
  const moves = planMoves(moving, h.controllers, (_t, c) => dst.effectiveCss(c), wholeProcess);
  canAttachAll(k, moves);
  const flips: Cgroup[] = [];
  for (const t of moving) {
    flips.push(...dst.addTask(t));
    flips.push(...(t.cgroups.get(h)?.removeTask(t) ?? []));
    t.cgroups.set(h, dst);
  }
  attachAll(k, moves);
  reportPopulated(k, flips);
  k.afterFreezeChange?.();
  for (const t of moving) k.taskEvent({ kind: 'move', tid: t.tid });
}
