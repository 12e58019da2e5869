import { CgroupError } from '../errors.js';

/**
 * Flat keyed files (`KEY VALUE` per line: cpu.stat, memory.stat,
 * cgroup.events). Parsed by key, never by position; values stay text so that
 * 64-bit counters are not squeezed through doubles. Use `keyedBig` to read a
 * counter.
 */
export type Flat = Map<string, string>;

export function parseFlat(text: string): Flat {
  const out: Flat = new Map();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(\S+)\s+(\S.*)$/.exec(line.trim());
    if (!m) throw new CgroupError('EINVAL', 'read', undefined, `not a 'key value' line: '${line}'`);
    out.set(m[1]!, m[2]!);
  }
  return out;
}

export function formatFlat(entries: Iterable<readonly [string, string | number | bigint]>): string {
  let s = '';
  for (const [k, v] of entries) s += `${k} ${v}\n`;
  return s;
}

/** A counter from a keyed file, as bigint; `undefined` when the key is absent. */
export function keyedBig(m: Flat, key: string): bigint | undefined {
  const v = m.get(key);
  return v === undefined ? undefined : BigInt(v);
}

/**
 * Nested keyed files (`KEY sub=val sub=val` per line: io.stat, io.max, PSI).
 * The first token of a line is its key; `sub=val` pairs follow.
 */
export type Nested = Map<string, Map<string, string>>;

export function parseNested(text: string): Nested {
  const out: Nested = new Map();
  for (const line of text.split('\n')) {
    const toks = line.trim().split(/\s+/).filter((t) => t !== '');
    if (toks.length === 0) continue;
    const sub = new Map<string, string>();
    for (const t of toks.slice(1)) {
      const eq = t.indexOf('=');
      if (eq <= 0) throw new CgroupError('EINVAL', 'read', undefined, `not a 'key=value' pair: '${t}'`);
      sub.set(t.slice(0, eq), t.slice(eq + 1));
    }
    out.set(toks[0]!, sub);
  }
  return out;
}

export function formatNested(entries: Iterable<readonly [string, Iterable<readonly [string, string | number | bigint]>]>): string {
  let s = '';
  for (const [k, subs] of entries) {
    const parts = [...subs].map(([a, b]) => `${a}=${b}`);
    s += parts.length ? `${k} ${parts.join(' ')}\n` : `${k}\n`;
  }
  return s;
}
