import { CgroupError, type Syscall } from '../errors.js';
import { simpleStrtoull } from './scan.js';
import { cString, strstrip } from './text.js';

/**
 * Byte counts as the memory controller reads them (memparse(), then
 * page_counter_memparse()), measured on Linux 6.18 v1 memory.limit_in_bytes
 * (bytes.test.ts). memparse takes a number in base 0 (`0x1000`, `010000`
 * octal, decimal) with no sign, then at most one binary suffix letter
 * K/M/G/T/P/E in either case. Quirks the kernel really has:
 *
 * - no overflow check: the number and the shifted result wrap modulo 2^64
 *   (`16E` is 0, `99999999999999999999` is 7766279631452241919);
 * - a suffix with no digits is zero (`K` is 0), and so is an empty text
 *   (writing just `\n` to a memory limit sets it to 0);
 * - anything left after the suffix is EINVAL (`1KB`, `1 K`, `1.5G`, `+4096`).
 */
export interface BytesOptions {
  syscall?: Syscall;
  path?: string;
}

const U64 = 1n << 64n;
const SHIFT: Record<string, bigint> = { k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n };

/** memparse(): simple_strtoull(base 0), then one suffix; the value (mod 2^64) and the unparsed rest. */
export function memparse(text: string): { bytes: bigint; rest: string } {
  const { value, rest } = simpleStrtoull(text, 0);
  const shift = SHIFT[(rest[0] ?? '').toLowerCase()];
  return shift === undefined ? { bytes: value, rest } : { bytes: (value << shift) % U64, rest: rest.slice(1) };
}

/** A byte count as a write handler takes it: strstrip(), memparse, nothing left over. */
export function parseBytes(text: string, opts: BytesOptions = {}): bigint {
  const { bytes, rest } = memparse(strstrip(cString(text)));
  if (rest !== '') throw new CgroupError('EINVAL', opts.syscall ?? 'write', opts.path, `not a byte count: ${JSON.stringify(text)}`);
  return bytes;
}

export function formatBytes(n: bigint): string {
  return `${n}\n`;
}

/** PAGE_COUNTER_MAX on 64-bit: LONG_MAX / PAGE_SIZE pages. */
export function pageCounterMax(pageSize: bigint): bigint {
  return ((1n << 63n) - 1n) / pageSize;
}

/**
 * page_counter_memparse(): `maxToken` (`max` on v2, `-1` on v1) is
 * PAGE_COUNTER_MAX; otherwise a byte count rounded DOWN to whole pages and
 * capped at PAGE_COUNTER_MAX. Returns pages. (v1 memory.limit_in_bytes:
 * `4097` reads back 4096, `1` reads back 0, `8E` reads back
 * 9223372036854771712.)
 */
export function parsePageLimit(text: string, maxToken: string, pageSize: bigint, opts: BytesOptions = {}): bigint {
  const t = strstrip(cString(text));
  const cap = pageCounterMax(pageSize);
  if (t === maxToken) return cap;
  const pages = parseBytes(t, opts) / pageSize;
  return pages < cap ? pages : cap;
}

/**
 * A v2 page limit as memory.max and its siblings print it: `max` at
 * PAGE_COUNTER_MAX, else the bytes. (v1 files print the bytes always:
 * formatBytes(pages * pageSize).)
 */
export function formatPageLimit(pages: bigint, pageSize: bigint): string {
  return pages >= pageCounterMax(pageSize) ? 'max\n' : formatBytes(pages * pageSize);
}

/** Human units for people (`1.5G`); files always hold plain byte counts. */
export function humanBytes(n: bigint): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${n}` : `${v.toFixed(v < 10 ? 1 : 0)}${units[i]}`;
}
