/**
 * The `Cgroup` handle: one logical group over any kernel, simulated or
 * host, unified, hybrid or legacy. Callers name a path (`/jobs/build-42`)
 * and typed settings; the handle knows which hierarchies the group spans,
 * checks values against the controller tables before anything is written,
 * and keeps the kernel's errno on every failure.
 *
 * ```ts
 * const host = await HostKernel.open();
 * const g = await Cgroup.create(host, '/jobs/build-42', { settings: { 'cpu.weight': 200, 'memory.max': 512n << 20n } });
 * const run = await g.exec(['make', '-j4']);
 * console.log(await run.exited, (await g.stats()).cpu?.usageUsec);
 * await g.delete({ kill: true, parents: true }); // and /jobs, if this create made it
 * ```
 */
import type { CgroupKernel, ExecHandle, ExecOptions } from '../core/backend.js';
import { CgroupError } from '../core/errors.js';
import { parseProcCgroup } from '../core/format/proccgroup.js';
import { groupProcs, killGroup, procsDir, setFrozen, subtreeProcs } from './cgroup-control.js';
import { checkParents, descendantDirs, exists, makeDir, readPids, removeDirs, removeEmptyParents, undoMade, type MadeDirs } from './cgroup-tree.js';
import { watchEvents, type CgroupEventStream, type WatchEventsOptions } from './events.js';
import { DEFAULT_CONTROLLERS, placeGroup, type GroupDir, type GroupDirs } from './group-dirs.js';
import { planWrites, readSetting, writeSettings, type SettingKey, type Settings, type SettingTypes } from './settings.js';
import { SimKernel } from './sim-kernel.js';
import { simCgroupKernel } from './sim-backend.js';
import { readStats, type CgroupStats } from './stats.js';

/** A kernel the API runs over: a `SimKernel`, a `HostKernel`, or any other `CgroupKernel`. */
export type AnyKernel = CgroupKernel | SimKernel;

export function asCgroupKernel(k: AnyKernel): CgroupKernel {
  return k instanceof SimKernel ? simCgroupKernel(k) : k;
}

export interface GroupOptions {
  /** Controllers the group spans (v2 names). Default: cpu, cpuacct, cpuset, memory, pids, io, where mounted. */
  controllers?: readonly string[];
  /** open(): accept a group missing in some of the named controllers' hierarchies. */
  lenient?: boolean;
}

export interface CreateOptions extends GroupOptions {
  /** Written right after the directories are made; checked before the first mkdir. */
  settings?: Settings;
  /** Directory mode (default 0755). */
  mode?: number;
  /** Use the group if it already exists instead of failing with EEXIST (its settings are then changed with rollback). */
  reuse?: boolean;
  /**
   * v2: allow `+ctrl` writes into `cgroup.subtree_control` of ancestors
   * that existed before this create (the mount root included). Default
   * false: such an ancestor must already enable the group's controllers,
   * else ENOENT. Ancestors this create makes are always written.
   */
  enableInParents?: boolean;
}

export interface DeleteOptions {
  /** Kill every process left in the group first (default: EBUSY while it has any). */
  kill?: boolean;
  /** How long to wait for tasks to leave, ms (default 5000). */
  timeoutMs?: number;
  /**
   * Then remove the parents this handle's `create` made (`created`),
   * deepest first, where they are empty; one still in use is left.
   */
  parents?: boolean;
}

export type ExecInGroupOptions = Omit<ExecOptions, 'argv' | 'procsFiles'>;

export class Cgroup {
  private constructor(
    readonly kernel: CgroupKernel,
    private readonly g: GroupDirs,
    /** Directories `create` made (parents first, every hierarchy); empty for a handle from `open`. */
    readonly created: readonly string[] = [],
  ) {}

  /**
   * Make the group (and missing parents) in every hierarchy it spans, then
   * apply `settings`. On v2 the group's controllers are enabled in the
   * parents this call makes; an ancestor that already existed must enable
   * them itself (ENOENT otherwise) unless `enableInParents`. On failure
   * everything done is undone. The handle's `created` lists what was made.
   */
  static async create(kernel: AnyKernel, path: string, opts: CreateOptions = {}): Promise<Cgroup> {
    const k = asCgroupKernel(kernel);
    const g = placeGroup(k.layout, path, opts.controllers ?? DEFAULT_CONTROLLERS, opts.controllers !== undefined);
    const settings = opts.settings ?? {};
    const plan = planWrites(g, settings);
    const inParents = opts.enableInParents ?? false;
    let existed = false;
    for (const d of g.dirs) {
      if (!(await exists(k, d.dir))) continue;
      if (!opts.reuse) throw new CgroupError('EEXIST', 'mkdir', d.dir, `group ${g.path} exists`);
      existed = true;
    }
    for (const d of g.dirs) await checkParents(k, d, inParents);
    const done: MadeDirs = { made: [], enabled: [] };
    try {
      for (const d of g.dirs) {
        const r = await makeDir(k, d, opts.mode, opts.reuse ?? false, inParents);
        done.made.push(...r.made);
        done.enabled.push(...r.enabled);
      }
      // An existing group has values to go back to if a write is refused; a new one is removed.
      if (existed) await writeSettings(k.fs, g, settings);
      else for (const w of plan) await k.fs.writeFile(w.path, w.text);
    } catch (e) {
      throw await undoMade(k, done, e);
    }
    return new Cgroup(k, g, done.made);
  }

  /** A handle on an existing group: ENOENT unless it exists in at least one hierarchy. Directories it lacks are left out. */
  static async open(kernel: AnyKernel, path: string, opts: GroupOptions = {}): Promise<Cgroup> {
    const k = asCgroupKernel(kernel);
    const all = placeGroup(k.layout, path, opts.controllers ?? DEFAULT_CONTROLLERS, opts.controllers !== undefined);
    const present: GroupDir[] = [];
    for (const d of all.dirs) if (await exists(k, d.dir)) present.push(d);
    if (present.length === 0) throw new CgroupError('ENOENT', 'open', all.path, `no group ${all.path} in any hierarchy`);
    if (opts.controllers !== undefined && !opts.lenient) {
      const missing = all.dirs.filter((d) => !present.includes(d));
      if (missing.length > 0) throw new CgroupError('ENOENT', 'open', missing[0]!.dir, `group ${all.path} is missing in ${missing[0]!.mount.mountPoint}`);
    }
    return new Cgroup(k, {
      path: all.path,
      dirs: present,
      v2: present.find((d) => d.version === 2),
      dirOf: (c) => { const d = all.dirOf(c); return d && present.includes(d) ? d : undefined; },
    });
  }

  /** Logical path: `/jobs/build-42`. */
  get path(): string {
    return this.g.path;
  }

  /** The group's directory in each hierarchy. */
  get dirs(): readonly GroupDir[] {
    return this.g.dirs;
  }

  /** The directory holding `controller` for this group. */
  dirOf(controller: string): string | undefined {
    return this.g.dirOf(controller)?.dir;
  }

  /** A handle on an existing child group (in whichever of this group's hierarchies it exists). */
  child(name: string): Promise<Cgroup> {
    return Cgroup.open(this.kernel, `${this.path === '/' ? '' : this.path}/${name}`, this.reopen());
  }

  /** Names of child groups (from the first hierarchy). */
  async children(): Promise<string[]> {
    const ents = await this.kernel.fs.readdirEntries(procsDir(this.g));
    return ents.filter((e) => e.isDirectory).map((e) => e.name).sort();
  }

  /** Handles on every group below this one, parents first. */
  async descendants(): Promise<Cgroup[]> {
    const base = procsDir(this.g);
    const rels = (await descendantDirs(this.kernel, base)).map((d) => d.slice(base.length));
    const prefix = this.path === '/' ? '' : this.path;
    const out: Cgroup[] = [];
    for (const r of rels) out.push(await Cgroup.open(this.kernel, `${prefix}${r}`, this.reopen()));
    return out;
  }

  /** Open options for groups below this one: the same controllers, present where the child exists. */
  private reopen(): GroupOptions {
    const controllers = [...new Set(this.g.dirs.flatMap((d) => d.controllers))];
    return { controllers, lenient: true };
  }

  /** Check every value against the controller tables, then write; on a kernel refusal, restore what was already changed. */
  set(settings: Settings): Promise<void> {
    return writeSettings(this.kernel.fs, this.g, settings);
  }

  async get<K extends SettingKey>(key: K): Promise<SettingTypes[K]> {
    return readSetting(this.kernel.fs, this.g, key);
  }

  /**
   * Move a process (every thread of it), or with `thread` one thread, into
   * the group in every hierarchy it spans. If a later hierarchy refuses,
   * the earlier moves are undone.
   */
  async attach(pid: number, opts: { thread?: boolean } = {}): Promise<void> {
    if (!Number.isSafeInteger(pid) || pid <= 0) throw new CgroupError('EINVAL', 'write', this.path, `bad pid ${pid}`);
    const file = (d: GroupDir): string => `${d.dir}/${opts.thread ? (d.version === 2 ? 'cgroup.threads' : 'tasks') : 'cgroup.procs'}`;
    const where = parseProcCgroup(await this.kernel.fs.readFile(`/proc/${pid}/cgroup`));
    const targets: GroupDir[] = [];
    for (const d of this.g.dirs) if (!(opts.thread && (await this.skipForThread(d)))) targets.push(d);
    const moved: GroupDir[] = [];
    try {
      for (const d of targets) {
        await this.kernel.fs.writeFile(file(d), String(pid));
        moved.push(d);
      }
    } catch (e) {
      for (const d of moved.reverse()) {
        const line = where.find((l) => (d.version === 2 ? l.hierarchyId === 0 : l.controllers.some((c) => d.controllers.includes(c === 'blkio' ? 'io' : c))));
        if (line) await this.kernel.fs.writeFile(`${d.mount.mountPoint}${line.path === '/' ? '' : line.path}/${file(d).slice(d.dir.length + 1)}`, String(pid)).catch(() => undefined);
      }
      throw e;
    }
  }

  /**
   * A single thread can move between v2 groups only inside one threaded
   * subtree (else the kernel says EOPNOTSUPP). On a hybrid host the v2 dir
   * of a group spanning v1 hierarchies only serves kill/freeze/events: a
   * thread is moved there only when it is `threaded` or `domain threaded`.
   * A group in v2 alone is always written (the kernel decides).
   */
  private async skipForThread(d: GroupDir): Promise<boolean> {
    if (d.version !== 2 || !this.g.dirs.some((x) => x.version === 1)) return false;
    let type: string;
    try {
      type = (await this.kernel.fs.readFile(`${d.dir}/cgroup.type`)).trim();
    } catch (e) {
      if (e instanceof CgroupError && e.code === 'ENOENT') return true; // the root has no cgroup.type
      throw e;
    }
    return type !== 'threaded' && type !== 'domain threaded';
  }

  /** Processes in this group (not below it); `recursive` adds every descendant's. */
  async procs(opts: { recursive?: boolean } = {}): Promise<number[]> {
    const dir = procsDir(this.g);
    return opts.recursive ? subtreeProcs(this.kernel, dir) : readPids(this.kernel, `${dir}/cgroup.procs`);
  }

  /** Threads in this group (v2 `cgroup.threads`, v1 `tasks`). */
  async threads(): Promise<number[]> {
    const d = this.g.dirs.find((x) => x.version === 1) ?? this.g.dirs[0]!;
    return readPids(this.kernel, `${d.dir}/${d.version === 2 ? 'cgroup.threads' : 'tasks'}`);
  }

  /**
   * Freeze every task of the group and its descendants; ETIMEDOUT (and
   * thawed again) if the kernel does not finish in time. EDEADLK when the
   * calling process is in the group: it would freeze itself.
   */
  freeze(opts: { timeoutMs?: number } = {}): Promise<void> {
    return setFrozen(this.kernel, this.g, true, opts.timeoutMs ?? 5000);
  }

  thaw(opts: { timeoutMs?: number } = {}): Promise<void> {
    return setFrozen(this.kernel, this.g, false, opts.timeoutMs ?? 5000);
  }

  /**
   * Signal every process of the group and below, in any of its hierarchies
   * (default SIGKILL, waiting until none is left); returns how many were
   * signalled. A frozen group stays frozen. EDEADLK when the calling
   * process is in the group.
   */
  kill(opts: { signal?: NodeJS.Signals | number; timeoutMs?: number } = {}): Promise<number> {
    return killGroup(this.kernel, this.g, opts.signal ?? 'SIGKILL', opts.timeoutMs ?? 5000);
  }

  /**
   * Remove the group and every group below it, deepest first, in every
   * hierarchy. Without `kill`, a process anywhere in the subtree (in any
   * hierarchy) is EBUSY before anything is removed. With `parents`, the
   * parents `create` made are removed afterwards where empty.
   */
  async delete(opts: DeleteOptions = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    const pids = await groupProcs(this.kernel, this.g);
    if (pids.length > 0 && opts.kill) await this.kill({ timeoutMs });
    else if (pids.length > 0) {
      throw new CgroupError('EBUSY', 'rmdir', procsDir(this.g), `${pids.length} process(es) in the group or below it (pid ${pids[0]!}); delete with kill to end them`);
    }
    const errors: unknown[] = [];
    for (const d of this.g.dirs) {
      try {
        await removeDirs(this.kernel, [d.dir, ...(await descendantDirs(this.kernel, d.dir))], timeoutMs);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} directories of ${this.path} could not be removed`);
    if (opts.parents) {
      const own = this.g.dirs.map((d) => d.dir);
      await removeEmptyParents(this.kernel, this.created.filter((c) => !own.some((o) => c === o || c.startsWith(`${o}/`))));
    }
  }

  stats(): Promise<CgroupStats> {
    return readStats(this.kernel.fs, this.g);
  }

  /** Typed events of the group (populated, frozen, memory and pids limit hits) as an async iterator. */
  events(opts: WatchEventsOptions = {}): CgroupEventStream {
    return watchEvents(this.kernel, this.g, opts);
  }

  /** Start a command whose first instruction runs inside the group (all its hierarchies). */
  exec(argv: readonly string[], opts: ExecInGroupOptions = {}): Promise<ExecHandle> {
    return this.kernel.exec({ ...opts, argv, procsFiles: this.g.dirs.map((d) => `${d.dir}/cgroup.procs`) });
  }
}
