import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { toCgroupError } from '../core/errors.js';
import { parseWords } from '../core/format/lists.js';
import type { CgroupFs } from '../core/fs.js';
import type { LayoutSpec } from '../core/layout.js';
import type { Backend, BackendFactory, ProcessAdapter, Signal, SpawnOptions, TaskState } from './adapter.js';
import { mountsOf } from './host-backend.js';
import type { Case } from './case.js';
import { unmetNeed } from './runner.js';

/** The part of SimKernel's API the suite uses (src/api/sim-kernel.ts). */
interface SimTask {
  tid: number;
  tgid: number;
  state: 'running' | 'sleeping' | 'stopped' | 'frozen' | 'zombie';
}
interface SimKernelLike {
  fs: CgroupFs;
  layout: LayoutSpec;
  as(pid: number): { fs: CgroupFs };
  spawn(opts?: { uid?: number; gid?: number }): number;
  fork(pid: number): number;
  spawnThread(pid: number): number;
  exit(pid: number, code?: number): void;
  kill(pid: number, signal: number | string): void;
  wait(pid: number): number | undefined;
  task(pid: number): SimTask | undefined;
  charge(pid: number, bytes: bigint): void;
}
type SimKernelCtor = new (opts: { layout: 'host' | 'hybrid'; cpus?: number }) => SimKernelLike;

/** Run a kernel call; a thrown kernel error keeps its errno, anything else is a bug and propagates. */
function call<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(toCgroupError(e, 'fork'));
  }
}

/** The simulated kernel's tasks behind the suite's process adapter. */
export class SimProcs implements ProcessAdapter {
  private readonly made = new Set<number>();

  constructor(private readonly k: SimKernelLike) {}

  spawn(opts: SpawnOptions = {}): Promise<number> {
    return call(() => this.track(this.k.spawn(opts)));
  }
  fork(pid: number): Promise<number> {
    return call(() => this.track(this.k.fork(pid)));
  }
  thread(pid: number): Promise<number> {
    return call(() => this.k.spawnThread(pid));
  }
  exit(pid: number): Promise<void> {
    return call(() => this.k.exit(pid, 0));
  }
  exitThread(tid: number): Promise<void> {
    return call(() => this.k.exit(tid, 0));
  }
  kill(pid: number, signal: Signal): Promise<void> {
    return call(() => this.k.kill(pid, signal));
  }
  reap(_parent: number, child: number): Promise<void> {
    return call(() => {
      if (this.k.wait(child) === undefined) throw new Error(`sim task ${child} is not a zombie to reap`);
    });
  }
  state(pid: number): Promise<TaskState> {
    const t = this.k.task(pid);
    if (t === undefined) return Promise.resolve('gone');
    const s: TaskState = t.state === 'zombie' ? 'zombie' : t.state === 'stopped' ? 'stopped' : 'alive';
    return Promise.resolve(s);
  }
  charge(pid: number, bytes: number): Promise<void> {
    return call(() => this.k.charge(pid, BigInt(bytes)));
  }
  as(pid: number): CgroupFs {
    return this.k.as(pid).fs;
  }
  async releaseAll(): Promise<void> {
    for (const pid of this.made) {
      const t = this.k.task(pid);
      if (t !== undefined && t.state !== 'zombie') this.k.kill(pid, 'SIGKILL');
    }
    this.made.clear();
  }

  private track(pid: number): number {
    this.made.add(pid);
    return pid;
  }
}

/** Does this machine have a cgroup filesystem the simulator can mirror? */
async function hostHasCgroupfs(): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  try {
    const text = await readFile('/proc/self/mountinfo', 'utf8');
    return / - cgroup2? /.test(text);
  } catch {
    return false;
  }
}

/**
 * The host's v2 root `cgroup.subtree_control` (set up by its init system):
 * the simulated root gets the same, so that the first level below it offers
 * the same controllers.
 */
async function hostRootSubtreeControl(v2Root: string): Promise<string[]> {
  try {
    return parseWords(await readFile(`${v2Root}/cgroup.subtree_control`, 'utf8'));
  } catch {
    return [];
  }
}

async function openSim(Sim: SimKernelCtor, mirror: boolean): Promise<Backend> {
  const k = mirror ? new Sim({ layout: 'host', cpus: availableParallelism() }) : new Sim({ layout: 'hybrid' });
  const { v2Root, v1Mounts } = mountsOf(k.layout);
  if (v2Root !== undefined) {
    const enable = mirror ? await hostRootSubtreeControl(v2Root) : parseWords(await k.fs.readFile(`${v2Root}/cgroup.controllers`));
    if (enable.length > 0) await k.fs.writeFile(`${v2Root}/cgroup.subtree_control`, enable.map((c) => `+${c}`).join(' '));
  }
  const v2Controllers = v2Root === undefined ? [] : parseWords(await k.fs.readFile(`${v2Root}/cgroup.subtree_control`));
  const v2Bound = v2Root === undefined ? [] : parseWords(await k.fs.readFile(`${v2Root}/cgroup.controllers`));
  const procs = new SimProcs(k);
  return { name: 'sim', fs: k.fs, procs, v2Root, v2Controllers, v2Bound, v1Mounts, close: () => procs.releaseAll() };
}

/**
 * The simulated kernel: a fresh one for every case. On Linux with a cgroup
 * filesystem (and `mirrorHost` not false) it mirrors the host
 * (`layout: 'host'`, the host's CPU count and its v2 root's enabled
 * controllers), so its transcripts can be compared with the host's;
 * elsewhere, and for a case the mirrored setup cannot run (the host's root
 * enables no domain controller, say), it is the builtin hybrid layout with
 * every v2 controller enabled at the root, as an init system would leave it.
 */
export function simFactory(load: () => Promise<SimKernelCtor>, opts: { mirrorHost?: boolean } = {}): BackendFactory {
  let ctor: Promise<SimKernelCtor> | undefined;
  return {
    name: 'sim',
    // The simulator runs everywhere: if it cannot even be loaded, every case fails (never skips).
    unavailable: () => Promise.resolve(undefined),
    async open(forCase?: Case): Promise<Backend> {
      ctor ??= load();
      const Sim = await ctor;
      const mirror = opts.mirrorHost !== false && (await hostHasCgroupfs());
      if (mirror) {
        const b = await openSim(Sim, true);
        // A case the mirrored host setup cannot run still runs on the simulator, set up as an init system would.
        if (forCase === undefined || unmetNeed(forCase, b) === undefined) return b;
        await b.close();
      }
      return openSim(Sim, false);
    },
    shutdown: () => Promise.resolve(),
  };
}
