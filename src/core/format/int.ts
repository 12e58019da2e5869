import { CgroupError, type Syscall } from '../errors.js';

/**
 * Integer parsing the way the kernel's kstrto*() family does it: the whole
 * (whitespace-stripped) token must be a number, an optional sign, no
 * fractions, no trailing garbage. Base 0 also accepts `0x` hex and `0` octal.
 * Failures are EINVAL; a value that does not fit is ERANGE.
 */
export interface IntOptions {
  base?: 0 | 10;
  /** Reject a leading `-` (kstrtou*). */
  unsigned?: boolean;
  syscall?: Syscall;
  path?: string;
}

const DEC = /^[+-]?[0-9]+$/;
const ANY = /^[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

export function parseBigInt(text: string, opts: IntOptions = {}): bigint {
  const t = text.trim();
  const base = opts.base ?? 10;
  const syscall = opts.syscall ?? 'write';
  if (!(base === 0 ? ANY : DEC).test(t)) throw new CgroupError('EINVAL', syscall, opts.path, `not a number: '${text}'`);
  const neg = t.startsWith('-');
  if (neg && opts.unsigned) throw new CgroupError('EINVAL', syscall, opts.path, `negative: '${text}'`);
  const body = t.replace(/^[+-]/, '');
  let v: bigint;
  if (base === 0 && /^0[xX]/.test(body)) v = BigInt(body);
  else if (base === 0 && body.length > 1 && body.startsWith('0')) v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  return neg ? -v : v;
}

const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

function inRange(v: bigint, lo: bigint, hi: bigint, opts: IntOptions): bigint {
  if (v < lo || v > hi) throw new CgroupError('ERANGE', opts.syscall ?? 'write', opts.path, `out of range: ${v}`);
  return v;
}

/** kstrtoint: a 32-bit signed int. */
export function parseInt32(text: string, opts: IntOptions = {}): number {
  return Number(inRange(parseBigInt(text, opts), I32_MIN, I32_MAX, opts));
}

/** kstrtoll: a 64-bit signed int, as bigint. */
export function parseInt64(text: string, opts: IntOptions = {}): bigint {
  return inRange(parseBigInt(text, opts), I64_MIN, I64_MAX, opts);
}

/** kstrtoull: a 64-bit unsigned int, as bigint. */
export function parseU64(text: string, opts: IntOptions = {}): bigint {
  return inRange(parseBigInt(text, { ...opts, unsigned: true }), 0n, U64_MAX, opts);
}

/** A safe JS integer (for values that cannot pass 2^53: pids, weights, counts). */
export function parseSafeInt(text: string, opts: IntOptions = {}): number {
  return Number(inRange(parseBigInt(text, opts), BigInt(Number.MIN_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER), opts));
}

export function formatInt(v: number | bigint): string {
  return `${v}\n`;
}
