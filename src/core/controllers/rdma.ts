import { defineController, defineFile } from '../controller.js';
import { CgroupError } from '../errors.js';
import { parseInt32 } from '../format/int.js';
import { strstrip } from '../format/text.js';
import { einval } from './refuse.js';

/**
 * rdma (kernel/cgroup/rdma.c): per-device limits on RDMA handles and
 * objects. Bookkeeping only: the simulated machine has no RDMA device, so
 * both files read empty and a well-formed limit is ENODEV.
 */
export const RDMA_DEVICES: readonly string[] = [];
const RESOURCES = ['hca_handle', 'hca_object'] as const;

export interface RdmaState {
  limits: Map<string, Record<(typeof RESOURCES)[number], number | 'max'>>;
}

/** parse_resource(): `name=N` (N >= 0) or `name=max` (any prefix of max). */
function parseLimits(options: string | undefined): void {
  if (options === undefined) return;
  for (const tok of options.split(' ')) {
    const eq = tok.indexOf('=');
    if (eq < 0) throw einval(`expected name=value, got '${tok}'`);
    const name = tok.slice(0, eq);
    const value = tok.slice(eq + 1);
    if (!(RESOURCES as readonly string[]).includes(name)) throw einval(`unknown resource '${name}'`);
    let n: number | undefined;
    try {
      n = parseInt32(value, { base: 10, strip: false });
    } catch {
      n = undefined;
    }
    if (n !== undefined && n < 0) throw einval('limits are >= 0');
    if (n === undefined && !'max'.startsWith(value)) throw einval(`bad limit '${value}'`);
  }
}

export const rdma = defineController<RdmaState>({
  name: 'rdma',
  versions: [1, 2],
  threaded: false,
  depth: 'bookkeeping',
  summary: 'RDMA handle/object limits per device',
  create: () => ({ limits: new Map() }),
  files: [
    defineFile<RdmaState, { dev: string; options: string | undefined }>({
      name: 'rdma.max',
      versions: [1, 2],
      where: 'nonRoot',
      read: () => '',
      parse: (t) => {
        const s = strstrip(t);
        const sp = s.indexOf(' ');
        const r = sp < 0 ? { dev: s, options: undefined } : { dev: s.slice(0, sp), options: s.slice(sp + 1) };
        parseLimits(r.options);
        return r;
      },
      validate: (_css, v) => {
        if (!RDMA_DEVICES.includes(v.dev)) throw new CgroupError('ENODEV', 'write', undefined, `no RDMA device ${v.dev}`);
      },
      apply: () => undefined,
    }),
    defineFile<RdmaState, never>({ name: 'rdma.current', versions: [1, 2], where: 'nonRoot', read: () => '' }),
  ],
});
