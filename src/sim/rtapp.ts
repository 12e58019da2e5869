/**
 * Import rt-app JSON workload files into task programs.
 *
 * Format (rt-app's documentation): a `tasks` object of thread descriptions
 * keyed by name, an optional `global` object. Per task: `instance` (threads
 * to create, default 1; 0 creates none but the task can still be forked),
 * `delay` (µs before the first event), `loop`, `cpus`, `policy`, `priority`,
 * `taskgroup`, and either events directly or a `phases` object of phases,
 * each with its own events and `loop` (default 1). A task's `loop` defaults
 * to -1 (forever) except when it has no `phases` and gives `loop`: then that
 * count applies once. Under SCHED_OTHER/SCHED_IDLE `priority` is the nice
 * value; under SCHED_FIFO/SCHED_RR it is the real-time priority (default 10).
 *
 * Output: one entry per thread (task × instance), in file order. Anything
 * that cannot be simulated is reported in `warnings` as `path: message` with
 * a JSON-pointer-like path; malformed input (what rt-app itself refuses)
 * throws ProgramError with the path. Phase names that look like integers are
 * ordered first by JavaScript objects; rt-app keeps file order.
 */
import { ProgramError, validateProgram } from './program.js';
import type { Program, Step } from './program.js';
import { PHASE_PROPS, at, eventKind, isObj, loopOf, looped, phaseSteps, usOf } from './rtapp-events.js';
import type { EventContext, Json } from './rtapp-events.js';

export type RtPolicy = 'SCHED_OTHER' | 'SCHED_IDLE' | 'SCHED_FIFO' | 'SCHED_RR';

export interface RtAppThread {
  /** The task's key in `tasks`. */
  name: string;
  /** 0-based instance index within the task. */
  instance: number;
  program: Program;
  taskgroup?: string;
  /** Present when the file sets a policy (task `policy` or `global.default_policy`). */
  policy?: RtPolicy;
  /** The real-time priority, for SCHED_FIFO and SCHED_RR only. */
  priority?: number;
}

export interface RtAppImport { programs: RtAppThread[]; durationNs?: number; warnings: string[] }

const POLICIES = ['SCHED_OTHER', 'SCHED_IDLE', 'SCHED_FIFO', 'SCHED_RR', 'SCHED_DEADLINE'] as const;
type AnyPolicy = (typeof POLICIES)[number];
const TASK_PROPS = new Set(['instance', 'delay', 'phases', 'period', 'deadline']);
const NOT_PER_PHASE = ['cpus', 'policy', 'priority', 'taskgroup'];
const IGNORED_PROPS: [string[], string][] = [
  [['dl-runtime', 'dl-period', 'dl-deadline', 'period', 'deadline'], 'SCHED_DEADLINE parameters are not simulated'],
  [['util_min', 'util_max'], 'utilization clamping is not simulated'],
  [['nodes_membind', 'membind_nodes'], 'NUMA memory binding is not simulated'],
];

interface Task { steps: Step[]; program: Program; policy?: AnyPolicy; priority?: number; taskgroup?: string }

function policyOf(v: unknown, path: string): AnyPolicy {
  if (typeof v !== 'string' || !(POLICIES as readonly string[]).includes(v)) {
    throw new ProgramError(path, `unknown policy ${JSON.stringify(v)} (one of ${POLICIES.join(', ')})`);
  }
  return v as AnyPolicy;
}

function intOf(v: unknown, path: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new ProgramError(path, `must be an integer from ${lo} to ${hi}`);
  }
  return v;
}

/** Parse an rt-app workload (JSON text or an already parsed object). */
export function importRtApp(input: unknown): RtAppImport {
  let root: unknown = input;
  if (typeof input === 'string') {
    try { root = JSON.parse(input); } catch (e) { throw new ProgramError('', `not valid JSON: ${(e as Error).message}`); }
  }
  if (!isObj(root)) throw new ProgramError('', 'an rt-app file is a JSON object');
  const warnings: string[] = [];
  const warn = (path: string, msg: string): void => { warnings.push(`${path}: ${msg}`); };
  for (const k of Object.keys(root)) {
    if (k === 'resources') warn(k, 'the resources section is ignored (resources come from the events)');
    else if (k !== 'tasks' && k !== 'global') warn(k, `unknown key '${k}' ignored`);
  }
  const taskList = root['tasks'];
  if (!isObj(taskList)) throw new ProgramError('tasks', 'a "tasks" object is required');
  const tasks: Json = taskList;

  // global
  const g = root['global'] ?? {};
  if (!isObj(g)) throw new ProgramError('global', 'must be an object');
  let durationNs: number | undefined;
  let defaultPolicy: AnyPolicy | undefined;
  let nsPerLoop: number | undefined;
  for (const [k, v] of Object.entries(g)) {
    const path = at('global', k);
    if (k === 'duration') {
      if (v !== -1) durationNs = usOf(v, path, 'an integer number of seconds or -1') * 1e9;
      if (durationNs !== undefined && !Number.isSafeInteger(durationNs)) throw new ProgramError(path, 'is too large');
    } else if (k === 'default_policy') defaultPolicy = policyOf(v, path);
    else if (k === 'calibration' && typeof v === 'number') nsPerLoop = intOf(v, path, 1, 2 ** 31 - 1);
    else if (k === 'calibration') warn(path, 'calibration by CPU is not simulated; run events take exactly their time');
    else warn(path, `'${k}' has no meaning in the simulator (ignored)`);
  }

  // Timers: first use of each ref, and how many threads use it.
  const timerUse = new Map<string, { path: string; threads: number }>();
  let counting: { instances: number; refs: Set<string> } | undefined;
  const built = new Map<string, Task>();
  const building: string[] = [];

  const cx: EventContext = {
    nsPerLoop,
    warn,
    timer(path, ref) {
      if (!timerUse.has(ref)) {
        timerUse.set(ref, { path, threads: 0 });
        warn(path, `timer '${ref}': after an overrun the simulator waits for the next boundary of the `
          + 'original period grid (rt-app restarts the grid in relative mode, fires missed periods in absolute mode)');
      }
      counting?.refs.add(ref);
    },
    fork(path, target) {
      if (!Object.hasOwn(tasks, target)) throw new ProgramError(path, `no task named ${JSON.stringify(target)} to fork`);
      if (building.includes(target)) {
        warn(path, `fork of '${target}' dropped: it would fork itself without end`);
        return undefined;
      }
      const t = build(target);
      if (t.policy !== undefined || t.taskgroup !== undefined) {
        warn(path, `forked '${target}' runs as a thread of this task: its policy and taskgroup do not apply`);
      }
      return { op: 'thread', program: t.program };
    },
  };

  function build(name: string): Task {
    const done = built.get(name);
    if (done !== undefined) return done;
    const path = at('tasks', name);
    const obj = tasks[name];
    if (!isObj(obj)) throw new ProgramError(path, 'a task must be an object');
    building.push(name);
    const saved = counting;
    counting = { instances: obj['instance'] === undefined ? 1 : intOf(obj['instance'], at(path, 'instance'), 0, 2 ** 20), refs: new Set() };
    const task = buildTask(name, obj, path);
    for (const ref of counting.refs) timerUse.get(ref)!.threads += counting.instances;
    counting = saved;
    building.pop();
    built.set(name, task);
    return task;
  }

  function buildTask(name: string, obj: Json, path: string): Task {
    for (const [keys, msg] of IGNORED_PROPS) for (const k of keys) if (k in obj) warn(at(path, k), msg);
    const explicit = obj['policy'] === undefined ? defaultPolicy : policyOf(obj['policy'], at(path, 'policy'));
    const policy = explicit ?? 'SCHED_OTHER';
    if (policy === 'SCHED_DEADLINE') {
      warn(at(path, 'policy'), 'SCHED_DEADLINE is not simulated; the task runs as SCHED_OTHER');
    }
    const rt = policy === 'SCHED_FIFO' || policy === 'SCHED_RR';
    const p: Program = { name, steps: [] };
    let priority: number | undefined;
    if (obj['priority'] !== undefined) {
      if (rt) priority = intOf(obj['priority'], at(path, 'priority'), 1, 99);
      else if (policy !== 'SCHED_DEADLINE') p.nice = intOf(obj['priority'], at(path, 'priority'), -20, 19);
      else warn(at(path, 'priority'), 'priority of a SCHED_DEADLINE task ignored');
    } else if (rt) priority = 10;
    if (obj['cpus'] !== undefined) {
      if (!Array.isArray(obj['cpus'])) throw new ProgramError(at(path, 'cpus'), 'must be an array of CPU numbers');
      p.cpus = obj['cpus'] as number[];
    }
    let taskgroup: string | undefined;
    if (obj['taskgroup'] !== undefined && obj['taskgroup'] !== '') {
      const tg = obj['taskgroup'];
      if (typeof tg !== 'string' || !tg.startsWith('/')) throw new ProgramError(at(path, 'taskgroup'), 'must start with /');
      if (policy !== 'SCHED_OTHER' && policy !== 'SCHED_IDLE') throw new ProgramError(at(path, 'taskgroup'), `no taskgroup for ${policy}`);
      taskgroup = tg;
    }

    let body: Step[];
    let threadLoop: number | 'forever';
    const phases = obj['phases'];
    if (phases !== undefined) {
      if (!isObj(phases)) throw new ProgramError(at(path, 'phases'), 'must be an object of phases');
      for (const k of Object.keys(obj)) {
        if (PHASE_PROPS.has(k) || TASK_PROPS.has(k)) continue;
        if (eventKind(k) !== undefined) warn(at(path, k), "event ignored: the task has 'phases'");
        else warn(at(path, k), `unknown key '${k}' ignored`);
      }
      body = [];
      for (const [pname, ph] of Object.entries(phases)) {
        const pp = at(at(path, 'phases'), pname);
        if (!isObj(ph)) throw new ProgramError(pp, 'a phase must be an object');
        for (const [keys, msg] of IGNORED_PROPS) for (const k of keys) if (k in ph) warn(at(pp, k), msg);
        for (const k of NOT_PER_PHASE) if (k in ph) warn(at(pp, k), `per-phase '${k}' is not simulated; the task's value applies`);
        const steps = phaseSteps(ph, pp, cx, new Set());
        body.push(...looped(ph['loop'] === undefined ? 1 : loopOf(ph['loop'], at(pp, 'loop')), steps));
      }
      threadLoop = obj['loop'] === undefined ? 'forever' : loopOf(obj['loop'], at(path, 'loop'));
    } else {
      const steps = phaseSteps(obj, path, cx, TASK_PROPS);
      body = obj['loop'] === undefined ? steps : looped(loopOf(obj['loop'], at(path, 'loop')), steps);
      threadLoop = obj['loop'] === undefined ? 'forever' : 1;
    }
    const main = looped(threadLoop, body);
    if (main.length === 0) warn(path, 'no simulated events are left: the task exits at once');
    const delay = obj['delay'] === undefined ? 0 : usOf(obj['delay'], at(path, 'delay'));
    p.steps = delay > 0 ? [{ op: 'sleep', ns: delay * 1000 }, ...main] : main;
    let program: Program;
    try {
      program = validateProgram(p);
    } catch (e) {
      if (e instanceof ProgramError) throw new ProgramError(`${path} (program ${e.pointer})`, e.reason);
      throw e;
    }
    const out: Task = { steps: program.steps, program };
    if (explicit !== undefined) out.policy = explicit;
    if (priority !== undefined) out.priority = priority;
    if (taskgroup !== undefined) out.taskgroup = taskgroup;
    return out;
  }

  const programs: RtAppThread[] = [];
  for (const name of Object.keys(tasks)) {
    const t = build(name);
    const n = tasks[name] as Json;
    const count = n['instance'] === undefined ? 1 : (n['instance'] as number);
    for (let i = 0; i < count; i++) {
      const th: RtAppThread = { name, instance: i, program: t.program };
      if (t.taskgroup !== undefined) th.taskgroup = t.taskgroup;
      if (t.policy !== undefined) th.policy = t.policy === 'SCHED_DEADLINE' ? 'SCHED_OTHER' : t.policy;
      if (t.priority !== undefined) th.priority = t.priority;
      programs.push(th);
    }
  }
  for (const [ref, u] of timerUse) {
    if (u.threads > 1 && !ref.startsWith('unique')) {
      warn(u.path, `timer '${ref}' is shared by ${u.threads} threads in rt-app; each simulated thread gets its own`);
    }
  }
  const result: RtAppImport = { programs, warnings };
  if (durationNs !== undefined) result.durationNs = durationNs;
  return result;
}
