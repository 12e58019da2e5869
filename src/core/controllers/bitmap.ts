/**
 * CPU and memory-node masks as sorted arrays of bit numbers, and the set
 * operations cpuset needs on them. Masks are read and printed as range
 * lists by core/format's parseCpuList / formatCpuList.
 */
export type Mask = readonly number[];

export function maskAnd(a: Mask, b: Mask): number[] {
  const bs = new Set(b);
  return a.filter((x) => bs.has(x));
}

export function maskOr(a: Mask, b: Mask): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

export function maskAndNot(a: Mask, b: Mask): number[] {
  const bs = new Set(b);
  return a.filter((x) => !bs.has(x));
}

export function maskSubset(a: Mask, b: Mask): boolean {
  const bs = new Set(b);
  return a.every((x) => bs.has(x));
}

export function maskIntersects(a: Mask, b: Mask): boolean {
  const bs = new Set(b);
  return a.some((x) => bs.has(x));
}

export function maskEqual(a: Mask, b: Mask): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
