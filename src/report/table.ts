/**
 * The terminal report of a run: a header line, a table of groups, a table of
 * tasks and the expectations, as one string. Colour (ANSI) only when asked:
 * the caller knows whether its stream is a terminal.
 */
import Table from 'cli-table3';
import type { ExpectationResult, GroupFigures, RunResult, TaskFigures } from '../scenario/result.js';
import type { TrustCost } from '../scenario/trust-cost.js';
import { formatCount, formatDuration, formatNumber, formatPct, printable } from './units.js';

export interface TableOptions {
  /** ANSI colours: bold headings, green ✓, red ✗. Default false. */
  readonly color?: boolean;
}

interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
}

function sgr(on: number, off: number): (s: string) => string {
  return (s) => `\u001b[${on}m${s}\u001b[${off}m`;
}

const COLOR: Paint = { bold: sgr(1, 22), dim: sgr(2, 22), green: sgr(32, 39), red: sgr(31, 39) };
const PLAIN: Paint = { bold: (s) => s, dim: (s) => s, green: (s) => s, red: (s) => s };

type Align = 'left' | 'right';

function makeTable(paint: Paint, head: readonly string[], aligns: readonly Align[]): Table.Table {
  // Styles off: cli-table3's own colouring depends on the environment; ours on the option.
  return new Table({
    head: head.map((h) => paint.bold(h)),
    colAligns: [...aligns],
    style: { head: [], border: [], compact: true },
  });
}

/** The line above the tables: what ran, where, for how long. */
export function headerLine(r: RunResult): string {
  const parts = [
    printable(r.scenario),
    r.backend === 'sim' ? 'simulated kernel' : 'host kernel',
    `${r.cpus} CPU${r.cpus === 1 ? '' : 's'}`,
    `${formatDuration(r.durationNs)} ${r.backend === 'sim' ? 'simulated' : 'measured'}`,
  ];
  if (r.seed !== undefined) parts.push(`seed ${r.seed}`);
  return parts.join(' · ');
}

function throttledCell(g: GroupFigures): string {
  if (g.nrPeriods === 0 && g.throttledNs === 0) return '-';
  return `${formatDuration(g.throttledNs)} (${formatCount(g.nrThrottled)}/${formatCount(g.nrPeriods)})`;
}

function groupTable(groups: readonly GroupFigures[], paint: Paint): string {
  const forced = groups.some((g) => g.forcedIdleNs !== undefined);
  const head = ['group', 'CPU share', 'runtime', 'wait', 'throttled (n/periods)', 'switches'];
  const aligns: Align[] = ['left', 'right', 'right', 'right', 'right', 'right'];
  if (forced) { head.push('forced idle'); aligns.push('right'); }
  const t = makeTable(paint, head, aligns);
  for (const g of groups) {
    const row = [printable(g.path), formatPct(g.sharePct), formatDuration(g.runtimeNs),
      formatDuration(g.waitNs), throttledCell(g), formatCount(g.switches)];
    if (forced) row.push(g.forcedIdleNs === undefined ? '-' : formatDuration(g.forcedIdleNs));
    t.push(row);
  }
  return t.toString();
}

function taskTable(tasks: readonly TaskFigures[], paint: Paint): string {
  const forced = tasks.some((t) => t.forcedIdleNs !== undefined);
  const head = ['pid', 'task', 'group', 'share', 'runtime', 'wait', 'timeslices', 'vol/invol switches'];
  const aligns: Align[] = ['right', 'left', 'left', 'right', 'right', 'right', 'right', 'right'];
  if (forced) { head.push('forced idle'); aligns.push('right'); }
  const trust = tasks.some((t) => t.trustGroup !== undefined);
  if (trust) { head.push('trust group'); aligns.push('left'); }
  const t = makeTable(paint, head, aligns);
  for (const k of tasks) {
    const name = printable(k.name) + (k.exited ? paint.dim(' (exited)') : '');
    const row = [String(k.pid), name, printable(k.group), formatPct(k.sharePct),
      formatDuration(k.runtimeNs), formatDuration(k.waitNs), formatCount(k.timeslices),
      `${formatCount(k.nvcsw)}/${formatCount(k.nivcsw)}`];
    if (forced) row.push(k.forcedIdleNs === undefined ? '-' : formatDuration(k.forcedIdleNs));
    if (trust) row.push(k.trustGroup === undefined ? '-' : printable(k.trustGroup));
    t.push(row);
  }
  return t.toString();
}

/** The measured value of an expectation in its unit. */
export function formatActual(e: ExpectationResult): string {
  if (e.unit === '%') return formatPct(e.actual);
  if (e.unit === 'ns') return formatDuration(e.actual);
  return formatNumber(e.actual);
}

function expectationBlock(list: readonly ExpectationResult[], paint: Paint): string {
  const met = list.filter((e) => e.ok).length;
  const title = `Expectations: ${met} of ${list.length} met`;
  const width = Math.max(...list.map((e) => printable(e.text).length));
  const actuals = list.map((e) => `actual ${formatActual(e)}`);
  const actualWidth = Math.max(...actuals.map((a) => a.length));
  const lines = list.map((e, i) => {
    const mark = e.ok ? paint.green('✓') : paint.red('✗');
    const text = printable(e.text).padEnd(width);
    const actual = (actuals[i] ?? '').padEnd(e.line === undefined ? 0 : actualWidth);
    const where = e.line === undefined ? '' : paint.dim(`  line ${e.line}`);
    return `  ${mark} ${text}  ${e.ok ? actual : paint.red(actual)}${where}`;
  });
  return [paint.bold(title), ...lines].join('\n');
}

/** What trust groups cost: CPU time with them against the same run without them. */
function costBlock(c: TrustCost, paint: Paint): string {
  const title = `Core scheduling cost: ${formatPct(c.lostPct)} of the CPU time lost against the same run without trust groups`
    + ` (${formatDuration(c.withNs)} instead of ${formatDuration(c.withoutNs)}; siblings forced idle ${formatDuration(c.forcedIdleNs)})`;
  const t = makeTable(paint, ['group', 'runtime', 'without trust groups', 'lost'], ['left', 'right', 'right', 'right']);
  for (const g of c.groups) t.push([printable(g.path), formatDuration(g.withNs), formatDuration(g.withoutNs), formatPct(g.lostPct)]);
  return `${paint.bold(title)}\n${t.toString()}`;
}

/** The whole terminal report of a run, ending without a newline. */
export function formatTable(r: RunResult, opts: TableOptions = {}): string {
  const paint = opts.color === true ? COLOR : PLAIN;
  const parts = [paint.bold(headerLine(r))];
  if (r.groups.length > 0) parts.push(`${paint.bold('Groups')}\n${groupTable(r.groups, paint)}`);
  if (r.trustCost !== undefined) parts.push(costBlock(r.trustCost, paint));
  if (r.tasks.length > 0) parts.push(`${paint.bold('Tasks')}\n${taskTable(r.tasks, paint)}`);
  if (r.expectations !== undefined && r.expectations.length > 0) {
    parts.push(expectationBlock(r.expectations, paint));
  }
  return parts.join('\n\n');
}
