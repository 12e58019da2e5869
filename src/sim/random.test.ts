import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RandomStream, splitMix64 } from './random.js';

const draw = (r: RandomStream, n: number): number[] => Array.from({ length: n }, () => r.next());

test('xoshiro128** matches output of the reference implementation', () => {
  // State words and the first four ** outputs as produced by the authors' C code
  // (test data published with an independent 6502 port of the generator).
  const r = RandomStream.fromState([0x964d4a0c, 0xd40ab895, 0xad7fdecb, 0x3006f0f0]);
  assert.deepEqual(draw(r, 4), [0xf1391922, 0x6fe53806, 0xa5be2840, 0xf510ee70]);
});

test('SplitMix64 matches its published sequence for seed 1234567', () => {
  assert.deepEqual(splitMix64(1234567n, 5), [
    6457827717110365317n, 3203168211198807973n, 9817491932198370423n, 4593380528125082431n, 16408922859458223821n,
  ]);
});

test('a seed becomes the state words of the first two SplitMix64 outputs, low word first', () => {
  for (const seed of [0n, 1n, 42n, 1234567n, (1n << 64n) - 1n]) {
    const [a, b] = splitMix64(seed, 2) as [bigint, bigint];
    const words = [a & 0xffffffffn, a >> 32n, b & 0xffffffffn, b >> 32n].map(Number) as [number, number, number, number];
    assert.deepEqual(draw(new RandomStream(seed), 16), draw(RandomStream.fromState(words), 16), `seed ${seed}`);
  }
});

test('pinned: the first outputs of seed 42 (changing them changes every recorded trace)', () => {
  const r = new RandomStream(42);
  assert.deepEqual(draw(r, 4).map((x) => x.toString(16)), PINNED_42);
});
const PINNED_42 = ['69e85a2a', 'f843fad0', '105185f', '8a1f1ea6'];

test('the same seed gives the same sequence; number and bigint seeds agree; other seeds differ', () => {
  assert.deepEqual(draw(new RandomStream(7), 100), draw(new RandomStream(7), 100));
  assert.deepEqual(draw(new RandomStream(7), 100), draw(new RandomStream(7n), 100));
  assert.notDeepEqual(draw(new RandomStream(7), 8), draw(new RandomStream(8), 8));
  assert.equal(new RandomStream(2 ** 40).seed, 2n ** 40n);
});

test('a stream without a proper seed is an error', () => {
  const make = (s: unknown) => () => new RandomStream(s as number);
  assert.throws(make(undefined), TypeError);
  assert.throws(make('42'), TypeError);
  assert.throws(make(null), TypeError);
  for (const bad of [Number.NaN, -1, 1.5, Infinity, 2 ** 53, -1n, 1n << 64n]) assert.throws(make(bad), RangeError, String(bad));
  assert.throws(() => RandomStream.fromState([0, 0, 0, 0]), RangeError);
  assert.throws(() => RandomStream.fromState([2 ** 32, 0, 0, 1]), RangeError);
});

test('fork depends only on the parent seed and the name', () => {
  const parent = new RandomStream(99);
  const before = draw(new RandomStream(99), 10);
  const a1 = parent.fork('cpu0');
  const b = parent.fork('cpu1');
  assert.deepEqual(draw(parent, 10), before, 'forking does not draw from the parent');
  const a2 = parent.fork('cpu0');
  assert.deepEqual(draw(a1, 20), draw(a2, 20), 'drawing from the parent does not move its forks');
  assert.notDeepEqual(draw(parent.fork('cpu0'), 8), draw(b, 8));
  assert.notDeepEqual(draw(parent.fork('cpu0'), 8), draw(new RandomStream(100).fork('cpu0'), 8));
  assert.notDeepEqual(draw(parent.fork('a').fork('b'), 8), draw(parent.fork('b').fork('a'), 8));
  assert.notDeepEqual(draw(parent.fork('x'), 8), draw(parent, 8).slice(0, 8));
  assert.throws(() => parent.fork(''), TypeError);
});

/** Pearson's statistic of `counts` against a uniform expectation. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

test('uniformity: 256 buckets of 2^20 draws (fixed seed) pass a chi-square bound', () => {
  // 255 degrees of freedom: mean 255, standard deviation 22.6; bounds at about ±4 sd.
  const r = new RandomStream(2024);
  const high = new Array<number>(256).fill(0);
  const low = new Array<number>(256).fill(0);
  const ints = new Array<number>(256).fill(0);
  const floats = new Array<number>(256).fill(0);
  for (let i = 0; i < 1 << 20; i++) {
    const x = r.next();
    high[x >>> 24]!++;
    low[x & 255]!++;
    ints[r.int(0, 255)]!++;
    floats[Math.floor(r.float() * 256)]!++;
  }
  for (const [name, counts] of Object.entries({ high, low, ints, floats })) {
    const x2 = chiSquare(counts);
    assert.ok(x2 > 165 && x2 < 345, `${name}: chi-square ${x2.toFixed(1)}`);
  }
});

test('int covers [lo, hi] evenly, including ranges that do not divide 2^32 and wider than 2^32', () => {
  const r = new RandomStream(5);
  const counts = [0, 0, 0];
  for (let i = 0; i < 300_000; i++) counts[r.int(-1, 1) + 1]!++;
  assert.ok(chiSquare(counts) < 20, `chi-square ${chiSquare(counts)}`); // 2 degrees of freedom
  const big = 3 * 2 ** 40;
  let above = 0;
  for (let i = 0; i < 100_000; i++) if (r.int(0, big - 1) >= big / 2) above++;
  assert.ok(Math.abs(above - 50_000) < 1000, `upper half ${above} of 100000`);
  assert.equal(r.int(7, 7), 7);
  assert.throws(() => r.int(2, 1), RangeError);
  assert.throws(() => r.int(0, 0.5), RangeError);
  assert.throws(() => r.int(-(2 ** 52), 2 ** 52), RangeError);
});

test('property: int stays in range and float in [0, 1) for any seed', () => {
  fc.assert(fc.property(
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    fc.integer({ min: -(2 ** 50), max: 2 ** 50 }),
    fc.integer({ min: 0, max: 2 ** 51 }),
    (seed, lo, span) => {
      const r = new RandomStream(seed);
      for (let i = 0; i < 20; i++) {
        const x = r.int(lo, lo + span);
        assert.ok(Number.isSafeInteger(x) && x >= lo && x <= lo + span);
        const f = r.float();
        assert.ok(f >= 0 && f < 1);
      }
    },
  ));
});

test('exp has the requested mean; expNs gives whole nanoseconds', () => {
  const r = new RandomStream(11);
  let sum = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) sum += r.exp(3);
  assert.ok(Math.abs(sum / n - 3) < 0.03, `mean ${sum / n}`);
  let sumNs = 0;
  for (let i = 0; i < n; i++) {
    const x = r.expNs(1_000_000);
    assert.ok(Number.isSafeInteger(x) && x >= 0);
    sumNs += x;
  }
  assert.ok(Math.abs(sumNs / n - 1_000_000) < 10_000, `mean ${sumNs / n} ns`);
  for (const bad of [0, -1, Number.NaN, Infinity]) {
    assert.throws(() => r.exp(bad), RangeError);
    assert.throws(() => r.expNs(bad), RangeError);
  }
});
