/**
 * The figures of a run as two CSV tables (RFC 4180: CRLF line ends, fields
 * with a comma, a double quote or a line break quoted, quotes doubled).
 * Figures are raw: nanoseconds and percentages as numbers, for spreadsheets
 * and scripts, not rounded for reading.
 */
import type { GroupFigures, RunResult, TaskFigures } from '../scenario/result.js';

export interface RunCsv {
  readonly groups: string;
  readonly tasks: string;
}

type Cell = string | number | boolean | undefined;

/** One field, quoted when it has to be. */
export function csvField(v: Cell): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvTable(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [head, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export const GROUP_COLUMNS = ['path', 'share_pct', 'runtime_ns', 'wait_ns', 'throttled_ns',
  'nr_throttled', 'nr_periods', 'switches', 'forced_idle_ns'] as const;

export const TASK_COLUMNS = ['pid', 'name', 'group', 'share_pct', 'runtime_ns', 'wait_ns',
  'timeslices', 'nvcsw', 'nivcsw', 'exited', 'forced_idle_ns'] as const;

function groupRow(g: GroupFigures): Cell[] {
  return [g.path, g.sharePct, g.runtimeNs, g.waitNs, g.throttledNs, g.nrThrottled, g.nrPeriods,
    g.switches, g.forcedIdleNs];
}

function taskRow(t: TaskFigures): Cell[] {
  return [t.pid, t.name, t.group, t.sharePct, t.runtimeNs, t.waitNs, t.timeslices, t.nvcsw,
    t.nivcsw, t.exited, t.forcedIdleNs];
}

/** Groups and tasks, each a CSV text with a header row; a missing forced idle is an empty field. */
export function toCsv(r: RunResult): RunCsv {
  return {
    groups: csvTable(GROUP_COLUMNS, r.groups.map(groupRow)),
    tasks: csvTable(TASK_COLUMNS, r.tasks.map(taskRow)),
  };
}
