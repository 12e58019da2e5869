/**
 * Human units for the reports: durations in ns/µs/ms/s, shares in percent,
 * counts with thousands separators. Precision follows the magnitude, so a
 * figure always shows three or four significant digits.
 */

const NS_PER_US = 1_000;
const NS_PER_MS = 1_000_000;
const NS_PER_S = 1_000_000_000;

/** Decimals that show a value in [1, 1000) with four significant digits. */
function decimalsFor(v: number): number {
  const a = Math.abs(v);
  if (a >= 100) return 1;
  if (a >= 10) return 2;
  return 3;
}

const UNITS = [
  { name: 'µs', ns: NS_PER_US },
  { name: 'ms', ns: NS_PER_MS },
  { name: 's', ns: NS_PER_S },
] as const;

/**
 * A duration of simulated (or measured) time with four significant digits:
 * `850 ns`, `12.30 µs`, `412.5 ms`, `1.984 s`. Seconds stay seconds (runs are
 * read in seconds), with one decimal from 1000 s on.
 */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  if (Math.abs(ns) < NS_PER_US) return `${Math.round(ns)} ns`;
  for (let i = 0; i < UNITS.length; i++) {
    const u = UNITS[i]!;
    const text = (ns / u.ns).toFixed(decimalsFor(ns / u.ns));
    // 999.96 ms rounds to "1000.0": show it as the next unit instead.
    if (Math.abs(Number(text)) < 1000 || i === UNITS.length - 1) return `${text} ${u.name}`;
  }
  return String(ns); // not reached: the last unit always returns
}

/** A share of the machine: `49.6%`; below 1% two decimals (`0.25%`). */
export function formatPct(pct: number): string {
  if (!Number.isFinite(pct)) return `${pct}%`;
  const a = Math.abs(pct);
  return `${pct.toFixed(a !== 0 && a < 1 ? 2 : 1)}%`;
}

/** An integer count with thousands separators: `12,345`. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.abs(Math.round(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A plain measured number without a known unit: at most 3 decimals, trailing zeros dropped. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return formatCount(v);
  return String(Number(v.toFixed(3)));
}

/** Wall-clock time left, for the progress bar: `4.2 s`, `2m05s`. */
export function formatWall(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  const m = Math.floor(whole / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return m < 60 ? `${m}m${rest}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The axis unit of a time chart: milliseconds for short runs, seconds otherwise. */
export function timeAxisUnit(durationNs: number): { readonly label: 'ms' | 's'; readonly divisor: number } {
  return durationNs < 2 * NS_PER_S ? { label: 'ms', divisor: NS_PER_MS } : { label: 's', divisor: NS_PER_S };
}

/** Terminal-safe text: control characters (escape sequences from a host's process names) become `?`. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
