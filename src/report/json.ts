/**
 * A run as JSON text that is the same for the same figures, whatever order
 * their objects were built in: the run's own fields first in a fixed order,
 * every other object's keys sorted, 2-space indent. bigint values (kernel
 * counters past 2^53) are written as exact JSON numbers; `JSON.parse` reads
 * those as doubles, other readers can keep them exact.
 */
import type { RunResult } from '../scenario/result.js';

/** Order of RunResult's fields; fields not listed follow, sorted. */
const RUN_ORDER = ['scenario', 'backend', 'cpus', 'seed', 'durationNs', 'groups', 'tasks',
  'expectations', 'series', 'slices'];

function orderKeys(keys: string[], first: readonly string[]): string[] {
  const rank = (k: string): number => {
    const i = first.indexOf(k);
    return i < 0 ? first.length : i;
  };
  return keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function write(v: unknown, indent: string, first: readonly string[]): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'bigint': return v.toString();
    case 'number': return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'string': case 'boolean': return JSON.stringify(v);
    case 'undefined': case 'function': case 'symbol': return undefined;
    default: break;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const items = v.map((x) => write(x, inner, []) ?? 'null');
    return `[\n${inner}${items.join(`,\n${inner}`)}\n${indent}]`;
  }
  const obj = v as Record<string, unknown>;
  const toJSON = obj['toJSON'];
  if (typeof toJSON === 'function') return write((toJSON as () => unknown).call(obj), indent, first);
  const parts: string[] = [];
  for (const k of orderKeys(Object.keys(obj), first)) {
    const text = write(obj[k], inner, []);
    if (text !== undefined) parts.push(`${JSON.stringify(k)}: ${text}`);
  }
  if (parts.length === 0) return '{}';
  return `{\n${inner}${parts.join(`,\n${inner}`)}\n${indent}}`;
}

/** The run as JSON text (ends without a newline). */
export function toJson(r: RunResult): string {
  return write(r, '', RUN_ORDER) ?? 'null';
}
