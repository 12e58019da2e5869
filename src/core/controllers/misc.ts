import { defineController, defineFile } from '../controller.js';
import { parseU64 } from '../format/int.js';
import { strstrip } from '../format/text.js';
import { einval } from './refuse.js';

/**
 * misc (kernel/cgroup/misc.c): scalar resources with a machine capacity
 * (SEV ASIDs, TDX keys). Bookkeeping only: on the simulated machine every
 * capacity is 0, so the files list nothing and a limit write is EINVAL, as
 * on a host without those features.
 */
export const MISC_RESOURCES = ['sev', 'sev_es', 'tdx'] as const;
export const MISC_CAPACITY: Readonly<Record<(typeof MISC_RESOURCES)[number], bigint>> = { sev: 0n, sev_es: 0n, tdx: 0n };

export interface MiscState {
  max: Map<string, bigint | 'max'>;
}

const listed = (): (typeof MISC_RESOURCES)[number][] => MISC_RESOURCES.filter((r) => MISC_CAPACITY[r] > 0n);

export const misc = defineController<MiscState>({
  name: 'misc',
  versions: [1, 2],
  threaded: false,
  depth: 'bookkeeping',
  summary: 'Scalar machine resources with a capacity (SEV ASIDs and the like)',
  create: () => ({ max: new Map() }),
  files: [
    defineFile<MiscState, { res: (typeof MISC_RESOURCES)[number]; max: bigint | 'max' }>({
      name: 'misc.max',
      versions: [1, 2],
      where: 'nonRoot',
      read: (css) => listed().map((r) => `${r} ${css.state.max.get(r) ?? 'max'}\n`).join(''),
      parse: (t) => {
        const s = strstrip(t);
        const sp = s.indexOf(' ');
        const name = sp < 0 ? s : s.slice(0, sp);
        const res = MISC_RESOURCES.find((r) => r === name);
        if (!res || sp < 0) throw einval('misc.max takes "<resource> <max>"');
        const val = s.slice(sp + 1);
        return { res, max: val === 'max' ? 'max' : parseU64(val, { strip: false }) };
      },
      validate: (_css, v) => {
        if (MISC_CAPACITY[v.res] === 0n) throw einval(`${v.res} has no capacity on this machine`);
      },
      apply: (css, v) => {
        css.state.max.set(v.res, v.max);
      },
    }),
    defineFile<MiscState, never>({ name: 'misc.current', versions: [1, 2], read: () => listed().map((r) => `${r} 0\n`).join('') }),
    defineFile<MiscState, never>({ name: 'misc.peak', versions: [1, 2], read: () => listed().map((r) => `${r} 0\n`).join('') }),
    defineFile<MiscState, never>({
      name: 'misc.capacity',
      versions: [1, 2],
      where: 'rootOnly',
      read: () => listed().map((r) => `${r} ${MISC_CAPACITY[r]}\n`).join(''),
    }),
    defineFile<MiscState, never>({ name: 'misc.events', versions: [1, 2], where: 'nonRoot', read: () => listed().map((r) => `${r}.max 0\n`).join('') }),
    defineFile<MiscState, never>({ name: 'misc.events.local', versions: [1, 2], where: 'nonRoot', read: () => listed().map((r) => `${r}.max 0\n`).join('') }),
  ],
});
