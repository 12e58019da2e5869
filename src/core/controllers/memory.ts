import { defineController, defineFile, type IfaceFile } from '../controller.js';
import { formatPageLimit, memparse, parsePageLimit } from '../format/bytes.js';
import { parseInt32 } from '../format/int.js';
import { strstrip } from '../format/text.js';
import { einval } from './refuse.js';
import { memcgOomKill, memoryReleaseProcess } from './memory-charge.js';
import { MEMORY_EVENTS, memcgEvent, type MemoryEvent, type MemoryState, newMemoryState } from './memory-state.js';
import { memoryNumaStatV2, memoryStatV2 } from './memory-stat.js';
import { memoryV1Files } from './memory-v1.js';
import { CgroupError } from '../errors.js';

/**
 * memory (mm/memcontrol.c): usage, limits, protection, OOM events. v2 files
 * are here, v1 files in memory-v1.ts, the charge API in memory-charge.ts.
 */

const V2_EVENTS: readonly MemoryEvent[] = ['low', 'high', 'max', 'oom', 'oom_kill', 'oom_group_kill', 'sock_throttled'];

const showEvents = (ev: Record<MemoryEvent, bigint>, keys: readonly MemoryEvent[], rename: (e: MemoryEvent) => string = (e) => e): string =>
  keys.map((e) => `${rename(e)} ${ev[e]}\n`).join('');

type PagesKey = 'min' | 'low' | 'high' | 'swapHigh' | 'zswapMax';

/** A v2 tunable in pages: `max` or bytes, rounded down to a page. */
const tunable = (name: string, key: PagesKey): IfaceFile<MemoryState> =>
  defineFile<MemoryState, string>({
    name,
    versions: [2],
    where: 'nonRoot',
    read: (css) => formatPageLimit(css.state[key], css.state.pageSize),
    parse: (t) => t,
    validate: (css, v) => void parsePageLimit(v, 'max', css.state.pageSize),
    apply: (css, v) => {
      css.state[key] = parsePageLimit(v, 'max', css.state.pageSize);
    },
  });

const ro = (name: string, read: IfaceFile<MemoryState>['read'], where: 'all' | 'nonRoot' = 'nonRoot'): IfaceFile<MemoryState> =>
  defineFile<MemoryState, never>({ name, versions: [2], where, ...(read ? { read } : {}) });

/** memory.reclaim: `<bytes> [swappiness=N|max]`. Nothing the model charges is reclaimable. */
function parseReclaim(text: string, pageSize: bigint): bigint {
  const s = strstrip(text);
  const { bytes, rest } = memparse(s);
  if (rest === s) throw einval('memory.reclaim needs a byte count');
  for (const tok of strstrip(rest).split(' ')) {
    if (tok === '' || tok === 'swappiness=max') continue;
    const m = /^swappiness=(.*)$/.exec(tok);
    if (!m) throw einval(`unknown option '${tok}'`);
    const n = parseInt32(m[1]!, { strip: false });
    if (n < 0 || n > 200) throw einval('swappiness is 0..200');
  }
  return bytes / pageSize;
}

const v2Files: IfaceFile<MemoryState>[] = [
  ro('memory.current', (css) => `${css.state.memory.usage * css.state.pageSize}\n`),
  tunable('memory.min', 'min'),
  tunable('memory.low', 'low'),
  tunable('memory.high', 'high'),
  defineFile<MemoryState, string>({
    name: 'memory.max',
    versions: [2],
    where: 'nonRoot',
    read: (css) => formatPageLimit(css.state.memory.max, css.state.pageSize),
    parse: (t) => t,
    validate: (css, v) => void parsePageLimit(v, 'max', css.state.pageSize),
    apply: (css, v, k) => {
      css.state.memory.max = parsePageLimit(v, 'max', css.state.pageSize);
      const killed = new Set<number>();
      while (css.state.memory.usage > css.state.memory.max) {
        memcgEvent(css, 'oom');
        if (!memcgOomKill(css, killed, k)) break;
      }
    },
  }),
  defineFile<MemoryState, string>({
    name: 'memory.peak',
    versions: [2],
    where: 'nonRoot',
    read: (css) => `${css.state.memory.watermark * css.state.pageSize}\n`,
    // The kernel resets the peak seen through the writing file descriptor only; other readers keep the global value.
    apply: () => undefined,
  }),
  ro('memory.events', (css) => showEvents(css.state.events, V2_EVENTS)),
  ro('memory.events.local', (css) => showEvents(css.state.eventsLocal, V2_EVENTS)),
  ro('memory.stat', (css) => memoryStatV2(css), 'all'),
  ro('memory.numa_stat', (css, k) => memoryNumaStatV2(css, k), 'all'),
  defineFile<MemoryState, boolean>({
    name: 'memory.oom.group',
    versions: [2],
    where: 'nonRoot',
    read: (css) => `${css.state.oomGroup ? 1 : 0}\n`,
    parse: (t) => {
      const v = parseInt32(t);
      if (v !== 0 && v !== 1) throw einval('memory.oom.group is 0 or 1');
      return v === 1;
    },
    apply: (css, v) => {
      css.state.oomGroup = v;
    },
  }),
  defineFile<MemoryState, string>({
    name: 'memory.reclaim',
    versions: [2],
    parse: (t) => t,
    validate: (css, v) => {
      if (parseReclaim(v, css.state.pageSize) > 0n) throw new CgroupError('EAGAIN', 'write', undefined, 'nothing reclaimable');
    },
    apply: () => undefined,
  }),
  ro('memory.swap.current', (css) => `${css.state.swap.usage * css.state.pageSize}\n`),
  tunable('memory.swap.high', 'swapHigh'),
  defineFile<MemoryState, string>({
    name: 'memory.swap.max',
    versions: [2],
    where: 'nonRoot',
    read: (css) => formatPageLimit(css.state.swap.max, css.state.pageSize),
    parse: (t) => t,
    validate: (css, v) => void parsePageLimit(v, 'max', css.state.pageSize),
    apply: (css, v) => {
      css.state.swap.max = parsePageLimit(v, 'max', css.state.pageSize);
    },
  }),
  ro('memory.swap.peak', (css) => `${css.state.swap.watermark * css.state.pageSize}\n`),
  ro('memory.swap.events', (css) => showEvents(css.state.events, ['swap_high', 'swap_max', 'swap_fail'], (e) => e.slice(5))),
  ro('memory.zswap.current', () => '0\n'),
  tunable('memory.zswap.max', 'zswapMax'),
  defineFile<MemoryState, boolean>({
    name: 'memory.zswap.writeback',
    versions: [2],
    where: 'nonRoot',
    read: (css) => `${css.state.zswapWriteback ? 1 : 0}\n`,
    parse: (t) => {
      const v = parseInt32(t);
      if (v !== 0 && v !== 1) throw einval('memory.zswap.writeback is 0 or 1');
      return v === 1;
    },
    apply: (css, v) => {
      css.state.zswapWriteback = v;
    },
  }),
];

export const memory = defineController<MemoryState>({
  name: 'memory',
  versions: [1, 2],
  threaded: false,
  depth: 'full',
  summary: 'Memory usage and limits (memory.max / limit_in_bytes), protection, OOM kills inside a group',
  create: (parent, _cg, k) => newMemoryState(parent?.state ?? null, k),
  exit: (css, t) => {
    if (t.tid === t.tgid) memoryReleaseProcess(css, t.tgid);
  },
  files: [...v2Files, ...memoryV1Files],
});

export { memoryCharge, memoryUncharge, memoryReleaseProcess, memoryChargedBytes, type ChargeResult } from './memory-charge.js';
export { MEMORY_EVENTS, type MemoryState };
