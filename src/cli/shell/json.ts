import { parseFlat, parseNested } from '../../core/format/keyed.js';
import { basename } from './paths.js';

/**
 * `--json` output: one compact JSON document per line. Keyed files become
 * objects; numbers that fit a double exactly become numbers, everything
 * else (`max`, 64-bit counters past 2^53) stays a string.
 */

export function jsonLine(v: unknown): string {
  return JSON.stringify(v) + '\n';
}

export function scalar(v: string): string | number {
  if (/^-?\d+$/.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n)) return n;
  }
  return v;
}

/** Flat keyed files by name: `KEY VALUE` lines (cgroup.events, cpu.stat, memory.stat, ...). */
function isFlatKeyedName(name: string): boolean {
  return /(^|\.)(stat|stat\.local|events|events\.local)$/.test(name)
    || name === 'io.weight' || name === 'io.bfq.weight';
}

/** Nested keyed: every line is `KEY` followed by `sub=value` pairs (io.stat, io.max, *.pressure). */
function looksNested(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.length > 0 && lines.every((l) => {
    const toks = l.trim().split(/\s+/);
    return toks.length >= 2 && toks.slice(1).every((t) => /^[^=\s]+=\S*$/.test(t));
  });
}

/**
 * The JSON form of a file's contents when it is a keyed file, else
 * `undefined` (the caller prints the text as it is).
 */
export function keyedJson(path: string, text: string): Record<string, unknown> | undefined {
  if (looksNested(text)) {
    const out: Record<string, Record<string, string | number>> = {};
    for (const [k, subs] of parseNested(text)) {
      const o: Record<string, string | number> = {};
      for (const [s, v] of subs) o[s] = scalar(v);
      out[k] = o;
    }
    return out;
  }
  if (!isFlatKeyedName(basename(path))) return undefined;
  try {
    const out: Record<string, string | number> = {};
    for (const [k, v] of parseFlat(text)) out[k] = scalar(v);
    return out;
  } catch {
    // Not `key value` lines after all (a v1 file sharing a name pattern): print it as text.
    return undefined;
  }
}
