import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CgroupError } from '../errors.js';
import { parseInt32, parseU64 } from './int.js';
import { exceeds, formatMax, isMax, type Max, maxMin, parseMax } from './max.js';

const limit: fc.Arbitrary<Max<bigint>> = fc.oneof(fc.constant('max' as const), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));

test('literal texts from the host: cgroup.max.depth "max\\n", pids.max "max\\n", a set limit "10\\n"', () => {
  assert.equal(parseMax('max\n', (t) => parseInt32(t)), 'max');
  assert.equal(parseMax('10\n', (t) => parseU64(t)), 10n);
  assert.ok(isMax(parseMax(' max \n', (t) => parseU64(t))));
  assert.ok(!isMax(parseMax('0', (t) => parseU64(t))));
});

test('"max" is case-sensitive and whole: MAX, max5, maxx go to the inner parser (EINVAL)', () => {
  for (const t of ['MAX', 'max5', 'maxx', 'ma x']) {
    assert.throws(() => parseMax(t, (x) => parseU64(x)), (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL', t);
  }
});

test('property: parse(format(v)) == v, and format(parse(text)) is canonical', () => {
  fc.assert(fc.property(limit, (v) => parseMax(formatMax(v), (t) => parseU64(t)) === v));
  fc.assert(fc.property(limit, fc.constantFrom('', ' ', '\n', '\t'), (v, blank) => {
    const text = v === 'max' ? `${blank}max${blank}` : `${blank}0x${v.toString(16)}${blank}`;
    assert.equal(formatMax(parseMax(text, (t) => parseU64(t))), `${v}\n`);
  }));
});

test('property: maxMin treats max as +infinity; exceeds never fires under max', () => {
  fc.assert(fc.property(limit, limit, (a, b) => {
    const m = maxMin(a, b);
    assert.equal(m, maxMin(b, a));
    if (a === 'max') assert.equal(m, b);
    else if (b === 'max') assert.equal(m, a);
    else assert.equal(m, a < b ? a : b);
  }));
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n }), limit, (v, l) => {
    assert.equal(exceeds(v, l), l !== 'max' && v > l);
  }));
  assert.equal(exceeds(2n ** 64n, 'max'), false);
});
