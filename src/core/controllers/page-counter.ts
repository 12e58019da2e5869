import { pageCounterMax } from '../format/bytes.js';

/**
 * The kernel's page_counter: a hierarchical usage/limit pair counted in
 * pages. memory, memory+swap, hugetlb use it; limits are stored in pages,
 * so a byte limit is rounded down to a page when written (the parser is
 * core/format's parsePageLimit, the v2 printer formatPageLimit).
 */

/** One page counter, charged hierarchically by the owner. */
export interface PageCounter {
  usage: bigint;
  max: bigint;
  /** Highest usage since creation or since the last reset (memory.peak, max_usage_in_bytes). */
  watermark: bigint;
  failcnt: bigint;
}

/** A new counter: nothing charged, limit PAGE_COUNTER_MAX. */
export function newPageCounter(pageSize: bigint): PageCounter {
  return { usage: 0n, max: pageCounterMax(pageSize), watermark: 0n, failcnt: 0n };
}
