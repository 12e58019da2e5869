import { defineController, defineFile, type Css } from '../controller.js';
import { CgroupError } from '../errors.js';
import { scanU32 } from '../format/scan.js';
import { einval } from './refuse.js';

/**
 * net_prio (v1 only, net/core/netprio_cgroup.c): a per-interface priority
 * for a group's sockets. Bookkeeping only. The simulated machine has one
 * network interface, `lo`. net_prio.prioidx is the css id: 1 on the root,
 * the lowest free id from 2 up for other groups.
 */
export const NET_DEVICES: readonly string[] = ['lo'];

export interface NetPrioState {
  id: number;
  prio: Map<string, number>;
  /** Ids in use in this hierarchy (one set shared by every css). */
  ids: Set<number>;
}

function allocId(ids: Set<number>): number {
  let id = 2;
  while (ids.has(id)) id++;
  ids.add(id);
  return id;
}

export const net_prio = defineController<NetPrioState>({
  name: 'net_prio',
  versions: [1],
  threaded: false,
  depth: 'bookkeeping',
  summary: 'Per-interface socket priority of a group (v1)',
  create: (parent: Css<NetPrioState> | null) => {
    const ids = parent?.state.ids ?? new Set([1]);
    return { id: parent ? allocId(ids) : 1, prio: new Map(parent?.state.prio ?? []), ids };
  },
  offline: (css) => {
    if (css.parent) css.state.ids.delete(css.state.id);
  },
  files: [
    defineFile<NetPrioState, never>({ name: 'net_prio.prioidx', versions: [1], read: (css) => `${css.state.id}\n` }),
    defineFile<NetPrioState, { dev: string; prio: number }>({
      name: 'net_prio.ifpriomap',
      versions: [1],
      read: (css) => NET_DEVICES.map((d) => `${d} ${css.state.prio.get(d) ?? 0}\n`).join(''),
      parse: (t) => {
        const m = /^\s*(\S{1,16})/.exec(t);
        const p = m ? scanU32(t.slice(m[0].length)) : undefined;
        if (!m || !p) throw einval('net_prio.ifpriomap takes "<interface> <prio>"');
        return { dev: m[1]!, prio: p.value };
      },
      validate: (_css, v) => {
        if (!NET_DEVICES.includes(v.dev)) throw new CgroupError('ENODEV', 'write', undefined, `no interface ${v.dev}`);
      },
      apply: (css, v) => {
        css.state.prio.set(v.dev, v.prio);
      },
    }),
  ],
});
