import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CgroupError } from '../errors.js';
import type { ErrnoCode } from '../errno.js';
import { formatBytes, formatPageLimit, humanBytes, memparse, pageCounterMax, parseBytes, parsePageLimit } from './bytes.js';
import { outcome } from './outcome.test-util.js';


const U64 = 1n << 64n;
const PAGE = 4096n;
const V1_MAX = '9223372036854771712\n'; // PAGE_COUNTER_MAX pages * 4096, the host's root memory.limit_in_bytes

/*
 * Measured on Linux 6.18: each text written with one write(2) to
 * memory.limit_in_bytes of a fresh (empty) v1 memory group, then read back.
 * The handler strstrip()s, takes "-1" as unlimited, else memparse() and
 * rounds DOWN to whole 4 KiB pages, capped at PAGE_COUNTER_MAX.
 */
const MEASURED: [string, string | ErrnoCode][] = [
  ['4096', '4096\n'], ['4097', '4096\n'], ['8191', '4096\n'], ['1', '0\n'], ['0', '0\n'],
  ['1k', '0\n'], ['1K', '0\n'], ['4k', '4096\n'], ['1M', '1048576\n'], ['1m', '1048576\n'], ['1G', '1073741824\n'],
  ['1g', '1073741824\n'], ['1T', '1099511627776\n'], ['1P', '1125899906842624\n'], ['1E', '1152921504606846976\n'],
  ['1e', '1152921504606846976\n'], ['7E', '8070450532247928832\n'], ['8E', V1_MAX], ['16E', '0\n'],
  ['0x1000', '4096\n'], ['010000', '4096\n'], [' 4096 \n', '4096\n'], ['-1', V1_MAX], ['-1\n', V1_MAX], [' -1', V1_MAX],
  ['-2', 'EINVAL'], ['-1x', 'EINVAL'], ['-0', 'EINVAL'], ['max', 'EINVAL'], ['+4096', 'EINVAL'], ['1KB', 'EINVAL'],
  ['1KK', 'EINVAL'], ['1b', 'EINVAL'], ['1 K', 'EINVAL'], ['1.5G', 'EINVAL'], ['4096x', 'EINVAL'], ['08', 'EINVAL'],
  ['0x', 'EINVAL'], ['0xg', 'EINVAL'], ['0xK', 'EINVAL'],
  ['\n', '0\n'], ['K', '0\n'], ['G', '0\n'], ['k', '0\n'], ['1k\n', '0\n'], ['0x1K', '0\n'], ['0x1e', '0\n'],
  // no overflow check: wraps modulo 2^64
  ['99999999999999999999', '7766279631452237824\n'], ['12345678901234567890123', '4807115922877857792\n'],
  ['18446744073709551615', V1_MAX], ['9223372036854775807', V1_MAX], ['9223372036854771712', V1_MAX],
  ['9223372036854771711', '9223372036854767616\n'], ['0xffffffffffffffff', V1_MAX], ['0x10000000000000000', '0\n'],
];

test('v1 memory.limit_in_bytes texts as measured on Linux 6.18', () => {
  for (const [text, want] of MEASURED) {
    assert.equal(outcome(() => formatBytes(parsePageLimit(text, '-1', PAGE) * PAGE)), want, JSON.stringify(text));
  }
});

test('v1 memory.soft_limit_in_bytes: 1M and -1 (measured: 1048576, 9223372036854771712)', () => {
  assert.equal(parsePageLimit('1M', '-1', PAGE) * PAGE, 1048576n);
  assert.equal(parsePageLimit('-1', '-1', PAGE) * PAGE, 9223372036854771712n);
});

test('v2 spelling: "max" is PAGE_COUNTER_MAX and "-1" is not special', () => {
  assert.equal(parsePageLimit(' max\n', 'max', PAGE), pageCounterMax(PAGE));
  assert.equal(parsePageLimit('max', 'max', PAGE), 2251799813685247n);
  assert.equal(parsePageLimit('8191', 'max', PAGE), 1n);
  assert.equal(pageCounterMax(PAGE), 2251799813685247n);
  assert.equal(outcome(() => parsePageLimit('-1', 'max', PAGE)), 'EINVAL');
  assert.equal(parsePageLimit('512M', 'max', PAGE), 131072n);
  assert.equal(parsePageLimit('1G', 'max', 65536n), 16384n);
});

test('v2 hugetlb.2MB.max takes the same texts (measured on 6.18): blank or a bare suffix is 0, U+00A0 is not blank', () => {
  for (const t of ['\n', 'K', 'G\n', ' K\n', '\t\n']) assert.equal(parsePageLimit(t, 'max', PAGE), 0n, JSON.stringify(t));
  assert.equal(parsePageLimit('4M', 'max', PAGE) * PAGE, 4194304n);
  assert.equal(outcome(() => parsePageLimit('4M\u00a0', 'max', PAGE)), 'EINVAL');
});

test('formatPageLimit: "max" at PAGE_COUNTER_MAX (a fresh memory.max), else the bytes', () => {
  assert.equal(formatPageLimit(pageCounterMax(PAGE), PAGE), 'max\n');
  assert.equal(formatPageLimit(0n, PAGE), '0\n');
  assert.equal(formatPageLimit(131072n, PAGE), '536870912\n');
  assert.equal(formatPageLimit(pageCounterMax(PAGE) - 1n, PAGE), '9223372036854767616\n');
});

test('property: parsePageLimit(formatPageLimit(pages)) == pages for every page count up to the cap', () => {
  fc.assert(fc.property(fc.constantFrom(4096n, 16384n, 65536n), fc.bigInt({ min: 0n, max: 1n << 63n }), (page, n) => {
    const pages = n % (pageCounterMax(page) + 1n);
    assert.equal(parsePageLimit(formatPageLimit(pages, page), 'max', page), pages);
  }));
});

test('memparse leaves the rest for the caller', () => {
  assert.deepEqual(memparse('1Kxyz'), { bytes: 1024n, rest: 'xyz' });
  assert.deepEqual(memparse('0x'), { bytes: 0n, rest: 'x' });
  assert.deepEqual(memparse(''), { bytes: 0n, rest: '' });
  assert.deepEqual(memparse('-1'), { bytes: 0n, rest: '-1' });
  assert.deepEqual(memparse('x'), { bytes: 0n, rest: 'x' });
  assert.deepEqual(memparse('K'), { bytes: 0n, rest: '' });
  assert.deepEqual(memparse('1KB'), { bytes: 1024n, rest: 'B' });
  assert.deepEqual(memparse('1G'), { bytes: 1n << 30n, rest: '' });
  assert.deepEqual(memparse('16E'), { bytes: 0n, rest: '' });
  assert.deepEqual(memparse('18446744073709551616'), { bytes: 0n, rest: '' });
});

test('errors carry syscall and path', () => {
  assert.throws(() => parseBytes('1KB', { path: '/m/memory.max' }), (e: unknown) =>
    e instanceof CgroupError && e.code === 'EINVAL' && e.syscall === 'write' && e.path === '/m/memory.max');
});

test('property: parse(format(n)) == n for every u64', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: U64 - 1n }), (n) => parseBytes(formatBytes(n)) === n));
});

test('property: any accepted spelling parses to its value mod 2^64 and formats to plain decimal', () => {
  const suffix = fc.constantFrom(['', 0n], ['k', 10n], ['K', 10n], ['m', 20n], ['M', 20n], ['g', 30n], ['G', 30n],
    ['t', 40n], ['T', 40n], ['p', 50n], ['P', 50n], ['e', 60n], ['E', 60n]);
  const style = fc.constantFrom('dec', 'hex', 'HEX', 'oct');
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 70n }), suffix, style, fc.constantFrom('', ' ', '\n', ' \t\n'),
    (n, [suf, shift], st, blank) => {
      // A hex spelling followed by e/E would read the letter as a digit.
      fc.pre(!(st.startsWith('hex') || st === 'HEX') || !/[eE]/.test(suf));
      const body = st === 'dec' ? (n === 0n ? '0' : `${n}`) : st === 'hex' ? `0x${n.toString(16)}`
        : st === 'HEX' ? `0X${n.toString(16).toUpperCase()}` : `0${n.toString(8)}`;
      const want = (n << shift) % U64;
      const got = parseBytes(`${blank}${body}${suf}${blank}`);
      assert.equal(got, want);
      assert.equal(formatBytes(got), `${want}\n`);
    }));
});

test('property: anything after the suffix is EINVAL', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: U64 - 1n }), fc.constantFrom('', 'K', 'M'),
    fc.constantFrom('B', 'x', '.5', ' K', 'KK', 'i', '%'), (n, suf, junk) => {
      assert.equal(outcome(() => parseBytes(`${n}${suf}${junk}`)), 'EINVAL');
    }));
});

test('property: page limits round down and never pass PAGE_COUNTER_MAX', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: U64 - 1n }), fc.constantFrom(4096n, 16384n, 65536n), (n, page) => {
    const pages = parsePageLimit(`${n}`, 'max', page);
    const cap = pageCounterMax(page);
    assert.equal(pages, n / page < cap ? n / page : cap);
  }));
});

test('humanBytes is for people: binary units, one decimal below 10', () => {
  assert.equal(humanBytes(0n), '0');
  assert.equal(humanBytes(1023n), '1023');
  assert.equal(humanBytes(1536n), '1.5K');
  assert.equal(humanBytes(512n << 20n), '512M');
  assert.equal(humanBytes(9223372036854771712n), '8.0E');
});
