import type { TaskView } from '../core/controller.js';
import type { Cgroup, CssImpl, Hierarchy } from './cgroup.js';

export type TaskState = 'running' | 'sleeping' | 'stopped' | 'frozen' | 'zombie';

/** Credentials of a task (real = effective here; the model has no setuid). */
export interface Cred {
  uid: number;
  gid: number;
}

/**
 * One simulated thread. A process is its thread-group leader (`tid ===
 * tgid`) with the other threads listed in `threads`.
 */
export class Task implements TaskView {
  readonly tid: number;
  readonly tgid: number;
  uid: number;
  gid: number;
  name: string;
  /** Parent process (tgid); 0 for init. */
  ppid: number;
  /** Process group (setpgid); inherited on fork. */
  pgid: number;
  /** Core scheduling cookie (0: none); inherited on fork and clone, kept across exec. */
  coreCookie = 0;
  readonly kernelThread = false;
  /** Memory charged by this task, in bytes. */
  rss = 0n;
  /** SIGSTOP received and no SIGCONT since. */
  stopped = false;
  /** Has run do_exit(); for a leader, a zombie until reaped. */
  exited = false;
  exitCode = 0;
  /** Exit signal when killed by one (for wait status). */
  exitSignal = 0;
  /** Child processes (tgids) not yet reaped. */
  readonly children = new Set<number>();
  /** The thread group; only the leader's set is used. */
  readonly threads = new Set<Task>();
  /** One cgroup per hierarchy. */
  readonly cgroups = new Map<Hierarchy, Cgroup>();
  /**
   * The task's css for every controller (the kernel's css_set): kept when it
   * exits, so a zombie is uncharged where it was charged.
   */
  readonly css = new Map<string, CssImpl<unknown>>();
  /** Scheduler clock ticks since boot at creation (for /proc/<pid>/stat). */
  readonly startTicks: number;
  /** Runtime and wait in ns, timeslices: written by the scheduler (zero without it). */
  runtimeNs = 0n;
  waitNs = 0n;
  timeslices = 0;
  utimeTicks = 0n;
  stimeTicks = 0n;
  nice = 0;
  /** Signals held while the task is frozen or stopped, delivered when it can run. */
  pendingSignals: number[] = [];
  /** On a run queue or running (set by the scheduler; a task without a program sleeps). */
  runnable = false;
  /** sched_setaffinity() mask; undefined = every CPU. */
  allowedCpus: number[] | undefined;
  /** Voluntary/involuntary context switches. */
  nvcsw = 0;
  nivcsw = 0;
  /** Migrations between CPUs (se.nr_migrations). */
  migrations = 0;
  /** Core scheduling: time siblings were forced idle while this task ran (core_forceidle_sum), ns. */
  forceIdleNs = 0n;

  constructor(init: { tid: number; tgid: number; uid: number; gid: number; name: string; ppid: number; pgid?: number; startTicks: number }) {
    this.tid = init.tid;
    this.tgid = init.tgid;
    this.uid = init.uid;
    this.gid = init.gid;
    this.name = init.name;
    this.ppid = init.ppid;
    this.pgid = init.pgid ?? init.tgid;
    this.startTicks = init.startTicks;
  }

  get isLeader(): boolean {
    return this.tid === this.tgid;
  }

  cred(): Cred {
    return { uid: this.uid, gid: this.gid };
  }
}
