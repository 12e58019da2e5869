/**
 * JSON text with exact integers: bigint values (kernel counters past 2^53)
 * are written as bare integer literals with every digit; `JSON.parse` reads
 * those as doubles, other readers can keep them exact. A run's JSON is the
 * same for the same figures, whatever order its objects were built in: the
 * run's own fields first in a fixed order, every other object's keys sorted,
 * 2-space indent.
 */
import type { RunResult } from '../scenario/result.js';

/** Order of RunResult's fields; fields not listed follow, sorted. */
const RUN_ORDER = ['scenario', 'backend', 'cpus', 'seed', 'durationNs', 'groups', 'tasks',
  'expectations', 'trustCost', 'series', 'slices'];

function orderKeys(keys: string[], first: readonly string[]): string[] {
  const rank = (k: string): number => {
    const i = first.indexOf(k);
    return i < 0 ? first.length : i;
  };
  return keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function write(v: unknown, indent: number, pad: string, first: readonly string[] | undefined): string | undefined {
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
  const below = first === undefined ? undefined : [];
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const items = v.map((x) => write(x, indent, inner, below) ?? 'null');
    return `[${nl}${inner}${items.join(`,${nl}${inner}`)}${nl}${pad}]`;
  }
  if (v instanceof Map) return write(Object.fromEntries(v), indent, pad, first);
  const obj = v as Record<string, unknown>;
  const toJSON = obj['toJSON'];
  if (typeof toJSON === 'function') return write((toJSON as () => unknown).call(obj), indent, pad, first);
  const parts: string[] = [];
  for (const k of first === undefined ? Object.keys(obj) : orderKeys(Object.keys(obj), first)) {
    const text = write(obj[k], indent, inner, below);
    if (text !== undefined) parts.push(`${JSON.stringify(k)}${sep}${text}`);
  }
  if (parts.length === 0) return '{}';
  return `{${nl}${inner}${parts.join(`,${nl}${inner}`)}${nl}${pad}}`;
}

/**
 * JSON text of `v` (a Map as an object), bigints exact. `indent`: spaces
 * per level, 0 for one line. Keys keep their order unless `sortKeys` is
 * given: then every object's keys are sorted, with those it lists (when
 * present) first in the outermost object.
 */
export function jsonText(v: unknown, indent = 0, sortKeys?: readonly string[]): string {
  return write(v, indent, '', sortKeys) ?? 'null';
}

/** The run as JSON text (ends without a newline). */
export function toJson(r: RunResult): string {
  return jsonText(r, 2, RUN_ORDER);
}
