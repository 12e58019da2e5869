import { defineFile, type FileWhere, type HierVersion, type IfaceFile } from '../controller.js';
import { CgroupError } from '../errors.js';
import { parseWriteU64, U64_MAX } from '../format/int.js';
import { scanU64, simpleStrtoull } from '../format/scan.js';
import { strstrip } from '../format/text.js';
import {
  checkDev, countersOf, type DevWrite, ensureBlkg, type IoCounters, type IoCss, type IoState, noLimits, splitDev, type ThrottleLimits,
  UINT_MAX,
} from './io-state.js';
import { einval, erange } from './refuse.js';

/**
 * cgroup v1 blkio files as a 6.18 host with BFQ built in lists them. The
 * throttle files share the limits of v2 io.max (0 removes a limit; an IOPS
 * value is truncated to 32 bits as the kernel stores it).
 */

export const BFQ_MIN_WEIGHT = 1;
export const BFQ_MAX_WEIGHT = 1000;

function checkBfqWeight(v: bigint): number {
  if (v < BigInt(BFQ_MIN_WEIGHT) || v > BigInt(BFQ_MAX_WEIGHT)) throw erange('BFQ weight is 1..1000');
  return Number(v);
}

type BfqWrite = { dflt: bigint } | DevWrite;

/** bfq_io_set_weight(): `N`, `default N`, or `MAJ:MIN N|default` (the devices here do not run BFQ: EOPNOTSUPP). */
export function bfqWeightDeviceFile(name: string, versions: readonly HierVersion[], where: FileWhere): IfaceFile<IoState> {
  return defineFile<IoState, BfqWrite>({
    name,
    versions,
    where,
    read: (css) => `default ${css.state.bfqWeight}\n`,
    parse: (t) => {
      const s = strstrip(t);
      const n = simpleStrtoull(s, 0);
      if (n.rest === '' ) return { dflt: n.value };
      const d = /^default/.test(s) ? scanU64(s.slice(7)) : undefined;
      if (d) return { dflt: d.value };
      return splitDev(s);
    },
    validate: (_css, w, k) => {
      if ('dflt' in w) {
        checkBfqWeight(w.dflt);
        return;
      }
      checkDev(w.dev, k);
      throw new CgroupError('ENOTSUP', 'write', undefined, `BFQ is not the scheduler of ${w.dev}`);
    },
    apply: (css, w) => {
      if ('dflt' in w) css.state.bfqWeight = checkBfqWeight(w.dflt);
    },
  });
}

type LimitKey = keyof ThrottleLimits;

/** blkio.throttle.{read,write}_{bps,iops}_device. */
function throttleFile(name: string, key: LimitKey): IfaceFile<IoState> {
  const iops = key === 'riops' || key === 'wiops';
  return defineFile<IoState, DevWrite>({
    name,
    versions: [1],
    read: (css) => css.state.blkgs.map((d) => {
      const v = css.state.limits.get(d)?.[key];
      if (v === undefined || v === (iops ? UINT_MAX : U64_MAX)) return '';
      return `${d} ${v}\n`;
    }).join(''),
    parse: (t) => splitDev(t),
    validate: (_css, w, k) => {
      checkDev(w.dev, k);
      if (!scanU64(w.body)) throw einval('expected a number');
    },
    apply: (css, w) => {
      ensureBlkg(css, w.dev);
      let v = scanU64(w.body)!.value;
      if (v === 0n) v = U64_MAX;
      const l = { ...(css.state.limits.get(w.dev) ?? noLimits()) };
      if (iops) (l as Record<LimitKey, bigint | number>)[key] = Number(v & 0xffffffffn);
      else (l as Record<LimitKey, bigint | number>)[key] = v;
      css.state.limits.set(w.dev, l);
    },
  });
}

const ROWS: [string, (c: IoCounters, bytes: boolean) => bigint][] = [
  ['Read', (c, b) => (b ? c.rbytes : c.rios)],
  ['Write', (c, b) => (b ? c.wbytes : c.wios)],
  ['Sync', (c, b) => (b ? c.syncBytes : c.syncIos)],
  ['Async', (c, b) => (b ? c.asyncBytes : c.asyncIos)],
  ['Discard', (c, b) => (b ? c.dbytes : c.dios)],
];

/** blkg_rwstat output: five rows and a Total per device, then the grand Total. */
function rwstat(css: IoCss, bytes: boolean, recursive: boolean): string {
  let out = '';
  let total = 0n;
  for (const dev of css.state.blkgs) {
    const c = countersOf(css, dev, recursive);
    for (const [label, f] of ROWS) out += `${dev} ${label} ${f(c, bytes)}\n`;
    const t = bytes ? c.rbytes + c.wbytes + c.dbytes : c.rios + c.wios + c.dios;
    out += `${dev} Total ${t}\n`;
    total += t;
  }
  return `${out}Total ${total}\n`;
}

const statFile = (name: string, read: (css: IoCss) => string): IfaceFile<IoState> =>
  defineFile<IoState, never>({ name, versions: [1], read });

export const ioV1Files: IfaceFile<IoState>[] = [
  statFile('blkio.bfq.io_service_bytes', () => 'Total 0\n'),
  statFile('blkio.bfq.io_service_bytes_recursive', () => 'Total 0\n'),
  statFile('blkio.bfq.io_serviced', () => 'Total 0\n'),
  statFile('blkio.bfq.io_serviced_recursive', () => 'Total 0\n'),
  defineFile<IoState, number>({
    name: 'blkio.bfq.weight',
    versions: [1],
    where: 'nonRoot',
    read: (css) => `${css.state.bfqWeight}\n`,
    parse: (t) => checkBfqWeight(parseWriteU64(t)),
    apply: (css, v) => {
      css.state.bfqWeight = v;
    },
  }),
  bfqWeightDeviceFile('blkio.bfq.weight_device', [1], 'nonRoot'),
  defineFile<IoState, bigint>({
    name: 'blkio.reset_stats',
    versions: [1],
    parse: (t) => parseWriteU64(t),
    apply: (css) => {
      css.state.stats.clear();
    },
  }),
  statFile('blkio.throttle.io_service_bytes', (css) => rwstat(css, true, false)),
  statFile('blkio.throttle.io_service_bytes_recursive', (css) => rwstat(css, true, true)),
  statFile('blkio.throttle.io_serviced', (css) => rwstat(css, false, false)),
  statFile('blkio.throttle.io_serviced_recursive', (css) => rwstat(css, false, true)),
  throttleFile('blkio.throttle.read_bps_device', 'rbps'),
  throttleFile('blkio.throttle.read_iops_device', 'riops'),
  throttleFile('blkio.throttle.write_bps_device', 'wbps'),
  throttleFile('blkio.throttle.write_iops_device', 'wiops'),
];
