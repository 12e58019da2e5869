/**
 * One host measurement: a fresh `cgkit-test-<random>` group in the v1 `cpu`
 * hierarchy and, at the same relative path, in the `cpuacct` hierarchy; busy
 * loops moved into its groups; and counter deltas over a measurement window.
 * `dispose` kills the loops by pid, waits for them, and removes the groups
 * deepest first. Nothing outside the trial's own groups and loops is touched.
 */
import { rmdirSync } from 'node:fs';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CgroupError } from '../core/errors.js';
import { parseCpuList } from '../core/format/cpulist.js';
import { parseBigInt } from '../core/format/int.js';
import { keyedBig, parseFlat } from '../core/format/keyed.js';
import { isRoot } from '../host/features.js';
import { HostFs } from '../host/hostfs.js';
import { detectHostLayout } from '../host/layout.js';
import { findMount, whyNotWritable } from '../host/live.js';
import { Scratch } from '../host/scratch.js';
import { findPython, hasTaskset, LoopPool, type LoopOptions } from './host-loops.js';

export interface HostEnv {
  fs: HostFs;
  /** Mount point of the v1 hierarchy carrying `cpu`. */
  cpuMount: string;
  /** Mount point of the hierarchy carrying `cpuacct` (the same as `cpuMount` when co-mounted). */
  acctMount: string;
  /** CPUs this process may run on. */
  cpus: number[];
  /** Real Python executable for single-threaded loops (Node loops without it). */
  python: string | undefined;
  taskset: boolean;
  /** The cpu hierarchy has CFS bandwidth files (`cpu.cfs_quota_us`). */
  bandwidth: boolean;
}

/** The host as the scenarios need it, or the reason they cannot run here. */
export async function probeHost(): Promise<HostEnv | string> {
  if (process.platform !== 'linux') return 'not Linux';
  if (!isRoot()) return 'not running as root';
  let layout;
  try {
    layout = await detectHostLayout();
  } catch (e) {
    if (e instanceof CgroupError) return `no cgroup layout: ${e.message}`;
    throw e;
  }
  const cpu = findMount(layout, 'cpu');
  const acct = findMount(layout, 'cpuacct');
  if (cpu === undefined) return 'no v1 hierarchy carries the cpu controller';
  if (acct === undefined) return 'no v1 hierarchy carries the cpuacct controller';
  for (const m of [cpu, acct]) {
    const why = await whyNotWritable(m);
    if (why !== undefined) return `${m.mountPoint}: ${why}`;
  }
  const fs = new HostFs();
  const status = parseFlatColon(await fs.readFile('/proc/self/status'));
  const allowed = status.get('Cpus_allowed_list');
  const bandwidth = await fs.stat(posix.join(cpu.mountPoint, 'cpu.cfs_quota_us')).then(() => true, () => false);
  return {
    fs, cpuMount: cpu.mountPoint, acctMount: acct.mountPoint,
    cpus: allowed === undefined ? [] : parseCpuList(allowed),
    python: findPython(), taskset: hasTaskset(), bandwidth,
  };
}

/** `/proc/<pid>/status` lines are `Key:\tvalue`. */
function parseFlatColon(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

/** One group of a trial, at the same relative path in both hierarchies. */
export interface Group {
  /** Path below the trial's top (`''` for the top itself). */
  rel: string;
  cpu: string;
  acct: string;
}

/** Counter deltas over one measurement window. */
export interface Window {
  /** Wall-clock length of the window, ns. */
  ns: number;
  /** CPU time used on the host outside the trial's groups during the window, ns (all CPUs). */
  foreign: number;
  /** CPU time of the loop `pid` (its main thread), ns (`/proc/<pid>/schedstat`). */
  task(pid: number): number;
  /** CPU time of everything in `g`, ns (`cpuacct.usage`). */
  usage(g: Group): number;
  /** Change of a `cpu.stat` counter of `g`. */
  stat(g: Group, key: string): number;
}

interface Snapshot {
  at: bigint;
  tasks: Map<number, bigint>;
  usage: Map<string, bigint>;
  stat: Map<string, Map<string, string>>;
}

export interface TrialOptions {
  /** Loops exit by themselves after this long, seconds. */
  lifetimeSec: number;
  /**
   * `cpu.shares` of the trial's top group, which competes only with what else
   * runs on the host: a high value keeps other load from skewing the
   * measurement (shares inside the trial are unaffected). Default 1024.
   */
  topShares?: number;
  /** Where the CPU time used outside the trial during a window is reported. */
  log?: (s: string) => void;
}

export class Trial {
  private readonly scratch: Scratch;
  readonly loops: LoopPool;
  /** Every group created, parents before children, for the last-moment cleanup. */
  readonly dirs: string[] = [];
  readonly pids: number[] = [];
  private disposed: Promise<void> | undefined;
  private topGroup: Promise<Group> | undefined;
  /** Set once cleanup began: nothing new is created or started after that. */
  private closed = false;

  constructor(private readonly env: HostEnv, readonly scenario: string, private readonly opts: TrialOptions) {
    this.scratch = new Scratch(env.fs);
    this.loops = new LoopPool(env.python, opts.lifetimeSec);
  }

  get name(): string {
    return this.scratch.name;
  }

  /** The trial's top group (`rel` empty, created on first use) or a new group below it. */
  async group(rel = ''): Promise<Group> {
    this.open();
    this.topGroup ??= this.makeGroup('').then(async (g) => {
      await this.set(g, 'cpu.shares', this.opts.topShares ?? 1024);
      return g;
    });
    const top = await this.topGroup;
    return rel === '' ? top : this.makeGroup(rel);
  }

  private open(): void {
    if (this.closed) throw new CgroupError('ENODEV', 'mkdir', undefined, `${this.scenario}: trial is being cleaned up`);
  }

  private async makeGroup(rel: string): Promise<Group> {
    const one = async (mount: string): Promise<string> => {
      const dir = rel === '' ? await this.scratch.top(mount) : await this.scratch.group(mount, rel);
      if (!this.dirs.includes(dir)) this.dirs.push(dir);
      return dir;
    };
    const cpu = await one(this.env.cpuMount);
    const acct = this.env.acctMount === this.env.cpuMount ? cpu : await one(this.env.acctMount);
    return { rel, cpu, acct };
  }

  /** Write a file of `g` in the cpu hierarchy. */
  async set(g: Group, file: string, value: number): Promise<void> {
    await this.env.fs.writeFile(posix.join(g.cpu, file), String(value));
  }

  /** Start `count` loops and move each into `g` (both hierarchies) at once; resolves when all spin. */
  async spawn(g: Group, count: number, opts: LoopOptions = {}): Promise<number[]> {
    const started = [];
    for (let i = 0; i < count; i++) {
      this.open();
      const loop = this.loops.start(opts);
      this.pids.push(loop.pid);
      started.push(loop);
      await this.move(loop.pid, g);
    }
    await Promise.all(started.map((l) => l.ready));
    return started.map((l) => l.pid);
  }

  private async move(pid: number, g: Group): Promise<void> {
    if (pid === process.pid || !this.loops.owns(pid)) throw new CgroupError('EPERM', 'write', g.cpu, `pid ${pid} is not a loop of this trial`);
    await this.env.fs.writeFile(posix.join(g.cpu, 'cgroup.procs'), String(pid));
    if (g.acct !== g.cpu) await this.env.fs.writeFile(posix.join(g.acct, 'cgroup.procs'), String(pid));
  }

  /** Let the loops run `warmupSec`, then measure over `seconds`. */
  async measure(warmupSec: number, seconds: number, pids: readonly number[], measured: readonly Group[]): Promise<Window> {
    const top = await this.group();
    const whole: Group = { rel: '/', cpu: this.env.cpuMount, acct: this.env.acctMount };
    const groups = [...measured, top, whole];
    await sleep(warmupSec * 1000);
    const a = await this.snapshot(pids, groups);
    await sleep(seconds * 1000);
    const b = await this.snapshot(pids, groups);
    const need = <K, V>(m: Map<K, V>, k: K): V => {
      const v = m.get(k);
      if (v === undefined) throw new CgroupError('EINVAL', 'read', undefined, `${String(k)} was not sampled`);
      return v;
    };
    const ns = Number(b.at - a.at);
    const foreign = Number(need(b.usage, whole.acct) - need(a.usage, whole.acct) - (need(b.usage, top.acct) - need(a.usage, top.acct)));
    this.opts.log?.(`${this.scenario}: CPU time used outside the test groups during the window: ${(foreign / ns * 100).toFixed(1)} % of one CPU`);
    return {
      ns, foreign,
      task: (pid) => Number(need(b.tasks, pid) - need(a.tasks, pid)),
      usage: (g) => Number(need(b.usage, g.acct) - need(a.usage, g.acct)),
      stat: (g, key) => {
        const at = (s: Snapshot): bigint => keyedBig(need(s.stat, g.cpu), key) ?? 0n;
        return Number(at(b) - at(a));
      },
    };
  }

  private async snapshot(pids: readonly number[], groups: readonly Group[]): Promise<Snapshot> {
    const fs = this.env.fs;
    const t0 = process.hrtime.bigint();
    const tasks = new Map<number, bigint>();
    const usage = new Map<string, bigint>();
    const stat = new Map<string, Map<string, string>>();
    await Promise.all([
      ...pids.map(async (pid) => {
        const file = `/proc/${pid}/schedstat`;
        tasks.set(pid, parseBigInt((await fs.readFile(file)).split(' ')[0] ?? '', { syscall: 'read', path: file }));
      }),
      ...groups.map(async (g) => {
        const file = posix.join(g.acct, 'cpuacct.usage');
        usage.set(g.acct, parseBigInt(await fs.readFile(file), { syscall: 'read', path: file }));
        stat.set(g.cpu, parseFlat(await fs.readFile(posix.join(g.cpu, 'cpu.stat'))));
      }),
    ]);
    const t1 = process.hrtime.bigint();
    return { at: (t0 + t1) / 2n, tasks, usage, stat };
  }

  /** Kill the loops (by pid, waiting for each), then remove the groups deepest first. Idempotent. */
  dispose(): Promise<void> {
    this.closed = true;
    this.disposed ??= (async () => {
      await this.loops.killAll();
      await this.scratch.dispose();
    })();
    return this.disposed;
  }

  /**
   * Last resort from a process `exit` handler, where nothing can be awaited:
   * SIGKILL the loops, then try to remove the groups, retrying briefly while
   * the killed loops leave them.
   */
  disposeSync(): void {
    this.closed = true;
    this.loops.killAllSync();
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (const dir of [...this.dirs].reverse()) {
      for (let attempt = 0; attempt < 40; attempt++) {
        try {
          rmdirSync(dir);
          break;
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (code === 'ENOENT' || code !== 'EBUSY') break;
          Atomics.wait(nap, 0, 0, 25);
        }
      }
    }
  }
}
