/**
 * The SMT half of the scheduler machine: cores of sibling CPUs and core
 * scheduling on them (the helpers and the rules are in core-sched.ts).
 * Tasks' cookies are set here; while any live task holds one, every
 * reschedule of a CPU with siblings is the core-wide pick below, otherwise
 * CPUs schedule on their own (MachineCore.schedule).
 */
import { stealCookieTask } from './balance.js';
import { Core, findCookie, prioLess } from './core-sched.js';
import { MachineCore } from './machine-core.js';
import type { Cpu, SchedTask } from './sched-types.js';

export abstract class SmtMachine extends MachineCore {
  /** SMT cores, in CPU order. */
  readonly cores: Core[] = [];
  /** Live tasks holding a cookie: core scheduling is in force while there are any. */
  private cookied = 0;

  /** Groups the CPUs (made by the subclass) into cores of `smt` siblings: CPUs k·smt .. k·smt+smt-1. */
  protected makeCores(smt: number): void {
    const n = this.cpus.length;
    if (!Number.isInteger(smt) || smt < 1 || n % smt !== 0) throw new RangeError(`smt ${smt} must be a positive integer dividing cpus (${n})`);
    for (let k = 0; k < n / smt; k++) {
      const core = new Core(k, this.cpus.slice(k * smt, (k + 1) * smt));
      for (const c of core.cpus) c.core = core;
      this.cores.push(core);
    }
  }

  get coreSched(): boolean {
    return this.cookied > 0 && this.cores[0]!.cpus.length > 1;
  }

  /**
   * A task's core scheduling cookie changed (0: none). A queued or running
   * task makes its CPU pick again; the first cookie switches core
   * scheduling on for every core, the last one off.
   */
  setCookie(t: SchedTask, cookie: number): void {
    if (!Number.isSafeInteger(cookie) || cookie < 0) throw new RangeError(`cookie ${cookie} must be a non-negative integer`);
    if (t.cookie === cookie || t.state === 'dead') return;
    this.accountAll();
    const before = this.cookied > 0;
    if (t.cookie !== 0) this.cookied--;
    if (cookie !== 0) this.cookied++;
    t.cookie = cookie;
    const after = this.cookied > 0;
    if (before !== after) this.coreSchedSwitched(after);
    else if (t.state !== 'sleeping' || t.delayed) this.kick(this.cpus[t.cpu]!);
  }

  /** Core scheduling went on or off: every CPU picks again; off, no sibling is forced idle any more. */
  protected coreSchedSwitched(on: boolean): void {
    if (this.cores[0]!.cpus.length === 1) return;
    if (!on) {
      this.accountAll();
      for (const core of this.cores) {
        core.fiCount = 0;
        core.occupation = 0;
        core.cookie = 0;
      }
      for (const c of this.cpus) c.forcedIdle = false;
    }
    for (const c of this.cpus) this.kick(c);
  }

  /** A task that exits gives its cookie back. */
  protected dropCookie(t: SchedTask): void {
    if (t.cookie === 0) return;
    this.cookied--;
    t.cookie = 0;
    if (this.cookied === 0) this.coreSchedSwitched(false);
  }

  /**
   * The core-wide pick (pick_next_task with core scheduling): every sibling
   * picks its most deserving task, the most deserving of those decides the
   * core's cookie, and each sibling runs its pick if the cookie matches,
   * else its best task with that cookie, else nothing (forced idle).
   */
  protected scheduleCore(cpu: Cpu): void {
    const core = cpu.core;
    const n = core.cpus.length;
    const sibs: Cpu[] = [];
    for (let i = 0; i < n; i++) sibs.push(core.cpus[(core.cpus.indexOf(cpu) + i) % n]!);
    for (const s of sibs) this.account(s);
    // Forced idle is charged up to now; a stretch that begins now is charged from now.
    core.fiLast = this.engine.now;
    const fiBefore = core.fiCount > 0;
    // This CPU puts its task back and picks, as without core scheduling.
    const prev0 = cpu.curr;
    if (prev0 !== null) this.putPrevChain(cpu, prev0);
    let p0 = this.pick(cpu);
    if (p0 === null && this.balance(cpu, 'newidle') > 0) p0 = this.pick(cpu);
    // The kernel's fast path: no cookie on the core and nobody forced idle, an untagged pick runs without the siblings.
    if (!fiBefore && core.cookie === 0 && (p0 === null || p0.cookie === 0)) {
      cpu.forcedIdle = false;
      this.switchTo(cpu, prev0, p0);
      return;
    }
    // The siblings pick with their running task in place (it keeps a protected slice), as pick_task() does.
    const prevs: (SchedTask | null)[] = [prev0];
    const picks: (SchedTask | null)[] = [p0];
    for (const s of sibs.slice(1)) {
      prevs.push(s.curr);
      picks.push(this.pick(s));
    }
    let max: SchedTask | null = null;
    for (const p of picks) if (p !== null && (max === null || prioLess(core, max, p, fiBefore))) max = p;
    const cookie = max?.cookie ?? 0;
    let fiCount = 0;
    let occupation = 0;
    const nexts = picks.map((p, i) => {
      let next = p;
      if (next !== null && next.cookie !== cookie) next = cookie !== 0 ? findCookie(sibs[i]!, cookie) : null;
      sibs[i]!.forcedIdle = p !== null && next === null;
      if (sibs[i]!.forcedIdle) fiCount++;
      if (next !== null) occupation++;
      return next;
    });
    if (fiCount > 0 && !fiBefore) core.fiSeq++;
    nexts.forEach((next, i) => {
      if (next !== null) next.coreOccupation = occupation;
      else sibs[i]!.idleOccupation = occupation;
    });
    core.fiCount = fiCount;
    core.occupation = occupation;
    core.cookie = cookie;
    sibs.forEach((s, i) => {
      const prev = prevs[i]!;
      const next = nexts[i]!;
      if (i > 0) {
        if (prev !== null && next === prev && prev.state === 'running') return; // a sibling that keeps its task is left alone
        if (prev !== null) this.putPrevChain(s, prev);
      }
      this.switchTo(s, prev, next);
    });
    // sched_core_balance() runs when a CPU switches to the idle task (set_next_task_idle): only on entering forced idle.
    sibs.forEach((s, i) => {
      if (s.forcedIdle && prevs[i] !== null) stealCookieTask(this, s);
    });
  }
}
