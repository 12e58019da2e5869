import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readDigits, scanU32, scanU64, simpleStrtoull } from './scan.js';

const U64 = 1n << 64n;

/*
 * Measured on Linux 6.18: the body after `254:0 ` written to
 * blkio.throttle.read_bps_device of a fresh v1 group, whose handler reads it
 * with sscanf("%llu") and refuses a text without a number (EINVAL); 0 means
 * "no limit" and reads back as nothing. What the handler stored, or the errno:
 */
const THROTTLE_BODY: [string, bigint | 'EINVAL'][] = [
  ['5', 5n], ['  7', 7n], ['5x', 5n], ['9 junk', 9n], ['18446744073709551621', 5n], ['+5', 'EINVAL'], ['-5', 'EINVAL'],
  ['0x10', 0n], ['010', 10n], ['x', 'EINVAL'], ['\t\n11', 11n], ['\u00a012', 'EINVAL'], ['', 'EINVAL'],
];

test('sscanf("%llu") as blkio.throttle.read_bps_device reads its value (measured)', () => {
  for (const [body, want] of THROTTLE_BODY) assert.equal(scanU64(body)?.value ?? 'EINVAL', want, JSON.stringify(body));
});

test('sscanf("%u") truncates to 32 bits: read_iops_device 4294967301 reads 5, 4294967296 reads 0 (measured)', () => {
  assert.equal(scanU32('4294967301')?.value, 5);
  assert.equal(scanU32('4294967296')?.value, 0);
  assert.deepEqual(scanU32(' 7 rest'), { value: 7, rest: ' rest' });
});

test('scanU64 reads a decimal prefix after white space and leaves the rest', () => {
  assert.deepEqual(scanU64('  42abc'), { value: 42n, rest: 'abc' });
  assert.equal(scanU64('max'), undefined);
  assert.deepEqual(scanU64('0x10'), { value: 0n, rest: 'x10' });
});

test('simple_strtoull: base 0 prefixes, wrapping, the rest after the digits', () => {
  assert.deepEqual(simpleStrtoull('0x1fz'), { value: 31n, rest: 'z' });
  assert.deepEqual(simpleStrtoull('017'), { value: 15n, rest: '' });
  assert.deepEqual(simpleStrtoull('08'), { value: 0n, rest: '8' });
  assert.deepEqual(simpleStrtoull('0x'), { value: 0n, rest: 'x' });
  assert.deepEqual(simpleStrtoull('x'), { value: 0n, rest: 'x' });
  assert.deepEqual(simpleStrtoull(''), { value: 0n, rest: '' });
  assert.deepEqual(simpleStrtoull('18446744073709551616'), { value: 0n, rest: '' });
  assert.deepEqual(simpleStrtoull('010', 10), { value: 10n, rest: '' });
  assert.deepEqual(simpleStrtoull('0x10', 10), { value: 0n, rest: 'x10' });
});

test('readDigits: base 16 skips 0x even with no digit after it; overflow is reported, the value wraps', () => {
  assert.deepEqual(readDigits('0xg', 16), { value: 0n, overflow: false, count: 0, end: 2 });
  assert.deepEqual(readDigits('ff', 16), { value: 255n, overflow: false, count: 2, end: 2 });
  assert.deepEqual(readDigits('18446744073709551621', 10), { value: 5n, overflow: true, count: 20, end: 20 });
  assert.deepEqual(readDigits('18446744073709551615', 10), { value: U64 - 1n, overflow: false, count: 20, end: 20 });
  assert.deepEqual(readDigits('a12', 10, 1), { value: 12n, overflow: false, count: 2, end: 3 });
});

test('property: every spelling of n reads back as n mod 2^64, overflow exactly when n >= 2^64', () => {
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 80n }), fc.constantFrom('dec', 'hex', 'HEX', 'oct'), (n, st) => {
    const text = st === 'dec' ? `${n}` : st === 'hex' ? `0x${n.toString(16)}` : st === 'HEX' ? `0X${n.toString(16).toUpperCase()}`
      : `0${n.toString(8)}`;
    const d = readDigits(`${text};`, 0);
    assert.equal(d.value, n % U64);
    assert.equal(d.overflow, n >= U64);
    assert.equal(d.end, text.length);
    assert.deepEqual(simpleStrtoull(`${text};`), { value: n % U64, rest: ';' });
  }));
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 80n }), fc.constantFrom('', ' ', '\t\n ', '\v\f\r'), (n, blank) => {
    assert.deepEqual(scanU64(`${blank}${n} x`), { value: n % U64, rest: ' x' });
    assert.equal(scanU32(`${blank}${n}`)?.value, Number(n % (1n << 32n)));
  }));
});
