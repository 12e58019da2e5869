/**
 * Writes the scheduler's figures back into the cgroup model, so that files
 * read through CgroupFs show them: v2 `cpu.stat` (usage of the task's v2
 * cgroup and its ancestors), v1 `cpuacct.*` per CPU, the bandwidth counters
 * of the group's own cpu css, and the per-task fields behind
 * /proc/<pid>/stat and /proc/<pid>/schedstat. The machine hands over time in
 * plain numbers as it runs; they are folded into the model's (bigint)
 * counters when the kernel is flushed.
 */
import { cpuacctCharge, NS_PER_USER_TICK, type CpuacctState } from '../../core/controllers/cpuacct.js';
import type { CpuState } from '../../core/controllers/cpu-state.js';
import type { Css } from '../../core/controller.js';
import type { TaskGroup, SchedTask } from '../../sched/sched-types.js';
import type { Kernel } from '../kernel.js';
import type { Task } from '../task.js';
import type { CssImpl } from '../cgroup.js';

export interface AccountRec {
  readonly task: Task;
  readonly st: SchedTask;
  /** ns run per CPU since the last fold. */
  readonly pending: number[];
  pendingTotal: number;
  /** Forced idle charged since the last fold, ns. */
  pendingForceIdle: number;
}

export function chargePending(rec: AccountRec, cpu: number, ns: number): void {
  rec.pending[cpu] = (rec.pending[cpu] ?? 0) + ns;
  rec.pendingTotal += ns;
}

/** Folds a task's pending CPU time into its cgroups and its /proc fields. */
export function foldTask(k: Kernel, rec: AccountRec): void {
  const t = rec.task;
  const c = rec.st.counters;
  if (rec.pendingTotal > 0) {
    const total = rec.pendingTotal;
    const niced = t.nice > 0;
    for (let cg = t.cgroups.get(k.dfl) ?? null; cg; cg = cg.parent) {
      cg.cpuUsageNs += total;
      if (niced) cg.cpuNiceNs += total;
    }
    const acct = t.css.get('cpuacct') as Css<CpuacctState> | undefined;
    if (acct) {
      rec.pending.forEach((ns, cpu) => {
        if (ns > 0) cpuacctCharge(acct, cpu, BigInt(ns), 'user');
      });
    }
    rec.pending.fill(0);
    rec.pendingTotal = 0;
  }
  if (rec.pendingForceIdle > 0) {
    for (let cg = t.cgroups.get(k.dfl) ?? null; cg; cg = cg.parent) cg.cpuForceIdleNs += rec.pendingForceIdle;
    rec.pendingForceIdle = 0;
  }
  t.runtimeNs = BigInt(c.runtimeNs);
  t.waitNs = BigInt(c.waitNs);
  t.timeslices = c.timeslices;
  t.nvcsw = c.nvcsw;
  t.nivcsw = c.nivcsw;
  t.migrations = c.migrations;
  t.forceIdleNs = BigInt(c.forceIdleNs);
  // /proc/<pid>/stat utime: sum_exec_runtime in clock ticks (all of it user time here).
  t.utimeTicks = BigInt(Math.floor(c.runtimeNs / NS_PER_USER_TICK));
  t.stimeTicks = 0n;
  t.runnable = rec.st.state === 'runnable' || rec.st.state === 'running';
}

/** Copies a group's bandwidth counters into its cpu css (cpu.stat, cpu.stat.local). */
export function foldGroup(css: CssImpl<unknown>, tg: TaskGroup): void {
  const s = (css as unknown as Css<CpuState>).state.stats;
  const p = tg.bw.pool.stats;
  s.nrPeriods = p.nrPeriods;
  s.nrThrottled = p.nrThrottled;
  s.throttledNs = p.throttledNs;
  s.nrBursts = p.nrBursts;
  s.burstNs = p.burstNs;
  s.throttledSelfNs = BigInt(tg.bw.throttledSelfNs.reduce((a, b) => a + b, 0));
}
