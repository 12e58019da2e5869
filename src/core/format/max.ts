import { cString, strstrip } from './text.js';

/** A limit that may be unlimited: `'max'` in cgroup v2 files. */
export type Max<T> = 'max' | T;

export function isMax<T>(v: Max<T>): v is 'max' {
  return v === 'max';
}

/**
 * `max` or whatever `inner` parses. The text is strstrip()ped first, as the
 * handlers of these files do (` max\n` is `max`; `MAX` is not); `inner`
 * sees the stripped text.
 */
export function parseMax<T>(text: string, inner: (t: string) => T): Max<T> {
  const t = strstrip(cString(text));
  return t === 'max' ? 'max' : inner(t);
}

export function formatMax<T extends number | bigint | string>(v: Max<T>): string {
  return `${v}\n`;
}

/** Compare two limits where `max` is +infinity. */
export function maxMin(a: Max<bigint>, b: Max<bigint>): Max<bigint> {
  if (a === 'max') return b;
  if (b === 'max') return a;
  return a < b ? a : b;
}

export function exceeds(v: bigint, limit: Max<bigint>): boolean {
  return limit !== 'max' && v > limit;
}
