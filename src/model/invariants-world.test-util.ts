import { CgroupError } from '../core/errors.js';
import type { Cgroup, CssImpl, Hierarchy } from './cgroup.js';
import type { Kernel } from './kernel.js';
import type { ModelFs } from './model-fs.js';
import type { Task } from './task.js';
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

/** How much a failed operation may change: nothing (the rule), or the counters the kernel bumps on refusal. */
export type FailureLeeway = 'nothing' | 'fork-counters' | 'anything';

export interface Outcome {
  error?: CgroupError;
  leeway: FailureLeeway;
}

const PAGE = 4096n;
const pagesOf = (bytes: bigint) => (bytes <= 0n ? 0n : (bytes + PAGE - 1n) / PAGE);

/**
 * A SimKernel under test plus the test's own records of what the kernel
 * should hold: the memory each process charged to which css (charges stay
 * where they were made), and the pids css each zombie was charged to when
 * it exited (a zombie keeps its css until reaped).
 */
export class World {
  readonly memLedger = new Map<number, Map<CssImpl<unknown>, bigint>>();
  readonly rss = new Map<number, bigint>();
  readonly zombiePids = new Map<Task, CssImpl<unknown> | undefined>();

  constructor(readonly sim: Sim) {}

  get k(): Kernel {
    return this.sim.kernel;
  }

  hierarchies(): Hierarchy[] {
    return this.k.mounted();
  }

  /** A hierarchy by index; the v2 one (when mounted) gets half the picks. */
  hier(i: number): Hierarchy {
    const hs = this.hierarchies();
    const v2 = hs.find((h) => h.version === 2);
    if (v2 && i % 2 === 0) return v2;
    return hs[(i >> 1) % hs.length]!;
  }

  group(h: number, g: number): Cgroup {
    const all = [...this.hier(h).root.descendantsPre()];
    return all[g % all.length]!;
  }

  private pidPool(): number[] {
    return [...this.k.tasks.keys()].sort((a, b) => a - b).concat(PID_EXTRAS);
  }

  pid(i: number): number {
    const pool = this.pidPool();
    return pool[i % pool.length]!;
  }

  private actorFs(as: number | null): ModelFs {
    if (as === null) return this.sim.fs;
    const all = this.sim.ps();
    const users = all.filter((t) => t.uid !== 0 && t.state !== 'zombie');
    const pool = users.length > 0 && as % 4 !== 0 ? users : all;
    return this.sim.as(pool[as % pool.length]!.tid).fs;
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

  private run(op: Op): void {
    switch (op.op) {
      case 'mkdir': {
        const parent = this.group(op.h, op.g);
        this.actorFs(op.as).mkdirSync(`${parent.fsPath}/${op.name}`);
        break;
      }
      case 'rmdir':
        this.actorFs(op.as).rmdirSync(this.group(op.h, op.g).fsPath);
        break;
      case 'write': {
        const cg = this.group(op.h, op.g);
        const fileIdx = this.pickFile(cg, op.file, op.anyFile);
        this.actorFs(op.as).writeFileSync(`${cg.fsPath}/${WRITE_FILES[fileIdx]!.name}`, valueFor(fileIdx, op.value));
        break;
      }
      case 'migrate': {
        const cg = this.group(op.h, op.g);
        let file: string = op.file;
        if (cg.version === 1 && file === 'cgroup.threads') file = 'tasks';
        if (cg.version === 2 && file === 'tasks') file = 'cgroup.threads';
        const pool = [...this.k.tasks.keys()].sort((a, b) => a - b).map(String).concat(PID_TEXT_EXTRAS);
        this.actorFs(op.as).writeFileSync(`${cg.fsPath}/${file}`, pool[op.pid % pool.length]!);
        break;
      }
      case 'chown': {
        const cg = this.group(op.h, op.g);
        this.sim.fs.chownSync(cg.fsPath, op.uid, op.uid);
        const names = new Set(this.sim.fs.readdirSync(cg.fsPath));
        for (const f of ['cgroup.procs', 'cgroup.threads', 'cgroup.subtree_control', 'tasks']) {
          if (names.has(f)) this.sim.fs.chownSync(`${cg.fsPath}/${f}`, op.uid, op.uid);
        }
        break;
      }
      case 'spawn': {
        const opts: { cgroup?: string; uid?: number; ppid?: number } = { uid: op.uid };
        if (op.h !== null) opts.cgroup = this.group(op.h, op.g).fsPath;
        if (op.parent !== null) opts.ppid = this.pid(op.parent);
        this.sim.spawn(opts);
        break;
      }
      case 'fork':
        this.sim.fork(this.pid(op.pid));
        break;
      case 'thread':
        this.sim.spawnThread(this.pid(op.pid));
        break;
      case 'wait':
        this.sim.wait(this.pid(op.pid));
        break;
      case 'exit':
        this.sim.exit(this.pid(op.pid), op.code);
        break;
      case 'kill':
        this.sim.kill(this.pid(op.pid), op.sig);
        break;
      case 'charge':
        this.charge(this.pid(op.pid), op.bytes);
        break;
      case 'uncharge':
        this.uncharge(this.pid(op.pid), op.bytes);
        break;
    }
  }

  /** A file of WRITE_FILES: one the group has, unless `anyFile` (then possibly absent). */
  private pickFile(cg: Cgroup, i: number, anyFile: boolean): number {
    if (anyFile) return i % WRITE_FILES.length;
    const names = new Set(this.sim.fs.readdirSync(cg.fsPath));
    const have = WRITE_FILES.map((f, idx) => (names.has(f.name) ? idx : -1)).filter((idx) => idx >= 0);
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
    this.rss.set(who.tgid, (this.rss.get(who.tgid) ?? 0n) + bytes);
    if (!who.css) return;
    const m = this.memLedger.get(who.tgid) ?? new Map<CssImpl<unknown>, bigint>();
    this.memLedger.set(who.tgid, m);
    m.set(who.css, (m.get(who.css) ?? 0n) + pagesOf(bytes));
  }

  /** uncharge: at most the process's rss, and only what it charged to its current css. */
  private uncharge(pid: number, bytes: bigint): void {
    const who = this.memCssOf(pid);
    this.sim.uncharge(pid, bytes);
    if (!who) throw new Error(`uncharge(${pid}) succeeded for a task that is not live`);
    const rss = this.rss.get(who.tgid) ?? 0n;
    const amount = bytes > rss ? rss : bytes;
    this.rss.set(who.tgid, rss - amount);
    const m = this.memLedger.get(who.tgid);
    if (!who.css || !m) return;
    const have = m.get(who.css) ?? 0n;
    const want = pagesOf(amount);
    m.set(who.css, have - (want < have ? want : have));
  }

  /** After each step: processes that ended released their memory; new zombies keep the pids css they had. */
  private sync(): void {
    for (const tgid of [...this.memLedger.keys()]) {
      const t = this.k.tasks.get(tgid);
      if (!t || t.exited) {
        this.memLedger.delete(tgid);
        this.rss.delete(tgid);
      }
    }
    const pidsH = this.k.hierarchyOf('pids');
    for (const t of this.k.tasks.values()) {
      if (t.exited && !this.zombiePids.has(t)) this.zombiePids.set(t, pidsH ? t.cgroups.get(pidsH)?.effectiveCss('pids') : undefined);
    }
    for (const t of [...this.zombiePids.keys()]) if (this.k.tasks.get(t.tid) !== t) this.zombiePids.delete(t);
  }
}
