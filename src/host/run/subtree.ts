/**
 * The private subtree of one host run: a group
 * `cgkit-run-<pid>-<starttime>-<hex>` at the root of each hierarchy the run
 * uses, of the cpuset hierarchy and of the v2 hierarchy (whose `cgroup.kill`
 * ends every process of the run at once). `<pid>` and `<starttime>` (field
 * 22 of `/proc/<pid>/stat`) name the run's own process: the leftover sweep
 * (sweep.ts) removes the subtrees of runs that are no longer alive, and a
 * later process that got the same pid has another start time. Each top
 * holds two groups:
 *
 * - `run`, the scenario's root group (runScenario's `base` is
 *   `/cgkit-run-…/run`), confined by its cpuset to the scenario's CPUs;
 * - `stage`, where workers start and load before they are moved into their
 *   scenario group, so that their start-up is neither charged to the
 *   scenario's groups nor, where the host has CPUs beyond the scenario's
 *   (its cpuset gets those), run on the scenario's CPUs.
 *
 * The top group in the cpu hierarchy is given a high weight (`cpu.shares`
 * 10240 on v1, `cpu.weight` 10000 on v2): it only competes with what else
 * runs on the host, and the high weight keeps outside load from skewing the
 * shares measured inside (the weights inside the run are not changed by it).
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { CgroupError } from '../../core/errors.js';
import { formatCpuList } from '../../core/format/cpulist.js';
import type { CgroupFs } from '../../core/fs.js';
import type { LayoutSpec, MountSpec } from '../../core/layout.js';
import { mountOfController } from '../../core/mounts.js';
import { ownedName, startTicksOf } from '../proc-stat.js';
import { removeTree } from '../scratch.js';

/** Prefix of a run's top groups. */
export const RUN_PREFIX = 'cgkit-run';

/**
 * A run's top group name: `cgkit-run-<pid>-<starttime>-<hex>`, or the
 * older `cgkit-run-<pid>-<hex>` (still recognised by the sweep, which then
 * goes by the pid alone). Groups: pid, start time (or undefined), hex.
 */
export const RUN_NAME = /^cgkit-run-(\d+)-(?:(\d+)-)?([0-9a-f]+)$/;

/** A fresh name for a run of the process `pid` (this one by default). */
export function runName(pid = process.pid): string {
  return ownedName(RUN_PREFIX, randomBytes(4).toString('hex'), { pid, startTicks: startTicksOf(pid) });
}

/**
 * Ten times the default weight: a busy task elsewhere on the host takes
 * about a tenth of a CPU from the run instead of half. Higher is worse:
 * cgkit itself, which reads the counters, would then wait seconds for a CPU.
 */
export const SHIELD_SHARES = 10240;
export const SHIELD_WEIGHT = 10000;

export interface SubtreeOptions {
  fs: CgroupFs;
  layout: LayoutSpec;
  /** Mount points of the hierarchies the scenario's groups are made in. */
  mountPoints: readonly string[];
  /** Host CPUs the run may use (cpuset.cpus of the cpuset top). */
  hostCpus: readonly number[];
  /** Give the cpu top its high weight (default true). */
  shield?: boolean;
  /** v2 controllers the scenario's groups need (enabled in the top, with cpu and cpuset where the host offers them). */
  v2Controllers?: readonly string[];
  /** Host CPUs that workers may start on (default: the others this process may use, else `hostCpus`). */
  stageCpus?: readonly number[];
  name?: string;
}

export class RunSubtree {
  /** Top groups made, in order (one per hierarchy). */
  readonly tops: string[] = [];
  /** The cpuset top, when the host has a cpuset hierarchy that could be set up. */
  cpusetTop: string | undefined;
  /** The v2 top, when the host has a v2 hierarchy. */
  v2Top: string | undefined;
  /** `cgroup.kill` exists in the v2 top. */
  canKill = false;

  private constructor(private readonly fs: CgroupFs, readonly name: string, readonly cpuMount: MountSpec) {}

  /** `/cgkit-run-…/run`: the scenario root inside each hierarchy (runScenario's `base`). */
  get base(): string {
    return `/${this.name}/run`;
  }

  get cpuTop(): string {
    return posix.join(this.cpuMount.mountPoint, this.name);
  }

  /** The scenario root in the cpu hierarchy. */
  get cpuRun(): string {
    return `${this.cpuTop}/run`;
  }

  /** Make the tops (and set up the cpuset and the shield); on failure remove what was made and throw. */
  static async make(o: SubtreeOptions): Promise<RunSubtree> {
    const cpu = mountOfController(o.layout, 'cpu');
    if (!cpu) throw new CgroupError('ENOENT', 'mkdir', undefined, 'no hierarchy carries the cpu controller');
    const t = new RunSubtree(o.fs, o.name ?? runName(), cpu);
    try {
      await t.setUp(o);
    } catch (e) {
      const left = await t.remove();
      if (left.length > 0) throw new AggregateError([e, ...left], `setting up ${t.name} failed, and so did removing it`, { cause: e });
      throw e;
    }
    return t;
  }

  private async mkTop(mountPoint: string): Promise<string> {
    const dir = posix.join(mountPoint, this.name);
    if (this.tops.includes(dir)) return dir;
    await this.fs.mkdir(dir);
    this.tops.push(dir);
    return dir;
  }

  private async setUp(o: SubtreeOptions): Promise<void> {
    const fs = this.fs;
    const cpuTop = await this.mkTop(this.cpuMount.mountPoint);
    for (const mp of o.mountPoints) await this.mkTop(mp);
    const cpuset = mountOfController(o.layout, 'cpuset');
    if (cpuset?.version === 1) this.cpusetTop = await this.mkTop(cpuset.mountPoint);
    const v2 = o.layout.mounts.find((m) => m.version === 2);
    if (v2) {
      this.v2Top = await this.mkTop(v2.mountPoint);
      this.canKill = (await fs.readdir(this.v2Top)).includes('cgroup.kill');
      const offered = (await fs.readFile(`${this.v2Top}/cgroup.controllers`)).split(/\s+/).filter((c) => c !== '');
      const want = ['cpu', 'cpuset', ...(o.v2Controllers ?? [])].filter((c, i, a) => offered.includes(c) && a.indexOf(c) === i);
      if (want.length > 0) await fs.writeFile(`${this.v2Top}/cgroup.subtree_control`, want.map((c) => `+${c}`).join(' '));
      if (cpuset === v2 && offered.includes('cpuset')) this.cpusetTop = this.v2Top;
    }
    const runCpus = formatCpuList(o.hostCpus);
    const others = (o.stageCpus ?? []).filter((c) => !o.hostCpus.includes(c));
    const stageCpus = formatCpuList(others.length > 0 ? others : o.hostCpus);
    for (const top of this.tops) {
      for (const sub of ['run', 'stage']) await fs.mkdir(`${top}/${sub}`);
      if (top !== this.cpusetTop) continue;
      if (cpuset?.version === 1) {
        // A v1 cpuset starts empty: copy the parent's memory nodes, then give it CPUs.
        const mems = (await fs.readFile(`${cpuset.mountPoint}/cpuset.mems`)).trim();
        await fs.writeFile(`${top}/cpuset.mems`, mems);
        await fs.writeFile(`${top}/cpuset.cpus`, formatCpuList([...o.hostCpus, ...others]));
        for (const sub of ['run', 'stage']) await fs.writeFile(`${top}/${sub}/cpuset.mems`, mems);
      } else {
        await fs.writeFile(`${top}/cpuset.cpus`, formatCpuList([...o.hostCpus, ...others]));
      }
      await fs.writeFile(`${top}/run/cpuset.cpus`, runCpus);
      await fs.writeFile(`${top}/stage/cpuset.cpus`, stageCpus);
    }
    if (o.shield !== false) {
      await fs.writeFile(`${cpuTop}/${this.cpuMount.version === 1 ? 'cpu.shares' : 'cpu.weight'}`, String(this.cpuMount.version === 1 ? SHIELD_SHARES : SHIELD_WEIGHT));
    }
  }

  /** The top group in the hierarchy mounted at `mountPoint`, if the run made one there. */
  topIn(mountPoint: string): string | undefined {
    const dir = posix.join(mountPoint, this.name);
    return this.tops.includes(dir) ? dir : undefined;
  }

  /** Every group of the subtree (tops and all below), parents first. */
  async groups(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let ents;
      try {
        ents = await this.fs.readdirEntries(dir);
      } catch (e) {
        if (e instanceof CgroupError && e.code === 'ENOENT') return;
        throw e;
      }
      out.push(dir);
      for (const e of ents) if (e.isDirectory) await walk(posix.join(dir, e.name));
    };
    for (const t of this.tops) await walk(t);
    return out;
  }

  /** Pids in any group of the subtree. */
  async pids(): Promise<number[]> {
    return pidsIn(this.fs, await this.groups());
  }

  /** Remove every group, deepest first; the failures (empty when all went). */
  async remove(): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const dir of [...this.tops].reverse()) {
      try {
        await removeTree(this.fs, dir);
        this.tops.splice(this.tops.indexOf(dir), 1);
      } catch (e) {
        errors.push(e);
      }
    }
    return errors;
  }
}

/** Pids listed in the `cgroup.procs` of each group (groups already gone are skipped). */
export async function pidsIn(fs: CgroupFs, groups: readonly string[]): Promise<number[]> {
  const out = new Set<number>();
  for (const g of groups) {
    let text: string;
    try {
      text = await fs.readFile(`${g}/cgroup.procs`);
    } catch (e) {
      if (e instanceof CgroupError && e.code === 'ENOENT') continue;
      throw e;
    }
    for (const w of text.split('\n')) if (/^\d+$/.test(w)) out.add(Number(w));
  }
  return [...out];
}
