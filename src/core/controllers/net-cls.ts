import { defineController, defineFile } from '../controller.js';
import { parseWriteU64 } from '../format/int.js';

/**
 * net_cls (v1 only, net/core/netclassid_cgroup.c): a class id that traffic
 * control and netfilter can match. Bookkeeping only. A new group copies its
 * parent's id; the value is stored as 32 bits.
 */
export interface NetClsState {
  classid: number;
}

export const net_cls = defineController<NetClsState>({
  name: 'net_cls',
  versions: [1],
  threaded: false,
  depth: 'bookkeeping',
  summary: 'Network class id of a group\'s sockets (v1)',
  create: (parent) => ({ classid: parent?.state.classid ?? 0 }),
  files: [
    defineFile<NetClsState, bigint>({
      name: 'net_cls.classid',
      versions: [1],
      read: (css) => `${css.state.classid}\n`,
      parse: (t) => parseWriteU64(t),
      apply: (css, v) => {
        css.state.classid = Number(v & 0xffffffffn);
      },
    }),
  ],
});
