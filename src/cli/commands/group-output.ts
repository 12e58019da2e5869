/**
 * Output of the group commands: JSON where bigints are exact integer
 * literals, compact tables, and human units for the few places that round
 * (the `top` table); everything else prints kernel counters exactly.
 */
import type { Writable } from 'node:stream';
import Table from 'cli-table3';
import { jsonText } from '../../report/json.js';

/** The exact-integer JSON writer the reports use; the commands print with it too. */
export { jsonText };

/** One JSON document, pretty, ending with a newline. */
export function printJson(out: Writable, v: unknown): void {
  out.write(`${jsonText(v, 2)}\n`);
}

/** One NDJSON line. */
export function printJsonLine(out: Writable, v: unknown): void {
  out.write(`${jsonText(v)}\n`);
}

export type Align = 'left' | 'right';

/** A borderless-looking compact table (no colours). */
export function table(head: readonly string[], rows: readonly (readonly string[])[], aligns: readonly Align[] = []): string {
  const t = new Table({
    head: [...head],
    colAligns: head.map((_h, i) => aligns[i] ?? 'left'),
    style: { head: [], border: [], compact: true },
  });
  for (const r of rows) t.push([...r]);
  return t.toString();
}

const UNITS = ['K', 'M', 'G', 'T', 'P', 'E'] as const;

/** Bytes in binary units, 3-4 significant digits: `512B`, `12.0K`, `1.50G`. */
export function humanBytes(n: bigint | number): string {
  let v = typeof n === 'bigint' ? Number(n) : n;
  if (!Number.isFinite(v)) return String(n);
  if (Math.abs(v) < 1024) return `${Math.round(v)}B`;
  let u = -1;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2)}${UNITS[u]}`;
}

/** Microseconds as seconds with three decimals: `1.234s`. */
export function usecAsSeconds(us: bigint): string {
  const neg = us < 0n;
  const a = neg ? -us : us;
  const ms = (a + 500n) / 1000n;
  return `${neg ? '-' : ''}${ms / 1000n}.${String(ms % 1000n).padStart(3, '0')}s`;
}

export const isTty = (w: Writable): boolean => (w as { isTTY?: unknown }).isTTY === true;
