import { CgroupError } from '../errors.js';

/**
 * Flat keyed files (`KEY VALUE` per line: cpu.stat, memory.stat,
 * cgroup.events, cgroup.stat, pids.events, io.weight). Parsed by key, never
 * by position; values stay text so that 64-bit counters are not squeezed
 * through doubles (`keyedBig` reads a counter). A key that occurs twice is an
 * error rather than a silent overwrite: files that repeat the first token
 * (v1 blkio) have their own parser in blkio.ts.
 */
export type Flat = Map<string, string>;

function bad(why: string): CgroupError {
  return new CgroupError('EINVAL', 'read', undefined, why);
}

export function parseFlat(text: string): Flat {
  const out: Flat = new Map();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(\S+)\s+(\S.*)$/.exec(line.trim());
    if (!m) throw bad(`not a 'key value' line: ${JSON.stringify(line)}`);
    if (out.has(m[1]!)) throw bad(`key '${m[1]!}' twice`);
    out.set(m[1]!, m[2]!);
  }
  return out;
}

export function formatFlat(entries: Iterable<readonly [string, string | number | bigint]>): string {
  let s = '';
  for (const [k, v] of entries) s += `${k} ${v}\n`;
  return s;
}

/** A decimal counter from a keyed file, as bigint; `undefined` when the key is absent. */
export function keyedBig(m: Flat, key: string): bigint | undefined {
  const v = m.get(key);
  if (v === undefined) return undefined;
  if (!/^-?[0-9]+$/.test(v)) throw bad(`${key}: not an integer: ${JSON.stringify(v)}`);
  return BigInt(v);
}

/** A small decimal count (a safe JS integer) from a keyed file. */
export function keyedInt(m: Flat, key: string): number | undefined {
  const v = keyedBig(m, key);
  if (v === undefined) return undefined;
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw bad(`${key}: ${v} is not a safe integer`);
  return Number(v);
}

/** A 0/1 flag (cgroup.events `populated`, `frozen`). */
export function keyedFlag(m: Flat, key: string): boolean | undefined {
  const v = m.get(key);
  if (v === undefined) return undefined;
  if (v !== '0' && v !== '1') throw bad(`${key}: not 0 or 1: ${JSON.stringify(v)}`);
  return v === '1';
}

/**
 * Nested keyed files (`KEY sub=val sub=val` per line: io.stat, io.max,
 * PSI). The first token of a line is its key; `sub=val` pairs follow. A
 * value may be empty or contain `=`; a sub-key may not be empty. Keys and
 * sub-keys are unique.
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
      if (eq <= 0) throw bad(`not a 'key=value' pair: ${JSON.stringify(t)}`);
      const k = t.slice(0, eq);
      if (sub.has(k)) throw bad(`'${toks[0]!}' has '${k}' twice`);
      sub.set(k, t.slice(eq + 1));
    }
    if (out.has(toks[0]!)) throw bad(`key '${toks[0]!}' twice`);
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
