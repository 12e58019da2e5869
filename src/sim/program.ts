/**
 * Task programs: what a simulated task does, as data. The scheduler executes
 * them; this module only defines the shape and checks it.
 *
 * Step semantics (all times are integer nanoseconds of simulated time):
 * - `run ns`   — consume `ns` of CPU time: the task must be *running* on a
 *   CPU for that long; time spent waiting on a run queue does not count.
 *   This is rt-app's `runtime` meaning (a fixed amount of CPU time); the
 *   simulator has no frequency or capacity scaling, so rt-app's `run` maps
 *   to the same step (see rtapp.ts for its calibration quantization).
 * - `sleep ns` — block for `ns`, measured from the moment the step starts.
 * - `timer periodNs ref` — block until the next boundary of the periodic timer
 *   named `ref`. The first use of a ref starts that timer at the current time
 *   and waits one period; later uses wait until the next boundary
 *   `start + k * periodNs` strictly after now, so preemption and overruns never
 *   make the period drift (missed boundaries are skipped, not queued).
 *   Refs are private to the running thread: two threads never share a timer.
 * - `fork program` — start a child process running `program`; the parent
 *   continues at once. `thread program` — the same for a new thread of the
 *   current process (same memory, same cgroup membership rules as threads).
 * - `alloc bytes` / `free bytes` — charge / uncharge memory to the task's
 *   memory cgroup (bytes are bigint, like every 64-bit counter here).
 * - `exit code` — the task ends with status `code` (0..255); a program that
 *   runs off its end exits with 0.
 * - `loop count body` — repeat `body` `count` times (0 allowed) or forever.
 *
 * Program attributes: `nice` (-20..19, default 0), `cpus` (affinity; sorted,
 * duplicates removed, never empty), `name` (non-empty, no control chars).
 */
import { CgroupError } from '../core/errors.js';

export type Step =
  | { op: 'run'; ns: number }
  | { op: 'sleep'; ns: number }
  | { op: 'timer'; periodNs: number; ref: string }
  | { op: 'fork'; program: Program }
  | { op: 'thread'; program: Program }
  | { op: 'alloc'; bytes: bigint }
  | { op: 'free'; bytes: bigint }
  | { op: 'exit'; code: number }
  | { op: 'loop'; count: number | 'forever'; body: Step[] };

export interface Program { name?: string; steps: Step[]; nice?: number; cpus?: number[] }

/**
 * A program that is not well formed. `pointer` says where, JSON-pointer
 * style relative to the program (`steps/3/body/0/ns`); the text parser adds
 * `line` and `column` (both 1-based) of the offending token.
 */
export class ProgramError extends CgroupError {
  readonly pointer: string;
  readonly reason: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(pointer: string, reason: string, at?: { line: number; column: number }) {
    const where = at === undefined ? pointer : `${at.line}:${at.column}`;
    super('EINVAL', 'spawn', where, reason);
    this.pointer = pointer;
    this.reason = reason;
    this.line = at?.line;
    this.column = at?.column;
  }
}

/** The CPU-time chunk of `hog()`: one second. The scheduler preempts inside a
 * step, so the chunk only bounds how often the program loop turns over. */
export const HOG_CHUNK_NS = 1_000_000_000;

/** The plain CPU hog: run forever. */
export function hog(): Program {
  return validateProgram({
    steps: [{ op: 'loop', count: 'forever', body: [{ op: 'run', ns: HOG_CHUNK_NS }] }],
  });
}

export const MAX_EXIT_CODE = 255;

/** The timer ref the text form uses when none is given. */
export const DEFAULT_TIMER_REF = 'timer';
const STEP_KEYS: Record<Step['op'], readonly string[]> = {
  run: ['ns'], sleep: ['ns'], timer: ['periodNs', 'ref'], fork: ['program'], thread: ['program'],
  alloc: ['bytes'], free: ['bytes'], exit: ['code'], loop: ['count', 'body'],
};
const PROGRAM_KEYS = ['name', 'steps', 'nice', 'cpus'];

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (base: string, key: string | number): string => (base === '' ? `${key}` : `${base}/${key}`);

function onlyKeys(v: Rec, allowed: readonly string[], at: string): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw new ProgramError(join(at, k), `unknown property '${k}'`);
  }
}

function nsOf(v: unknown, at: string, positive = false): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < (positive ? 1 : 0)) {
    const what = positive ? 'a positive' : 'a non-negative';
    throw new ProgramError(at, `must be ${what} safe integer of nanoseconds`);
  }
  return v;
}

function bytesOf(v: unknown, at: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n) {
    throw new ProgramError(at, 'must be a bigint byte count in [0, 2^64)');
  }
  return v;
}

function intIn(v: unknown, lo: number, hi: number, at: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new ProgramError(at, `must be an integer from ${lo} to ${hi}`);
  }
  return v;
}

/** A name or timer ref: a non-empty string without control characters. */
export function isCleanName(s: unknown): s is string {
  // eslint-disable-next-line no-control-regex
  return typeof s === 'string' && s.length > 0 && !/[\u0000-\u001f\u007f]/.test(s);
}

function stepOf(v: unknown, at: string): Step {
  if (!isRec(v)) throw new ProgramError(at, 'a step must be an object');
  const op = v['op'];
  if (typeof op !== 'string' || !Object.hasOwn(STEP_KEYS, op)) {
    throw new ProgramError(join(at, 'op'), `unknown op ${JSON.stringify(op)}`);
  }
  const o = op as Step['op'];
  onlyKeys(v, ['op', ...STEP_KEYS[o]], at);
  switch (o) {
    case 'run':
    case 'sleep':
      return Object.freeze({ op: o, ns: nsOf(v['ns'], join(at, 'ns')) });
    case 'timer': {
      const periodNs = nsOf(v['periodNs'], join(at, 'periodNs'), true);
      const ref = v['ref'];
      if (!isCleanName(ref)) throw new ProgramError(join(at, 'ref'), 'must be a non-empty string without control characters');
      return Object.freeze({ op: o, periodNs, ref });
    }
    case 'fork':
    case 'thread':
      return Object.freeze({ op: o, program: programOf(v['program'], join(at, 'program')) });
    case 'alloc':
    case 'free':
      return Object.freeze({ op: o, bytes: bytesOf(v['bytes'], join(at, 'bytes')) });
    case 'exit':
      return Object.freeze({ op: o, code: intIn(v['code'], 0, MAX_EXIT_CODE, join(at, 'code')) });
    case 'loop': {
      const c = v['count'];
      const count = c === 'forever' ? c : nsOf(c, join(at, 'count'));
      const body = stepsOf(v['body'], join(at, 'body'));
      if (count === 'forever' && !mayStop(body)) {
        throw new ProgramError(join(at, 'body'),
          'a forever loop needs a step that takes time (run/sleep > 0, timer) or an exit');
      }
      return Object.freeze({ op: o, count, body });
    }
  }
}

/** True when one pass of `steps` may advance time or end the task. */
function mayStop(steps: readonly Step[]): boolean {
  return steps.some((s) => {
    switch (s.op) {
      case 'run': case 'sleep': return s.ns > 0;
      case 'timer': case 'exit': return true;
      case 'loop': return s.count !== 0 && mayStop(s.body);
      default: return false;
    }
  });
}

function stepsOf(v: unknown, at: string): Step[] {
  if (!Array.isArray(v)) throw new ProgramError(at, 'must be an array of steps');
  return Object.freeze(v.map((s, i) => stepOf(s, join(at, i)))) as Step[];
}

function programOf(v: unknown, at: string): Program {
  if (!isRec(v)) throw new ProgramError(at, 'a program must be an object');
  onlyKeys(v, PROGRAM_KEYS, at);
  const out: Program = { steps: [] };
  if (v['name'] !== undefined) {
    if (!isCleanName(v['name'])) throw new ProgramError(join(at, 'name'), 'must be a non-empty string without control characters');
    out.name = v['name'];
  }
  out.steps = stepsOf(v['steps'], join(at, 'steps'));
  if (v['nice'] !== undefined) out.nice = intIn(v['nice'], -20, 19, join(at, 'nice'));
  if (v['cpus'] !== undefined) {
    const c = v['cpus'];
    if (!Array.isArray(c)) throw new ProgramError(join(at, 'cpus'), 'must be an array of CPU numbers');
    if (c.length === 0) throw new ProgramError(join(at, 'cpus'), 'must not be empty');
    const cpus = c.map((x, i) => intIn(x, 0, 8191, join(join(at, 'cpus'), i)));
    out.cpus = Object.freeze([...new Set(cpus)].sort((a, b) => a - b)) as number[];
  }
  return Object.freeze(out);
}

/**
 * Check a program (of unknown origin, e.g. parsed JSON) and return a deeply
 * frozen normalized copy: no unknown properties, cpus sorted and unique.
 * Throws ProgramError (EINVAL) naming the first bad place.
 */
export function validateProgram(p: unknown): Program {
  return programOf(p, '');
}
