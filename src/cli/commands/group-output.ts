/**
 * Output of the group commands: JSON where bigints are exact integer
 * literals, compact tables, and human units for the few places that round
 * (the `top` table); everything else prints kernel counters exactly.
 */
import type { Writable } from 'node:stream';
import Table from 'cli-table3';

/**
 * JSON text of `v`. bigints are written as bare integer literals with
 * every digit (`JSON.parse` reads them as doubles; other readers keep
 * them exact). `indent` > 0 pretty-prints. Keys keep their order.
 */
export function jsonText(v: unknown, indent = 0): string {
  return write(v, indent, '') ?? 'null';
}

function write(v: unknown, indent: number, pad: string): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'bigint': return v.toString();
    case 'number': return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'string': case 'boolean': return JSON.stringify(v);
    case 'undefined': case 'function': case 'symbol': return undefined;
    default: break;
  }
  const inner = pad + ' '.repeat(indent);
  const nl = indent > 0 ? '\n' : '';
  const sep = indent > 0 ? ': ' : ':';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const items = v.map((x) => write(x, indent, inner) ?? 'null');
    return `[${nl}${inner}${items.join(`,${nl}${inner}`)}${nl}${pad}]`;
  }
  if (v instanceof Map) return write(Object.fromEntries(v), indent, pad);
  const obj = v as Record<string, unknown>;
  if (typeof obj['toJSON'] === 'function') return write((obj['toJSON'] as () => unknown).call(obj), indent, pad);
  const parts: string[] = [];
  for (const [k, x] of Object.entries(obj)) {
    const t = write(x, indent, inner);
    if (t !== undefined) parts.push(`${JSON.stringify(k)}${sep}${t}`);
  }
  if (parts.length === 0) return '{}';
  return `{${nl}${inner}${parts.join(`,${nl}${inner}`)}${nl}${pad}}`;
}

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
