import { defineFile, type IfaceFile } from '../controller.js';
import { CgroupError } from '../errors.js';
import { formatBytes, parsePageLimit } from '../format/bytes.js';
import { parseWriteU64 } from '../format/int.js';
import { einval } from './refuse.js';
import type { MemoryState } from './memory-state.js';
import { memoryNumaStatV1, memoryStatV1 } from './memory-stat.js';

/**
 * cgroup v1 memory files, as a 6.18 host lists them (root and children
 * alike). Limits take bytes with K/M/G/T/P/E suffixes or -1, rounded down
 * to a page; the kmem counters exist but are never charged, and
 * memory.kmem.limit_in_bytes accepts a valid value and ignores it.
 */

type CounterKey = 'memory' | 'memsw' | 'kmem' | 'tcpmem';

const bytes = (pages: bigint, css: { state: MemoryState }): string => formatBytes(pages * css.state.pageSize);

const ro = (name: string, read: NonNullable<IfaceFile<MemoryState>['read']>): IfaceFile<MemoryState> =>
  defineFile<MemoryState, never>({ name, versions: [1], read });

/** mem_cgroup_write(RES_LIMIT) for one counter. */
const limitFile = (name: string, key: CounterKey): IfaceFile<MemoryState> =>
  defineFile<MemoryState, bigint>({
    name,
    versions: [1],
    read: (css) => bytes(css.state[key].max, css),
    parse: (t, css) => parsePageLimit(t, '-1', css.state.pageSize),
    validate: (css, v) => {
      if (!css.parent) throw einval('the root group has no limit');
      const s = css.state;
      if (key === 'memory' && v > s.memsw.max) throw einval('memory limit above memory+swap limit');
      if (key === 'memsw' && v < s.memory.max) throw einval('memory+swap limit below memory limit');
      if (key !== 'kmem' && s[key].usage > v) throw new CgroupError('EBUSY', 'write', undefined, 'usage above the new limit and nothing to reclaim');
    },
    apply: (css, v) => {
      if (key !== 'kmem') css.state[key].max = v;
    },
  });

/** mem_cgroup_reset(): any write resets failcnt or the watermark. */
const resetFile = (name: string, key: CounterKey, what: 'failcnt' | 'watermark'): IfaceFile<MemoryState> =>
  defineFile<MemoryState, string>({
    name,
    versions: [1],
    read: (css) => (what === 'failcnt' ? `${css.state[key].failcnt}\n` : bytes(css.state[key].watermark, css)),
    apply: (css) => {
      const pc = css.state[key];
      if (what === 'failcnt') pc.failcnt = 0n;
      else pc.watermark = pc.usage;
    },
  });

export const memoryV1Files: IfaceFile<MemoryState>[] = [
  resetFile('memory.failcnt', 'memory', 'failcnt'),
  defineFile<MemoryState, string>({
    name: 'memory.force_empty',
    versions: [1],
    validate: (css) => {
      if (!css.parent) throw einval('cannot empty the root group');
    },
    apply: () => undefined,
  }),
  resetFile('memory.kmem.failcnt', 'kmem', 'failcnt'),
  limitFile('memory.kmem.limit_in_bytes', 'kmem'),
  resetFile('memory.kmem.max_usage_in_bytes', 'kmem', 'watermark'),
  ro('memory.kmem.slabinfo', () => ''),
  resetFile('memory.kmem.tcp.failcnt', 'tcpmem', 'failcnt'),
  limitFile('memory.kmem.tcp.limit_in_bytes', 'tcpmem'),
  resetFile('memory.kmem.tcp.max_usage_in_bytes', 'tcpmem', 'watermark'),
  ro('memory.kmem.tcp.usage_in_bytes', (css) => bytes(css.state.tcpmem.usage, css)),
  ro('memory.kmem.usage_in_bytes', (css) => bytes(css.state.kmem.usage, css)),
  limitFile('memory.limit_in_bytes', 'memory'),
  resetFile('memory.max_usage_in_bytes', 'memory', 'watermark'),
  resetFile('memory.memsw.failcnt', 'memsw', 'failcnt'),
  limitFile('memory.memsw.limit_in_bytes', 'memsw'),
  resetFile('memory.memsw.max_usage_in_bytes', 'memsw', 'watermark'),
  ro('memory.memsw.usage_in_bytes', (css) => bytes(css.state.memsw.usage, css)),
  defineFile<MemoryState, bigint>({
    name: 'memory.move_charge_at_immigrate',
    versions: [1],
    read: () => '0\n',
    parse: (t) => parseWriteU64(t),
    validate: (_css, v) => {
      if (v !== 0n) throw einval('moving charges is no longer supported');
    },
    apply: () => undefined,
  }),
  ro('memory.numa_stat', (css, k) => memoryNumaStatV1(css, k)),
  defineFile<MemoryState, bigint>({
    name: 'memory.oom_control',
    versions: [1],
    read: (css) => `oom_kill_disable ${css.state.oomKillDisable ? 1 : 0}\nunder_oom 0\noom_kill ${css.state.eventsLocal.oom_kill}\n`,
    parse: (t) => parseWriteU64(t),
    validate: (css, v) => {
      if (!css.parent || (v !== 0n && v !== 1n)) throw einval('oom_kill_disable is 0 or 1, not on the root');
    },
    apply: (css, v) => {
      css.state.oomKillDisable = v === 1n;
    },
  }),
  defineFile<MemoryState, never>({
    name: 'memory.pressure_level',
    versions: [1],
    mode: 0o444,
    read: () => {
      throw new CgroupError('EINVAL', 'read', undefined, 'memory.pressure_level is only for cgroup.event_control');
    },
  }),
  defineFile<MemoryState, bigint>({
    name: 'memory.soft_limit_in_bytes',
    versions: [1],
    read: (css) => bytes(css.state.softLimit, css),
    parse: (t, css) => parsePageLimit(t, '-1', css.state.pageSize),
    apply: (css, v) => {
      css.state.softLimit = v;
    },
  }),
  ro('memory.stat', (css) => memoryStatV1(css)),
  defineFile<MemoryState, bigint>({
    name: 'memory.swappiness',
    versions: [1],
    read: (css) => `${css.state.swappiness}\n`,
    parse: (t) => parseWriteU64(t),
    validate: (_css, v) => {
      if (v > 200n) throw einval('swappiness is 0..200');
    },
    apply: (css, v) => {
      css.state.swappiness = Number(v);
    },
  }),
  ro('memory.usage_in_bytes', (css) => bytes(css.state.memory.usage, css)),
  defineFile<MemoryState, bigint>({
    name: 'memory.use_hierarchy',
    versions: [1],
    read: () => '1\n',
    parse: (t) => parseWriteU64(t),
    validate: (_css, v) => {
      if (v !== 1n) throw einval('memory.use_hierarchy is always 1');
    },
    apply: () => undefined,
  }),
];
