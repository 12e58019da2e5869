import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CgroupError } from '../errors.js';
import type { ErrnoCode } from '../errno.js';
import {
  formatInt, parseBigInt, parseInt32, parseInt64, parseSafeInt, parseU32, parseU64, parseWriteS64, parseWriteU64,
} from './int.js';
import { formatMax, parseMax } from './max.js';
import { outcome } from './outcome.test-util.js';


const I32 = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
const U32 = { min: 0n, max: 2n ** 32n - 1n };
const I64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const U64 = { min: 0n, max: 2n ** 64n - 1n };

/*
 * Measured on Linux 6.18 (this project's test host), by writing each text
 * with one write(2) to cgroup.max.depth of a fresh v2 group and reading the
 * file back. The handler strstrip()s, compares with "max", then calls
 * kstrtoint(buf, 0); a negative value is ERANGE; INT_MAX and above read back
 * as "max". Writing 0 bytes never reaches a handler (write returns 0 and
 * nothing changes), so '' is not in this table; kstrtoint('') is EINVAL.
 */
const MAX_DEPTH: [string, string | ErrnoCode][] = [
  [' 5\n', '5\n'], ['5\n', '5\n'], ['5', '5\n'], ['+5', '5\n'], ['-5', 'ERANGE'], ['-0', '0\n'], ['0', '0\n'],
  ['0x5', '5\n'], ['0X5', '5\n'], ['0xA', '10\n'], ['0xa', '10\n'], ['+0x5', '5\n'], ['05', '5\n'], ['010', '8\n'],
  ['00005', '5\n'], ['08', 'EINVAL'], ['5x', 'EINVAL'], ['5 ', '5\n'], [' 5', '5\n'], ['\t5\n', '5\n'],
  ['\v5\f', '5\n'], ['\r5\r', '5\n'], ['5\n\n', '5\n'], ['5 \n', '5\n'], ['5\n5', 'EINVAL'], ['\n', 'EINVAL'],
  [' ', 'EINVAL'], ['99999999999', 'ERANGE'], ['2147483646', '2147483646\n'], ['2147483647', 'max\n'],
  ['0x7fffffff', 'max\n'], ['2147483648', 'ERANGE'], ['-2147483648', 'ERANGE'], ['-2147483649', 'ERANGE'],
  ['4294967296', 'ERANGE'], ['0xffffffff', 'ERANGE'], ['9223372036854775807', 'ERANGE'],
  ['18446744073709551615', 'ERANGE'], ['18446744073709551616', 'ERANGE'], ['99999999999999999999x', 'ERANGE'],
  ['max', 'max\n'], ['max\n', 'max\n'], [' max', 'max\n'], ['max ', 'max\n'], ['MAX', 'EINVAL'], ['+', 'EINVAL'],
  ['-', 'EINVAL'], ['-\n', 'EINVAL'], ['0x', 'EINVAL'], ['0x1g', 'EINVAL'], ['0x-5', 'EINVAL'], ['00x5', 'EINVAL'],
  ['0b1', 'EINVAL'], ['0o5', 'EINVAL'], ['1_0', 'EINVAL'], ['5.0', 'EINVAL'], ['1e3', 'EINVAL'],
  ['\u0665', 'EINVAL'], ['+-5', 'EINVAL'], ['--5', 'EINVAL'], ['-+5', 'EINVAL'], ['-5x', 'EINVAL'],
  ['-0x5', 'ERANGE'], ['+ 5', 'EINVAL'], ['5\u00a0', 'EINVAL'], ['\u00a05', 'EINVAL'],
  // kernfs passes a NUL-terminated copy: the handler never sees what follows a NUL.
  ['5\0x', '5\n'],
];

/** cgroup.max.depth's write handler over our parsers, returning what a read then shows. */
function maxDepthWrite(text: string): string {
  const v = parseMax(text, (t) => {
    const n = parseInt32(t);
    if (n < 0) throw new CgroupError('ERANGE', 'write');
    return n;
  });
  return formatMax(v === 'max' || v >= 2 ** 31 - 1 ? 'max' : v);
}

test('cgroup.max.depth: strstrip + kstrtoint(base 0) as measured on Linux 6.18', () => {
  for (const [text, want] of MAX_DEPTH) assert.equal(outcome(() => maxDepthWrite(text)), want, JSON.stringify(text));
});

/*
 * Measured on v1 cpu.shares (cftype write_u64: kstrtoull(buf, 0) on the raw
 * buffer, no strstrip). The handler then clamps to [2, 262144]. Leading or
 * trailing blanks are EINVAL; exactly one trailing newline is fine; any '-'
 * (even '-0') is EINVAL; 2^64 is ERANGE.
 */
const CPU_SHARES: [string, string | ErrnoCode][] = [
  ['5', '5\n'], ['5\n', '5\n'], [' 5', 'EINVAL'], ['5 ', 'EINVAL'], ['5\n\n', 'EINVAL'], ['\t5', 'EINVAL'],
  ['+5', '5\n'], ['-5', 'EINVAL'], ['-0', 'EINVAL'], ['0x400', '1024\n'], ['0400', '256\n'], ['08', 'EINVAL'],
  ['18446744073709551615', '262144\n'], ['18446744073709551616', 'ERANGE'], ['1', '2\n'], ['999999', '262144\n'],
  ['\n', 'EINVAL'], ['5x', 'EINVAL'], ['0x', 'EINVAL'], ['+0x10', '16\n'],
];

test('v1 cpu.shares: write_u64 = kstrtoull(raw buffer, 0), as measured', () => {
  const clamp = (v: bigint): bigint => (v < 2n ? 2n : v > 262144n ? 262144n : v);
  for (const [text, want] of CPU_SHARES) {
    assert.equal(outcome(() => formatInt(clamp(parseWriteU64(text)))), want, JSON.stringify(text));
  }
});

/*
 * Measured on v1 cpu.cfs_quota_us (write_s64: kstrtoll(raw buffer, 0)).
 * The parse results; what the handler then did is in the comment.
 */
const CFS_QUOTA: [string, bigint | ErrnoCode][] = [
  ['-1', -1n], ['-2', -2n], // both read back -1: any negative quota is "unlimited"
  [' -1', 'EINVAL'], ['-1 ', 'EINVAL'], ['-1\n', -1n], ['0x186a0', 100000n], ['-0x1', -1n],
  ['0', 0n], ['999', 999n], ['-0', 0n], // handler: EINVAL (quota below 1000 us)
  ['1000', 1000n], ['+2000', 2000n],
  ['9223372036854775807', 2n ** 63n - 1n], // handler: EINVAL (too large once in ns)
  ['9223372036854775808', 'ERANGE'], ['-9223372036854775808', -(2n ** 63n)], ['-9223372036854775809', 'ERANGE'],
];

test('v1 cpu.cfs_quota_us: write_s64 = kstrtoll(raw buffer, 0), as measured', () => {
  for (const [text, want] of CFS_QUOTA) assert.equal(outcome(() => parseWriteS64(text)), want, JSON.stringify(text));
});

/*
 * Measured on v1 pids.max: strstrip, "max", else kstrtoll(buf, 0); the
 * handler refuses < 0 and >= PIDS_MAX (PID_MAX_LIMIT + 1 = 4194305) with EINVAL.
 */
const PIDS_MAX: [string, string | ErrnoCode][] = [
  ['10', '10\n'], [' 10 \n', '10\n'], ['0x10', '16\n'], ['010', '8\n'], ['-1', 'EINVAL'], ['4194304', '4194304\n'],
  ['4194305', 'EINVAL'], ['max', 'max\n'], [' max\n', 'max\n'], ['MAX', 'EINVAL'], ['\n', 'EINVAL'], ['+3', '3\n'],
  ['9223372036854775808', 'ERANGE'],
];

test('v1 pids.max: strstrip + "max" + kstrtoll(base 0), as measured', () => {
  const write = (text: string): string => formatMax(parseMax(text, (t) => {
    const v = parseInt64(t);
    if (v < 0n || v >= 4194305n) throw new CgroupError('EINVAL', 'write');
    return v;
  }));
  for (const [text, want] of PIDS_MAX) assert.equal(outcome(() => write(text)), want, JSON.stringify(text));
});

test('v2 cgroup.freeze and cgroup.max.descendants take base 0 too (measured: 0x1 -> 1, 01 -> 1, 0x10 -> 16)', () => {
  assert.equal(parseInt32('0x1'), 1);
  assert.equal(parseInt32('01'), 1);
  assert.equal(parseInt32(' 0 '), 0);
  assert.equal(parseInt32('0x10'), 16);
  assert.equal(parseInt32(' 3\n'), 3);
  assert.equal(outcome(() => parseInt32('x')), 'EINVAL');
});

test('unstripped kstrto* (write_u64 / write_s64 files, tokens of a stripped text): base 0, one trailing newline', () => {
  assert.equal(parseWriteU64('0x10'), 16n);
  assert.equal(parseWriteU64('010'), 8n);
  assert.equal(parseWriteU64('+7\n'), 7n);
  assert.equal(parseWriteU64('18446744073709551615'), U64.max);
  for (const bad of [' 1', '1 ', '1\n\n', '-1', '', '08', '1e3', '0x']) assert.equal(outcome(() => parseWriteU64(bad)), 'EINVAL', bad);
  assert.equal(outcome(() => parseWriteU64('18446744073709551616')), 'ERANGE');
  assert.equal(parseWriteS64('-9223372036854775808'), I64.min);
  assert.equal(outcome(() => parseWriteS64('9223372036854775808')), 'ERANGE');
  assert.equal(parseInt32('-0x10', { strip: false }), -16);
  assert.equal(outcome(() => parseInt32('2147483648', { strip: false })), 'ERANGE');
  assert.equal(outcome(() => parseInt32(' 1', { strip: false })), 'EINVAL');
  assert.equal(outcome(() => parseU64('5\n5', { strip: false })), 'EINVAL');
});

test('fixed bases: 10 refuses 0x and reads 010 as ten; 16 takes digits with or without 0x', () => {
  assert.equal(parseInt32('010', { base: 10 }), 10);
  assert.equal(outcome(() => parseInt32('0x10', { base: 10 })), 'EINVAL');
  assert.equal(parseInt32('10', { base: 16 }), 16);
  assert.equal(parseInt32('0x10', { base: 16 }), 16);
  assert.equal(parseInt32('ff', { base: 16 }), 255);
  assert.equal(outcome(() => parseInt32('0x', { base: 16 })), 'EINVAL');
  assert.equal(parseInt32('17', { base: 8 }), 15);
  assert.equal(outcome(() => parseInt32('8', { base: 8 })), 'EINVAL');
});

test('empty and sign-only texts are EINVAL; errors carry syscall and path', () => {
  for (const t of ['', '+', '-', '\n', '  ']) assert.equal(outcome(() => parseU64(t)), 'EINVAL', JSON.stringify(t));
  const e = outcome(() => parseInt32('x', { syscall: 'read', path: '/sys/fs/cgroup/a/cgroup.freeze' }));
  assert.equal(e, 'EINVAL');
  assert.throws(() => parseInt32('x', { syscall: 'read', path: '/p' }), (err: unknown) =>
    err instanceof CgroupError && err.syscall === 'read' && err.path === '/p' && err.errno === -22);
});

test('each width: bounds are exact and one past them is ERANGE', () => {
  assert.equal(parseInt32('2147483647'), 2147483647);
  assert.equal(parseInt32('-2147483648'), -2147483648);
  assert.equal(outcome(() => parseInt32('-2147483649')), 'ERANGE');
  assert.equal(parseU32('4294967295'), 4294967295);
  assert.equal(outcome(() => parseU32('4294967296')), 'ERANGE');
  assert.equal(outcome(() => parseU32('-1')), 'EINVAL');
  assert.equal(parseInt64('-9223372036854775808'), I64.min);
  assert.equal(outcome(() => parseInt64('9223372036854775808')), 'ERANGE');
  assert.equal(parseU64('18446744073709551615'), U64.max);
  assert.equal(parseU64('0xffffffffffffffff'), U64.max);
  assert.equal(outcome(() => parseU64('0x10000000000000000')), 'ERANGE');
  assert.equal(parseSafeInt('9007199254740991'), Number.MAX_SAFE_INTEGER);
  assert.equal(outcome(() => parseSafeInt('9007199254740992')), 'ERANGE');
  assert.equal(outcome(() => parseSafeInt('-1', { unsigned: true })), 'EINVAL');
});

/** A random way to write v that the kernel accepts (base 0). */
function spelling(signed: boolean): fc.Arbitrary<[bigint, string]> {
  return fc.tuple(
    fc.constantFrom('dec', 'zeros', 'hex', 'HEX', 'oct'),
    fc.boolean(),
    fc.constantFrom('', ' ', '\t', '\n', ' \n '),
    fc.constantFrom('', ' ', '\n', '\t\n'),
  ).chain(([style, plus, pre, post]) => fc.bigInt(signed ? I64 : U64).map((v): [bigint, string] => {
    const mag = v < 0n ? -v : v;
    // In base 0 a leading zero means octal, so extra zeros go on the octal spelling.
    const body = style === 'dec' ? `${mag}`
      : style === 'zeros' ? `000${mag.toString(8)}`
        : style === 'hex' ? `0x${mag.toString(16)}`
          : style === 'HEX' ? `0X${mag.toString(16).toUpperCase()}`
            : `0${mag.toString(8)}`;
    const sign = v < 0n ? '-' : plus ? '+' : '';
    return [v, `${pre}${sign}${body}${post}`];
  }));
}

test('property: parse(format(v)) == v across each width (bigint beyond 2^53, negatives)', () => {
  fc.assert(fc.property(fc.bigInt(I64), (v) => parseInt64(formatInt(v)) === v && parseWriteS64(formatInt(v)) === v));
  fc.assert(fc.property(fc.bigInt(U64), (v) => parseU64(formatInt(v)) === v && parseWriteU64(formatInt(v)) === v));
  fc.assert(fc.property(fc.bigInt(I32), (v) => parseInt32(formatInt(v)) === Number(v)));
  fc.assert(fc.property(fc.bigInt(U32), (v) => parseU32(formatInt(v)) === Number(v)));
  fc.assert(fc.property(fc.maxSafeInteger(), (v) => parseSafeInt(formatInt(v)) === v));
});

test('property: format(parse(text)) is the canonical decimal of any accepted spelling', () => {
  fc.assert(fc.property(spelling(true), ([v, text]) => {
    assert.equal(formatInt(parseInt64(text)), `${v}\n`);
  }));
  fc.assert(fc.property(spelling(false), ([v, text]) => {
    assert.equal(formatInt(parseU64(text)), `${v}\n`);
  }));
  fc.assert(fc.property(fc.bigInt(I64), fc.nat(3), (v, zeros) => {
    const text = `${v < 0n ? '-' : ''}${'0'.repeat(zeros)}${v < 0n ? -v : v}`;
    assert.equal(formatInt(parseInt64(text, { base: 10 })), `${v}\n`);
  }));
});

test('property: without strstrip only one trailing newline is allowed', () => {
  fc.assert(fc.property(fc.bigInt(U64), fc.constantFrom(' ', '\t', '\n\n', ' \n'), (v, junk) => {
    assert.equal(parseWriteU64(`${v}\n`), v);
    assert.equal(outcome(() => parseWriteU64(`${v}${junk}`)), 'EINVAL');
    assert.equal(outcome(() => parseWriteU64(`${junk}${v}`)), 'EINVAL');
  }));
});

test('property: out of range is ERANGE, trailing garbage is EINVAL', () => {
  fc.assert(fc.property(fc.bigInt({ min: U64.max + 1n, max: 2n ** 80n }), (v) => {
    assert.equal(outcome(() => parseU64(`${v}`)), 'ERANGE');
    assert.equal(outcome(() => parseU64(`${v}zz`)), 'ERANGE'); // overflow is checked before garbage
    assert.equal(outcome(() => parseInt64(`-${v}`)), 'ERANGE');
  }));
  fc.assert(fc.property(fc.bigInt({ min: I32.max + 1n, max: U64.max }), (v) => {
    assert.equal(outcome(() => parseInt32(`${v}`)), 'ERANGE');
    assert.equal(outcome(() => parseInt32(`-${v + 1n}`)), 'ERANGE');
  }));
  fc.assert(fc.property(spelling(true), fc.constantFrom('x', 'z', '.', '_', 'k', '#', 'g', 'G'), ([, text], junk) => {
    assert.equal(outcome(() => parseInt64(`${text.trim()}${junk}`)), 'EINVAL');
  }));
});

test('parseBigInt without unsigned is kstrtoll; with it, kstrtoull', () => {
  assert.equal(parseBigInt('-7'), -7n);
  assert.equal(outcome(() => parseBigInt('-7', { unsigned: true })), 'EINVAL');
  assert.equal(outcome(() => parseBigInt('18446744073709551615')), 'ERANGE');
  assert.equal(parseBigInt('18446744073709551615', { unsigned: true }), U64.max);
});
