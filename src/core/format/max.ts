
/** A limit that may be unlimited: `'max'` in cgroup v2 files. */
export type Max<T> = 'max' | T;

export function isMax<T>(v: Max<T>): v is 'max' {
  return v === 'max';
}

/** Parse `max` or whatever `inner` parses. */
export function parseMax<T>(text: string, inner: (t: string) => T): Max<T> {
  const t = text.trim();
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

