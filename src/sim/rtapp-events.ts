/**
 * rt-app phases and events → program steps (used by rtapp.ts).
 *
 * rt-app recognizes an event by the start of its key, so `run0`, `run_b` and
 * `sleep1` are `run` and `sleep` events; events run in the order of their
 * keys in the object. Times are integers in µs. Mapping:
 * - `runtime` → `run` of exactly that CPU time.
 * - `run` → `run`; rt-app runs floor(t·1000 / ns_per_loop) loops of its
 *   calibrated workload, so with an integer `global.calibration` the CPU time
 *   is quantized to that many loops; otherwise it is taken as exact.
 * - `sleep` → `sleep`; `timer {ref, period}` → `timer` (see rtapp.ts for the
 *   overrun and sharing differences, reported as warnings).
 * - `fork` (a task name) → a `thread` step running that task's program.
 * Everything else is listed in a warning with its path and dropped.
 */
import { ProgramError } from './program.js';
import type { Step } from './program.js';

export type Json = Record<string, unknown>;
export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON-pointer-like path join, escaping `~` and `/` in keys. */
export const at = (base: string, key: string): string =>
  `${base}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

export interface EventContext {
  /** ns per calibration loop, when `global.calibration` is an integer. */
  nsPerLoop: number | undefined;
  warn(path: string, msg: string): void;
  /** Called for each `timer` event: the ref as written. */
  timer(path: string, ref: string): void;
  /** Steps of a `fork` target (a `thread` step); undefined = dropped (warned). */
  fork(path: string, target: string): Step | undefined;
}

const DROPPED: [string, string][] = [
  ['lock', 'mutexes are not simulated'], ['unlock', 'mutexes are not simulated'],
  ['wait', 'condition variables are not simulated'], ['signal', 'condition variables are not simulated'],
  ['broad', 'condition variables are not simulated'], ['sync', 'condition variables are not simulated'],
  ['suspend', 'suspend/resume is not simulated'], ['resume', 'suspend/resume is not simulated'],
  ['mem', 'memory-bound busy loops are not simulated'], ['iorun', 'I/O devices are not simulated'],
  ['yield', 'yield is not simulated'], ['barrier', 'barriers are not simulated'],
];

/** Keys of a phase (or single-phase task) object that are not events. */
export const PHASE_PROPS = new Set([
  'loop', 'cpus', 'policy', 'priority', 'taskgroup', 'util_min', 'util_max',
  'dl-runtime', 'dl-period', 'dl-deadline', 'nodes_membind', 'membind_nodes',
]);

export function eventKind(key: string): string | undefined {
  for (const k of ['sleep', 'runtime', 'run', 'timer', 'fork']) if (key.startsWith(k)) return k;
  return DROPPED.find(([k]) => key.startsWith(k))?.[0];
}

export function usOf(v: unknown, path: string, what = 'an integer number of microseconds'): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || !Number.isSafeInteger(v * 1000)) {
    throw new ProgramError(path, `must be ${what} (>= 0)`);
  }
  return v;
}

function event(kind: string, v: unknown, path: string, cx: EventContext): Step | undefined {
  switch (kind) {
    case 'sleep':
      return { op: 'sleep', ns: usOf(v, path) * 1000 };
    case 'runtime':
      return { op: 'run', ns: usOf(v, path) * 1000 };
    case 'run': {
      const ns = usOf(v, path) * 1000;
      const p = cx.nsPerLoop;
      return { op: 'run', ns: p === undefined ? ns : Math.floor(ns / p) * p };
    }
    case 'timer': {
      if (!isObj(v)) throw new ProgramError(path, 'a timer must be an object { "ref", "period" }');
      for (const k of Object.keys(v)) {
        if (!['ref', 'period', 'mode'].includes(k)) cx.warn(at(path, k), `unknown timer key '${k}' ignored`);
      }
      const ref = v['ref'] ?? 'unknown';
      if (typeof ref !== 'string' || ref === '') throw new ProgramError(at(path, 'ref'), 'must be a non-empty string');
      const period = usOf(v['period'] ?? 0, at(path, 'period'));
      if (period === 0) throw new ProgramError(at(path, 'period'), 'a timer needs a period > 0 µs');
      const mode = v['mode'];
      if (mode !== undefined && mode !== 'relative' && mode !== 'absolute') {
        throw new ProgramError(at(path, 'mode'), "must be 'relative' or 'absolute'");
      }
      cx.timer(path, ref);
      return { op: 'timer', periodNs: period * 1000, ref };
    }
    case 'fork':
      if (typeof v !== 'string') throw new ProgramError(path, 'must be the name of a task');
      return cx.fork(path, v);
    default:
      cx.warn(path, `'${kind}' event dropped: ${DROPPED.find(([k]) => k === kind)?.[1] ?? 'not simulated'}`);
      return undefined;
  }
}

/** `loop` of a phase or task: -1 = forever, else a count >= 0. */
export function loopOf(v: unknown, path: string): number | 'forever' {
  if (v === -1) return 'forever';
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ProgramError(path, 'must be -1 (forever) or a count >= 0');
  }
  return v;
}

/** Wrap steps in a loop; a count of 1 needs none, an empty body none either
 * (the caller warns when a whole task ends up with no steps). */
export function looped(count: number | 'forever', body: Step[]): Step[] {
  if (count === 1) return body;
  if (body.length === 0) return [];
  return [{ op: 'loop', count, body }];
}

/**
 * The steps of one phase object (events only; properties are read by the
 * caller). Keys that are neither events nor known properties are warned.
 */
export function phaseSteps(obj: Json, path: string, cx: EventContext, extraProps: ReadonlySet<string>): Step[] {
  const out: Step[] = [];
  let events = 0;
  for (const [key, v] of Object.entries(obj)) {
    // Properties first: `membind_nodes` would otherwise start like `mem`.
    if (PHASE_PROPS.has(key) || extraProps.has(key)) continue;
    const kind = eventKind(key);
    if (kind === undefined) {
      cx.warn(at(path, key), `unknown key '${key}' ignored`);
      continue;
    }
    events++;
    const s = event(kind, v, at(path, key), cx);
    if (s !== undefined) out.push(s);
  }
  if (events === 0) throw new ProgramError(path, 'a phase needs at least one event');
  return out;
}
