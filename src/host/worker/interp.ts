/**
 * Executing a task program (sim/program.ts) on a real thread, with the
 * step semantics the simulator gives them:
 *
 * - `run ns`: spin until this thread's CPU time has grown by `ns`;
 * - `sleep ns`: block for `ns` from the start of the step;
 * - `timer periodNs ref`: block until the next boundary `start + k·period`
 *   strictly after now (the first use of a ref starts it now and waits one
 *   period; missed boundaries are skipped); refs are private to the thread;
 * - `fork`: start a new worker process (it inherits this thread's cgroups,
 *   nice value and affinity) running the child program; this thread goes on;
 * - `thread`: the same with a worker thread of this process (a kernel thread);
 * - `alloc`/`free`: hold / drop that many bytes of touched memory;
 * - `exit code` (or the end of the program): the thread ends; the main
 *   thread's end ends the process and its threads, as on the simulator;
 * - `loop count body`: repeat (`forever` allowed).
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MAX_CONFIG_CHARS, TASKSET_TIMEOUT_MS, WORKER_MARKER, workerFlags, type WireProgram, type WireStep, type WorkerConfig } from './protocol.js';
import { exitLine, report, type Owner, type ThreadEnv } from './thread-env.js';

/** What every thread of every worker of one run shares. */
export interface Shared {
  owner: Owner;
  deadlineMs: number;
  cpuMap: number[];
  taskset?: string;
  /** The worker script (for forks and threads). */
  script: string;
  /** Running from TypeScript sources: the tsx module that a new thread registers before it loads the script. */
  tsxApi?: string;
}

/** What a new worker thread is given (`workerData`). */
export interface ThreadStart {
  shared: Shared;
  program: WireProgram;
  name: string;
  /** Tids of this process's program threads (slot 0: slots used), for the exit reports of the main thread. */
  registry: SharedArrayBuffer;
}

export const REGISTRY_SLOTS = 1024;
const CHUNK = 64 * 1024 * 1024;

const json = (s: string): string => JSON.stringify(s);

/** Give the calling thread its name (first 15 bytes, as the kernel keeps them). */
export function setComm(name: string): void {
  try {
    writeFileSync('/proc/thread-self/comm', Buffer.from(name).subarray(0, 15));
  } catch {
    // the name is cosmetic; the `task` report carries the full one
  }
}

/** Set the calling thread's nice value and affinity, reporting what the kernel refused. */
export function applyAttrs(env: ThreadEnv, shared: Shared, nice: number | undefined, cpus: readonly number[] | undefined): void {
  if (nice !== undefined) {
    try {
      setPriority(nice); // pid 0: on Linux, the calling thread
    } catch (e) {
      report(`error ${env.tid} ${json(`nice ${nice}: ${(e as Error).message}`)}`);
    }
  }
  if (cpus !== undefined) {
    const host = cpus.map((c) => shared.cpuMap[c]);
    if (host.some((c) => c === undefined) || shared.taskset === undefined) {
      report(`error ${env.tid} ${json(`affinity ${cpus.join(',')}: ${shared.taskset === undefined ? 'no taskset' : 'no such CPU'}`)}`);
      return;
    }
    const r = spawnSync(shared.taskset, ['-p', '-c', host.join(','), String(env.tid)], { stdio: 'ignore', timeout: TASKSET_TIMEOUT_MS, killSignal: 'SIGKILL' });
    if (r.status !== 0) {
      const why = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `did not finish in ${TASKSET_TIMEOUT_MS / 1000} s` : 'failed';
      report(`error ${env.tid} ${json(`taskset -p -c ${host.join(',')} ${env.tid} ${why}`)}`);
    }
  }
}

export class Interpreter {
  private readonly timers = new Map<string, number>();
  private readonly mem: Buffer[] = [];
  private threadsLive = 0;
  private onThreadsDone: (() => void) | undefined;

  constructor(private readonly env: ThreadEnv, private readonly name: string, private readonly shared: Shared, private readonly registry: SharedArrayBuffer) {}

  /** Run `steps`; the exit code of an `exit` step, or `undefined` when they ran to the end. */
  run(steps: readonly WireStep[]): number | undefined {
    const env = this.env;
    // env.check() (the owner still alive, the deadline not passed) before every step, on every
    // loop iteration and again right before anything that makes processes, threads or memory:
    // a worker whose run is gone must not go on forking (it would be a fork bomb bounded only by pids.max).
    for (const s of steps) {
      env.check();
      switch (s.op) {
        case 'run':
          if (s.ns > 0) env.spin(s.ns);
          break;
        case 'sleep':
          if (s.ns > 0) env.sleepUntil(env.now() + s.ns);
          break;
        case 'timer': {
          const now = env.now();
          const start = this.timers.get(s.ref);
          if (start === undefined) {
            this.timers.set(s.ref, now);
            env.sleepUntil(now + s.periodNs);
          } else {
            env.sleepUntil(start + (Math.floor((now - start) / s.periodNs) + 1) * s.periodNs);
          }
          break;
        }
        case 'loop':
          for (let i = 0; s.count === 'forever' || i < s.count; i++) {
            env.check(); // also for a body of only fork/thread/alloc/free/`run 0` steps, or none
            const code = this.run(s.body);
            if (code !== undefined) return code;
          }
          break;
        case 'exit':
          return s.code;
        case 'fork':
          env.check();
          this.fork(s.program);
          break;
        case 'thread':
          env.check();
          this.thread(s.program);
          break;
        case 'alloc':
          env.check();
          this.alloc(Number(s.bytes));
          break;
        case 'free':
          this.free(Number(s.bytes));
          // Collect here, not inside free(): its frame may still hold the last buffer it dropped.
          (globalThis as { gc?: () => void }).gc?.();
          break;
        default:
          throw new TypeError(`unknown step ${JSON.stringify(s)}`);
      }
    }
    return undefined;
  }

  /**
   * Call `fn` once every thread this one started has ended (at once when
   * none runs). Node ends a worker thread's own threads with it, where the
   * kernel keeps them: a finished thread waits, blocked, for them.
   */
  whenThreadsDone(fn: () => void): void {
    if (this.threadsLive === 0) fn();
    else this.onThreadsDone = fn;
  }

  private fork(p: WireProgram): void {
    const cfg: WorkerConfig = {
      program: p, name: p.name ?? this.name, cpuMap: this.shared.cpuMap,
      owner: this.shared.owner, deadlineMs: this.shared.deadlineMs, waitGo: false,
      ...(p.nice !== undefined ? { nice: p.nice } : {}),
      ...(p.cpus !== undefined ? { cpus: p.cpus } : {}),
      ...(this.shared.taskset !== undefined ? { taskset: this.shared.taskset } : {}),
    };
    const text = JSON.stringify(cfg);
    if (text.length > MAX_CONFIG_CHARS) {
      report(`error ${this.env.tid} ${json('fork: the child program is too large for a command line')}`);
      return;
    }
    // This process's flags (the tsx loader when running from sources), with the V8 flags the child's program wants.
    const own = process.execArgv.filter((a) => a !== '--expose-gc' && a !== '--single-threaded');
    const child = spawn(process.execPath, [...workerFlags(p), ...own, this.shared.script, WORKER_MARKER, text], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', () => undefined);
    child.unref(); // a process does not wait for the children it forked
    if (child.pid === undefined) report(`error ${this.env.tid} ${json('fork: the kernel refused a new process')}`);
  }

  private thread(p: WireProgram): void {
    const start: ThreadStart = { shared: this.shared, program: p, name: p.name ?? this.name, registry: this.registry };
    try {
      const w = this.shared.tsxApi === undefined
        ? new Worker(this.shared.script, { workerData: start, stdin: false })
        : new Worker(tsxBoot(this.shared.tsxApi, this.shared.script), { eval: true, workerData: start, stdin: false });
      w.on('error', () => undefined);
      this.threadsLive++;
      w.on('exit', () => {
        if (--this.threadsLive === 0) this.onThreadsDone?.();
      });
    } catch (e) {
      report(`error ${this.env.tid} ${json(`thread: ${(e as Error).message}`)}`);
    }
  }

  private alloc(bytes: number): void {
    try {
      for (let left = bytes; left > 0; left -= CHUNK) this.mem.push(Buffer.allocUnsafeSlow(Math.min(left, CHUNK)).fill(0x5a));
    } catch (e) {
      report(`error ${this.env.tid} ${json(`alloc ${bytes}: ${(e as Error).message}`)}`);
    }
  }

  private free(bytes: number): void {
    let left = bytes;
    while (left > 0 && this.mem.length > 0) {
      const b = this.mem.pop()!;
      if (b.length <= left) {
        left -= b.length;
      } else {
        this.mem.push(Buffer.from(b.subarray(0, b.length - left)));
        left = 0;
      }
    }
  }
}

/** A thread's first code when running from TypeScript: worker threads do not take tsx from `--import`. */
function tsxBoot(api: string, script: string): string {
  const url = pathToFileURL(script).href;
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); });`;
}

/** Register the calling thread's tid in the process's registry; returns the slot to clear at its end. */
export function register(registry: SharedArrayBuffer, tid: number): number | undefined {
  const a = new Int32Array(registry);
  const slot = Atomics.add(a, 0, 1) + 1;
  if (slot >= REGISTRY_SLOTS) return undefined;
  Atomics.store(a, slot, tid);
  return slot;
}

/** Last reports of the program threads still registered (the main thread's end takes them down with it). */
export function reportThreads(registry: SharedArrayBuffer, tgid: number): void {
  const a = new Int32Array(registry);
  const used = Math.min(Atomics.load(a, 0), REGISTRY_SLOTS - 1);
  for (let i = 1; i <= used; i++) {
    const tid = Atomics.load(a, i);
    if (tid === 0) continue;
    const line = exitLine(tgid, tid);
    if (line !== undefined) report(line);
  }
}
