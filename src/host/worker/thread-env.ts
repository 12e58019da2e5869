/**
 * What one thread of a worker needs while it runs a program: its own CPU
 * time (`/proc/thread-self/schedstat`), a monotonic clock, blocking waits
 * that never hold the thread longer than a check interval, the report line
 * writer, and the guard that ends the whole worker process once the run that
 * started it is gone or the hard deadline has passed.
 */
import { closeSync, openSync, readFileSync, readlinkSync, readSync, writeSync } from 'node:fs';
import { startTicksOf } from '../proc-stat.js';

/** How often (at most) a spinning or waiting thread looks at its owner and deadline, ns. */
export const CHECK_NS = 50_000_000;
/** One check in this many also compares cgkit's start time (about once a second). */
const FULL_CHECK_EVERY = 20;

export interface Owner { pid: number; startTicks: string }

const nap = new Int32Array(new SharedArrayBuffer(4));

/** Block the calling thread for `ms` (fractions allowed). */
export function blockMs(ms: number): void {
  if (ms > 0) Atomics.wait(nap, 0, 0, ms);
}

/** Write one report line on fd 1, retrying while a non-blocking pipe is full; false when nobody reads any more. */
export function report(line: string): boolean {
  const buf = Buffer.from(`${line}\n`);
  let off = 0;
  for (let tries = 0; off < buf.length && tries < 1000; tries++) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
      blockMs(1);
    }
  }
  return off === buf.length;
}

/** `<tgid>/task/<tid>` of the calling thread. */
export function selfIds(): { tid: number; tgid: number } {
  const [tgid, , tid] = readlinkSync('/proc/thread-self').split('/');
  return { tid: Number(tid), tgid: Number(tgid) };
}

/** `<runtimeNs> <waitNs> <timeslices> <nvcsw> <nivcsw>` of thread `tid` of this process; `undefined` when it is gone. */
export function figures(tgid: number, tid: number): string | undefined {
  try {
    const dir = `/proc/${tgid}/task/${tid}`;
    const [run = '0', wait = '0', slices = '0'] = readFileSync(`${dir}/schedstat`, 'latin1').trim().split(/\s+/);
    const status = readFileSync(`${dir}/status`, 'latin1');
    const field = (k: string): string => /^\d+$/.exec(status.split('\n').find((l) => l.startsWith(`${k}:`))?.slice(k.length + 1).trim() ?? '')?.[0] ?? '0';
    return `${run} ${wait} ${slices} ${field('voluntary_ctxt_switches')} ${field('nonvoluntary_ctxt_switches')}`;
  } catch {
    return undefined;
  }
}

/** The `exit` report of thread `tid` of this process; `undefined` when it is gone. */
export function exitLine(tgid: number, tid: number): string | undefined {
  const f = figures(tgid, tid);
  return f === undefined ? undefined : `exit ${tid} ${tgid} ${f}`;
}

/** The `task` report of the calling thread: it starts its program now, with these figures so far. */
export function taskLine(tgid: number, tid: number, name: string): string {
  return `task ${tid} ${tgid} ${figures(tgid, tid) ?? '0 0 0 0 0'} ${JSON.stringify(name)}`;
}

/** The calling thread's clock, CPU time and guard. Create it on the thread that uses it. */
export class ThreadEnv {
  readonly tid: number;
  readonly tgid: number;
  private readonly statFd: number;
  private readonly buf = Buffer.alloc(256);
  private readonly t0 = performance.now();
  private nextCheck = 0;
  private checks = 0;

  constructor(private readonly owner: Owner, private readonly deadlineMs: number) {
    ({ tid: this.tid, tgid: this.tgid } = selfIds());
    this.statFd = openSync('/proc/thread-self/schedstat', 'r');
  }

  /** Monotonic ns since this thread's start (no allocation: the spin loop calls it constantly). */
  now(): number {
    return Math.round((performance.now() - this.t0) * 1e6);
  }

  /** CPU time this thread has run, ns (the kernel's sum_exec_runtime), parsed without allocating. */
  cpuNs(): number {
    const n = readSync(this.statFd, this.buf, 0, this.buf.length, 0);
    let v = 0;
    for (let i = 0; i < n; i++) {
      const c = this.buf[i]!;
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    return v;
  }

  /**
   * End the whole worker process at once when the run is gone or the
   * deadline passed. Every CHECK_NS a signal-0 probe of cgkit's pid (it
   * never blocks); every FULL_CHECK_EVERY probes, its start time from
   * /proc as well (a reused pid, a zombie). Reading another process's
   * /proc file can sleep on a lock, and a task that sleeps is placed anew
   * when it wakes: done often, that would move busy loops between CPUs
   * more than a plain loop moves, and bend the shares being measured.
   */
  check(): void {
    const now = this.now();
    if (now < this.nextCheck) return;
    this.nextCheck = now + CHECK_NS;
    let gone = Date.now() >= this.deadlineMs;
    try {
      process.kill(this.owner.pid, 0);
    } catch {
      gone = true;
    }
    if (!gone && ++this.checks % FULL_CHECK_EVERY === 0) gone = startTicksOf(this.owner.pid) !== this.owner.startTicks;
    if (gone) process.kill(process.pid, 'SIGKILL');
  }

  /** Spin until this thread has had `ns` more CPU time; CPU time is read about every 0.5 ms of spinning. */
  spin(ns: number): void {
    const target = this.cpuNs() + ns;
    let sink = 0;
    for (;;) {
      const left = target - this.cpuNs();
      if (left <= 0) break;
      const until = this.now() + Math.min(left, 500_000);
      while (this.now() < until) for (let i = 0; i < 200; i++) sink += i;
      this.check();
    }
    if (sink === -1) report('error 0 "unreachable"');
  }

  /** Block until `untilNs` on this thread's clock, waking at least every CHECK_NS for the guard. */
  sleepUntil(untilNs: number): void {
    for (;;) {
      this.check();
      const left = untilNs - this.now();
      if (left <= 0) return;
      blockMs(Math.min(left, CHECK_NS) / 1e6);
    }
  }

  close(): void {
    try {
      closeSync(this.statFd);
    } catch {
      // already closed
    }
  }
}
