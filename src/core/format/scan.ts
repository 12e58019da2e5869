import { isSpace } from './text.js';

/**
 * The digit reader under every kernel number parser, and the two lenient
 * parsers built on it that write handlers call directly:
 *
 * - `readDigits`: the radix rule and the digit loop shared by kstrto*()
 *   (int.ts), simple_strtoull() and memparse() (bytes.ts). Base 0 reads
 *   `0x`/`0X` followed by a hex digit as hex, another leading `0` as octal,
 *   anything else as decimal; base 16 skips a `0x` prefix (even with no
 *   digit after it). The value wraps modulo 2^64 and `overflow` says whether
 *   it did.
 * - `simpleStrtoull`: the longest number at the start of the text, wrapping,
 *   no error ever; `rest` is what follows it (the whole text when there is
 *   no digit). blkio.bfq.weight_device reads its weight this way.
 * - `scanU64` / `scanU32`: sscanf("%llu") / sscanf("%u"): white space
 *   skipped, then decimal digits (no sign), wrapping to 64 bits and for %u
 *   truncated to 32. cpu.max, io.max, io.weight, the blkio throttle files
 *   and net_prio.ifpriomap read their numbers this way.
 */

export type Radix = 0 | 8 | 10 | 16;

const U64 = 1n << 64n;

/** The value of one digit character (0-9, a-f, A-F), or 99. */
function digitValue(c: string | undefined): number {
  if (c === undefined) return 99;
  const x = c.charCodeAt(0);
  if (x >= 48 && x <= 57) return x - 48;
  if (x >= 97 && x <= 102) return x - 87;
  if (x >= 65 && x <= 70) return x - 55;
  return 99;
}

export interface Digits {
  /** The number, modulo 2^64. */
  value: bigint;
  /** True when the number did not fit in 64 bits. */
  overflow: boolean;
  /** How many digits were read (not counting a `0x` prefix). */
  count: number;
  /** Index just past the last digit (past the prefix when there was no digit). */
  end: number;
}

/** _parse_integer_fixup_radix() and _parse_integer() on `s` from index `from`. */
export function readDigits(s: string, base: Radix, from = 0): Digits {
  let i = from;
  let b: number = base;
  const hexPrefix = s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X');
  if (base === 0) {
    if (hexPrefix && digitValue(s[i + 2]) < 16) { b = 16; i += 2; } else b = s[i] === '0' ? 8 : 10;
  } else if (base === 16 && hexPrefix) i += 2;
  const big = BigInt(b);
  let v = 0n;
  let overflow = false;
  const start = i;
  for (; digitValue(s[i]) < b; i++) {
    v = v * big + BigInt(digitValue(s[i]));
    if (v >= U64) { overflow = true; v %= U64; }
  }
  return { value: v, overflow, count: i - start, end: i };
}

/** simple_strtoull(): the number at the start (wrapping) and the rest of the text. */
export function simpleStrtoull(text: string, base: Radix = 0): { value: bigint; rest: string } {
  const d = readDigits(text, base);
  return { value: d.value, rest: text.slice(d.end) };
}

/** sscanf("%llu"): white space, then a decimal number (wrapping), or undefined without a digit. */
export function scanU64(text: string): { value: bigint; rest: string } | undefined {
  let i = 0;
  while (isSpace(text[i])) i++;
  const d = readDigits(text, 10, i);
  return d.count === 0 ? undefined : { value: d.value, rest: text.slice(d.end) };
}

/** sscanf("%u"): as scanU64, the value truncated to 32 bits. */
export function scanU32(text: string): { value: number; rest: string } | undefined {
  const r = scanU64(text);
  return r ? { value: Number(r.value & 0xffffffffn), rest: r.rest } : undefined;
}
