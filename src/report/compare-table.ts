/**
 * The terminal form of a comparison: predicted and measured CPU shares side
 * by side, with the difference in percentage points.
 */
import Table from 'cli-table3';
import type { Comparison, CompareRow } from '../scenario/compare.js';
import { printable } from './units.js';

const pct = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(1)}%`);
const pp = (v: number | undefined): string => (v === undefined ? '-' : `${v >= 0 ? '+' : ''}${v.toFixed(1)} pp`);

export interface CompareTableOptions {
  /** Leave the task rows out (the groups tell the story when tasks are many). */
  groupsOnly?: boolean;
  /** Rows whose |difference| is above this are marked. */
  tolerancePp?: number;
}

export function formatCompareTable(c: Comparison, opts: CompareTableOptions = {}): string {
  const t = new Table({
    head: ['', 'group / task', 'simulated', 'host', 'host − sim'],
    colAligns: ['left', 'left', 'right', 'right', 'right'],
    style: { head: [], border: [], compact: true },
  });
  const rows: CompareRow[] = c.rows.filter((r) => !opts.groupsOnly || r.kind === 'group');
  for (const r of rows) {
    const over = opts.tolerancePp !== undefined && r.diffPp !== undefined && Math.abs(r.diffPp) > opts.tolerancePp;
    t.push([r.kind, printable(r.name), pct(r.predictedPct), pct(r.measuredPct), `${pp(r.diffPp)}${over ? ' !' : ''}`]);
  }
  const head = `${printable(c.scenario)}: CPU share of the machine, simulated vs measured on this host`;
  const foot = `largest difference ${c.maxAbsDiffPp.toFixed(1)} pp${opts.tolerancePp !== undefined ? ` (tolerance ${opts.tolerancePp} pp)` : ''}`;
  return `${head}\n${t.toString()}\n${foot}`;
}
