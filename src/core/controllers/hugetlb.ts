import { defineController, defineFile, type IfaceFile, type KernelServices } from '../controller.js';
import { CgroupError } from '../errors.js';
import { pageCounterMax, parsePageLimit } from '../format/bytes.js';
import { strstrip } from '../format/text.js';
import { einval } from './refuse.js';
import { newPageCounter, type PageCounter } from './page-counter.js';

/**
 * hugetlb (mm/hugetlb_cgroup.c): limits on huge pages per size, one set of
 * files per size (`hugetlb.2MB.*`, `hugetlb.1GB.*` on x86-64). Bookkeeping
 * only: nothing in the model allocates huge pages, so usage stays 0. A
 * limit is stored in base pages rounded down to whole huge pages; a new
 * group's limit is PAGE_COUNTER_MAX, which v2 prints as a number until
 * `max` is written (the rounded maximum), as the 6.18 host does.
 */

export const HUGE_PAGE_SIZES = [
  { name: '2MB', basePages: 512n },
  { name: '1GB', basePages: 262144n },
] as const;
type SizeName = (typeof HUGE_PAGE_SIZES)[number]['name'];

export interface HugetlbSizeState {
  fault: PageCounter;
  rsvd: PageCounter;
  eventsMax: bigint;
  eventsMaxLocal: bigint;
}

export interface HugetlbState {
  sizes: Record<SizeName, HugetlbSizeState>;
  pageSize: bigint;
}

type Which = 'fault' | 'rsvd';

function limitFile(size: (typeof HUGE_PAGE_SIZES)[number], which: Which, name: string, v2: boolean): IfaceFile<HugetlbState> {
  const roundedMax = (ps: bigint): bigint => (pageCounterMax(ps) / size.basePages) * size.basePages;
  return defineFile<HugetlbState, string>({
    name,
    versions: [v2 ? 2 : 1],
    where: v2 ? 'nonRoot' : 'all',
    read: (css) => {
      const c = css.state.sizes[size.name][which];
      if (v2 && c.max === roundedMax(css.state.pageSize)) return 'max\n';
      return `${c.max * css.state.pageSize}\n`;
    },
    parse: (t) => strstrip(t),
    validate: (css, v) => {
      if (!css.parent) throw einval('the root group has no limit');
      const pages = (parsePageLimit(v, v2 ? 'max' : '-1', css.state.pageSize) / size.basePages) * size.basePages;
      if (css.state.sizes[size.name][which].usage > pages) throw new CgroupError('EBUSY', 'write', undefined, 'usage above the new limit');
    },
    apply: (css, v) => {
      const pages = parsePageLimit(v, v2 ? 'max' : '-1', css.state.pageSize);
      css.state.sizes[size.name][which].max = (pages / size.basePages) * size.basePages;
    },
  });
}

function numaStat(css: { state: HugetlbState }, size: SizeName, k: KernelServices, legacy: boolean): string {
  const bytes = css.state.sizes[size].fault.usage * css.state.pageSize;
  const line = (label: string, v: bigint): string => `${label}total=${v}${k.mems.map((n, i) => ` N${n}=${i === 0 ? v : 0n}`).join('')}\n`;
  return legacy ? line('', bytes) + line('hierarchical_', bytes) : line('', bytes);
}

function filesFor(size: (typeof HUGE_PAGE_SIZES)[number]): IfaceFile<HugetlbState>[] {
  const p = `hugetlb.${size.name}`;
  const ro = (name: string, versions: readonly (1 | 2)[], where: 'all' | 'nonRoot', read: IfaceFile<HugetlbState>['read']): IfaceFile<HugetlbState> =>
    defineFile<HugetlbState, never>({ name, versions, where, ...(read ? { read } : {}) });
  const reset = (name: string, which: Which, what: 'failcnt' | 'watermark'): IfaceFile<HugetlbState> =>
    defineFile<HugetlbState, string>({
      name,
      versions: [1],
      read: (css) => {
        const c = css.state.sizes[size.name][which];
        return what === 'failcnt' ? `${c.failcnt}\n` : `${c.watermark * css.state.pageSize}\n`;
      },
      apply: (css) => {
        const c = css.state.sizes[size.name][which];
        if (what === 'failcnt') c.failcnt = 0n;
        else c.watermark = c.usage;
      },
    });
  const bytes = (which: Which) => (css: { state: HugetlbState }) => `${css.state.sizes[size.name][which].usage * css.state.pageSize}\n`;
  return [
    limitFile(size, 'fault', `${p}.max`, true),
    limitFile(size, 'rsvd', `${p}.rsvd.max`, true),
    ro(`${p}.current`, [2], 'nonRoot', bytes('fault')),
    ro(`${p}.rsvd.current`, [2], 'nonRoot', bytes('rsvd')),
    ro(`${p}.events`, [2], 'nonRoot', (css) => `max ${css.state.sizes[size.name].eventsMax}\n`),
    ro(`${p}.events.local`, [2], 'nonRoot', (css) => `max ${css.state.sizes[size.name].eventsMaxLocal}\n`),
    ro(`${p}.numa_stat`, [2], 'nonRoot', (css, k) => numaStat(css, size.name, k, false)),
    limitFile(size, 'fault', `${p}.limit_in_bytes`, false),
    limitFile(size, 'rsvd', `${p}.rsvd.limit_in_bytes`, false),
    ro(`${p}.usage_in_bytes`, [1], 'all', bytes('fault')),
    ro(`${p}.rsvd.usage_in_bytes`, [1], 'all', bytes('rsvd')),
    reset(`${p}.max_usage_in_bytes`, 'fault', 'watermark'),
    reset(`${p}.rsvd.max_usage_in_bytes`, 'rsvd', 'watermark'),
    reset(`${p}.failcnt`, 'fault', 'failcnt'),
    reset(`${p}.rsvd.failcnt`, 'rsvd', 'failcnt'),
    ro(`${p}.numa_stat`, [1], 'all', (css, k) => numaStat(css, size.name, k, true)),
  ];
}

export const hugetlb = defineController<HugetlbState>({
  name: 'hugetlb',
  versions: [1, 2],
  threaded: false,
  depth: 'bookkeeping',
  summary: 'Huge page limits per page size',
  create: (_parent, _cg, k) => {
    const one = (): HugetlbSizeState => ({ fault: newPageCounter(k.pageSize), rsvd: newPageCounter(k.pageSize), eventsMax: 0n, eventsMaxLocal: 0n });
    return { sizes: { '2MB': one(), '1GB': one() }, pageSize: k.pageSize };
  },
  files: HUGE_PAGE_SIZES.flatMap(filesFor),
});
