/**
 * What the typed API (`api/`) needs of a kernel, beyond its cgroup
 * filesystem. Two implementations: the simulated kernel (`api/sim-backend.ts`
 * wraps a `SimKernel`) and the host (`host/kernel.ts`). Types only, no I/O.
 */
import type { CgroupFs } from './fs.js';
import type { LayoutSpec } from './layout.js';

/** How a started command ended: an exit code, or the signal that ended it. */
export interface ExitStatus {
  /** Exit code 0..255, or `null` when a signal ended it. */
  code: number | null;
  /** Signal name (`SIGKILL`), or `null` when it exited. */
  signal: string | null;
}

export interface ExecOptions {
  /** Program and arguments (`argv[0]` is looked up in PATH on the host; program text on the simulator). */
  argv: readonly string[];
  /**
   * `cgroup.procs` files the process is written into before its first
   * instruction (one per hierarchy the group spans).
   */
  procsFiles: readonly string[];
  /** Host: what the command's stdin, stdout and stderr are (default `inherit`). */
  stdio?: 'inherit' | 'pipe' | 'ignore';
  env?: Readonly<Record<string, string>>;
  cwd?: string;
}

/** A command started in a group. */
export interface ExecHandle {
  readonly pid: number;
  /** Settles once the command has ended and been reaped. */
  readonly exited: Promise<ExitStatus>;
  /** Host with `stdio: 'pipe'`: its input (end it when done) and output streams. */
  readonly stdin?: NodeJS.WritableStream | null;
  readonly stdout?: NodeJS.ReadableStream | null;
  readonly stderr?: NodeJS.ReadableStream | null;
  /** Signal the command (by the pid held; never after it was reaped). */
  kill(signal?: NodeJS.Signals | number): void;
}

/** Optional kernel features, found by looking (never assumed). */
export interface KernelFeatures {
  /** v2 `cgroup.kill` (Linux 5.14). */
  cgroupKill: boolean;
  /** v2 `cgroup.freeze` (Linux 5.2). */
  cgroupFreeze: boolean;
  /** PSI files (`cpu.pressure`, ...). */
  psi: boolean;
  /** CFS bandwidth control (`cpu.max` / `cpu.cfs_quota_us`). */
  cpuBandwidth: boolean;
}

export interface CgroupKernel {
  readonly kind: 'sim' | 'host';
  readonly fs: CgroupFs;
  readonly layout: LayoutSpec;
  readonly features: KernelFeatures;
  /** Send a signal to one process; ESRCH when it is gone. */
  signal(pid: number, signal: NodeJS.Signals | number): void;
  /** Start a command whose first instruction runs inside the given groups. */
  exec(opts: ExecOptions): Promise<ExecHandle>;
  /** Let `ms` of time pass (the simulator advances simulated time; the host sleeps). */
  sleep(ms: number): Promise<void>;
  /**
   * Call `onChange` when `path` (a cgroup file) may have changed, where the
   * kernel notifies (inotify on v2 `*.events` files); `undefined` where it
   * does not, and the caller polls. Returns the unsubscribe function.
   */
  watch?(path: string, onChange: () => void): (() => void) | undefined;
}
