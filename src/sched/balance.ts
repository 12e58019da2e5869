/**
 * CPU selection and load balancing, after kernel/sched/fair.c in one flat
 * scheduling domain spanning the machine's CPUs:
 * - a new task goes to the allowed CPU with the fewest runnable tasks, then
 *   the least load (sched_balance_find_dst_cpu for SD_BALANCE_FORK);
 * - a waking task goes to its previous CPU if that is idle, else to an idle
 *   allowed CPU, else stays where it was (select_idle_sibling);
 * - periodic, idle and newly-idle balancing pull queued tasks from the
 *   busiest CPU: by task count when this CPU is idle, else by load with
 *   the kernel's imbalance (the smaller of how far the busiest is above the
 *   average and this CPU below it) and each task's hierarchical load
 *   (task_h_load), skipping cache-hot tasks until balancing has failed,
 *   pinned tasks and tasks in throttled groups.
 * With core scheduling in force, placement and balancing look at cookies
 * as the kernel does: an idle CPU found by the wakeup scan must have the
 * task's core cookie (sched_cpu_cookie_match), a new task prefers a core
 * that is idle or runs its cookie (sched_core_cookie_match), the balancer
 * treats a task whose cookie does not match the destination core as cache
 * hot, and a forced-idle CPU steals a waiting task of its core's cookie
 * from another CPU (sched_core_balance), not from a core that was fuller
 * at the task's last pick than this one is (core_occupation), and one task
 * at most once per instant.
 */
import type { Cpu, GroupCpu, SchedTask } from './sched-types.js';

/** sysctl_sched_migration_cost: a task that ran this recently is cache hot. */
export const MIGRATION_COST_NS = 500_000;
/** sysctl_sched_nr_migrate. */
export const NR_MIGRATE = 32;
/** imbalance_pct of a multi-core domain. */
export const IMBALANCE_PCT = 117;
/** sd->busy_factor. */
export const BUSY_FACTOR = 16;
/** sd->cache_nice_tries of a multi-core domain. */
export const CACHE_NICE_TRIES = 1;

export interface BalanceHost {
  readonly cpus: readonly Cpu[];
  readonly now: number;
  /** Core scheduling is in force. */
  readonly coreSched: boolean;
  migrateQueued(t: SchedTask, dst: number): void;
}

function cpuLoad(c: Cpu): number {
  return c.root.avg.loadAvg;
}

/** Balance interval of a CPU: sd_weight ms, times busy_factor while busy. */
export function balanceIntervalNs(ncpus: number, busy: boolean): number {
  return Math.max(1, ncpus) * 1_000_000 * (busy ? BUSY_FACTOR : 1);
}

/** sched_cpu_cookie_match(): the CPU's core runs the task's cookie. */
function cpuCookieMatch(host: BalanceHost, c: Cpu, t: SchedTask): boolean {
  return !host.coreSched || c.core.cookie === t.cookie;
}

/** sched_core_cookie_match(): the core is idle, or runs the task's cookie. */
function coreCookieMatch(host: BalanceHost, c: Cpu, t: SchedTask): boolean {
  if (!host.coreSched) return true;
  return c.core.cpus.every((s) => s.curr === null && s.nrRunning === 0) || c.core.cookie === t.cookie;
}

/** CPU for a new task. */
export function selectForkCpu(host: BalanceHost, t: SchedTask): number {
  const matching = host.coreSched && host.cpus.some((c) => t.canRunOn(c.id) && coreCookieMatch(host, c, t));
  let best = -1;
  for (const c of host.cpus) {
    if (!t.canRunOn(c.id)) continue;
    if (matching && !coreCookieMatch(host, c, t)) continue;
    if (best < 0) {
      best = c.id;
      continue;
    }
    const b = host.cpus[best]!;
    if (c.nrRunning < b.nrRunning || (c.nrRunning === b.nrRunning && cpuLoad(c) < cpuLoad(b))) best = c.id;
  }
  if (best < 0) throw new Error(`task ${t.id} may run on no CPU`);
  return best;
}

/** CPU for a waking task. */
export function selectWakeCpu(host: BalanceHost, t: SchedTask): number {
  const n = host.cpus.length;
  const prev = t.cpu;
  const prevOk = t.canRunOn(prev);
  if (prevOk && host.cpus[prev]!.curr === null && host.cpus[prev]!.nrRunning === 0) return prev;
  for (let i = 1; i <= n; i++) {
    const c = host.cpus[(prev + i) % n]!;
    if (t.canRunOn(c.id) && c.curr === null && c.nrRunning === 0 && cpuCookieMatch(host, c, t)) return c.id;
  }
  return prevOk ? prev : selectForkCpu(host, t);
}

/** Hierarchical load of the queues of one CPU (update_cfs_rq_h_load), into gc.hLoad. */
function hLoad(gc: GroupCpu): number {
  if (gc.se === null) return (gc.hLoad = gc.avg.loadAvg);
  const p = gc.se.parent;
  return (gc.hLoad = Math.floor((hLoad(p) * gc.se.avg.loadAvg) / (p.avg.loadAvg + 1)));
}

/** task_h_load(): the task's share of its CPU's load through the group hierarchy. */
export function taskHLoad(t: SchedTask): number {
  const gc = t.se.parent;
  return Math.floor((t.se.avg.loadAvg * hLoad(gc)) / (gc.avg.loadAvg + 1));
}

function throttledHierarchy(gc: GroupCpu): boolean {
  return gc.tg.bw.isThrottled(gc.cpu);
}

/** A queued task that could move from `src` to `dst`: waiting (not running, not delayed), allowed there, in no throttled group. */
function movable(t: SchedTask, src: Cpu, dst: Cpu): boolean {
  if (src.curr === t || t.delayed || t.state !== 'runnable') return false;
  if (!t.canRunOn(dst.id)) return false;
  return !throttledHierarchy(t.se.parent) && !throttledHierarchy(t.tg.cpus[dst.id]!);
}

function canMigrate(host: BalanceHost, t: SchedTask, src: Cpu, dst: Cpu, now: number): boolean {
  if (!movable(t, src, dst)) return false;
  const hot = now - t.lastRanAt < MIGRATION_COST_NS || !coreCookieMatch(host, dst, t);
  return !hot || src.nrBalanceFailed > CACHE_NICE_TRIES;
}

/** sched_balance_rq(): pulls tasks to `local`; returns how many moved. */
export function balanceCpu(host: BalanceHost, local: Cpu, kind: 'periodic' | 'newidle' | 'idle'): number {
  const cpus = host.cpus;
  const now = host.now;
  local.nextBalance = now + balanceIntervalNs(cpus.length, local.nrRunning > 0 && kind === 'periodic');
  let busiest: Cpu | null = null;
  let total = 0;
  for (const c of cpus) {
    total += cpuLoad(c);
    if (c === local || c.nrRunning < 2) continue;
    if (busiest === null) busiest = c;
    else if (local.nrRunning === 0 ? c.nrRunning > busiest.nrRunning || (c.nrRunning === busiest.nrRunning && cpuLoad(c) > cpuLoad(busiest)) : cpuLoad(c) > cpuLoad(busiest)) busiest = c;
  }
  if (busiest === null) return 0;
  let byTasks = false;
  let imbalance: number;
  if (local.nrRunning === 0) {
    byTasks = true;
    imbalance = Math.max(1, (busiest.nrRunning - local.nrRunning) >> 1);
  } else {
    const avg = total / cpus.length;
    const lb = cpuLoad(busiest);
    const ll = cpuLoad(local);
    if (ll >= lb || 100 * lb <= IMBALANCE_PCT * ll || ll >= avg) return 0;
    imbalance = Math.floor(Math.min(lb - avg, avg - ll));
    if (imbalance <= 0) return 0;
  }
  let moved = 0;
  let loops = Math.min(NR_MIGRATE, busiest.nrRunning);
  for (const t of [...busiest.tasks]) {
    if (loops-- <= 0 || imbalance <= 0) break;
    if (!canMigrate(host, t, busiest, local, now)) continue;
    if (!byTasks) {
      const load = Math.max(1, taskHLoad(t));
      if (Math.floor(load / 2 ** Math.min(busiest.nrBalanceFailed, 31)) > imbalance) continue;
      imbalance -= load;
    } else {
      imbalance--;
    }
    host.migrateQueued(t, local.id);
    moved++;
  }
  busiest.nrBalanceFailed = moved === 0 ? busiest.nrBalanceFailed + 1 : 0;
  return moved;
}

/**
 * sched_core_balance() for a CPU that went forced idle: pull a waiting task
 * with the core's cookie from another CPU (nearest first). Returns whether
 * one moved; the move makes `dst` pick again.
 */
export function stealCookieTask(host: BalanceHost, dst: Cpu): boolean {
  const cookie = dst.core.cookie;
  if (cookie === 0 || dst.curr !== null) return false;
  const n = host.cpus.length;
  for (let i = 1; i < n; i++) {
    const src = host.cpus[(dst.id + i) % n]!;
    for (const t of src.tasks) {
      if (t.cookie !== cookie || !movable(t, src, dst)) continue;
      // Not from a fuller core than this one was at its pick (try_steal_cookie's core_occupation test).
      if (t.coreOccupation > dst.idleOccupation) continue;
      // Stolen once per instant: forced-idle CPUs of two cores could otherwise pass it back and forth for ever.
      if (t.stolenAt === host.now) continue;
      t.stolenAt = host.now;
      host.migrateQueued(t, dst.id);
      return true;
    }
  }
  return false;
}
