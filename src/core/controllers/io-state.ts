import type { Css, KernelServices } from '../controller.js';
import { CgroupError } from '../errors.js';
import { U64_MAX } from '../format/int.js';
import { scanU32 } from '../format/scan.js';
import { isSpace } from '../format/text.js';
import { einval } from './refuse.js';

/**
 * State of the io controller (`blkio` on v1) and the `MAJ:MIN ...` write
 * syntax its per-device files share (blkg_conf_prep()). A group has a
 * "blkg" per device it has configured or done IO on; the root has one per
 * device. Per-device lines are printed in blkg order, newest first, as the
 * kernel's list walk does.
 */

export const UINT_MAX = 0xffffffff;

export interface IoCounters {
  rbytes: bigint; wbytes: bigint; dbytes: bigint;
  rios: bigint; wios: bigint; dios: bigint;
  syncBytes: bigint; asyncBytes: bigint; syncIos: bigint; asyncIos: bigint;
}

/** blk-throttle limits of one device (shared by v1 throttle files and v2 io.max). */
export interface ThrottleLimits {
  rbps: bigint;
  wbps: bigint;
  riops: number;
  wiops: number;
}

export interface IoState {
  /** Devices with a blkg in this group, newest first. */
  blkgs: string[];
  /** IO done by this group's own tasks, per device. */
  stats: Map<string, IoCounters>;
  /** iocost default weight and per-device weights (v2 io.weight). */
  weight: number;
  weights: Map<string, number>;
  /** BFQ default weight (v1 blkio.bfq.weight, v2 io.bfq.weight). */
  bfqWeight: number;
  limits: Map<string, ThrottleLimits>;
  /** io.latency targets in µs. */
  latency: Map<string, bigint>;
  prioClass: string;
}

export type IoCss = Css<IoState>;

export function newIoState(parent: IoState | null, k: KernelServices): IoState {
  return {
    blkgs: parent === null ? [...k.blockDevices] : [],
    stats: new Map(),
    weight: 100,
    weights: new Map(),
    bfqWeight: 100,
    limits: new Map(),
    latency: new Map(),
    prioClass: 'no-change',
  };
}

export function zeroCounters(): IoCounters {
  return { rbytes: 0n, wbytes: 0n, dbytes: 0n, rios: 0n, wios: 0n, dios: 0n, syncBytes: 0n, asyncBytes: 0n, syncIos: 0n, asyncIos: 0n };
}

export function noLimits(): ThrottleLimits {
  return { rbps: U64_MAX, wbps: U64_MAX, riops: UINT_MAX, wiops: UINT_MAX };
}

/** Make sure the group and its ancestors have a blkg for `dev` (blkg_lookup_create()). */
export function ensureBlkg(css: IoCss, dev: string): void {
  for (let c: IoCss | null = css; c; c = c.parent) if (!c.state.blkgs.includes(dev)) c.state.blkgs.unshift(dev);
}

/** A per-device write split into the device and the rest, before the device is looked up. */
export interface DevWrite {
  dev: string;
  body: string;
}

/**
 * `MAJ:MIN<space>rest` (sscanf "%u:%u", then at least one blank, skipped);
 * EINVAL when malformed. Measured on 6.18 blkio.throttle.read_bps_device:
 * `254: 0 5` and ` 254:0 5` are accepted, `254 :0 5` is not, and U+00A0 is
 * not a blank (`254:0\u00a05` is EINVAL).
 */
export function splitDev(text: string): DevWrite {
  const maj = scanU32(text);
  const min = maj?.rest[0] === ':' ? scanU32(maj.rest.slice(1)) : undefined;
  if (!maj || !min) throw einval('expected MAJ:MIN');
  if (!isSpace(min.rest[0])) throw einval('expected a space after MAJ:MIN');
  let i = 0;
  while (isSpace(min.rest[i])) i++;
  return { dev: `${maj.value}:${min.value}`, body: min.rest.slice(i) };
}

/** The device must exist (a whole disk of the machine): ENODEV otherwise. */
export function checkDev(dev: string, k: KernelServices): void {
  if (!k.blockDevices.includes(dev)) throw new CgroupError('ENODEV', 'write', undefined, `no block device ${dev}`);
}

/** Account IO done by a task of `css` (for the future IO model and tests). */
export function ioAccount(css: IoCss, dev: string, op: 'read' | 'write' | 'discard', bytes: bigint, sync: boolean): void {
  ensureBlkg(css, dev);
  const c = css.state.stats.get(dev) ?? zeroCounters();
  if (op === 'read') { c.rbytes += bytes; c.rios++; }
  else if (op === 'write') { c.wbytes += bytes; c.wios++; }
  else { c.dbytes += bytes; c.dios++; }
  if (sync) { c.syncBytes += bytes; c.syncIos++; }
  else { c.asyncBytes += bytes; c.asyncIos++; }
  css.state.stats.set(dev, c);
}

/** Counters of `dev` for the group alone or its whole subtree. */
export function countersOf(css: IoCss, dev: string, recursive: boolean): IoCounters {
  const out = zeroCounters();
  const add = (c: IoCss): void => {
    const s = c.state.stats.get(dev);
    if (s) for (const key of Object.keys(out) as (keyof IoCounters)[]) out[key] += s[key];
    if (recursive) for (const ch of c.children()) add(ch);
  };
  add(css);
  return out;
}
