/**
 * sched_prio_to_wmult[]: the kernel's precomputed 2^32/weight inverses of
 * sched_prio_to_weight[] (src/core/controllers/cpu-weight.ts), index 0 is
 * nice -20. Source: kernel/sched/core.c (`const u32 sched_prio_to_wmult[40]`),
 * identical in every release since the table was introduced. Four entries
 * (nice 13, 14, 16, 17) are floor(2^32/w) where rounding would give one more:
 * the values are the kernel's, not recomputed, because set_load_weight()
 * copies them into `se->load.inv_weight` and __calc_delta uses them as is.
 */
export const SCHED_PRIO_TO_WMULT: readonly number[] = [
  48388, 59856, 76040, 92818, 118348,
  147320, 184698, 229616, 287308, 360437,
  449829, 563644, 704093, 875809, 1099582,
  1376151, 1717300, 2157191, 2708050, 3363326,
  4194304, 5237765, 6557202, 8165337, 10153587,
  12820798, 15790321, 19976592, 24970740, 31350126,
  39045157, 49367440, 61356676, 76695844, 95443717,
  119304647, 148102320, 186737708, 238609294, 286331153,
];

/** WMULT_IDLEPRIO (kernel/sched/sched.h): inverse of WEIGHT_IDLEPRIO = 3. */
export const WMULT_IDLEPRIO = 1431655765;
