/**
 * The host kernel behind `CgroupKernel`: the real cgroup filesystem
 * (`HostFs`), the layout found on this machine, the optional features found
 * by looking, real processes and real time. `HostKernel.open()` is where a
 * front end that chose the host starts; `describe()` says what the host
 * offers and what this process may do there.
 *
 * Opening changes nothing on the host. Some v2 files (`cgroup.kill`,
 * `cgroup.freeze`, `cgroup.events`) exist only below the root, so when no
 * non-root v2 group exists to look in, those features stay "not looked at
 * yet" until `probe()` (which `describe()` calls) makes a probe group,
 * looks, and removes it. Nothing else needs them: the `Cgroup` API looks
 * for `cgroup.kill` and `cgroup.freeze` in each group's own directory.
 */
import { release } from 'node:os';
import { setTimeout as sleepMs } from 'node:timers/promises';
import type { CgroupKernel, ExecHandle, ExecOptions, KernelFeatures } from '../core/backend.js';
import { CgroupError, isErrnoLike } from '../core/errors.js';
import { parseWords } from '../core/format/lists.js';
import type { LayoutKind } from '../core/layout.js';
import { execInGroups } from './exec.js';
import { kernelCgroupInfo, searchFeatures, type FeatureFindings, type FeatureSearch, type KernelCgroupInfo } from './features.js';
import { HostFs } from './hostfs.js';
import { detectHostLayout, type DetectOptions, type HostLayout, type HostMount } from './layout.js';
import { writeAccess, type WriteAccess } from './live.js';
import type { KnownController } from './proc-cgroups.js';
import { kernelNotifies } from './watch.js';

export interface HostKernelOptions {
  /** Prefix for every host path (default `/`): tests point it at a fake tree. See `HostFs`. */
  root?: string;
  /** Text of `/proc/self/mountinfo`; read (under `root`) when absent. */
  mountinfo?: string;
  /** Text of `/proc/cgroups`; read when absent. */
  procCgroups?: string;
  /** Text of `/proc/self/cgroup`; read when absent. */
  procSelfCgroup?: string;
  /**
   * May `open` create a probe group `cgkit-probe-<pid>-<starttime>-<hex>`
   * (removed at once) when no non-root v2 group exists to look for
   * features in? Default false: those features are then not looked at
   * until `probe()`. A probe group is only ever made where this process
   * may write.
   */
  probe?: boolean;
}

/** One mounted hierarchy, as `describe()` reports it. */
export interface HierarchyReport {
  version: 1 | 2;
  mountPoint: string;
  /** v1: the controllers bound to it. v2: what its root's `cgroup.controllers` offers. */
  controllers: string[];
  /** v1 `name=` (`systemd`), or `null`. */
  name: string | null;
  /** As `/proc/<pid>/cgroup` shows it (v2 is 0), or `null` when unknown. */
  hierarchyId: number | null;
  /** Other paths showing the same hierarchy. */
  aliases: string[];
  /** The directory of the hierarchy the mount shows (`/` unless part of it is bind-mounted). */
  root: string;
  /** Whether, and where, this process may create and change groups. */
  access: WriteAccess;
}

export interface HostReport {
  kind: LayoutKind;
  /** `/proc/sys/kernel/osrelease`, or `null` when it cannot be read. */
  kernelRelease: string | null;
  /** Effective uid of this process. */
  euid: number;
  hierarchies: HierarchyReport[];
  /** Controllers of `/proc/cgroups` (empty when absent). */
  known: KnownController[];
  /** Each optional feature, seen or not, and where. */
  features: FeatureFindings;
  /** `/sys/kernel/cgroup/{features,delegate}`. */
  cgroupInfo: KernelCgroupInfo;
}

export class HostKernel implements CgroupKernel {
  readonly kind = 'host' as const;
  private findings: FeatureFindings;
  private looked: boolean;
  private probing: Promise<KernelFeatures> | undefined;

  private constructor(readonly fs: HostFs, readonly layout: HostLayout, search: FeatureSearch) {
    this.findings = search.findings;
    this.looked = search.looked;
  }

  /**
   * The optional features as found so far. `cgroupKill` and `cgroupFreeze`
   * false may mean "not looked at yet" while `featuresKnown` is false;
   * `probe()` finds out.
   */
  get features(): KernelFeatures {
    const f = this.findings;
    return { cgroupKill: f.cgroupKill.present, cgroupFreeze: f.cgroupFreeze.present, psi: f.psi.present, cpuBandwidth: f.cpuBandwidth.present };
  }

  /** Were all features looked at (false: `open` found no non-root v2 group, and nothing probed yet)? */
  get featuresKnown(): boolean {
    return this.looked;
  }

  /**
   * Find the features `open` could not see: when no non-root v2 group
   * existed, make a probe group in the v2 root (only where this process
   * may write), look, remove it. Once done (or when nothing was missing),
   * returns the features at once.
   */
  probe(): Promise<KernelFeatures> {
    if (this.looked) return Promise.resolve(this.features);
    this.probing ??= (async () => {
      const v2 = this.layout.mounts.find((m) => m.version === 2);
      const access = v2 === undefined ? undefined : await writeAccess(this.fs, v2);
      let search: FeatureSearch;
      try {
        search = await searchFeatures(this.fs, this.layout, { probeParent: access?.dir, noProbeWhy: access?.why ?? 'no v2 hierarchy' });
      } catch (e) {
        if (!(e instanceof CgroupError)) throw e;
        search = await searchFeatures(this.fs, this.layout, { noProbeWhy: `making one failed: ${e.message}` });
      }
      this.findings = search.findings;
      this.looked = true;
      return this.features;
    })().finally(() => { this.probing = undefined; });
    return this.probing;
  }

  /** Detect the layout and the features of the host (or of the tree under `opts.root`). */
  static async open(opts: HostKernelOptions = {}): Promise<HostKernel> {
    const detect: DetectOptions = {};
    if (opts.root !== undefined) detect.root = opts.root;
    if (opts.mountinfo !== undefined) detect.mountinfo = opts.mountinfo;
    if (opts.procCgroups !== undefined) detect.procCgroups = opts.procCgroups;
    if (opts.procSelfCgroup !== undefined) detect.procSelfCgroup = opts.procSelfCgroup;
    const layout = await detectHostLayout(detect);
    const fs = new HostFs(opts.root !== undefined ? { root: opts.root } : {});
    const k = new HostKernel(fs, layout, await searchFeatures(fs, layout, { deferProbe: true }));
    if (opts.probe === true) await k.probe();
    return k;
  }

  /** What the host offers and what this process may do there (probing first for features not looked at yet, see `probe()`). */
  async describe(): Promise<HostReport> {
    await this.probe();
    const hierarchies = await Promise.all(this.layout.mounts.map((m) => this.hierarchy(m)));
    return {
      kind: this.layout.kind,
      kernelRelease: await this.osRelease(),
      euid: process.geteuid?.() ?? -1,
      hierarchies,
      known: this.layout.known.map((k) => ({ ...k })),
      features: structuredClone(this.findings),
      cgroupInfo: await kernelCgroupInfo(this.fs.root),
    };
  }

  /**
   * Send `signal` to process `pid` (a positive pid only: never a process
   * group). ESRCH when it is gone, EPERM when it is not ours to signal,
   * EINVAL for a bad pid or signal.
   */
  signal(pid: number, signal: NodeJS.Signals | number): void {
    if (!Number.isSafeInteger(pid) || pid <= 0) throw new CgroupError('EINVAL', 'kill', undefined, `pid must be a positive integer, not ${pid}`);
    try {
      process.kill(pid, signal);
    } catch (e) {
      if (isErrnoLike(e) && (e.code === 'ESRCH' || e.code === 'EPERM' || e.code === 'EINVAL')) throw new CgroupError(e.code, 'kill', undefined, `pid ${pid}, signal ${signal}`);
      if (isErrnoLike(e) && e.code === 'ERR_UNKNOWN_SIGNAL') throw new CgroupError('EINVAL', 'kill', undefined, `unknown signal ${signal}`);
      throw e;
    }
  }

  /** Start a command whose first instruction runs in the groups (see `execInGroups`). */
  exec(opts: ExecOptions): Promise<ExecHandle> {
    return execInGroups(this.fs, opts);
  }

  /** Real time passes. */
  async sleep(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new CgroupError('EINVAL', 'clock_nanosleep', undefined, `bad duration ${ms} ms`);
    await sleepMs(ms);
  }

  /**
   * inotify on `path` when the kernel notifies changes of it (the v2
   * `*.events` files, see `kernelNotifies`); `undefined` for every other
   * file, which the caller polls. Throws like `HostFs.watch` (ENOENT when
   * the file is missing).
   */
  watch(path: string, onChange: () => void): (() => void) | undefined {
    if (!kernelNotifies(this.layout, path)) return undefined;
    return this.fs.watch(path, onChange);
  }

  private async hierarchy(m: HostMount): Promise<HierarchyReport> {
    const controllers = m.version === 2 ? await this.words(`${m.mountPoint}/cgroup.controllers`) : [...m.controllers];
    return {
      version: m.version,
      mountPoint: m.mountPoint,
      controllers,
      name: m.name ?? null,
      hierarchyId: m.hierarchyId ?? null,
      aliases: [...(m.aliases ?? [])],
      root: m.root,
      access: await writeAccess(this.fs, m),
    };
  }

  private async words(file: string): Promise<string[]> {
    try {
      return parseWords(await this.fs.readFile(file));
    } catch (e) {
      if (e instanceof CgroupError && e.code === 'ENOENT') return [];
      throw e;
    }
  }

  private async osRelease(): Promise<string | null> {
    try {
      return (await this.fs.readFile('/proc/sys/kernel/osrelease')).trim();
    } catch (e) {
      if (e instanceof CgroupError) return this.fs.root === '/' ? release() : null;
      throw e;
    }
  }
}
