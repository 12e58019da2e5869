/**
 * The simulated kernel as a `CgroupKernel`: what the typed API needs beyond
 * the cgroup filesystem. Commands are task programs (`hog`, or the program
 * text form such as `loop 10 { run 5ms; sleep 5ms }`); time passes only in
 * `sleep`, which runs the simulation.
 */
import type { CgroupKernel, ExecHandle, ExecOptions, ExitStatus, KernelFeatures } from '../core/backend.js';
import { CgroupError } from '../core/errors.js';
import type { CgroupFs } from '../core/fs.js';
import type { LayoutSpec } from '../core/layout.js';
import { SIGNALS } from '../core/signals.js';
import { hog } from '../sim/program.js';
import { parseProgram } from '../sim/program-text.js';
import type { SimKernel } from './sim-kernel.js';

interface Pending {
  pid: number;
  resolve: (s: ExitStatus) => void;
}

export class SimCgroupKernel implements CgroupKernel {
  readonly kind = 'sim' as const;
  readonly features: KernelFeatures = { cgroupKill: true, cgroupFreeze: true, psi: true, cpuBandwidth: true };
  private readonly pending = new Set<Pending>();
  private holder: number | undefined;
  private readonly watchers = new Set<() => void>();

  constructor(readonly sim: SimKernel) {}

  get fs(): CgroupFs {
    return this.sim.fs;
  }

  get layout(): LayoutSpec {
    return this.sim.layout;
  }

  signal(pid: number, signal: NodeJS.Signals | number): void {
    this.sim.kill(pid, signal);
    this.settle();
  }

  /**
   * Spawn a task running `argv` (joined with spaces) as a program, write it
   * into every `procsFiles` group before any simulated time passes, so its
   * first step runs there. `exited` settles once simulated time (`sleep`)
   * has seen it end; the task is reaped then.
   */
  async exec(opts: ExecOptions): Promise<ExecHandle> {
    const text = opts.argv.join(' ').trim();
    if (text === '') throw new CgroupError('EINVAL', 'execve', undefined, 'no program given');
    const program = text === 'hog' ? hog() : parseProgram(text);
    // The task waits, without a program, until it is in every group; its first step runs there.
    const pid = this.sim.spawn({ name: program.name ?? opts.argv[0] ?? 'task', ppid: this.parent() });
    try {
      for (const f of opts.procsFiles) await this.sim.fs.writeFile(f, String(pid));
    } catch (e) {
      this.sim.kill(pid, 'SIGKILL');
      this.sim.wait(pid);
      throw e;
    }
    const task = this.sim.kernel.liveTask(pid);
    if (program.nice !== undefined) task.nice = program.nice;
    if (program.cpus !== undefined) task.allowedCpus = [...program.cpus];
    this.sim.sched.start(task, program);
    let resolve!: (s: ExitStatus) => void;
    const exited = new Promise<ExitStatus>((r) => { resolve = r; });
    this.pending.add({ pid, resolve });
    return {
      pid,
      exited,
      kill: (signal = 'SIGTERM') => {
        if (this.sim.task(pid) && this.sim.task(pid)!.state !== 'zombie') this.signal(pid, signal);
      },
    };
  }

  /**
   * The process that starts commands, as cgkit is on a host: their parent,
   * so an ended command stays a zombie until `exited` has read its status
   * (init would reap it at once). It sleeps in the root groups.
   */
  private parent(): number {
    if (this.holder === undefined || this.sim.task(this.holder) === undefined) this.holder = this.sim.spawn({ name: 'cgkit' });
    return this.holder;
  }

  async sleep(ms: number): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new CgroupError('EINVAL', 'clock_nanosleep', undefined, `bad duration ${ms} ms`);
    await this.sim.run(Math.round(ms * 1e6));
    this.settle();
    for (const w of [...this.watchers]) w();
  }

  /**
   * The model notifies `cgroup.events` changes as they happen; every other
   * file may change while simulated time passes, so each `sleep` notifies
   * every watcher when it returns (the simulator's poll is exact).
   */
  watch(path: string, onChange: () => void): () => void {
    const off = this.sim.on((e) => {
      if (e.type === 'modified' && e.path === path) onChange();
    });
    this.watchers.add(onChange);
    return () => {
      off();
      this.watchers.delete(onChange);
    };
  }

  /** Reap commands started by exec that have ended, and settle their `exited`. */
  private settle(): void {
    for (const p of this.pending) {
      const t = this.sim.task(p.pid);
      if (t !== undefined && t.state !== 'zombie') continue;
      this.pending.delete(p);
      const code = t?.exitCode ?? 0;
      if (t) this.sim.wait(p.pid);
      const sig = code > 128 ? Object.entries(SIGNALS).find(([, n]) => n === code - 128)?.[0] : undefined;
      p.resolve(sig !== undefined ? { code: null, signal: `SIG${sig}` } : { code, signal: null });
    }
  }
}

const wrapped = new WeakMap<SimKernel, SimCgroupKernel>();

/** The one CgroupKernel view of a SimKernel. */
export function simCgroupKernel(k: SimKernel): SimCgroupKernel {
  let w = wrapped.get(k);
  if (!w) wrapped.set(k, (w = new SimCgroupKernel(k)));
  return w;
}
