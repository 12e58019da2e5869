import type { CgroupFs } from '../../core/fs.js';
import type { LayoutSpec } from '../../core/layout.js';

/**
 * What the shell needs from a kernel: the cgroup filesystem (as root and as
 * any task) plus process operations. `SimKernel` satisfies it; the shell's
 * unit tests use a small fake.
 */
export interface ShellTask {
  readonly tid: number;
  readonly tgid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly gid: number;
  readonly name: string;
  readonly state: string;
  readonly exitCode?: number | undefined;
  /** One entry per hierarchy: its mount point and the task's cgroup path inside it. */
  readonly cgroups: readonly { readonly mountPoint: string; readonly path: string }[];
}

export interface SpawnRequest {
  cgroup?: string;
  uid?: number;
  gid?: number;
  name?: string;
  ppid?: number;
}

/** A filesystem mounted beside the cgroup filesystem (mounts.ts), for the shell's help and banner. */
export interface ShellMount {
  readonly path: string;
  readonly summary: string;
}

export interface ShellKernel {
  /** The filesystem as root (pid 1, uid 0). */
  readonly fs: CgroupFs;
  /** The filesystem with that task's credentials. */
  as(pid: number): { readonly fs: CgroupFs };
  readonly layout: LayoutSpec;
  spawn(opts?: SpawnRequest): number;
  fork(pid: number): number;
  spawnThread(pid: number): number;
  exit(pid: number, code?: number): void;
  kill(pid: number, signal: number | string): void;
  /** Reap a zombie child; `undefined` when there is none to reap. */
  wait(pid: number): number | undefined;
  ps(): readonly ShellTask[];
  task(pid: number): ShellTask | undefined;
  /** Filesystems mounted besides the cgroup filesystem (none by default). */
  readonly mounts?: readonly ShellMount[];
}
