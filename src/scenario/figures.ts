/**
 * Measuring a run: snapshots of the kernel's own counters (group usage from
 * `cpuacct.usage` or `cpu.stat usage_usec`, throttling from `cpu.stat`,
 * per-task figures from the scheduler) and the figures of the stretch
 * between two snapshots. Group wait and switches sum the group's tasks
 * (descendants included, as usage does), placed where they are at the end.
 */
import { keyedBig, parseFlat } from '../core/format/keyed.js';
import type { BackendTaskStat } from './backend.js';
import type { Ctx } from './build.js';
import { kernelRefused } from './errors.js';
import { within } from './paths.js';
import type { GroupFigures, TaskFigures } from './result.js';

export interface GroupCounters { usageNs: number; nrPeriods: number; nrThrottled: number; throttledNs: number }
export interface Snapshot {
  readonly atNs: number;
  /** When the counters were read by the backend's clock (`atNs` where it has none). */
  readonly clockNs: number;
  readonly groups: ReadonlyMap<string, GroupCounters>;
  readonly tasks: readonly BackendTaskStat[];
}

async function read(cx: Ctx, path: string, line: number): Promise<string> {
  try {
    return await cx.b.fs.readFile(path);
  } catch (e) {
    throw kernelRefused(cx.s.file, line, `reading ${path}`, e);
  }
}

const num = (v: bigint | undefined): number => (v === undefined ? 0 : Number(v));

/** CPU time of a group and its descendants, as the kernel accounts it. */
export async function groupUsageNs(cx: Ctx, group: string, line: number): Promise<number> {
  const { file, mount } = cx.h.usage;
  const text = await read(cx, `${cx.h.dir(mount, group)}/${file}`, line);
  if (file === 'cpuacct.usage') return Number(BigInt(text.trim()));
  const usec = keyedBig(parseFlat(text), 'usage_usec');
  if (usec === undefined) throw kernelRefused(cx.s.file, line, `reading ${group} cpu.stat`, { code: 'EINVAL' });
  return Number(usec * 1000n);
}

async function groupCounters(cx: Ctx, group: string, line: number): Promise<GroupCounters> {
  const usageNs = await groupUsageNs(cx, group, line);
  const stat = parseFlat(await read(cx, `${cx.h.dir(cx.h.primary, group)}/cpu.stat`, line));
  const throttledNs = cx.h.primary.version === 2 ? num(keyedBig(stat, 'throttled_usec')) * 1000 : num(keyedBig(stat, 'throttled_time'));
  return { usageNs, nrPeriods: num(keyedBig(stat, 'nr_periods')), nrThrottled: num(keyedBig(stat, 'nr_throttled')), throttledNs };
}

/** The backend's clock, read before and after `read` and averaged; the scenario time where it has none. */
export async function clocked<T>(cx: Ctx, atNs: number, read: () => Promise<T>): Promise<[T, number]> {
  if (!cx.b.clockNs) return [await read(), atNs];
  const from = cx.b.clockNs();
  const v = await read();
  return [v, Math.round((from + cx.b.clockNs()) / 2)];
}

export async function snapshot(cx: Ctx, atNs: number): Promise<Snapshot> {
  const [{ groups, tasks }, clockNs] = await clocked(cx, atNs, async () => {
    const groups = new Map<string, GroupCounters>();
    for (const g of cx.s.groups) groups.set(g.path, await groupCounters(cx, g.path, g.line));
    return { groups, tasks: cx.b.taskStats() };
  });
  return { atNs, clockNs, groups, tasks };
}

export interface Figures {
  readonly durationNs: number;
  readonly groups: GroupFigures[];
  readonly tasks: TaskFigures[];
}

/** What happened between two snapshots. */
export function figuresBetween(cx: Ctx, a: Snapshot, b: Snapshot): Figures {
  const durationNs = b.clockNs - a.clockNs;
  const capacity = durationNs * cx.s.cpus;
  const pct = (ns: number): number => (capacity > 0 ? (ns / capacity) * 100 : 0);
  const smt = (cx.s.smt ?? 1) > 1;
  const before = new Map(a.tasks.map((t) => [t.tid, t]));
  const tasks: TaskFigures[] = [];
  for (const t of b.tasks) {
    const group = cx.h.groupOf(t.cgroup);
    if (group === undefined) continue;
    const p = before.get(t.tid);
    const runtimeNs = t.runtimeNs - (p?.runtimeNs ?? 0);
    const f: TaskFigures = {
      pid: t.tid, name: t.name, group, runtimeNs, sharePct: pct(runtimeNs),
      waitNs: t.waitNs - (p?.waitNs ?? 0),
      timeslices: t.timeslices - (p?.timeslices ?? 0),
      nvcsw: t.nvcsw - (p?.nvcsw ?? 0),
      nivcsw: t.nivcsw - (p?.nivcsw ?? 0),
      exited: t.exited,
      ...(smt ? { forcedIdleNs: t.forcedIdleNs - (p?.forcedIdleNs ?? 0) } : {}),
    };
    tasks.push(f);
  }
  const groups = cx.s.groups.map((g): GroupFigures => {
    const x = b.groups.get(g.path)!;
    const y = a.groups.get(g.path)!;
    const mine = tasks.filter((t) => within(t.group, g.path));
    const sum = (f: (t: TaskFigures) => number): number => mine.reduce((acc, t) => acc + f(t), 0);
    const runtimeNs = x.usageNs - y.usageNs;
    return {
      path: g.path, runtimeNs, sharePct: pct(runtimeNs),
      waitNs: sum((t) => t.waitNs),
      throttledNs: x.throttledNs - y.throttledNs,
      nrThrottled: x.nrThrottled - y.nrThrottled,
      nrPeriods: x.nrPeriods - y.nrPeriods,
      switches: sum((t) => t.nvcsw + t.nivcsw),
      ...(smt ? { forcedIdleNs: sum((t) => t.forcedIdleNs ?? 0) } : {}),
    };
  });
  return { durationNs, groups, tasks };
}
