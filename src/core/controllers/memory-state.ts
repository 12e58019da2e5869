import type { Css, KernelServices } from '../controller.js';
import { pageCounterMax } from '../format/bytes.js';
import { newPageCounter, type PageCounter } from './page-counter.js';

/**
 * Per-group state of the memory controller. All memory the simulated
 * kernel charges is anonymous and unswappable; counters are kept in pages.
 * The `ledger` (one object per hierarchy, shared by every css) records
 * which process charged how much to which group, so that a process's
 * memory can be uncharged from the groups it was charged to when it exits,
 * wherever it lives by then (charges do not follow a task that moves).
 */

export const MEMORY_EVENTS = ['low', 'high', 'max', 'oom', 'oom_kill', 'oom_group_kill', 'swap_high', 'swap_max', 'swap_fail', 'sock_throttled'] as const;
export type MemoryEvent = (typeof MEMORY_EVENTS)[number];

export type MemoryCss = Css<MemoryState>;

/** tgid -> group -> pages charged by that process to that group. */
export type MemoryLedger = Map<number, Map<MemoryCss, bigint>>;

export interface MemoryState {
  memory: PageCounter;
  /** v1 memory+swap counter (equal to memory without swap). */
  memsw: PageCounter;
  /** v1 kernel memory counters: never charged by the model; tcp limit is writable. */
  kmem: PageCounter;
  tcpmem: PageCounter;
  /** v2 swap counter: no swap in the model, so usage stays 0. */
  swap: PageCounter;
  /** memory.min / memory.low / memory.high / memory.swap.high, pages. */
  min: bigint;
  low: bigint;
  high: bigint;
  swapHigh: bigint;
  /** memory.zswap.max (pages) and memory.zswap.writeback. */
  zswapMax: bigint;
  zswapWriteback: boolean;
  /** v1 memory.soft_limit_in_bytes, pages. */
  softLimit: bigint;
  oomGroup: boolean;
  oomKillDisable: boolean;
  swappiness: number;
  /** Hierarchical event counts (v2 memory.events; v1 counts only locally). */
  events: Record<MemoryEvent, bigint>;
  eventsLocal: Record<MemoryEvent, bigint>;
  /** Pages charged to this group itself (not its descendants). */
  localPages: bigint;
  /** Page faults, pages charged in, pages uncharged out, counted at this group itself. */
  pgfault: bigint;
  pgpgin: bigint;
  pgpgout: bigint;
  ledger: MemoryLedger;
  pageSize: bigint;
}

/** vm.swappiness default, what the v1 root reads. */
export const VM_SWAPPINESS = 60;

function zeroEvents(): Record<MemoryEvent, bigint> {
  return Object.fromEntries(MEMORY_EVENTS.map((e) => [e, 0n])) as Record<MemoryEvent, bigint>;
}

export function newMemoryState(parent: MemoryState | null, k: KernelServices): MemoryState {
  const max = pageCounterMax(k.pageSize);
  return {
    memory: newPageCounter(k.pageSize),
    memsw: newPageCounter(k.pageSize),
    kmem: newPageCounter(k.pageSize),
    tcpmem: newPageCounter(k.pageSize),
    swap: newPageCounter(k.pageSize),
    min: 0n,
    low: 0n,
    high: max,
    swapHigh: max,
    zswapMax: max,
    zswapWriteback: parent?.zswapWriteback ?? true,
    softLimit: max,
    oomGroup: false,
    oomKillDisable: parent?.oomKillDisable ?? false,
    swappiness: parent?.swappiness ?? VM_SWAPPINESS,
    events: zeroEvents(),
    eventsLocal: zeroEvents(),
    localPages: 0n,
    pgfault: 0n,
    pgpgin: 0n,
    pgpgout: 0n,
    ledger: parent?.ledger ?? new Map(),
    pageSize: k.pageSize,
  };
}

/**
 * memcg_memory_event(): counted locally, then on the group and every
 * ancestor below the root (v2 only; v1 keeps events local).
 */
export function memcgEvent(css: MemoryCss, ev: MemoryEvent): void {
  css.state.eventsLocal[ev]++;
  let c: MemoryCss | null = css;
  do {
    c.state.events[ev]++;
    if (css.cgroup.version === 1) break;
    c = c.parent;
  } while (c?.parent);
}

/** Every css of a subtree, parents first. */
export function subtreePre(css: MemoryCss): MemoryCss[] {
  return [css, ...css.children().flatMap((c) => subtreePre(c))];
}

/** Sum of a per-group value over the subtree (hierarchical statistics). */
export function subtreeSum(css: MemoryCss, f: (s: MemoryState) => bigint): bigint {
  let n = 0n;
  for (const c of subtreePre(css)) n += f(c.state);
  return n;
}

/** The group whose css a task of this subtree belongs to (deepest css whose cgroup contains it). */
export function cssOfTask(top: MemoryCss, tid: number): MemoryCss | undefined {
  if (!top.cgroup.subtreeThreads().some((t) => t.tid === tid)) return undefined;
  for (const c of top.children()) {
    const found = cssOfTask(c, tid);
    if (found) return found;
  }
  return top;
}
