/**
 * The tasks (threads) of a host run and their scheduler figures, read from
 * `/proc/<tgid>/task/<tid>/{schedstat,status,cgroup}` when asked. A task is
 * known once its worker reported it (`task` line) or its process was seen
 * in the run's groups; a task that is gone keeps its last figures (the
 * worker's own `exit` report, or the last read before a signal ended it).
 * Figures count from the start of the task's program: what the worker
 * used while it loaded (reported with its `task` line) is subtracted.
 *
 * Only threads that run a program are tasks: the helper threads of the Node
 * runtime inside each worker (compiler, garbage collector, I/O pool) are
 * not listed, though their CPU time counts in the groups' usage.
 */
import { readFileSync } from 'node:fs';
import { parseProcCgroup } from '../../core/format/proccgroup.js';
import type { MountSpec } from '../../core/layout.js';
import { pidCgroupFor } from '../proc-cgroups.js';
import type { Figures } from '../worker/protocol.js';

export interface TaskRecord {
  tid: number;
  tgid: number;
  name: string;
  /** Absolute directory in the cpu hierarchy (the last one seen). */
  cgroup: string;
  runtimeNs: number;
  waitNs: number;
  timeslices: number;
  nvcsw: number;
  nivcsw: number;
  exited: boolean;
  forcedIdleNs: number;
}

interface Entry {
  tid: number;
  tgid: number;
  name: string;
  cgroup: string;
  exited: boolean;
  /** Figures when the program started (the worker's start-up), subtracted from what is reported. */
  base: Figures;
  /** Figures as last read (cumulative since the thread began). */
  cur: Figures;
}

const ZERO: Figures = { runtimeNs: 0, waitNs: 0, timeslices: 0, nvcsw: 0, nivcsw: 0 };
const KEYS = Object.keys(ZERO) as (keyof Figures)[];

function statusField(status: string, key: string): number {
  const line = status.split('\n').find((l) => l.startsWith(`${key}:`));
  const n = Number(line?.slice(key.length + 1).trim());
  return Number.isFinite(n) ? n : 0;
}

export class TaskTable {
  private readonly tasks = new Map<number, Entry>();

  /**
   * @param cpuMount the hierarchy whose directory each task reports
   * @param defaultCgroup the directory reported until one is read
   */
  constructor(private readonly cpuMount: MountSpec, private readonly defaultCgroup: string) {}

  /**
   * A thread starts running a program (its worker said so, with its
   * start-up figures as `base`). A task already known keeps the base it was
   * given first: figures already handed out were measured from it.
   */
  announce(tid: number, tgid: number, name: string, base?: Figures): void {
    const t = this.tasks.get(tid);
    if (t && !t.exited && t.tgid === tgid) {
      t.name = name;
      return;
    }
    const e: Entry = { tid, tgid, name, cgroup: t?.cgroup ?? this.defaultCgroup, exited: false, base: { ...ZERO }, cur: { ...ZERO } };
    this.tasks.set(tid, e);
    this.read(e);
    e.base = base ? { ...base } : { ...e.cur };
  }

  /** The main thread of a process the run started (named from its `comm` until it reports). */
  see(pid: number): void {
    if (this.tasks.has(pid)) return;
    let name: string;
    try {
      name = statusName(readFileSync(`/proc/${pid}/status`, 'latin1'));
    } catch {
      return; // already gone
    }
    this.announce(pid, pid, name);
  }

  /** A thread's own last figures, written just before it ended. */
  exited(tid: number, tgid: number, f: Figures): void {
    const t = this.tasks.get(tid);
    if (!t || t.exited || t.tgid !== tgid) return;
    this.read(t);
    for (const k of KEYS) t.cur[k] = Math.max(t.cur[k], f[k]);
    t.exited = true;
  }

  /** Read the figures of every task that is still running. */
  refresh(): void {
    for (const t of this.tasks.values()) if (!t.exited) this.read(t);
  }

  /** Every task, with its figures since its program started. */
  all(): TaskRecord[] {
    return [...this.tasks.values()].map((t) => {
      const d = (k: keyof Figures): number => Math.max(0, t.cur[k] - t.base[k]);
      return {
        tid: t.tid, tgid: t.tgid, name: t.name, cgroup: t.cgroup, exited: t.exited, forcedIdleNs: 0,
        runtimeNs: d('runtimeNs'), waitNs: d('waitNs'), timeslices: d('timeslices'), nvcsw: d('nvcsw'), nivcsw: d('nivcsw'),
      };
    });
  }

  /** Tids of tasks that have not ended. */
  live(): number[] {
    return [...this.tasks.values()].filter((t) => !t.exited).map((t) => t.tid);
  }

  private read(t: Entry): void {
    const dir = `/proc/${t.tgid}/task/${t.tid}`;
    try {
      const [run, wait, slices] = readFileSync(`${dir}/schedstat`, 'latin1').trim().split(/\s+/).map(Number);
      const status = readFileSync(`${dir}/status`, 'latin1');
      if (statusField(status, 'Tgid') !== t.tgid || /^State:\s+[ZX]/m.test(status)) throw new Error('gone');
      const line = pidCgroupFor(parseProcCgroup(readFileSync(`${dir}/cgroup`, 'latin1')), this.cpuMount);
      const now: Figures = {
        runtimeNs: run ?? 0, waitNs: wait ?? 0, timeslices: slices ?? 0,
        nvcsw: statusField(status, 'voluntary_ctxt_switches'), nivcsw: statusField(status, 'nonvoluntary_ctxt_switches'),
      };
      for (const k of KEYS) t.cur[k] = Math.max(t.cur[k], now[k]);
      if (line) t.cgroup = line.path === '/' ? this.cpuMount.mountPoint : `${this.cpuMount.mountPoint}${line.path}`;
    } catch {
      t.exited = true; // gone: keep what was read last
    }
  }
}

function statusName(status: string): string {
  const line = status.split('\n').find((l) => l.startsWith('Name:'));
  return line?.slice(5).trim() || 'task';
}
