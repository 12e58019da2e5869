/**
 * Integer arithmetic of the fair class, as kernel/sched/fair.c does it:
 * inverse weights, `__calc_delta` (delta * weight / lw.weight through a 32-bit
 * fixed-point inverse), `calc_delta_fair`, exact integer divisions with the
 * kernel's rounding, and the default base slice.
 *
 * Units: all weights here are UNSCALED loads (nice 0 = NICE_0_LOAD = 1024).
 * The 64-bit kernel stores `se->load.weight` shifted left by 10, but every
 * EEVDF formula (avg_vruntime, placement, __calc_delta) applies
 * `scale_load_down()` first, so the unscaled value is what the arithmetic
 * sees. Times are integer nanoseconds held in JS numbers (see eevdf.ts for
 * the ranges).
 */
import { NICE_0_LOAD, SCHED_PRIO_TO_WEIGHT, WEIGHT_IDLEPRIO, MIN_NICE, MAX_NICE } from '../core/controllers/cpu-weight.js';
import { SCHED_PRIO_TO_WMULT, WMULT_IDLEPRIO } from './wmult.js';

/** WMULT_CONST: ~0U. */
export const WMULT_CONST = 0xffffffff;
export const WMULT_SHIFT = 32;
/** sysctl_sched_base_slice before CPU-count scaling (normalized_sysctl_sched_base_slice). */
export const NORMALIZED_BASE_SLICE_NS = 700_000;
/** __setparam_fair clamps a requested slice (sched_attr.sched_runtime) to 0.1 ms .. 100 ms. */
export const MIN_CUSTOM_SLICE_NS = 100_000;
export const MAX_CUSTOM_SLICE_NS = 100_000_000;

/** A load weight and its 2^32/weight inverse, like `struct load_weight`. */
export interface LoadWeight {
  readonly weight: number;
  readonly invWeight: number;
}

const POW2: number[] = [];
for (let i = 0; i <= 64; i++) POW2.push(2 ** i);

/** fls(): position of the most significant set bit of a 32-bit value, 0 for 0. */
function fls32(x: number): number {
  return 32 - Math.clz32(x);
}

/** ilog2 of a positive integer. */
export function ilog2(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`ilog2 of ${n}`);
  return Math.floor(Math.log2(n) + 1e-9);
}

/** Default `sysctl_sched_base_slice` for `ncpus` online CPUs: 0.70 ms × (1 + ilog2(min(ncpus, 8))). */
export function baseSliceNs(ncpus: number): number {
  if (!Number.isInteger(ncpus) || ncpus < 1) throw new RangeError(`ncpus ${ncpus} must be a positive integer`);
  return NORMALIZED_BASE_SLICE_NS * (1 + ilog2(Math.min(ncpus, 8)));
}

/** TICK_NSEC for a CONFIG_HZ value: (NSEC_PER_SEC + HZ/2) / HZ. */
export function tickNsForHz(hz: number): number {
  if (!Number.isInteger(hz) || hz < 1) throw new RangeError(`HZ ${hz} must be a positive integer`);
  return Math.floor((1_000_000_000 + Math.floor(hz / 2)) / hz);
}

/** __setparam_fair(): a requested slice clamped to 0.1 ms .. 100 ms. */
export function clampCustomSlice(ns: number): number {
  return Math.min(MAX_CUSTOM_SLICE_NS, Math.max(MIN_CUSTOM_SLICE_NS, Math.floor(ns)));
}

/** scale_load_down() of a kernel-scaled (<<10) weight: max(2, w >> 10), and 0 stays 0. */
export function scaleLoadDown(scaled: number): number {
  return scaled === 0 ? 0 : Math.max(2, Math.floor(scaled / 1024));
}

/** __update_inv_weight(): WMULT_CONST / w, 1 for huge weights, WMULT_CONST for 0. */
export function invWeightOf(weight: number): number {
  if (weight >= WMULT_CONST) return 1;
  if (weight === 0) return WMULT_CONST;
  return Math.floor(WMULT_CONST / weight);
}

/** Load of a task with this nice value: both tables of kernel/sched/core.c. */
export function loadOfNice(nice: number): LoadWeight {
  if (!Number.isInteger(nice) || nice < MIN_NICE || nice > MAX_NICE) throw new RangeError(`nice ${nice} outside -20..19`);
  return { weight: SCHED_PRIO_TO_WEIGHT[nice + 20]!, invWeight: SCHED_PRIO_TO_WMULT[nice + 20]! };
}

/** Load of a SCHED_IDLE task: WEIGHT_IDLEPRIO / WMULT_IDLEPRIO. */
export function loadOfIdle(): LoadWeight {
  return { weight: WEIGHT_IDLEPRIO, invWeight: WMULT_IDLEPRIO };
}

/**
 * Load of an entity whose weight is set with update_load_set() (group
 * entities, cpu.weight-derived weights): the inverse is computed, not taken
 * from the nice table.
 */
export function loadOfWeight(weight: number): LoadWeight {
  if (!Number.isInteger(weight) || weight < 1 || weight > 0x7fffffff) throw new RangeError(`weight ${weight} must be an integer in 1..2^31-1`);
  return { weight, invWeight: invWeightOf(weight) };
}

/**
 * mul_u64_u32_shr(): floor(a * mul / 2^shift), exact, for 0 <= a < 2^53,
 * 0 <= mul < 2^32. Plain doubles when the product is exact, 16-bit halves of
 * `mul` for a < 2^36 (~68 s of delta), BigInt beyond that.
 */
export function mulU64U32Shr(a: number, mul: number, shift: number): number {
  const p = a * mul;
  if (p <= Number.MAX_SAFE_INTEGER) return Math.floor(p / POW2[shift]!);
  if (a < POW2[36]! && shift >= 16) {
    const hi = Math.floor(mul / 65536);
    const lo = mul - hi * 65536;
    // a*mul = (a*hi + floor(a*lo / 2^16)) * 2^16 + (a*lo mod 2^16); the last term cannot carry past 2^shift.
    return Math.floor((a * hi + Math.floor((a * lo) / 65536)) / POW2[shift - 16]!);
  }
  return Number((BigInt(a) * BigInt(mul)) >> BigInt(shift));
}

/** The (fact, shift) pair that __calc_delta derives from `weight` and lw's inverse; fact < 2^32. */
export function calcDeltaFactor(weight: number, invWeight: number): { fact: number; shift: number } {
  let fact = weight;
  let shift = WMULT_SHIFT;
  let hi = Math.floor(fact / POW2[32]!);
  if (hi !== 0) {
    const fs = fls32(hi);
    shift -= fs;
    fact = Math.floor(fact / POW2[fs]!);
  }
  const prod = fact * invWeight;
  if (prod <= Number.MAX_SAFE_INTEGER) {
    fact = prod;
  } else {
    const big = BigInt(fact) * BigInt(invWeight);
    hi = Number(big >> 32n);
    const fs = fls32(hi);
    return { fact: Number(big >> BigInt(fs)), shift: shift - fs };
  }
  hi = Math.floor(fact / POW2[32]!);
  if (hi !== 0) {
    const fs = fls32(hi);
    shift -= fs;
    fact = Math.floor(fact / POW2[fs]!);
  }
  return { fact, shift };
}

/** __calc_delta(): delta_exec * weight / lw.weight with the kernel's rounding. */
export function calcDelta(deltaExec: number, weight: number, lw: LoadWeight): number {
  const { fact, shift } = calcDeltaFactor(weight, lw.invWeight);
  return mulU64U32Shr(deltaExec, fact, shift);
}

/** calc_delta_fair(): delta scaled by NICE_0_LOAD / weight (identity at nice 0). */
export function calcDeltaFair(delta: number, lw: LoadWeight): number {
  if (lw.weight === NICE_0_LOAD) return delta;
  return calcDelta(delta, NICE_0_LOAD, lw);
}

/** div_s64(): integer division truncated toward zero, exact for safe integers, d > 0. */
export function divTrunc(n: number, d: number): number {
  let q = Math.trunc(n / d);
  const r = n - q * d;
  if (n >= 0) {
    if (r < 0) q--;
    else if (r >= d) q++;
  } else if (r > 0) {
    q++;
  } else if (r <= -d) {
    q--;
  }
  return q === 0 ? 0 : q; // no -0
}

/** Floor division, exact for safe integers, d > 0 (what avg_vruntime's "avg -= load - 1" achieves). */
export function divFloor(n: number, d: number): number {
  let q = Math.floor(n / d);
  const r = n - q * d;
  if (r < 0) q--;
  else if (r >= d) q++;
  return q;
}
