/**
 * A prediction beside a measurement: the same scenario's figures from two
 * runs (the simulator and the host), row by row, with the difference in
 * percentage points of the machine. Tasks are matched by name, groups by
 * path; a row missing on one side is kept with that side empty.
 */
import type { RunResult } from './result.js';

export interface CompareRow {
  readonly kind: 'group' | 'task';
  /** Group path, or task name. */
  readonly name: string;
  readonly predictedPct: number | undefined;
  readonly measuredPct: number | undefined;
  /** measured − predicted, percentage points; undefined when a side is missing. */
  readonly diffPp: number | undefined;
}

export interface Comparison {
  readonly scenario: string;
  readonly rows: readonly CompareRow[];
  /** Largest |diff| over the rows that have both sides. */
  readonly maxAbsDiffPp: number;
}

function row(kind: CompareRow['kind'], name: string, p: number | undefined, m: number | undefined): CompareRow {
  return { kind, name, predictedPct: p, measuredPct: m, diffPp: p === undefined || m === undefined ? undefined : m - p };
}

/** Task names are unique per scenario; a task that forked shows once per thread name, summed. */
function taskShares(r: RunResult): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of r.tasks) out.set(t.name, (out.get(t.name) ?? 0) + t.sharePct);
  return out;
}

export function compareRuns(predicted: RunResult, measured: RunResult): Comparison {
  const rows: CompareRow[] = [];
  const mg = new Map(measured.groups.map((g) => [g.path, g.sharePct]));
  for (const g of predicted.groups) rows.push(row('group', g.path, g.sharePct, mg.get(g.path)));
  for (const g of measured.groups) if (!predicted.groups.some((x) => x.path === g.path)) rows.push(row('group', g.path, undefined, g.sharePct));
  const pt = taskShares(predicted);
  const mt = taskShares(measured);
  for (const [name, p] of pt) rows.push(row('task', name, p, mt.get(name)));
  for (const [name, m] of mt) if (!pt.has(name)) rows.push(row('task', name, undefined, m));
  const diffs = rows.flatMap((r) => (r.diffPp === undefined ? [] : [Math.abs(r.diffPp)]));
  return { scenario: predicted.scenario, rows, maxAbsDiffPp: diffs.length > 0 ? Math.max(...diffs) : 0 };
}
