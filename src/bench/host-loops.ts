/**
 * Busy loops for the host scenario measurements: real processes that spin
 * in user space, started by this process and killed by the pid it holds.
 *
 * Every loop also stops by itself: it checks, every few milliseconds, that
 * its parent is still this process and that its deadline has not passed,
 * so a run killed with SIGKILL (no cleanup possible) leaves no spinning
 * process behind for long.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { CgroupError } from '../core/errors.js';

/** A single-threaded loop in Python: `argv` is ppid, deadline (epoch seconds). */
const PY_LOOP = [
  'import os, sys, time',
  'ppid, deadline = int(sys.argv[1]), float(sys.argv[2])',
  'sys.stdout.write("r\\n"); sys.stdout.flush()',
  'while os.getppid() == ppid and time.time() < deadline:',
  '    for _ in range(100000): pass',
].join('\n');

/**
 * A Node loop with `n` busy threads (the main thread and n-1 workers):
 * `argv` is ppid, deadline (epoch ms), n. Ready once every worker runs.
 * The main thread watches parent and deadline; its exit ends the workers.
 */
const NODE_LOOP = `
const { Worker } = require('node:worker_threads');
const [ppid, deadline, n] = process.argv.slice(1).map(Number);
let sink = 0;
const spin = () => {
  while (process.ppid === ppid && Date.now() < deadline) { for (let i = 0; i < 1e6; i++) sink += i; }
  process.exit(sink === -1 ? 1 : 0);
};
const ready = () => process.stdout.write('r\\n', spin);
let online = 0;
if (n <= 1) ready();
for (let i = 1; i < n; i++) {
  new Worker('let s = 0; for (;;) s++;', { eval: true }).on('online', () => { if (++online === n - 1) ready(); });
}
`;

/** The real Python executable (not a version-manager shim), or `undefined` when there is none. */
export function findPython(): string | undefined {
  try {
    const out = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    const exe = out.trim();
    return exe.startsWith('/') ? exe : undefined;
  } catch {
    return undefined;
  }
}

/** Is util-linux `taskset` runnable? */
export function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { timeout: 10_000, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface LoopOptions {
  /** Pin the loop (all its threads) to these CPUs, through `taskset -c`. */
  cpus?: readonly number[];
  /** Busy threads in the one process (default 1; more than 1 uses Node worker threads). */
  threads?: number;
}

export interface Loop {
  readonly pid: number;
  /** Settles once the loop spins (all its threads started); rejects if it exits or stalls first. */
  readonly ready: Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/** The loops one scenario started; `killAll` ends them all. */
export class LoopPool {
  private readonly children = new Set<ChildProcess>();

  /**
   * @param python real Python executable for single-threaded loops (Node is used without it)
   * @param lifetimeSec every loop exits by itself after this many seconds
   */
  constructor(private readonly python: string | undefined, private readonly lifetimeSec: number) {}

  start(opts: LoopOptions = {}): Loop {
    const threads = opts.threads ?? 1;
    const deadlineMs = Date.now() + this.lifetimeSec * 1000;
    const ppid = String(process.pid);
    const [exe, args] = threads === 1 && this.python !== undefined
      ? [this.python, ['-c', PY_LOOP, ppid, String(deadlineMs / 1000)]]
      : [process.execPath, ['-e', NODE_LOOP, ppid, String(deadlineMs), String(threads)]];
    const [cmd, argv] = opts.cpus === undefined ? [exe, args] : ['taskset', ['-c', opts.cpus.join(','), exe, ...args]];
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) {
      child.on('error', () => {});
      throw new CgroupError('EAGAIN', 'spawn', undefined, `${cmd} did not start`);
    }
    this.children.add(child);
    const ready = readyOf(child);
    ready.catch(() => {}); // a loop killed before it was awaited is not an unhandled rejection
    return { pid: child.pid, ready };
  }

  /** Pids of loops not yet reaped. */
  pids(): number[] {
    return [...this.children].filter((c) => !gone(c)).map((c) => c.pid!);
  }

  /** Is `pid` a loop of this pool that has not been reaped? */
  owns(pid: number): boolean {
    return this.pids().includes(pid);
  }

  /** SIGKILL every loop by the pid held (a reaped one is skipped) and wait until each is reaped. */
  async killAll(): Promise<void> {
    const all = [...this.children];
    this.children.clear();
    await Promise.all(all.map((c) => {
      const exited = exitOf(c);
      c.kill('SIGKILL');
      return exited;
    }));
  }

  /** For a last-moment `exit` handler: SIGKILL the loops without waiting. */
  killAllSync(): void {
    for (const c of this.children) c.kill('SIGKILL');
  }
}

function gone(c: ChildProcess): boolean {
  return c.exitCode !== null || c.signalCode !== null;
}

function exitOf(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (gone(c)) resolve();
    else c.once('exit', () => resolve());
  });
}

function readyOf(child: ChildProcess): Promise<void> {
  let err = '';
  child.stderr?.on('data', (b: Buffer) => { if (err.length < 2000) err += b.toString(); });
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start spinning in time'), READY_TIMEOUT_MS);
    function fail(why: string): void {
      clearTimeout(timer);
      reject(new CgroupError('EAGAIN', 'spawn', undefined, `loop ${child.pid}: ${why}${err ? `: ${err.trim()}` : ''}`));
    }
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('r\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, sig) => fail(`exited (${sig ?? code})`));
    child.once('error', (e) => fail(e.message));
  });
}
