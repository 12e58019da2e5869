import { CgroupError } from '../core/errors.js';
import type { Cgroup, CssImpl, Hierarchy } from './cgroup.js';
import type { Kernel } from './kernel.js';
import type { ModelFs } from './model-fs.js';
import type { Task } from './task.js';
import { MemoryShadow } from './invariants-memory.test-util.js';
import { type Op, PID_EXTRAS, PID_TEXT_EXTRAS, WRITE_FILES, valueFor } from './invariants-ops.test-util.js';

/** What the property test needs of a SimKernel (model/ may not import api/; SimKernel fits this shape). */
export interface SimTaskInfo {
  tid: number;
  tgid: number;
  ppid: number;
  uid: number;
  state: string;
  cgroups: { mountPoint: string; path: string }[];
}

export interface Sim {
  readonly kernel: Kernel;
  readonly fs: ModelFs;
  readonly releases: readonly unknown[];
  as(pid: number): { fs: ModelFs };
  spawn(opts?: { cgroup?: string; uid?: number; ppid?: number }): number;
  fork(pid: number): number;
  spawnThread(pid: number): number;
  exit(pid: number, code?: number): void;
  kill(pid: number, signal: number | string): void;
  wait(pid: number): number | undefined;
  charge(pid: number, bytes: bigint): void;
  uncharge(pid: number, bytes: bigint): void;
  task(pid: number): SimTaskInfo | undefined;
  ps(): SimTaskInfo[];
}

/** What a step did, resolved, for the per-operation checks (invariants-post). */
export type Action =
  | { kind: 'mkdir' | 'rmdir'; path: string }
  | { kind: 'write'; path: string; text: string }
  | { kind: 'task'; call: 'fork' | 'thread' | 'spawn'; parent: number; into?: string }
  | { kind: 'other' };

/** How much a failed operation may change: nothing (the rule), or the counters the kernel bumps on refusal. */
export type FailureLeeway = 'nothing' | 'fork-counters' | 'anything';

export interface Outcome {
  error?: CgroupError;
  leeway: FailureLeeway;
}

/**
 * A SimKernel under test plus the test's own records of what the kernel
 * should hold: the memory each process charged (MemoryShadow), and the
 * pids css each zombie was charged to when it exited (a zombie keeps its
 * css until reaped, even when controllers are enabled or disabled above).
 */
export class World {
  readonly memory = new MemoryShadow();
  readonly zombiePids = new Map<Task, CssImpl<unknown> | undefined>();

  /** What the last operation did, resolved (path and text, or call), for failure reports. */
  last = '';
  action: Action = { kind: 'other' };

  /**
   * `focus`: the hierarchies (indices into the weighted pool) this run's
   * operations go to, so that a run builds deep state in a few of them.
   */
  constructor(readonly sim: Sim, private readonly focus: readonly number[] = []) {}

  get k(): Kernel {
    return this.sim.kernel;
  }

  hierarchies(): Hierarchy[] {
    return this.k.mounted();
  }

  /** A hierarchy by index, weighted toward v2 and the controllers the invariants look at. */
  hier(i: number): Hierarchy {
    const hs = this.hierarchies();
    const weight = (h: Hierarchy) => (h.version === 2 ? 6 : ['memory', 'pids', 'freezer'].some((c) => h.controllers.includes(c)) ? 4 : h.controllers.some((c) => c === 'cpu' || c === 'cpuset') ? 2 : 1);
    const pool = hs.flatMap((h) => Array.from({ length: weight(h) }, () => h));
    const f = this.focus.length > 0 ? this.focus[i % this.focus.length]! : i;
    return pool[f % pool.length]!;
  }

  /** A group of that hierarchy; three picks in four below the root when there are such groups. */
  group(h: number, g: number): Cgroup {
    const all = [...this.hier(h).root.descendantsPre()];
    if (all.length > 1 && g % 4 !== 3) return all[1 + ((g >> 2) % (all.length - 1))]!;
    return all[g % all.length]!;
  }

  /** Mostly a live task; one pick in eight from every task (zombies too) and pids that do not exist. */
  pid(i: number): number {
    const live = [...this.k.tasks.values()].filter((t) => !t.exited).map((t) => t.tid).sort((a, b) => a - b);
    const pool = i % 8 === 7 ? [...this.k.tasks.keys()].sort((a, b) => a - b).concat(PID_EXTRAS) : live;
    return pool[Math.floor(i / 8) % pool.length]!;
  }

  /** Pid text for a migration write: mostly a live task, sometimes a zombie, self (0) or garbage. */
  pidText(i: number): string {
    if (i % 8 !== 7) return String(this.pid(i));
    const pool = [...this.k.tasks.keys()].sort((a, b) => a - b).map(String).concat(PID_TEXT_EXTRAS);
    return pool[Math.floor(i / 8) % pool.length]!;
  }

  private actorFs(as: number | null): ModelFs {
    if (as === null) return this.sim.fs;
    const all = this.sim.ps();
    const users = all.filter((t) => t.uid !== 0 && t.state !== 'zombie');
    const pool = users.length > 0 && as % 4 !== 0 ? users : all;
    const who = pool[as % pool.length]!;
    this.last += ` as ${who.tid} (uid ${who.uid})`;
    return this.sim.as(who.tid).fs;
  }

  /** For charges: three picks in four among live tasks below a memory hierarchy's root, when there are some. */
  private chargerPid(i: number): number {
    const h = this.k.hierarchyOf('memory');
    const placed = [...this.k.tasks.values()].filter((t) => !t.exited && h && !t.cgroups.get(h)?.isRoot).map((t) => t.tid);
    return placed.length > 0 && i % 4 !== 3 ? placed[(i >> 2) % placed.length]! : this.pid(i);
  }

  /** Run one operation; a CgroupError is returned, anything else thrown is a test failure. */
  apply(op: Op): Outcome {
    try {
      this.run(op);
      this.sync();
      return { leeway: 'nothing' };
    } catch (e) {
      if (!(e instanceof CgroupError)) throw e;
      this.sync();
      let leeway: FailureLeeway = 'nothing';
      if ((op.op === 'fork' || op.op === 'thread' || op.op === 'spawn') && e.code === 'EAGAIN') leeway = 'fork-counters';
      if (op.op === 'charge' && e.code === 'ENOMEM') leeway = 'anything';
      return { error: e, leeway };
    }
  }

  /** Write through the actor's filesystem, noting what was written where. */
  private write(path: string, text: string, as: number | null): void {
    this.last = `write ${JSON.stringify(text.slice(0, 40))} > ${path}`;
    this.action = { kind: 'write', path, text };
    this.actorFs(as).writeFileSync(path, text);
  }

  private call(what: string, pid: number, fn: (pid: number) => unknown): void {
    this.last = `${what}(${pid})`;
    fn(pid);
  }

  private run(op: Op): void {
    const s = this.sim;
    this.action = { kind: 'other' };
    switch (op.op) {
      case 'mkdir': {
        const path = `${this.group(op.h, op.g).fsPath}/${op.name}`;
        this.last = `mkdir ${JSON.stringify(path)}`;
        this.action = { kind: 'mkdir', path };
        return this.actorFs(op.as).mkdirSync(path);
      }
      case 'rmdir': {
        const path = this.group(op.h, op.g).fsPath;
        this.last = `rmdir ${path}`;
        this.action = { kind: 'rmdir', path };
        return this.actorFs(op.as).rmdirSync(path);
      }
      case 'write': {
        const cg = this.group(op.h, op.g);
        const f = this.pickFile(cg, op.file, op.anyFile);
        return this.write(`${cg.fsPath}/${WRITE_FILES[f]!.name}`, valueFor(f, op.value), op.as);
      }
      case 'migrate': {
        const cg = this.group(op.h, op.g);
        const file = cg.version === 1 ? (op.file === 'cgroup.threads' ? 'tasks' : op.file) : op.file === 'tasks' ? 'cgroup.threads' : op.file;
        return this.write(`${cg.fsPath}/${file}`, this.pidText(op.pid), op.as);
      }
      case 'chown': {
        const cg = this.group(op.h, op.g);
        this.last = `chown ${op.uid} ${cg.fsPath} and its delegation files`;
        s.fs.chownSync(cg.fsPath, op.uid, op.uid);
        const names = new Set(s.fs.readdirEntriesSync(cg.fsPath).filter((e) => !e.isDirectory).map((e) => e.name));
        for (const f of ['cgroup.procs', 'cgroup.threads', 'cgroup.subtree_control', 'tasks']) {
          if (names.has(f)) s.fs.chownSync(`${cg.fsPath}/${f}`, op.uid, op.uid);
        }
        return;
      }
      case 'spawn': {
        const opts: { cgroup?: string; uid?: number; ppid?: number } = { uid: op.uid };
        if (op.h !== null) opts.cgroup = this.group(op.h, op.g).fsPath;
        if (op.parent !== null) opts.ppid = this.pid(op.parent);
        this.last = `spawn(${JSON.stringify(opts)})`;
        this.action = { kind: 'task', call: 'spawn', parent: opts.ppid ?? 1, ...(opts.cgroup !== undefined ? { into: opts.cgroup } : {}) };
        s.spawn(opts);
        return;
      }
      case 'fork':
      case 'thread': {
        const pid = this.pid(op.pid);
        this.action = { kind: 'task', call: op.op, parent: pid };
        return this.call(op.op, pid, (p) => (op.op === 'fork' ? s.fork(p) : s.spawnThread(p)));
      }
      case 'wait': {
        const zombies = [...this.k.tasks.values()].filter((t) => t.exited).map((t) => t.tid);
        return this.call('wait', zombies.length > 0 && op.pid % 4 !== 3 ? zombies[op.pid % zombies.length]! : this.pid(op.pid), (p) => s.wait(p));
      }
      case 'exit':
        return this.call(`exit[${op.code}]`, this.pid(op.pid), (p) => s.exit(p, op.code));
      case 'kill':
        return this.call(`kill[${op.sig}]`, this.pid(op.pid), (p) => s.kill(p, op.sig));
      case 'charge':
        return this.call(`charge[${op.bytes}]`, this.chargerPid(op.pid), (p) => this.charge(p, op.bytes));
      case 'uncharge':
        return this.call(`uncharge[${op.bytes}]`, this.chargerPid(op.pid), (p) => this.uncharge(p, op.bytes));
      case 'limit':
        return this.limit(this.chargerPid(op.pid), op.value);
    }
  }

  /** Set a memory limit on the nearest group above a task that has one (to provoke OOM kills). */
  private limit(pid: number, value: string): void {
    const h = this.k.hierarchyOf('memory');
    const t = this.k.tasks.get(pid);
    this.last = `limit(${pid})`;
    if (!h || !t) return;
    const file = h.version === 2 ? 'memory.max' : 'memory.limit_in_bytes';
    for (let cg = t.cgroups.get(h); cg && !cg.isRoot; cg = cg.parent ?? undefined) {
      if (!this.sim.fs.readdirEntriesSync(cg.fsPath).some((e) => e.name === file && !e.isDirectory)) continue;
      return this.write(`${cg.fsPath}/${file}`, h.version === 1 && value === 'max' ? '-1' : value, null);
    }
  }

  /** A file of WRITE_FILES: one the group has, unless `anyFile` (then possibly absent). */
  private pickFile(cg: Cgroup, i: number, anyFile: boolean): number {
    if (anyFile) return i % WRITE_FILES.length;
    const names = new Set(this.sim.fs.readdirEntriesSync(cg.fsPath).filter((e) => !e.isDirectory).map((e) => e.name));
    const have = WRITE_FILES.flatMap((f, idx) => (names.has(f.name) ? Array.from({ length: f.weight ?? 1 }, () => idx) : []));
    return have.length > 0 ? have[i % have.length]! : i % WRITE_FILES.length;
  }

  /** The memory css a process charges to: its leader's group's effective one. */
  private memCssOf(pid: number): { tgid: number; css: CssImpl<unknown> | undefined } | undefined {
    const t = this.k.tasks.get(pid);
    if (!t || t.exited) return undefined;
    const leader = this.k.leader(t);
    const h = this.k.hierarchyOf('memory');
    return { tgid: leader.tgid, css: h ? leader.cgroups.get(h)?.effectiveCss('memory') : undefined };
  }

  private charge(pid: number, bytes: bigint): void {
    const who = this.memCssOf(pid);
    this.sim.charge(pid, bytes);
    if (!who) throw new Error(`charge(${pid}) succeeded for a task that is not live`);
    this.memory.charged(who.tgid, who.css, bytes);
  }

  private uncharge(pid: number, bytes: bigint): void {
    const who = this.memCssOf(pid);
    this.sim.uncharge(pid, bytes);
    if (!who) throw new Error(`uncharge(${pid}) succeeded for a task that is not live`);
    this.memory.uncharged(who.tgid, who.css, bytes);
  }

  /** After each step: processes that ended released their memory; new zombies keep the pids css they had. */
  private sync(): void {
    this.memory.prune((tgid) => this.k.tasks.get(tgid)?.exited === false);
    const pidsH = this.k.hierarchyOf('pids');
    for (const t of this.k.tasks.values()) {
      if (t.exited && !this.zombiePids.has(t)) this.zombiePids.set(t, pidsH ? t.cgroups.get(pidsH)?.effectiveCss('pids') : undefined);
    }
    for (const t of [...this.zombiePids.keys()]) if (this.k.tasks.get(t.tid) !== t) this.zombiePids.delete(t);
  }
}
