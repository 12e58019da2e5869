/**
 * Expectations: one line each, checked against the figures of a run.
 *
 *   share of /guest: 50% ± 1            within a tolerance (± or +-; `:` or `=`)
 *   share of task host >= 49%           comparisons: < <= > >= = != (≤ ≥ too)
 *   nr_throttled of /batch > 0
 *   runtime of task web: 2s ± 50ms
 *   share of /guest during 6s..7s < 1   a window of the run
 *
 * Metrics: share (% of the whole machine), runtime, wait, throttled,
 * forced_idle (durations), nr_throttled, nr_periods, switches, timeslices,
 * nvcsw, nivcsw (counts). Targets: a group path relative to the scenario root
 * (its figures include its descendants), or `task NAME`: the task the
 * scenario spawned under that name (a process's main thread; threads it
 * starts have figures of their own). Tolerances of shares are percentage
 * points.
 */
import type { ExpectationResult } from './result.js';
import { isDuration, parseDuration, parseNumber, parsePercent } from './units.js';

export const METRICS = {
  share: 'percent', runtime: 'time', wait: 'time', throttled: 'time', forced_idle: 'time',
  nr_throttled: 'count', nr_periods: 'count', switches: 'count', timeslices: 'count', nvcsw: 'count', nivcsw: 'count',
} as const;
export type Metric = keyof typeof METRICS;
type Unit = (typeof METRICS)[Metric];

/** Metrics only a task has, and only a group has. */
const TASK_ONLY: readonly Metric[] = ['timeslices', 'nvcsw', 'nivcsw'];
const GROUP_ONLY: readonly Metric[] = ['throttled', 'nr_throttled', 'nr_periods'];

export type Target = { readonly kind: 'group'; readonly path: string } | { readonly kind: 'task'; readonly name: string };
export type Op = '<' | '<=' | '>' | '>=' | '=' | '!=';
export type Check =
  | { readonly op: 'approx'; readonly value: number; readonly tol: number }
  | { readonly op: Op; readonly value: number };

export interface Expectation {
  readonly text: string;
  readonly line: number;
  readonly metric: Metric;
  readonly target: Target;
  readonly window?: { readonly fromNs: number; readonly toNs: number };
  readonly check: Check;
}

const SHAPE = /^(\w+)\s+of\s+(.+?)(?:\s+during\s+(\S+?)\s*\.\.\s*(\S+?))?\s*(:|==|!=|>=|<=|=|>|<|≥|≤)\s*(.+?)\s*$/;
const OPS: Record<string, Op | 'approx'> = { ':': 'approx', '=': 'approx', '==': 'approx', '!=': '!=', '>=': '>=', '≥': '>=', '<=': '<=', '≤': '<=', '>': '>', '<': '<' };

/** Parse one expectation; throws RangeError with a message for people. */
export function parseExpectation(text: string, line: number): Expectation {
  const m = SHAPE.exec(text);
  if (!m) throw new RangeError(`cannot read expectation '${text}' (e.g. 'share of /guest: 50% ± 1' or 'nr_throttled of /batch > 0')`);
  const [, metricText, targetText, from, to, opText, rest] = m as unknown as string[];
  const metric = metricText!.toLowerCase();
  if (!Object.hasOwn(METRICS, metric)) throw new RangeError(`unknown metric '${metricText}' (one of ${Object.keys(METRICS).join(', ')})`);
  const met = metric as Metric;
  const target = targetOf(targetText!);
  if (target.kind === 'group' && TASK_ONLY.includes(met)) throw new RangeError(`${met} is a figure of tasks, not of groups`);
  if (target.kind === 'task' && GROUP_ONLY.includes(met)) throw new RangeError(`${met} is a figure of groups, not of tasks`);
  const unit = METRICS[met];
  let op = OPS[opText!]!;
  let valueText = rest!;
  let tolText: string | undefined;
  const pm = /^(.*?)\s*(?:±|\+-|\+\/-)\s*(.*)$/.exec(rest!);
  if (pm) {
    if (op !== 'approx') throw new RangeError(`a tolerance goes with ':' or '=', not '${opText}'`);
    valueText = pm[1]!;
    tolText = pm[2]!;
  }
  if (op === 'approx' && tolText === undefined) op = '=';
  const value = valueOf(valueText, unit);
  const check: Check = op === 'approx'
    ? { op, value, tol: Math.abs(valueOf(tolText!, unit)) }
    : { op, value };
  const out: Expectation = { text, line, metric: met, target, check };
  if (from !== undefined && to !== undefined) {
    const fromNs = parseDuration(from);
    const toNs = parseDuration(to);
    if (toNs <= fromNs) throw new RangeError(`window ${from}..${to} is empty`);
    return { ...out, window: { fromNs, toNs } };
  }
  return out;
}

function targetOf(t: string): Target {
  const task = /^task\s+(\S+)$/.exec(t);
  if (task) return { kind: 'task', name: task[1]! };
  if (t.startsWith('/') && !/\s/.test(t)) return { kind: 'group', path: t.length > 1 ? t.replace(/\/+$/, '') : t };
  throw new RangeError(`unknown target '${t}' (a group like /guest or 'task NAME')`);
}

function valueOf(v: string, unit: Unit): number {
  switch (unit) {
    case 'percent': return parsePercent(v);
    case 'time':
      if (/^\s*0\s*$/.test(v)) return 0;
      if (!isDuration(v)) throw new RangeError(`'${v}' is not a duration (e.g. 2s, 500ms)`);
      return parseDuration(v);
    case 'count': return parseNumber(v);
  }
}

/** Is `actual` what the expectation asks? */
export function holds(check: Check, actual: number): boolean {
  switch (check.op) {
    case 'approx': return Math.abs(actual - check.value) <= check.tol + 1e-9;
    case '<': return actual < check.value;
    case '<=': return actual <= check.value;
    case '>': return actual > check.value;
    case '>=': return actual >= check.value;
    case '=': return actual === check.value;
    case '!=': return actual !== check.value;
  }
}

/**
 * Check every expectation. `figure` gives the measured value in the metric's
 * unit (percent, ns, count) for a target and an optional window.
 */
export function evaluate(
  expect: readonly Expectation[],
  figure: (e: Expectation) => number,
): ExpectationResult[] {
  return expect.map((e) => {
    const actual = figure(e);
    const unit = METRICS[e.metric];
    return { text: e.text, line: e.line, actual, ...(unit === 'percent' ? { unit: '%' } : unit === 'time' ? { unit: 'ns' } : {}), ok: holds(e.check, actual) };
  });
}
