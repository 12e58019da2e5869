import type { KernelServices, TaskView } from '../controller.js';
import { cssOfTask, memcgEvent, type MemoryCss } from './memory-state.js';

/**
 * The charge API of the memory controller: what try_charge() and the memcg
 * OOM killer do, for the simulated kernel's workloads.
 *
 * - A charge rounds up to whole pages and is charged to the group and every
 *   ancestor (v1 first to memory+swap, then memory). The first level whose
 *   limit would be passed is the limiting group: it counts a `max` event
 *   (v1: failcnt), then, as nothing can be reclaimed, an `oom` event, and
 *   the OOM killer picks the process with the largest rss among the tasks
 *   of the limiting group's subtree and sends it SIGKILL through
 *   `k.signal(tgid, 9)`. With memory.oom.group set on the victim's group or
 *   an ancestor up to the limiting group (v2), every process of the highest
 *   such group is killed.
 * - After a kill the charge is retried, as the kernel does. It succeeds
 *   when the kill freed enough. It fails when the charging process was
 *   killed (its allocation never completes), when nothing is left to kill,
 *   when v1 memory.oom_control has oom_kill_disable set, or when the kill
 *   did not lower the limiting group's usage (the model is expected to
 *   uncharge a killed process synchronously, through the exit hook).
 * - Above memory.high a charge succeeds and counts `high` events on every
 *   level that is over; it never kills.
 * - Charges stay with the group they were made in when a task migrates
 *   (v2, and v1 since move_charge_at_immigrate is gone); a process's
 *   charges are released from those groups when its leader exits.
 */

export interface ChargeResult {
  ok: boolean;
  /** Why a charge failed. */
  reason?: 'oom-killed' | 'no-victim' | 'oom-disabled';
  /** Thread-group ids the OOM killer sent SIGKILL to. */
  killed: number[];
  /** The group whose limit was hit, if any. */
  limitedBy?: MemoryCss;
}

function pagesOf(bytes: bigint, k: KernelServices): bigint {
  return bytes <= 0n ? 0n : (bytes + k.pageSize - 1n) / k.pageSize;
}

type Which = 'memory' | 'memsw';

/** page_counter_try_charge() up the chain; returns the limiting group or undefined. */
function tryChargeChain(css: MemoryCss, pages: bigint, which: Which): MemoryCss | undefined {
  const done: MemoryCss[] = [];
  for (let c: MemoryCss | null = css; c; c = c.parent) {
    const pc = c.state[which];
    const next = pc.usage + pages;
    if (next > pc.max) {
      if (which === 'memory' && c.cgroup.version === 1) pc.failcnt++;
      for (const d of done) d.state[which].usage -= pages;
      return c;
    }
    pc.usage = next;
    if (next > pc.watermark) pc.watermark = next;
    done.push(c);
  }
  return undefined;
}

function uncharge(css: MemoryCss, pages: bigint, which: Which): void {
  for (let c: MemoryCss | null = css; c; c = c.parent) c.state[which].usage -= pages;
}

function tryCharge(css: MemoryCss, pages: bigint): MemoryCss | undefined {
  if (css.cgroup.version === 1) {
    const over = tryChargeChain(css, pages, 'memsw');
    if (over) return over;
    const m = tryChargeChain(css, pages, 'memory');
    if (m) uncharge(css, pages, 'memsw');
    return m;
  }
  return tryChargeChain(css, pages, 'memory');
}

/** oom_evaluate_task() over the limiting group's subtree: largest rss per process, ties to the later one. */
function selectVictim(over: MemoryCss, killed: ReadonlySet<number>): number | undefined {
  const points = new Map<number, bigint>();
  for (const t of over.cgroup.subtreeThreads()) {
    if (t.kernelThread || t.tgid === 1 || killed.has(t.tgid)) continue;
    points.set(t.tgid, (points.get(t.tgid) ?? 0n) + t.rss);
  }
  let chosen: number | undefined;
  let best = -1n;
  for (const [tgid, p] of points) {
    if (p >= best) {
      best = p;
      chosen = tgid;
    }
  }
  return chosen;
}

/** mem_cgroup_get_oom_group(): the highest group with oom.group set from the victim's group up to the OOM domain. */
function oomGroup(victim: MemoryCss, domain: MemoryCss): MemoryCss | undefined {
  if (victim.cgroup.version === 1 || !victim.parent) return undefined;
  let group: MemoryCss | undefined;
  for (let c: MemoryCss | null = victim; c; c = c.parent) {
    if (c.state.oomGroup) group = c;
    if (c === domain) break;
  }
  return group;
}

function killOne(domain: MemoryCss, tgid: number, killed: Set<number>, k: KernelServices): void {
  const leaderCss = cssOfTask(domain, tgid) ?? domain;
  memcgEvent(leaderCss, 'oom_kill');
  killed.add(tgid);
  k.signal(tgid, 9);
}

/** out_of_memory() for a memcg: kill the victim, then its oom.group. */
export function memcgOomKill(domain: MemoryCss, killed: Set<number>, k: KernelServices): boolean {
  const victim = selectVictim(domain, killed);
  if (victim === undefined) return false;
  const victimCss = cssOfTask(domain, victim) ?? domain;
  const group = oomGroup(victimCss, domain);
  killOne(domain, victim, killed, k);
  if (group) {
    memcgEvent(group, 'oom_group_kill');
    const members = new Set(group.cgroup.subtreeThreads().filter((t) => !t.kernelThread && t.tgid !== 1).map((t) => t.tgid));
    for (const tgid of members) if (!killed.has(tgid)) killOne(domain, tgid, killed, k);
  }
  return true;
}

function record(css: MemoryCss, tgid: number, pages: bigint): void {
  const ledger = css.state.ledger;
  let m = ledger.get(tgid);
  if (!m) ledger.set(tgid, (m = new Map()));
  const left = (m.get(css) ?? 0n) + pages;
  if (left > 0n) m.set(css, left);
  else m.delete(css);
  if (m.size === 0) ledger.delete(tgid);
}

/** Charge `bytes` of anonymous memory allocated by `task` to `css` (its memory css). */
export function memoryCharge(css: MemoryCss, task: TaskView, bytes: bigint, k: KernelServices): ChargeResult {
  const pages = pagesOf(bytes, k);
  const killed = new Set<number>();
  let raisedMax = false;
  let limitedBy: MemoryCss | undefined;
  const fail = (reason: NonNullable<ChargeResult['reason']>): ChargeResult =>
    ({ ok: false, reason, killed: [...killed], ...(limitedBy ? { limitedBy } : {}) });
  for (;;) {
    const over = pages === 0n ? undefined : tryCharge(css, pages);
    if (!over) break;
    limitedBy = over;
    if (!raisedMax) {
      memcgEvent(over, 'max');
      raisedMax = true;
    }
    memcgEvent(over, 'oom');
    if (over.cgroup.version === 1 && over.state.oomKillDisable) return fail('oom-disabled');
    if (!memcgOomKill(over, killed, k)) return fail('no-victim');
    if (killed.has(task.tgid)) return fail('oom-killed');
  }
  css.state.localPages += pages;
  css.state.pgfault += pages;
  css.state.pgpgin += pages;
  record(css, task.tgid, pages);
  for (let c: MemoryCss | null = css; c?.parent; c = c.parent) {
    if (c.state.memory.usage > c.state.high) memcgEvent(c, 'high');
  }
  return { ok: true, killed: [...killed], ...(limitedBy ? { limitedBy } : {}) };
}

/**
 * Uncharge `bytes` of `task`'s process: from `css` first, then from the
 * other groups the process charged (a task that migrated frees memory
 * charged where it used to be). Never more than the process charged.
 */
export function memoryUncharge(css: MemoryCss, task: TaskView, bytes: bigint): void {
  const pageSize = css.state.pageSize;
  let want = bytes <= 0n ? 0n : (bytes + pageSize - 1n) / pageSize;
  const entries = css.state.ledger.get(task.tgid);
  if (!entries) return;
  const order = [css, ...[...entries.keys()].filter((c) => c !== css)];
  for (const c of order) {
    if (want === 0n) break;
    const have = entries.get(c) ?? 0n;
    const pages = want < have ? want : have;
    if (pages === 0n) continue;
    unchargePages(c, task.tgid, pages);
    want -= pages;
  }
}

function unchargePages(css: MemoryCss, tgid: number, pages: bigint): void {
  uncharge(css, pages, 'memory');
  if (css.cgroup.version === 1) uncharge(css, pages, 'memsw');
  css.state.localPages -= pages;
  css.state.pgpgout += pages;
  record(css, tgid, -pages);
}

/** A process ended: release everything it charged, from the groups it charged. */
export function memoryReleaseProcess(anyCss: MemoryCss, tgid: number): void {
  const entries = anyCss.state.ledger.get(tgid);
  if (!entries) return;
  for (const [css, pages] of [...entries]) unchargePages(css, tgid, pages);
}

/** Bytes a process has charged in this hierarchy. */
export function memoryChargedBytes(anyCss: MemoryCss, tgid: number): bigint {
  let n = 0n;
  for (const p of anyCss.state.ledger.get(tgid)?.values() ?? []) n += p;
  return n * anyCss.state.pageSize;
}
