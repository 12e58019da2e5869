/**
 * Seeded random streams for the simulator.
 *
 * Generator: xoshiro128** (32-bit words, period 2^128 − 1). Seeding: the
 * 64-bit seed key starts a SplitMix64 sequence whose first two outputs, each
 * split low word first, are the four state words. A stream always has a
 * seed; there is no default and no entropy source.
 *
 * `fork(name)` derives a child stream from the parent's seed key and the
 * name alone — not from how much of the parent has been drawn — so adding a
 * stream, or drawing more from one, never changes the numbers any other
 * stream produces.
 */
import { fnv1a64 } from './fnv.js';

/** A seed: a safe non-negative integer, or a bigint in [0, 2^64). */
export type Seed = number | bigint;

const MASK64 = (1n << 64n) - 1n;
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;
const TWO32 = 2 ** 32;
const TWO53 = 2 ** 53;

/** SplitMix64's output function: a bijection on 64-bit integers. */
export function mix64(x: bigint): bigint {
  let z = x & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** The first `n` outputs of SplitMix64 started at `state`. */
export function splitMix64(state: bigint, n: number): bigint[] {
  const out: bigint[] = [];
  let s = state & MASK64;
  for (let i = 0; i < n; i++) {
    s = (s + GOLDEN_GAMMA) & MASK64;
    out.push(mix64(s));
  }
  return out;
}

function seedKey(seed: unknown): bigint {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed > MASK64) throw new RangeError(`seed must be in [0, 2^64), got ${seed}`);
    return seed;
  }
  if (typeof seed !== 'number') {
    throw new TypeError(`a random stream needs a seed (a non-negative integer), got ${seed === undefined ? 'none' : typeof seed}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a non-negative safe integer, got ${String(seed)}`);
  }
  return BigInt(seed);
}

export class RandomStream {
  /** The 64-bit key this stream was seeded with (for a fork, the derived key). */
  readonly seed: bigint;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: Seed) {
    this.seed = seedKey(seed);
    const [a, b] = splitMix64(this.seed, 2) as [bigint, bigint];
    // SplitMix64 is a bijection of distinct states, so a and b are never both zero.
    this.setState(Number(a & 0xffffffffn), Number(a >> 32n), Number(b & 0xffffffffn), Number(b >> 32n));
  }

  /**
   * A stream started from raw xoshiro128** state words, for checking the
   * generator against reference output. Not all four may be zero. Its
   * `seed` (what `fork` derives from) is the given `seed`.
   */
  static fromState(words: readonly [number, number, number, number], seed: Seed = 0): RandomStream {
    if (words.every((w) => w === 0)) throw new RangeError('xoshiro128** state must not be all zero');
    for (const w of words) {
      if (!Number.isInteger(w) || w < 0 || w >= TWO32) throw new RangeError(`state word out of range: ${w}`);
    }
    const r = new RandomStream(seed);
    r.setState(words[0], words[1], words[2], words[3]);
    return r;
  }

  /** The child stream called `name` (the same name gives the same stream). */
  fork(name: string): RandomStream {
    if (typeof name !== 'string' || name === '') throw new TypeError('a forked stream needs a non-empty name');
    return new RandomStream(mix64(this.seed ^ mix64(fnv1a64(name))));
  }

  /** The next 32-bit output, as an unsigned integer. */
  next(): number {
    const s0 = this.s0, s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const s2 = this.s2 ^ s0;
    const s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** A float in [0, 1) with 53 random bits (two outputs). */
  float(): number {
    const hi = this.next() >>> 5; // 27 bits
    const lo = this.next() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO53;
  }

  /** An integer uniformly drawn from [lo, hi], both ends included; unbiased (rejection sampling). */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo > hi) {
      throw new RangeError(`int(lo, hi) needs safe integers with lo ≤ hi, got ${lo}, ${hi}`);
    }
    const range = hi - lo + 1;
    if (!Number.isSafeInteger(range)) throw new RangeError(`int(${lo}, ${hi}): range wider than 2^53 − 1`);
    if (range <= TWO32) {
      const limit = TWO32 - (TWO32 % range);
      let r = this.next();
      while (r >= limit) r = this.next();
      return lo + (r % range);
    }
    const limit = TWO53 - (TWO53 % range);
    let r = this.bits53();
    while (r >= limit) r = this.bits53();
    return lo + (r % range);
  }

  /** An exponentially distributed float with the given mean (> 0). */
  exp(mean: number): number {
    if (!(mean > 0) || !Number.isFinite(mean)) throw new RangeError(`exp(mean) needs a finite mean > 0, got ${mean}`);
    // 1 − u is in (0, 1], so the logarithm is finite.
    return -mean * Math.log1p(-this.float());
  }

  /**
   * An exponentially distributed whole number of nanoseconds with mean
   * `meanNs` (rounded to nearest; may be 0): inter-arrival times.
   */
  expNs(meanNs: number): number {
    if (!(meanNs > 0) || meanNs > 2 ** 46) throw new RangeError(`expNs(mean) needs 0 < mean ≤ 2^46 ns, got ${meanNs}`);
    // The largest draw is mean · 53 · ln 2 < 37 · mean < 2^53.
    return Math.round(this.exp(meanNs));
  }

  /** 53 random bits as an integer in [0, 2^53). */
  private bits53(): number {
    return (this.next() >>> 11) * TWO32 + this.next();
  }

  private setState(a: number, b: number, c: number, d: number): void {
    this.s0 = a | 0;
    this.s1 = b | 0;
    this.s2 = c | 0;
    this.s3 = d | 0;
  }
}
