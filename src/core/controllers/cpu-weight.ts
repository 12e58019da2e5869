/**
 * Weight arithmetic of the fair scheduler and its cgroup files: the nice to
 * load-weight table, cgroup v2 `cpu.weight` (1..10000, default 100) and v1
 * `cpu.shares` (2..262144, default 1024). All values here are unscaled
 * (the kernel keeps shares << 10 internally on 64-bit; that factor cancels).
 */

/** sched_prio_to_weight[]: index 0 is nice -20, index 39 is nice 19. */
export const SCHED_PRIO_TO_WEIGHT: readonly number[] = [
  88761, 71755, 56483, 46273, 36291,
  29154, 23254, 18705, 14949, 11916,
  9548, 7620, 6100, 4904, 3906,
  3121, 2501, 1991, 1586, 1277,
  1024, 820, 655, 526, 423,
  335, 272, 215, 172, 137,
  110, 87, 70, 56, 45,
  36, 29, 23, 18, 15,
];

export const NICE_0_LOAD = 1024;
/** Weight of a SCHED_IDLE task and of a group with cpu.idle=1. */
export const WEIGHT_IDLEPRIO = 3;
export const MIN_SHARES = 2;
export const MAX_SHARES = 1 << 18;
export const CGROUP_WEIGHT_MIN = 1;
export const CGROUP_WEIGHT_DFL = 100;
export const CGROUP_WEIGHT_MAX = 10000;
export const MIN_NICE = -20;
export const MAX_NICE = 19;

/** DIV_ROUND_CLOSEST for non-negative integers. */
function divRoundClosest(n: number, d: number): number {
  return Math.floor((n + Math.floor(d / 2)) / d);
}

/** Load weight of a task with this nice value. */
export function niceToWeight(nice: number): number {
  if (!Number.isInteger(nice) || nice < MIN_NICE || nice > MAX_NICE) throw new RangeError(`nice ${nice} outside -20..19`);
  return SCHED_PRIO_TO_WEIGHT[nice + 20]!;
}

/** sched_weight_from_cgroup(): cpu.weight to shares, round(w * 1024 / 100). */
export function weightToShares(weight: number): number {
  return divRoundClosest(weight * 1024, CGROUP_WEIGHT_DFL);
}

/** sched_weight_to_cgroup(): shares to cpu.weight, rounded and clamped to 1..10000. */
export function sharesToWeight(shares: number): number {
  const w = divRoundClosest(shares * CGROUP_WEIGHT_DFL, 1024);
  return Math.min(CGROUP_WEIGHT_MAX, Math.max(CGROUP_WEIGHT_MIN, w));
}

/** __sched_group_set_shares(): the silent clamp to 2..262144. */
export function clampShares(shares: number): number {
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

/**
 * cpu.weight.nice read: walk the table from nice -20 and stop at the first
 * entry that is not closer than the previous one (ties go to the lower nice).
 */
export function sharesToNice(shares: number): number {
  let last = Number.MAX_SAFE_INTEGER;
  let prio = 0;
  for (; prio < SCHED_PRIO_TO_WEIGHT.length; prio++) {
    const delta = Math.abs(SCHED_PRIO_TO_WEIGHT[prio]! - shares);
    if (delta >= last) break;
    last = delta;
  }
  return prio - 1 - 20;
}

/** v2 weight of a nice value, as cpu.weight would read after writing it to cpu.weight.nice. */
export function niceToCgroupWeight(nice: number): number {
  return sharesToWeight(niceToWeight(nice));
}
