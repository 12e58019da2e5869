import type { ErrnoCode } from '../errno.js';
import { CgroupError, type Syscall } from '../errors.js';
import { type Radix, readDigits } from './scan.js';
import { cString, strstrip } from './text.js';

/**
 * Integer parsing the way the kernel's kstrto*() family does it, as cgroup
 * write handlers use it (measured on Linux 6.18, see int.test.ts):
 *
 * - base 0 is what every cgroup handler passes: `0x`/`0X` followed by a hex
 *   digit means hex, another leading `0` means octal (`010` is 8, `08` is
 *   EINVAL), anything else decimal;
 * - one leading `+` is allowed; `-` only for the signed parsers (`-0` is 0);
 *   the unsigned parsers reject any `-` with EINVAL;
 * - no white space inside or in front; a single trailing newline is allowed;
 *   anything else after the digits is EINVAL, and so is a text without digits;
 * - a value that overflows 64 bits is ERANGE even when garbage follows it
 *   (overflow is checked first); a 64-bit value outside the target type
 *   (int, unsigned int, s64) is ERANGE.
 *
 * Most handlers strstrip() the buffer first (cgroup.max.depth, pids.max,
 * cgroup.freeze, cgroup.procs): that is `strip: true`, the default. Files
 * declared with a cftype `write_u64`/`write_s64` handler (cpu.weight,
 * cpu.shares, cpu.cfs_quota_us, memory.swappiness, ...) hand the raw buffer
 * to kstrto*: use `strip: false` (or parseWriteU64/parseWriteS64), where
 * `' 5'` and `'5 '` are EINVAL and only `'5\n'` is accepted.
 */
export interface IntOptions {
  /** 0 (default): automatic, as above. 8, 10, 16: fixed; 16 still skips a `0x` prefix. */
  base?: Radix;
  /** kstrtou*: a leading `-` is EINVAL. */
  unsigned?: boolean;
  /** strstrip() first (default true). */
  strip?: boolean;
  syscall?: Syscall;
  path?: string;
}

/** The largest u64 (ULLONG_MAX, also the kernel's RUNTIME_INF). */
export const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);
const I32_MAX = (1n << 31n) - 1n;
const I32_MIN = -(1n << 31n);
const U32_MAX = (1n << 32n) - 1n;

/** The unsigned core (after any sign): digits, one optional `\n`, then the end. */
function unsignedCore(s: string, base: Radix): bigint | ErrnoCode {
  const d = readDigits(s, base);
  if (d.overflow) return 'ERANGE';
  if (d.count === 0) return 'EINVAL';
  const end = s[d.end] === '\n' ? d.end + 1 : d.end;
  return end === s.length ? d.value : 'EINVAL';
}

function bad(code: ErrnoCode, text: string, opts: IntOptions): CgroupError {
  const why = code === 'ERANGE' ? 'out of range' : 'not a number';
  return new CgroupError(code, opts.syscall ?? 'write', opts.path, `${why}: ${JSON.stringify(text)}`);
}

/**
 * kstrtoull (`unsigned`) or kstrtoll: a 64-bit value as bigint, after the
 * NUL cut and, unless `strip: false`, strstrip().
 */
export function parseBigInt(text: string, opts: IntOptions = {}): bigint {
  let s = cString(text);
  if (opts.strip !== false) s = strstrip(s);
  const base = opts.base ?? 0;
  let r: bigint | ErrnoCode;
  if (s[0] === '-') {
    if (opts.unsigned) throw bad('EINVAL', text, opts);
    r = unsignedCore(s.slice(1), base);
    if (typeof r === 'bigint') r = r > -I64_MIN ? 'ERANGE' : -r;
  } else {
    r = unsignedCore(s[0] === '+' ? s.slice(1) : s, base);
    if (typeof r === 'bigint' && !opts.unsigned && r > I64_MAX) r = 'ERANGE';
  }
  if (typeof r !== 'bigint') throw bad(r, text, opts);
  return r;
}

function inRange(v: bigint, lo: bigint, hi: bigint, text: string, opts: IntOptions): bigint {
  if (v < lo || v > hi) throw bad('ERANGE', text, opts);
  return v;
}

/** kstrtoint: a 32-bit signed int. */
export function parseInt32(text: string, opts: IntOptions = {}): number {
  return Number(inRange(parseBigInt(text, opts), I32_MIN, I32_MAX, text, opts));
}

/** kstrtouint: a 32-bit unsigned int. */
export function parseU32(text: string, opts: IntOptions = {}): number {
  return Number(inRange(parseBigInt(text, { ...opts, unsigned: true }), 0n, U32_MAX, text, opts));
}

/** kstrtoll: a 64-bit signed int, as bigint. */
export function parseInt64(text: string, opts: IntOptions = {}): bigint {
  return parseBigInt(text, { ...opts, unsigned: false });
}

/** kstrtoull: a 64-bit unsigned int, as bigint. */
export function parseU64(text: string, opts: IntOptions = {}): bigint {
  return parseBigInt(text, { ...opts, unsigned: true });
}

/** A cftype write_u64 file: kstrtoull(buf, 0) on the unstripped buffer. */
export function parseWriteU64(text: string, opts: Omit<IntOptions, 'strip' | 'base' | 'unsigned'> = {}): bigint {
  return parseBigInt(text, { ...opts, strip: false, base: 0, unsigned: true });
}

/** A cftype write_s64 file: kstrtoll(buf, 0) on the unstripped buffer. */
export function parseWriteS64(text: string, opts: Omit<IntOptions, 'strip' | 'base' | 'unsigned'> = {}): bigint {
  return parseBigInt(text, { ...opts, strip: false, base: 0, unsigned: false });
}

/**
 * kstrtoll (or kstrtoull with `unsigned`) limited to a safe JS integer, for
 * values that cannot pass 2^53 (pids, weights, counts); beyond it ERANGE.
 */
export function parseSafeInt(text: string, opts: IntOptions = {}): number {
  const lo = opts.unsigned ? 0n : BigInt(Number.MIN_SAFE_INTEGER);
  return Number(inRange(parseBigInt(text, opts), lo, BigInt(Number.MAX_SAFE_INTEGER), text, opts));
}

/** A single value as the kernel prints it (`%d\n`, `%llu\n`). */
export function formatInt(v: number | bigint): string {
  return `${v}\n`;
}
