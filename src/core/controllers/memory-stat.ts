import type { KernelServices } from '../controller.js';
import { type MemoryCss, subtreeSum } from './memory-state.js';

/**
 * memory.stat and memory.numa_stat. The model charges only anonymous,
 * unswappable memory, which the kernel puts on the inactive anon LRU; every
 * other key reads 0. Keys and their order follow the kernel (v1 as read on
 * the 6.18 host; v2 from memcontrol.c's memory_stats[] and
 * memcg_vm_event_stat[] for a kernel with swap, zswap, THP and NUMA
 * balancing). Readers must parse by key.
 */

interface Totals {
  anonBytes: bigint;
  pgfault: bigint;
  pgpgin: bigint;
  pgpgout: bigint;
}

function local(css: MemoryCss): Totals {
  const s = css.state;
  return { anonBytes: s.localPages * s.pageSize, pgfault: s.pgfault, pgpgin: s.pgpgin, pgpgout: s.pgpgout };
}

function hier(css: MemoryCss): Totals {
  return {
    anonBytes: subtreeSum(css, (s) => s.localPages * s.pageSize),
    pgfault: subtreeSum(css, (s) => s.pgfault),
    pgpgin: subtreeSum(css, (s) => s.pgpgin),
    pgpgout: subtreeSum(css, (s) => s.pgpgout),
  };
}

const V1_STATS = ['cache', 'rss', 'rss_huge', 'shmem', 'mapped_file', 'dirty', 'writeback', 'workingset_refault_anon', 'workingset_refault_file', 'swap', 'swapcached'] as const;
const V1_EVENTS = ['pgpgin', 'pgpgout', 'pgfault', 'pgmajfault'] as const;
const LRU = ['inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable'] as const;

function v1Values(t: Totals): Record<string, bigint> {
  return { rss: t.anonBytes, pgpgin: t.pgpgin, pgpgout: t.pgpgout, pgfault: t.pgfault, inactive_anon: t.anonBytes };
}

/** v1 memory.stat: local values, hierarchical limits, then total_* (hierarchical). */
export function memoryStatV1(css: MemoryCss): string {
  const l = v1Values(local(css));
  const h = v1Values(hier(css));
  const lines: string[] = [];
  for (const key of [...V1_STATS, ...V1_EVENTS, ...LRU]) lines.push(`${key} ${l[key] ?? 0n}`);
  let mem = css.state.memory.max;
  let memsw = css.state.memsw.max;
  for (let c: MemoryCss | null = css; c; c = c.parent) {
    if (c.state.memory.max < mem) mem = c.state.memory.max;
    if (c.state.memsw.max < memsw) memsw = c.state.memsw.max;
  }
  lines.push(`hierarchical_memory_limit ${mem * css.state.pageSize}`, `hierarchical_memsw_limit ${memsw * css.state.pageSize}`);
  for (const key of [...V1_STATS, ...V1_EVENTS, ...LRU]) lines.push(`total_${key} ${h[key] ?? 0n}`);
  return lines.join('\n') + '\n';
}

/** v1 memory.numa_stat, in pages: local lines, then hierarchical_* lines. */
export function memoryNumaStatV1(css: MemoryCss, k: KernelServices): string {
  const perNode = (pages: bigint): string => k.mems.map((n, i) => ` N${n}=${i === 0 ? pages : 0n}`).join('');
  const out: string[] = [];
  for (const [prefix, pages] of [['', css.state.localPages], ['hierarchical_', subtreeSum(css, (s) => s.localPages)]] as const) {
    for (const [key, v] of [['total', pages], ['file', 0n], ['anon', pages], ['unevictable', 0n]] as const) {
      out.push(`${prefix}${key}=${v}${perNode(v)}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Node-level items of memory_stats[] (also in memory.numa_stat). */
const V2_NODE_ITEMS = [
  'anon', 'file', 'kernel_stack', 'pagetables', 'sec_pagetables', 'shmem', 'file_mapped', 'file_dirty', 'file_writeback',
  'swapcached', 'anon_thp', 'file_thp', 'shmem_thp', 'inactive_anon', 'active_anon', 'inactive_file', 'active_file',
  'unevictable', 'slab_reclaimable', 'slab_unreclaimable', 'workingset_refault_anon', 'workingset_refault_file',
  'workingset_activate_anon', 'workingset_activate_file', 'workingset_restore_anon', 'workingset_restore_file',
  'workingset_nodereclaim', 'pgdemote_kswapd', 'pgdemote_direct', 'pgdemote_khugepaged', 'pgdemote_proactive', 'pgpromote_success',
] as const;

const V2_STAT_KEYS = [
  'anon', 'file', 'kernel', 'kernel_stack', 'pagetables', 'sec_pagetables', 'percpu', 'sock', 'vmalloc', 'shmem', 'zswap', 'zswapped',
  'file_mapped', 'file_dirty', 'file_writeback', 'swapcached', 'anon_thp', 'file_thp', 'shmem_thp', 'inactive_anon', 'active_anon',
  'inactive_file', 'active_file', 'unevictable', 'slab_reclaimable', 'slab_unreclaimable', 'slab',
  'workingset_refault_anon', 'workingset_refault_file', 'workingset_activate_anon', 'workingset_activate_file',
  'workingset_restore_anon', 'workingset_restore_file', 'workingset_nodereclaim',
  'pgdemote_kswapd', 'pgdemote_direct', 'pgdemote_khugepaged', 'pgdemote_proactive', 'pgpromote_success',
  'pgscan', 'pgsteal', 'pswpin', 'pswpout', 'pgscan_kswapd', 'pgscan_direct', 'pgscan_khugepaged', 'pgscan_proactive',
  'pgsteal_kswapd', 'pgsteal_direct', 'pgsteal_khugepaged', 'pgsteal_proactive', 'pgfault', 'pgmajfault', 'pgrefill',
  'pgactivate', 'pgdeactivate', 'pglazyfree', 'pglazyfreed', 'swpin_zero', 'swpout_zero', 'zswpin', 'zswpout', 'zswpwb',
  'thp_fault_alloc', 'thp_collapse_alloc', 'thp_swpout', 'thp_swpout_fallback', 'numa_pages_migrated', 'numa_pte_updates',
  'numa_hint_faults',
] as const;

/** v2 memory.stat (hierarchical). */
export function memoryStatV2(css: MemoryCss): string {
  const h = hier(css);
  const v: Record<string, bigint> = { anon: h.anonBytes, inactive_anon: h.anonBytes, pgfault: h.pgfault };
  return V2_STAT_KEYS.map((key) => `${key} ${v[key] ?? 0n}\n`).join('');
}

/** v2 memory.numa_stat: `key N0=bytes ...` for the node-level items. */
export function memoryNumaStatV2(css: MemoryCss, k: KernelServices): string {
  const anon = hier(css).anonBytes;
  const v: Record<string, bigint> = { anon, inactive_anon: anon };
  return V2_NODE_ITEMS.map((key) => `${key}${k.mems.map((n, i) => ` N${n}=${i === 0 ? v[key] ?? 0n : 0n}`).join('')}\n`).join('');
}
