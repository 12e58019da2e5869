import { defineController, defineFile, type IfaceFile } from '../controller.js';
import { U64_MAX } from '../format/int.js';
import { scanU32, scanU64 } from '../format/scan.js';
import { strstrip } from '../format/text.js';
import {
  checkDev, countersOf, type DevWrite, ensureBlkg, type IoState, newIoState, noLimits, splitDev, type ThrottleLimits, UINT_MAX,
} from './io-state.js';
import { bfqWeightDeviceFile, ioV1Files } from './io-v1.js';
import { einval, erange } from './refuse.js';

/**
 * io (`blkio` on v1; block/blk-cgroup.c, blk-throttle.c, blk-iocost.c,
 * blk-iolatency.c, blk-ioprio.c). The simulated machine's block devices
 * come from KernelServices; they accept iocost weights (as if io.cost.qos
 * enabled iocost on each) but do not run BFQ, so per-device BFQ weights are
 * EOPNOTSUPP as on a host whose disks use mq-deadline.
 */

const PRIO_CLASSES = ['no-change', 'promote-to-rt', 'restrict-to-be', 'idle', 'none-to-rt'] as const;

/** io.weight: `[default] N` or `MAJ:MIN N|default`. */
type WeightWrite = { dflt: number } | DevWrite;

function parseWeightDefault(text: string): { dflt: number } | undefined {
  if (text.includes(':')) return undefined;
  const d = /^default/.test(text) ? scanU32(text.slice(7)) : undefined;
  const v = d ?? scanU32(text);
  if (!v) throw einval('io.weight takes "default N", "N" or "MAJ:MIN N"');
  if (v.value < 1 || v.value > 10000) throw einval('io.weight is 1..10000');
  return { dflt: v.value };
}

function deviceWeight(body: string): number {
  if (body.startsWith('default')) return 0;
  const v = scanU32(body);
  if (!v || v.value < 1 || v.value > 10000) throw einval('io.weight is 1..10000 or default');
  return v.value;
}

/** io.max body: `rbps=N wbps=max riops=N wiops=N`, any subset. */
function parseIoMax(body: string, cur: ThrottleLimits): ThrottleLimits {
  const out = { ...cur };
  for (const tok of body.split(/\s+/).filter((t) => t !== '')) {
    const eq = tok.indexOf('=');
    if (eq < 0) throw einval(`expected key=value, got '${tok}'`);
    const key = tok.slice(0, eq);
    const raw = tok.slice(eq + 1);
    const n = scanU64(raw);
    if (!n && raw !== 'max') throw einval(`bad value '${raw}'`);
    const val = n ? n.value : U64_MAX;
    if (val === 0n) throw erange('io.max values must be positive');
    if (key === 'rbps') out.rbps = val;
    else if (key === 'wbps') out.wbps = val;
    else if (key === 'riops') out.riops = Number(val > BigInt(UINT_MAX) ? BigInt(UINT_MAX) : val);
    else if (key === 'wiops') out.wiops = Number(val > BigInt(UINT_MAX) ? BigInt(UINT_MAX) : val);
    else throw einval(`unknown key '${key}'`);
  }
  return out;
}

/** io.latency body: `target=<µs>|max`; 0 (or max) removes the target. */
function parseLatency(body: string): bigint {
  let target: bigint | undefined;
  for (const tok of body.split(' ')) {
    const m = /^([^=]{1,15})=(\S{1,20})/.exec(tok);
    if (!m || m[1] !== 'target') throw einval('io.latency takes target=<usec>');
    const v = m[2] === 'max' ? 0n : scanU64(m[2]!)?.value;
    if (v === undefined) throw einval('io.latency target is a number of usec or max');
    target = v;
  }
  if (target === undefined) throw einval('io.latency takes target=<usec>');
  return target;
}

const fmtMax = (v: bigint | number, max: bigint | number): string => (v === max ? 'max' : `${v}`);

const devFile = <V>(name: string, opts: {
  feature?: string;
  read: (s: IoState) => string;
  body: (b: string, s: IoState, dev: string) => V;
  set: (s: IoState, dev: string, v: V) => void;
}): IfaceFile<IoState> =>
  defineFile<IoState, DevWrite>({
    name,
    versions: [2],
    where: 'nonRoot',
    ...(opts.feature ? { feature: opts.feature } : {}),
    read: (css) => opts.read(css.state),
    parse: (t) => splitDev(t),
    validate: (css, w, k) => {
      checkDev(w.dev, k);
      opts.body(w.body, css.state, w.dev);
    },
    apply: (css, w) => {
      ensureBlkg(css, w.dev);
      opts.set(css.state, w.dev, opts.body(w.body, css.state, w.dev));
    },
  });

function ioStat(css: Parameters<NonNullable<IfaceFile<IoState>['read']>>[0]): string {
  return css.state.blkgs.map((dev) => {
    const c = countersOf(css, dev, true);
    const has = c.rbytes || c.wbytes || c.rios || c.wios;
    return has ? `${dev} rbytes=${c.rbytes} wbytes=${c.wbytes} rios=${c.rios} wios=${c.wios} dbytes=${c.dbytes} dios=${c.dios}\n` : `${dev} \n`;
  }).join('');
}

const v2Files: IfaceFile<IoState>[] = [
  defineFile<IoState, never>({ name: 'io.stat', versions: [2], read: (css) => ioStat(css) }),
  defineFile<IoState, WeightWrite>({
    name: 'io.weight',
    versions: [2],
    where: 'nonRoot',
    read: (css) => `default ${css.state.weight}\n` +
      css.state.blkgs.filter((d) => css.state.weights.has(d)).map((d) => `${d} ${css.state.weights.get(d)}\n`).join(''),
    parse: (t) => parseWeightDefault(t) ?? splitDev(t),
    validate: (_css, w, k) => {
      if ('dev' in w) {
        checkDev(w.dev, k);
        deviceWeight(w.body);
      }
    },
    apply: (css, w) => {
      if (!('dev' in w)) {
        css.state.weight = w.dflt;
        return;
      }
      ensureBlkg(css, w.dev);
      const v = deviceWeight(w.body);
      if (v === 0) css.state.weights.delete(w.dev);
      else css.state.weights.set(w.dev, v);
    },
  }),
  devFile<ThrottleLimits>('io.max', {
    read: (s) => s.blkgs.filter((d) => s.limits.has(d)).map((d) => {
      const l = s.limits.get(d)!;
      if (l.rbps === U64_MAX && l.wbps === U64_MAX && l.riops === UINT_MAX && l.wiops === UINT_MAX) return '';
      return `${d} rbps=${fmtMax(l.rbps, U64_MAX)} wbps=${fmtMax(l.wbps, U64_MAX)} riops=${fmtMax(l.riops, UINT_MAX)} wiops=${fmtMax(l.wiops, UINT_MAX)}\n`;
    }).join(''),
    body: (b, s, dev) => parseIoMax(b, s.limits.get(dev) ?? noLimits()),
    set: (s, dev, v) => s.limits.set(dev, v),
  }),
  devFile<bigint>('io.latency', {
    feature: 'iolatency',
    read: (s) => s.blkgs.filter((d) => s.latency.has(d)).map((d) => `${d} target=${s.latency.get(d)}\n`).join(''),
    body: (b) => parseLatency(b),
    set: (s, dev, v) => {
      if (v === 0n) s.latency.delete(dev);
      else s.latency.set(dev, v);
    },
  }),
  defineFile<IoState, string>({
    name: 'io.prio.class',
    versions: [2],
    where: 'nonRoot',
    feature: 'ioprio',
    read: (css) => `${css.state.prioClass}\n`,
    parse: (t) => {
      const s = strstrip(t);
      if (!(PRIO_CLASSES as readonly string[]).includes(s)) throw einval(`io.prio.class is one of ${PRIO_CLASSES.join(', ')}`);
      return s;
    },
    apply: (css, v) => {
      css.state.prioClass = v;
    },
  }),
  bfqWeightDeviceFile('io.bfq.weight', [2], 'nonRoot'),
];

export const io = defineController<IoState>({
  name: 'io',
  legacyName: 'blkio',
  versions: [1, 2],
  threaded: false,
  depth: 'full',
  summary: 'Block IO: weights, bandwidth/IOPS limits, latency targets and per-device statistics',
  create: (parent, _cg, k) => newIoState(parent?.state ?? null, k),
  files: [...v2Files, ...ioV1Files],
});

export { ioAccount } from './io-state.js';
export type { IoState };
