import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { CgroupError, isErrnoLike, toCgroupError } from '../core/errors.js';
import type { CgroupFs } from '../core/fs.js';
import type { LayoutSpec, MountSpec } from '../core/layout.js';
import { parseWords } from '../core/format/lists.js';
import { ownedName } from './proc-stat.js';

/** Prefix of a feature probe group: `cgkit-probe-<pid>-<starttime>-<hex>` (see proc-stat.ts `ownedName`; the run sweep removes leftovers). */
export const PROBE_PREFIX = 'cgkit-probe';

/**
 * Which optional v2 interface files the running kernel offers. Looked up in
 * a non-root v2 cgroup, because `cgroup.kill`, `cgroup.freeze` and
 * `cgroup.events` never exist on a root.
 */
export interface V2Features {
  /** `cgroup.kill` (Linux 5.14). */
  kill: boolean;
  /** `cgroup.freeze` (Linux 5.2). */
  freeze: boolean;
  /** `cgroup.pressure`, the per-cgroup PSI switch (Linux 6.5). */
  pressureSwitch: boolean;
  /** `cgroup.stat.local` (`frozen_usec`). */
  statLocal: boolean;
  /** PSI files (`<resource>.pressure`). */
  psi: { cpu: boolean; memory: boolean; io: boolean; irq: boolean };
}

/** Read the feature set from the file names of `group`, a non-root v2 cgroup the caller owns. */
export async function detectV2Features(fs: CgroupFs, group: string): Promise<V2Features> {
  const names = new Set(await fs.readdir(group));
  return {
    kill: names.has('cgroup.kill'),
    freeze: names.has('cgroup.freeze'),
    pressureSwitch: names.has('cgroup.pressure'),
    statLocal: names.has('cgroup.stat.local'),
    psi: {
      cpu: names.has('cpu.pressure'),
      memory: names.has('memory.pressure'),
      io: names.has('io.pressure'),
      irq: names.has('irq.pressure'),
    },
  };
}

export interface KernelCgroupInfo {
  /** `/sys/kernel/cgroup/features`: mount options and behaviours v2 supports (`nsdelegate`, `memory_recursiveprot`). */
  features: string[];
  /** `/sys/kernel/cgroup/delegate`: files a delegatee may be given. */
  delegate: string[];
}

async function wordsOf(path: string): Promise<string[]> {
  try {
    return parseWords(await readFile(path, 'utf8'));
  } catch (e) {
    if (isErrnoLike(e) && e.code === 'ENOENT') return [];
    throw toCgroupError(e, 'open', path);
  }
}

/** What `/sys/kernel/cgroup` says about v2 (empty lists on kernels without it). */
export async function kernelCgroupInfo(root = '/'): Promise<KernelCgroupInfo> {
  const at = (p: string): string => posix.join(root, p);
  return {
    features: await wordsOf(at('/sys/kernel/cgroup/features')),
    delegate: await wordsOf(at('/sys/kernel/cgroup/delegate')),
  };
}

/** Does this process run with effective uid 0? */
export function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

/**
 * May this process create and change entries in `dir` (write and search
 * permission, filesystem not read-only)? A missing `dir` is `false`.
 */
export async function canWrite(dir: string, root = '/'): Promise<boolean> {
  const p = posix.join(root, dir);
  try {
    await access(p, constants.W_OK | constants.X_OK);
    return true;
  } catch (e) {
    if (isErrnoLike(e) && ['EACCES', 'EPERM', 'EROFS', 'ENOENT', 'ENOTDIR'].includes(e.code)) return false;
    throw toCgroupError(e, 'open', dir);
  }
}

/**
 * One optional kernel feature: seen or not, and where (or why it could not
 * be told, or that it was not looked at yet; then `present` is false).
 */
export interface FeatureFinding {
  present: boolean;
  how: string;
}

export interface FeatureFindings {
  /** v2 `cgroup.kill`. */
  cgroupKill: FeatureFinding;
  /** v2 `cgroup.freeze`. */
  cgroupFreeze: FeatureFinding;
  /** v2 `cgroup.events`. */
  cgroupEvents: FeatureFinding;
  /** Per-cgroup PSI files (`cpu.pressure`, `memory.pressure`, `io.pressure`). */
  psi: FeatureFinding;
  /** CFS bandwidth control: v1 `cpu.cfs_quota_us` or v2 `cpu.max`. */
  cpuBandwidth: FeatureFinding;
}

export interface FindFeaturesOptions {
  /**
   * A v2 directory this process may create groups in (see `writeAccess`).
   * When no non-root v2 group exists to look in, a probe group
   * `cgkit-probe-<pid>-<starttime>-<hex>` is made there, read and removed
   * at once; without it, features only non-root groups show are reported
   * absent, with why.
   */
  probeParent?: string | undefined;
  /** Name of the probe group (default `cgkit-probe-<pid>-<starttime>-<12 hex digits>`). */
  probeName?: string;
  /** Why there is no `probeParent` (for the report). */
  noProbeWhy?: string;
  /**
   * No probe now, but one may be made later (`HostKernel.probe()`): the
   * features only non-root groups show are reported as not looked at yet.
   */
  deferProbe?: boolean;
}

/** What `findFeatures` found, and whether the v2-only features were looked at (`false`: not yet, a probe may tell). */
export interface FeatureSearch {
  findings: FeatureFindings;
  /** A non-root v2 group was looked in (or there is no v2 hierarchy, so there is nothing to look for). */
  looked: boolean;
}

/** A non-root v2 group looked in: its file names, and whether the cpu controller is on in it. */
interface Sample {
  dir: string;
  names: Set<string>;
  cpu: boolean;
  probe: boolean;
}

const PSI_FILES = ['cpu.pressure', 'memory.pressure', 'io.pressure'];

async function wordsIn(fs: CgroupFs, file: string): Promise<string[]> {
  try {
    return parseWords(await fs.readFile(file));
  } catch (e) {
    if (e instanceof CgroupError && e.code === 'ENOENT') return [];
    throw e;
  }
}

async function sampleOf(fs: CgroupFs, dir: string, probe: boolean): Promise<Sample> {
  const names = new Set(await fs.readdir(dir));
  return { dir, names, cpu: (await wordsIn(fs, `${dir}/cgroup.controllers`)).includes('cpu'), probe };
}

/** How a finding not looked at yet starts. */
export const NOT_YET = 'not looked at yet';

/** An existing non-root v2 group, else the delegated parent, else a probe group made and removed at once. */
async function v2Sample(fs: CgroupFs, v2: MountSpec, opts: FindFeaturesOptions): Promise<Sample | string> {
  const children = (await fs.readdirEntries(v2.mountPoint)).filter((e) => e.isDirectory).map((e) => e.name).sort();
  for (const c of children) {
    try {
      return await sampleOf(fs, `${v2.mountPoint}/${c}`, false);
    } catch (e) {
      if (!(e instanceof CgroupError && e.code === 'ENOENT')) throw e; // removed meanwhile: try the next
    }
  }
  const parent = opts.probeParent;
  if (opts.deferProbe === true) return `${NOT_YET}: no non-root v2 group to look in, and no probe group was made (HostKernel.probe(), or \`cgkit host\`, makes one)`;
  if (parent === undefined) return `no non-root v2 group to look in, and no probe group may be made (${opts.noProbeWhy ?? `${v2.mountPoint} is not writable`})`;
  if (parent !== v2.mountPoint) return sampleOf(fs, parent, false);
  const probe = `${parent}/${opts.probeName ?? ownedName(PROBE_PREFIX, randomBytes(6).toString('hex'))}`;
  await fs.mkdir(probe);
  try {
    return await sampleOf(fs, probe, true);
  } finally {
    await fs.rmdir(probe);
  }
}

function whereOf(s: Sample): string {
  return s.probe ? `probe group ${s.dir} (removed)` : s.dir;
}

function seen(s: Sample, file: string): FeatureFinding {
  const where = whereOf(s);
  return s.names.has(file) ? { present: true, how: `${file} in ${where}` } : { present: false, how: `no ${file} in ${where}` };
}

async function psiFinding(fs: CgroupFs, layout: LayoutSpec, sample: Sample | undefined): Promise<FeatureFinding> {
  const places: { dir: string; names: Set<string> }[] = sample ? [{ dir: whereOf(sample), names: sample.names }] : [];
  for (const m of layout.mounts) places.push({ dir: m.mountPoint, names: new Set(await fs.readdir(m.mountPoint)) });
  for (const p of places) {
    const f = PSI_FILES.find((n) => p.names.has(n));
    if (f !== undefined) return { present: true, how: `${f} in ${p.dir}` };
  }
  return { present: false, how: `no ${PSI_FILES.join('/')} in ${places.map((p) => p.dir).join(', ')}` };
}

async function bandwidthFinding(fs: CgroupFs, layout: LayoutSpec, v2: MountSpec | undefined, sample: Sample | undefined): Promise<FeatureFinding> {
  const v1 = layout.mounts.find((m) => m.version === 1 && m.controllers.includes('cpu'));
  if (v1 !== undefined) {
    const has = (await fs.readdir(v1.mountPoint)).includes('cpu.cfs_quota_us');
    return { present: has, how: `${has ? '' : 'no '}cpu.cfs_quota_us in ${v1.mountPoint}` };
  }
  if (v2 === undefined || !(await wordsIn(fs, `${v2.mountPoint}/cgroup.controllers`)).includes('cpu')) {
    return { present: false, how: 'the cpu controller is not mounted' };
  }
  if (sample === undefined || !sample.cpu) return { present: false, how: 'unknown: the cpu controller is on in no non-root v2 group to look in' };
  return seen(sample, 'cpu.max');
}

/**
 * Find the optional features by looking at the files the kernel shows
 * (never assumed from the version). v2 files that exist only below the
 * root (`cgroup.kill`, `cgroup.freeze`, `cgroup.events`, `cpu.max`) are
 * looked up in an existing non-root group, or in a probe group (see
 * `FindFeaturesOptions.probeParent`).
 */
export async function findKernelFeatures(fs: CgroupFs, layout: LayoutSpec, opts: FindFeaturesOptions = {}): Promise<FeatureFindings> {
  return (await searchFeatures(fs, layout, opts)).findings;
}

/**
 * `findKernelFeatures`, also telling whether the v2-only features were
 * looked at. With `deferProbe` and no non-root v2 group, they were not:
 * their findings are `present: false` with a `how` starting "not looked
 * at yet", and a later search with a `probeParent` can tell.
 */
export async function searchFeatures(fs: CgroupFs, layout: LayoutSpec, opts: FindFeaturesOptions = {}): Promise<FeatureSearch> {
  const v2 = layout.mounts.find((m) => m.version === 2);
  const got = v2 === undefined ? 'no cgroup v2 hierarchy is mounted' : await v2Sample(fs, v2, opts);
  const sample = typeof got === 'string' ? undefined : got;
  const unseen = (why: string): string => (v2 === undefined || why.startsWith(NOT_YET) ? why : `unknown: ${why}`);
  const v2Only = (file: string): FeatureFinding => (sample ? seen(sample, file) : { present: false, how: unseen(String(got)) });
  const findings: FeatureFindings = {
    cgroupKill: v2Only('cgroup.kill'),
    cgroupFreeze: v2Only('cgroup.freeze'),
    cgroupEvents: v2Only('cgroup.events'),
    psi: await psiFinding(fs, layout, sample),
    cpuBandwidth: await bandwidthFinding(fs, layout, v2, sample),
  };
  return { findings, looked: !(v2 !== undefined && sample === undefined && opts.deferProbe === true) };
}
