/**
 * Units of scenario files: durations (`10s`, `2.5ms`, `500us`, `100ns`) and
 * percentages (`50%`, `50`). Durations become integer nanoseconds; a value
 * that is not a whole number of ns, or a bare number other than 0, is an error
 * (returned as a message, the loader adds the line).
 */
import { TIME_UNITS } from '../sim/program-text.js';

const UNITS: Readonly<Record<string, number>> = { ...TIME_UNITS, 'µs': 1e3 };
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s)\s*$/;

/** Parse a duration; throws RangeError with a message for people. */
export function parseDuration(v: string | number): number {
  if (typeof v === 'number') {
    if (v === 0) return 0;
    throw new RangeError(`duration ${v} needs a unit (ns, us, ms or s)`);
  }
  const m = DURATION.exec(v);
  if (!m) throw new RangeError(`bad duration '${v}' (a number with ns, us, ms or s, e.g. 10s or 2.5ms)`);
  const ns = scaled(m[1]!, UNITS[m[2]!]!);
  if (ns === undefined) throw new RangeError(`duration '${v}' is not a whole number of nanoseconds`);
  if (!Number.isSafeInteger(ns)) throw new RangeError(`duration '${v}' is too large`);
  return ns;
}

/** `digits[.digits] × unit` exactly, or undefined when that is not an integer. */
function scaled(num: string, unit: number): number | undefined {
  const [int, frac = ''] = num.split('.');
  const exp = Math.round(Math.log10(unit));
  const f = frac.replace(/0+$/, '');
  if (f.length > exp) return undefined;
  return Number(int! + f.padEnd(exp, '0'));
}

/** Is the text a duration (for expectations that take a time)? */
export function isDuration(v: string): boolean {
  return DURATION.test(v);
}

/** A duration for people: the largest unit that keeps it short (`1.5s`, `250ms`, `12us`, `7ns`). */
export function formatDuration(ns: number): string {
  const sign = ns < 0 ? '-' : '';
  const a = Math.abs(ns);
  for (const [u, f] of [['s', 1e9], ['ms', 1e6], ['us', 1e3]] as const) {
    if (a >= f) return `${sign}${trim(a / f)}${u}`;
  }
  return `${sign}${a}ns`;
}

function trim(x: number): string {
  return String(Number(x.toFixed(3)));
}

/** A number with an optional `%`: `50%`, `12.5`, `-3`. */
export function parsePercent(v: string): number {
  const m = /^\s*([-+]?\d+(?:\.\d+)?)\s*%?\s*$/.exec(v);
  if (!m) throw new RangeError(`bad percentage '${v}'`);
  return Number(m[1]);
}

/** A plain count or number: `0`, `12`, `2.5`. */
export function parseNumber(v: string): number {
  const m = /^\s*([-+]?\d+(?:\.\d+)?)\s*$/.exec(v);
  if (!m) throw new RangeError(`bad number '${v}'`);
  return Number(m[1]);
}
