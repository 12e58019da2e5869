/**
 * A run as a Chrome trace-event file (the JSON Object Format), which
 * Perfetto (ui.perfetto.dev) and chrome://tracing open: one track per CPU
 * with a complete ('X') event for every slice a task ran, and a counter
 * track of each group's CPU share over time.
 *
 * Process ids are 1 ("CPUs") and 2 ("CPU share"): Perfetto treats pid 0 as
 * the kernel's idle task, so a synthetic trace starts from 1. Within "CPUs",
 * CPU n is thread n + 1 for the same reason.
 */
import { CgroupError } from '../core/errors.js';
import type { RunResult, Slice } from '../scenario/result.js';

export const CPUS_PID = 1;
export const SHARES_PID = 2;
export const SHARE_COUNTER = 'CPU share (%)';

type Args = Readonly<Record<string, string | number>>;

/** The events this module writes; the format has more kinds. */
export type ChromeTraceEvent =
  | { readonly ph: 'M'; readonly name: 'process_name' | 'thread_name' | 'process_sort_index' | 'thread_sort_index';
      readonly pid: number; readonly tid: number; readonly args: Args }
  | { readonly ph: 'X'; readonly name: string; readonly cat: string; readonly pid: number; readonly tid: number;
      readonly ts: number; readonly dur: number; readonly args: Args }
  | { readonly ph: 'C'; readonly name: string; readonly pid: number; readonly tid: number;
      readonly ts: number; readonly args: Readonly<Record<string, number>> };

export interface ChromeTrace {
  readonly traceEvents: readonly ChromeTraceEvent[];
  readonly displayTimeUnit: 'ns';
  readonly otherData: Readonly<Record<string, string | number>>;
}

/** Nanoseconds to the format's microseconds, kept fractional. */
function us(ns: number): number {
  return ns / 1000;
}

/** The thread id of CPU `cpu` in the "CPUs" process. */
export function cpuTid(cpu: number): number {
  return cpu + 1;
}

function metadata(r: RunResult, cpus: readonly number[]): ChromeTraceEvent[] {
  const out: ChromeTraceEvent[] = [
    { ph: 'M', name: 'process_name', pid: CPUS_PID, tid: 0, args: { name: 'CPUs' } },
    { ph: 'M', name: 'process_sort_index', pid: CPUS_PID, tid: 0, args: { sort_index: 0 } },
  ];
  for (const cpu of cpus) {
    out.push({ ph: 'M', name: 'thread_name', pid: CPUS_PID, tid: cpuTid(cpu), args: { name: `CPU ${cpu}` } });
    out.push({ ph: 'M', name: 'thread_sort_index', pid: CPUS_PID, tid: cpuTid(cpu), args: { sort_index: cpu } });
  }
  if (r.series !== undefined) {
    out.push({ ph: 'M', name: 'process_name', pid: SHARES_PID, tid: 0, args: { name: 'CPU share' } });
    out.push({ ph: 'M', name: 'process_sort_index', pid: SHARES_PID, tid: 0, args: { sort_index: 1 } });
  }
  return out;
}

function sliceEvents(r: RunResult, slices: readonly Slice[]): ChromeTraceEvent[] {
  const tasks = new Map(r.tasks.map((t) => [t.pid, t]));
  const sorted = [...slices].sort((a, b) => a.startNs - b.startNs || a.cpu - b.cpu);
  return sorted.map((s) => {
    if (!(s.endNs >= s.startNs) || !Number.isInteger(s.cpu) || s.cpu < 0) {
      throw new CgroupError('EINVAL', 'write', undefined,
        `bad slice of pid ${s.pid} on cpu ${s.cpu}: ${s.startNs}..${s.endNs} ns`);
    }
    const task = tasks.get(s.pid);
    const name = `${task?.name ?? 'pid'} (${s.pid})`;
    return {
      ph: 'X', name, cat: 'sched', pid: CPUS_PID, tid: cpuTid(s.cpu),
      ts: us(s.startNs), dur: us(s.endNs - s.startNs),
      args: { pid: s.pid, group: task?.group ?? '?' },
    };
  });
}

/**
 * One counter event per series point, at the start of its interval, with one
 * value per group (Perfetto draws a track per group, chrome://tracing stacks them).
 */
function counterEvents(r: RunResult): ChromeTraceEvent[] {
  const s = r.series;
  if (s === undefined) return [];
  return s.timesNs.map((t, i) => {
    const args: Record<string, number> = {};
    for (const g of s.groups) {
      const v = g.sharePct[i];
      if (v !== undefined && Number.isFinite(v)) args[g.path] = v;
    }
    return { ph: 'C', name: SHARE_COUNTER, pid: SHARES_PID, tid: 0, ts: us(Math.max(0, t - s.intervalNs)), args };
  });
}

/** The trace of a run; `JSON.stringify` it to a `.json` file for Perfetto. */
export function toChromeTrace(r: RunResult): ChromeTrace {
  const slices = r.slices ?? [];
  const cpuSet = new Set<number>(slices.map((s) => s.cpu));
  for (let c = 0; c < r.cpus; c++) cpuSet.add(c);
  const cpus = [...cpuSet].sort((a, b) => a - b);
  const otherData: Record<string, string | number> = {
    scenario: r.scenario, backend: r.backend, cpus: r.cpus, durationNs: r.durationNs,
  };
  if (r.seed !== undefined) otherData['seed'] = r.seed;
  return {
    traceEvents: [...metadata(r, cpus), ...sliceEvents(r, slices), ...counterEvents(r)],
    displayTimeUnit: 'ns',
    otherData,
  };
}
