/**
 * What passes between a host run (`host/run/`) and its worker processes.
 *
 * A worker is started as `node [flags] worker.js --cgkit-run-worker CONFIG`
 * with CONFIG the JSON of `WorkerConfig` (64-bit byte counts as decimal
 * strings). Every worker process and thread writes one-line reports on the
 * stdout it inherited from the run's first worker (lines shorter than
 * PIPE_BUF, so writes from several processes never interleave):
 *
 * - `ready <pid>` — loaded; a worker started with `waitGo` now waits for
 *   SIGUSR2 ("go") before its program's first step;
 * - `task <tid> <tgid> FIGURES <name as JSON>` — this thread starts running
 *   a program; FIGURES (`<runtimeNs> <waitNs> <timeslices> <nvcsw> <nivcsw>`)
 *   are its scheduler figures so far (start-up), which the run subtracts;
 * - `exit <tid> <tgid> FIGURES` — the thread's last figures, written just
 *   before it ends;
 * - `error <tid> <message as JSON>` — a step could not be carried out
 *   (a fork refused by the kernel, say); the program goes on.
 */
import { fileURLToPath } from 'node:url';
import type { Program, Step } from '../../sim/program.js';

/** The argument that marks a worker's command line (the leftover sweep checks it before killing). */
export const WORKER_MARKER = '--cgkit-run-worker';

/** The longest CONFIG passed on the command line (Linux refuses one argument over 128 KiB). */
export const MAX_CONFIG_CHARS = 120_000;

/** How long one `taskset` call (setting a worker's CPU affinity) may take before it is killed and reported. */
export const TASKSET_TIMEOUT_MS = 10_000;

/** A step as JSON carries it: byte counts as decimal strings. */
export type WireStep =
  | { op: 'run' | 'sleep'; ns: number }
  | { op: 'timer'; periodNs: number; ref: string }
  | { op: 'fork' | 'thread'; program: WireProgram }
  | { op: 'alloc' | 'free'; bytes: string }
  | { op: 'exit'; code: number }
  | { op: 'loop'; count: number | 'forever'; body: WireStep[] };

export interface WireProgram { name?: string; steps: WireStep[]; nice?: number; cpus?: number[] }

export interface WorkerConfig {
  program: WireProgram;
  /** Task name (the thread's `comm` gets its first 15 bytes). */
  name: string;
  /** Nice value to take before the first step (absent: keep the inherited one). */
  nice?: number;
  /** Scenario CPU numbers for affinity (absent: keep the inherited mask). */
  cpus?: number[];
  /** Host CPU of each scenario CPU number. */
  cpuMap: number[];
  /** The run's process: a worker ends itself once that pid no longer has this start time. */
  owner: { pid: number; startTicks: string };
  /** Wall-clock time (ms since the epoch) at which every worker ends itself. */
  deadlineMs: number;
  /** Write `ready` and wait for SIGUSR2 before the first step (a task the run spawns); forked children start at once. */
  waitGo: boolean;
  /** `taskset` executable for affinity inside the worker (fork/thread programs with `cpus`). */
  taskset?: string;
}

export function toWire(p: Program): WireProgram {
  const out: WireProgram = { steps: p.steps.map(stepToWire) };
  if (p.name !== undefined) out.name = p.name;
  if (p.nice !== undefined) out.nice = p.nice;
  if (p.cpus !== undefined) out.cpus = [...p.cpus];
  return out;
}

function stepToWire(s: Step): WireStep {
  switch (s.op) {
    case 'alloc':
    case 'free':
      return { op: s.op, bytes: s.bytes.toString() };
    case 'fork':
    case 'thread':
      return { op: s.op, program: toWire(s.program) };
    case 'loop':
      return { op: 'loop', count: s.count, body: s.body.map(stepToWire) };
    default:
      return { ...s };
  }
}

export interface Figures { runtimeNs: number; waitNs: number; timeslices: number; nvcsw: number; nivcsw: number }

/** A report line, parsed; `undefined` for anything else. */
export type Report =
  | { kind: 'ready'; pid: number }
  | ({ kind: 'task'; tid: number; tgid: number; name: string } & Figures)
  | ({ kind: 'exit'; tid: number; tgid: number } & Figures)
  | { kind: 'error'; tid: number; message: string };

const isCount = (w: string | undefined): boolean => w !== undefined && /^\d+$/.test(w);

function figuresAt(w: readonly string[], i: number): Figures | undefined {
  const f = w.slice(i, i + 5);
  if (f.length < 5 || !f.every(isCount)) return undefined;
  const [runtimeNs, waitNs, timeslices, nvcsw, nivcsw] = f.map(Number) as [number, number, number, number, number];
  return { runtimeNs, waitNs, timeslices, nvcsw, nivcsw };
}

export function parseReport(line: string): Report | undefined {
  const w = line.split(' ');
  if (w[0] === 'ready') return w.length === 2 && isCount(w[1]) ? { kind: 'ready', pid: Number(w[1]) } : undefined;
  const json = (from: number): unknown => {
    try {
      return JSON.parse(w.slice(from).join(' '));
    } catch {
      return undefined;
    }
  };
  if (!isCount(w[1])) return undefined;
  const tid = Number(w[1]);
  switch (w[0]) {
    case 'task': {
      const f = figuresAt(w, 3);
      const name = json(8);
      return isCount(w[2]) && f && typeof name === 'string' ? { kind: 'task', tid, tgid: Number(w[2]), name, ...f } : undefined;
    }
    case 'exit': {
      const f = figuresAt(w, 3);
      return isCount(w[2]) && f && w.length === 8 ? { kind: 'exit', tid, tgid: Number(w[2]), ...f } : undefined;
    }
    case 'error': {
      const message = json(2);
      return typeof message === 'string' ? { kind: 'error', tid, message } : undefined;
    }
    default:
      return undefined;
  }
}

/** Where the worker script is, and the node flags it needs (tsx when cgkit itself runs from TypeScript sources). */
/** Does the process running `p` start threads of its own (forks are other processes)? */
export function startsThreads(p: WireProgram): boolean {
  const any = (steps: readonly WireStep[]): boolean => steps.some((s) => s.op === 'thread' || (s.op === 'loop' && any(s.body)));
  return any(p.steps);
}

/**
 * V8 flags for a worker running `program`. A process without threads runs
 * with --single-threaded: no V8 helper threads (GC, compiler) that would run
 * it on other CPUs, beside other groups' tasks — measured, 49 such
 * processes against one took about 2 pp of the machine from the one. A
 * process that starts threads runs without it: with it, its worker threads
 * under a tight cpu.max were seen to start seconds late (04-throttled-batch:
 * main thread 12.5 %, each thread 4 %).
 */
export function workerFlags(program: WireProgram): string[] {
  return startsThreads(program) ? ['--expose-gc'] : ['--expose-gc', '--single-threaded'];
}

export function workerCommand(program: WireProgram): { script: string; execArgv: string[] } {
  const here = import.meta.url;
  const ts = here.endsWith('.ts');
  const script = fileURLToPath(new URL(`./worker.${ts ? 'ts' : 'js'}`, here));
  const execArgv = workerFlags(program);
  if (ts) execArgv.push('--import', tsxSpecifier());
  return { script, execArgv };
}

function tsxSpecifier(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}
