/**
 * HostScenarioBackend: the scenario runner's backend (scenario/backend.ts)
 * over the real kernel. Groups are made in the run's private subtree
 * (subtree.ts; pass `backend.base` as runScenario's `base`), tasks are
 * worker processes (host/worker/) executing the scenario's programs, and
 * time is real time: `run(d)` lets the workers run for `d` of wall-clock
 * time (measured from the first `run`, so the time spent between calls is
 * not lost; `maxLagNs` says how far behind it fell where it could not
 * catch up).
 *
 * `spawn` starts a worker in the subtree's `stage` groups, waits until it
 * has loaded, moves it into the task's groups in every hierarchy of the run
 * (and sets its affinity with `taskset`), and returns its pid; the worker
 * starts its program at the next `run`. Task figures count from there.
 *
 * What the host does not have: per-slice records of what ran where
 * (`onSlice` never calls back), and the simulator's per-group scheduling
 * classes (`setPolicy` accepts only `fair`). Forced idle time (core
 * scheduling) is reported as 0.
 */
import type { CoreSchedKernel } from '../core/coresched.js';
import type { AnyKernel } from '../api/cgroup.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { CgroupError } from '../core/errors.js';
import { formatCpuList } from '../core/format/cpulist.js';
import type { CgroupFs } from '../core/fs.js';
import type { LayoutSpec } from '../core/layout.js';
import { signalNumber } from '../core/signals.js';
import { hog, validateProgram, type Program } from '../sim/program.js';
import { parseProgram } from '../sim/program-text.js';
import type { BackendSpawn, BackendTaskStat, ScenarioBackend } from './backend.js';
import type { GroupPolicy } from './types.js';
import { startTicksOf } from '../host/proc-stat.js';
import { TASKSET_TIMEOUT_MS, toWire, type Report, type WorkerConfig } from '../host/worker/protocol.js';
import { disposeRun, disposeRunSync } from '../host/run/dispose.js';
import { RunSubtree } from '../host/run/subtree.js';
import { TaskTable } from '../host/run/tasks.js';
import { startWorker, type WorkerProc } from '../host/run/worker-proc.js';

const run = promisify(execFile);

export interface HostBackendOptions {
  fs: CgroupFs;
  layout: LayoutSpec;
  /** The scenario's CPUs: the run gets that many host CPUs (the highest-numbered it may use). */
  cpus: number;
  /** Host CPUs to choose from (this process's allowed CPUs that the root cpuset has). */
  allowedCpus: readonly number[];
  /** Mount points of the hierarchies the scenario's groups are made in (runScenario's `Hierarchies.used`). */
  mountPoints: readonly string[];
  /** v2 controllers the scenario's groups need (`Hierarchies.v2Controllers`). */
  v2Controllers?: readonly string[];
  /** Every worker ends itself after this long, ms (the scenario's duration plus a margin). */
  lifetimeMs: number;
  /** `taskset` executable, or undefined when util-linux is missing (tasks with affinity are then refused). */
  taskset: string | undefined;
  /** How long one `taskset` call may take before it is killed and the spawn fails with ETIMEDOUT (default 10 s). */
  tasksetTimeoutMs?: number;
  /** The high weight of the run's top group (default true, see subtree.ts). */
  shield?: boolean;
  /** Subtree name (default `cgkit-run-<pid>-<starttime>-<random hex>`). */
  name?: string;
}

export class HostScenarioBackend implements ScenarioBackend {
  readonly fs: CgroupFs;
  readonly layout: LayoutSpec;
  /** Host CPU of each scenario CPU number. */
  readonly cpuMap: readonly number[];
  private readonly tasks: TaskTable;
  private readonly procs = new Map<number, WorkerProc>();
  /** Tasks spawned without a program (they sleep): not listed, as on the simulator. */
  private readonly sleepers = new Set<number>();
  private pending: WorkerProc[] = [];
  private readonly deadlineMs: number;
  private readonly owner: { pid: number; startTicks: string };
  private epochNs: bigint | undefined;
  private elapsedNs = 0;
  /** How far behind the scenario's timeline the run has been at most, ns (see `run`). */
  maxLagNs = 0;
  private closed = false;
  private disposing: Promise<void> | undefined;
  /** What workers reported going wrong (`error` lines, and anything they wrote on stderr). */
  readonly workerErrors: string[] = [];

  /**
   * Core scheduling for trust groups: prctl and the process-event connector,
   * with the host's own cgroups for bindings; the reason where the kernel
   * cannot (this host's is built without CONFIG_SCHED_CORE).
   */
  async coreSched(): Promise<{ coresched: CoreSchedKernel; cgroups: AnyKernel; close(): Promise<void> } | string> {
    const { openHostCoreSched } = await import('../host/coresched-kernel.js');
    const r = await openHostCoreSched();
    if ('error' in r) return r.error;
    const { HostKernel } = await import('../host/kernel.js');
    try {
      return { coresched: r.kernel, cgroups: await HostKernel.open(), close: () => r.kernel.close() };
    } catch (e) {
      await r.kernel.close();
      throw e;
    }
  }

  private constructor(readonly subtree: RunSubtree, private readonly o: HostBackendOptions) {
    this.fs = o.fs;
    this.layout = o.layout;
    this.cpuMap = o.allowedCpus.slice(-o.cpus);
    this.tasks = new TaskTable(subtree.cpuMount, subtree.cpuRun);
    this.deadlineMs = Date.now() + o.lifetimeMs;
    this.owner = { pid: process.pid, startTicks: startTicksOf(process.pid) ?? '' };
  }

  /** Make the run's subtree on the host; throws (having removed what it made) when that fails. */
  static async create(o: HostBackendOptions): Promise<HostScenarioBackend> {
    if (!Number.isSafeInteger(o.cpus) || o.cpus < 1) throw new CgroupError('EINVAL', 'sched_setaffinity', undefined, `cpus must be at least 1, not ${o.cpus}`);
    if (o.allowedCpus.length < o.cpus) {
      throw new CgroupError('EINVAL', 'sched_setaffinity', undefined, `the scenario needs ${o.cpus} CPUs; this process may use ${o.allowedCpus.length} (${formatCpuList(o.allowedCpus)})`);
    }
    const hostCpus = o.allowedCpus.slice(-o.cpus);
    const subtree = await RunSubtree.make({
      fs: o.fs, layout: o.layout, mountPoints: o.mountPoints, hostCpus, stageCpus: o.allowedCpus,
      ...(o.v2Controllers !== undefined ? { v2Controllers: o.v2Controllers } : {}),
      ...(o.shield !== undefined ? { shield: o.shield } : {}),
      ...(o.name !== undefined ? { name: o.name } : {}),
    });
    return new HostScenarioBackend(subtree, o);
  }

  /** `/cgkit-run-…/run`: pass as runScenario's `base`. */
  get base(): string {
    return this.subtree.base;
  }

  async spawn(opts: BackendSpawn): Promise<number> {
    this.open();
    const program = toProgram(opts.program);
    const name = opts.name ?? program.name ?? 'task';
    const nice = opts.nice ?? program.nice;
    if (nice !== undefined && (!Number.isInteger(nice) || nice < -20 || nice > 19)) {
      throw new CgroupError('EINVAL', 'setpriority', undefined, `nice ${nice} is outside -20..19`);
    }
    const cpus = opts.cpus ?? program.cpus;
    if (cpus !== undefined && (cpus.length === 0 || cpus.some((c) => !Number.isInteger(c) || c < 0 || c >= this.cpuMap.length))) {
      throw new CgroupError('EINVAL', 'sched_setaffinity', undefined, `cpus [${cpus.join(',')}] must be a non-empty subset of 0..${this.cpuMap.length - 1}`);
    }
    // Without a cpuset the run is confined by affinity alone.
    const affinity = cpus ?? (this.subtree.cpusetTop === undefined ? this.cpuMap.map((_, i) => i) : undefined);
    if (affinity !== undefined && this.o.taskset === undefined) {
      throw new CgroupError('ENOSYS', 'sched_setaffinity', undefined, 'setting CPU affinity on the host needs taskset (util-linux), which was not found');
    }
    const cfg: WorkerConfig = {
      program: toWire(program), name, cpuMap: [...this.cpuMap], owner: this.owner, deadlineMs: this.deadlineMs, waitGo: true,
      ...(nice !== undefined ? { nice } : {}),
      ...(this.o.taskset !== undefined ? { taskset: this.o.taskset } : {}),
    };
    const targets = await this.procsFiles(opts.cgroup);
    const proc = await startWorker(this.fs, this.subtree.tops.map((t) => `${t}/stage/cgroup.procs`), cfg, (r) => this.onReport(r));
    this.procs.set(proc.pid, proc);
    if (opts.program === undefined) this.sleepers.add(proc.pid);
    void proc.handle.exited.then(() => {
      const tail = proc.stderrTail();
      if (tail !== '') this.workerErrors.push(`${name} (pid ${proc.pid}) wrote: ${tail}`);
    });
    try {
      this.open();
      // Loaded in the stage: now into the task's groups (the cpuset move resets affinity, so taskset comes after).
      for (const f of targets) await this.fs.writeFile(f, String(proc.pid));
      if (affinity !== undefined) {
        const list = formatCpuList(affinity.map((c) => this.cpuMap[c]!)).trim();
        const timeout = this.o.tasksetTimeoutMs ?? TASKSET_TIMEOUT_MS;
        await run(this.o.taskset!, ['-a', '-p', '-c', list, String(proc.pid)], { timeout, killSignal: 'SIGKILL' }).catch((e: unknown) => {
          const cmd = `taskset -a -p -c ${list} ${proc.pid} (${name})`;
          if ((e as { killed?: boolean }).killed === true) throw new CgroupError('ETIMEDOUT', 'sched_setaffinity', undefined, `${cmd} did not finish in ${timeout / 1000} s: killed`);
          throw new CgroupError('EINVAL', 'sched_setaffinity', undefined, `${cmd} failed: ${(e as Error).message.trim()}`);
        });
      }
    } catch (e) {
      proc.handle.kill('SIGKILL');
      throw e;
    }
    this.tasks.see(proc.pid);
    this.pending.push(proc);
    return proc.pid;
  }

  /** `cgroup.procs` of the task's group in the cpu hierarchy and, in every other hierarchy of the run, of the same group (or the scenario root). */
  private async procsFiles(cgroup: string | undefined): Promise<string[]> {
    const root = this.subtree.cpuRun;
    const dir = cgroup ?? root;
    if (dir !== root && !dir.startsWith(`${root}/`)) throw new CgroupError('EPERM', 'write', dir, `tasks of this run start inside ${root}`);
    const rel = dir.slice(root.length);
    const out = [`${dir}/cgroup.procs`];
    for (const t of this.subtree.tops) {
      if (t === this.subtree.cpuTop) continue;
      const same = `${t}/run${rel}`;
      const exists = rel === '' || await this.fs.stat(same).then(() => true, () => false);
      out.push(`${exists ? same : `${t}/run`}/cgroup.procs`);
    }
    return out;
  }

  private onReport(r: Report): void {
    switch (r.kind) {
      case 'task': this.tasks.announce(r.tid, r.tgid, r.name, r); break;
      case 'exit': this.tasks.exited(r.tid, r.tgid, r); break;
      case 'error': this.workerErrors.push(`task ${r.tid}: ${r.message}`); break;
      default: break;
    }
  }

  async run(durationNs: number, opts: { onProgress?: (doneNs: number, totalNs: number) => void } = {}): Promise<void> {
    this.open();
    if (!Number.isSafeInteger(durationNs) || durationNs < 0) {
      throw new CgroupError('EINVAL', 'clock_nanosleep', undefined, `duration must be a non-negative integer of ns, not ${durationNs}`);
    }
    this.epochNs ??= process.hrtime.bigint();
    for (const p of this.pending.splice(0)) p.go();
    const from = this.elapsedNs;
    // Time spent between calls (spawning workers, reading counters) is taken from this stretch; what it cannot absorb is lag.
    this.maxLagNs = Math.max(this.maxLagNs, Number(process.hrtime.bigint() - this.epochNs) - from);
    this.elapsedNs += durationNs;
    const end = this.epochNs + BigInt(this.elapsedNs);
    let lastRefresh = process.hrtime.bigint();
    for (;;) {
      const now = process.hrtime.bigint();
      const done = Math.min(durationNs, Math.max(0, Number(now - this.epochNs) - from));
      opts.onProgress?.(done, durationNs);
      if (now >= end) break;
      if (now - lastRefresh >= 2_000_000_000n) {
        this.tasks.refresh(); // keeps the last figures of tasks a signal may end
        lastRefresh = now;
      }
      await sleep(Math.max(0, Math.min(100, Number(end - now) / 1e6)));
      if (this.closed) throw new CgroupError('ENODEV', 'clock_nanosleep', undefined, 'the run is being cleaned up');
    }
  }

  /** Real time since the first `run`, ns (0 before it): shares are computed over this, not the time asked for. */
  clockNs(): number {
    return this.epochNs === undefined ? 0 : Number(process.hrtime.bigint() - this.epochNs);
  }

  kill(pid: number, signal: number | string = 'SIGTERM'): void {
    const sig = signalNumber(signal);
    const p = this.procs.get(pid);
    if (!p || p.done) throw new CgroupError('ESRCH', 'kill', undefined, `pid ${pid} is not a running task of this run`);
    this.tasks.refresh();
    p.handle.kill(sig);
  }

  setPolicy(cgroupDir: string, policy: GroupPolicy): void {
    if (policy === 'fair') return;
    throw new CgroupError('ENOTSUP', 'sched_setattr', cgroupDir,
      `the '${policy}' guest scheduler exists only in the simulated kernel; the host schedules every group with its fair class`);
  }

  taskStats(): readonly BackendTaskStat[] {
    this.tasks.refresh();
    return this.tasks.all().filter((t) => !this.sleepers.has(t.tid));
  }

  /** The host keeps no record of individual CPU slices: subscribing is allowed, nothing is ever delivered. */
  onSlice(_fn: (s: { cpu: number; pid: number; startNs: number; endNs: number }) => void): () => void {
    return () => undefined;
  }

  private open(): void {
    if (this.closed) throw new CgroupError('ENODEV', 'spawn', undefined, 'the run is being cleaned up');
  }

  /**
   * End every worker (v2 `cgroup.kill` where there is one, SIGKILL by the
   * pids held and found in the run's groups otherwise), wait for them, and
   * remove the subtree deepest first. Every failure is reported (one error,
   * or an AggregateError). Idempotent.
   */
  dispose(): Promise<void> {
    this.closed = true;
    this.disposing ??= disposeRun(this.fs, this.subtree, [...this.procs.values()]);
    return this.disposing;
  }

  /** For a last-moment `exit` handler, where nothing can be awaited: kill and remove what can be. */
  disposeSync(): void {
    this.closed = true;
    disposeRunSync(this.subtree, [...this.procs.values()]);
  }
}

function toProgram(p: BackendSpawn['program']): Program {
  if (p === undefined) return validateProgram({ steps: [{ op: 'loop', count: 'forever', body: [{ op: 'sleep', ns: 1_000_000_000 }] }] });
  if (p === 'hog') return hog();
  if (typeof p === 'string') return parseProgram(p);
  return p;
}
