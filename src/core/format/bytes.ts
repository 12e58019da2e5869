import { CgroupError } from '../errors.js';

const SUFFIX: Record<string, bigint> = {
  k: 1n << 10n, K: 1n << 10n, m: 1n << 20n, M: 1n << 20n, g: 1n << 30n, G: 1n << 30n,
  t: 1n << 40n, T: 1n << 40n, p: 1n << 50n, P: 1n << 50n, e: 1n << 60n, E: 1n << 60n,
};

/**
 * memparse(): a byte count with an optional binary suffix (`512M`, `1G`).
 * Memory limits are rounded down to a whole page by the memory controller,
 * not here.
 */
export function parseBytes(text: string): bigint {
  const m = /^([0-9]+)([kKmMgGtTpPeE]?)$/.exec(text.trim());
  if (!m) throw new CgroupError('EINVAL', 'write', undefined, `not a byte count: '${text}'`);
  return BigInt(m[1]!) * (m[2] ? SUFFIX[m[2]]! : 1n);
}

/** Human units for people (`1.5G`); files always hold plain byte counts. */
export function humanBytes(n: bigint): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${n}` : `${v.toFixed(v < 10 ? 1 : 0)}${units[i]}`;
}
