/**
 * Core scheduling on the simulated kernel, as the trust-group manager
 * (`coresched/`) and the commands use it: the `CoreSchedKernel` contract
 * over the model's `prctl(PR_SCHED_CORE)` (model/coresched.ts), its tasks,
 * and its fork, exit and move hooks, which run synchronously, before a new
 * task runs. Only a machine with SMT has core scheduling: on one without,
 * every operation fails with ENODEV, as on such a host.
 *
 * The manager acts as a task of its own (`self`): a sleeping root process
 * named `cgkit-coresched`, started on first use, as a trust-group daemon
 * would run on a host. Init stays untagged, so the manager can always take
 * cookie 0 back from it (the kernel's only way back to no cookie).
 */
import { scopeOf, type CookieScope, type CoreSchedEvent, type CoreSchedKernel, type CoreSchedTask } from '../core/coresched.js';
import { schedCore } from '../model/coresched.js';
import type { Kernel } from '../model/kernel.js';
import { forkTask } from '../model/tasks.js';

export class SimCoreSchedKernel implements CoreSchedKernel {
  readonly kind = 'sim' as const;
  private selfTid = 0;
  readonly synchronousEvents = true;
  readonly reportsMoves = true;

  private forking = false;

  constructor(private readonly k: Kernel) {
    this.startSelf();
  }

  get self(): number {
    // Started again if it was killed; while its fork is being reported, listeners see init act.
    if (this.forking) return 1;
    if (this.k.tasks.get(this.selfTid)?.exited !== false) this.startSelf();
    return this.selfTid;
  }

  private startSelf(): void {
    this.forking = true;
    try {
      this.selfTid = forkTask(this.k, 1, { name: 'cgkit-coresched', uid: 0, gid: 0 }).tid;
    } finally {
      this.forking = false;
    }
  }

  getCookie(tid: number): bigint {
    return schedCore(this.k, 1, { cmd: 0, pid: tid, scope: 0 }) ?? 0n;
  }

  create(caller: number, pid: number, scope: CookieScope): void {
    schedCore(this.k, caller, { cmd: 1, pid, scope: scopeOf(scope) });
  }

  shareTo(caller: number, pid: number, scope: CookieScope): void {
    schedCore(this.k, caller, { cmd: 2, pid, scope: scopeOf(scope) });
  }

  shareFrom(caller: number, pid: number): void {
    schedCore(this.k, caller, { cmd: 3, pid, scope: 0 });
  }

  task(tid: number): CoreSchedTask | undefined {
    const t = this.k.tasks.get(tid);
    if (t === undefined) return undefined;
    return { tid: t.tid, tgid: t.tgid, ppid: t.ppid, pgid: this.k.leader(t).pgid, uid: t.uid, name: t.name };
  }

  threads(tgid: number): number[] {
    const leader = this.k.tasks.get(tgid);
    if (leader === undefined || !leader.isLeader) return [];
    return [...leader.threads].filter((t) => !t.exited || t === leader).map((t) => t.tid).sort((a, b) => (a === tgid ? -1 : b === tgid ? 1 : a - b));
  }

  tasks(): number[] {
    return [...this.k.tasks.values()].filter((t) => !t.exited).map((t) => t.tid).sort((a, b) => a - b);
  }

  watch(fn: (e: CoreSchedEvent) => void): () => void {
    this.k.taskListeners.add(fn);
    return () => this.k.taskListeners.delete(fn);
  }
}
