/**
 * Task entries of a scenario (under `tasks:` and in timeline `spawn:`) to
 * TaskSpecs: programs parsed from their text form with errors mapped to the
 * YAML line, `count` expanded to `name-1..name-N`, rt-app files imported
 * (one task per thread) with their notes kept as warnings.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseCpuList } from '../core/format/cpulist.js';
import { ProgramError, type Program } from '../sim/program.js';
import { parseProgram } from '../sim/program-text.js';
import { importRtApp } from '../sim/rtapp.js';
import { ScenarioError } from './errors.js';
import { joinGroup, normGroup } from './paths.js';
import type { TaskSpec } from './types.js';
import type { PathSeg, YamlSource } from './yaml-source.js';

interface RawTask {
  name?: string;
  group?: string;
  program?: string;
  rtapp?: string;
  count?: number;
  nice?: number;
  cpus?: number[] | string | number;
}

export interface TaskContext {
  readonly src: YamlSource;
  readonly warnings: string[];
  /** Longest rt-app duration seen (used when the scenario gives none). */
  rtappDurationNs?: number;
}

/** The TaskSpecs of one entry at `path` (`['tasks', 3]` or `['timeline', 2, 'spawn']`). */
export function tasksOf(cx: TaskContext, path: readonly PathSeg[]): TaskSpec[] {
  const { src } = cx;
  const raw = src.at(path) as RawTask;
  const line = src.line(path);
  const group = raw.group === undefined ? '/' : normGroup(raw.group, () => src.fail([...path, 'group'], `'${raw.group}' is not a group path (like / or /guest/web)`));
  const cpus = raw.cpus === undefined ? undefined : cpusOf(src, [...path, 'cpus'], raw.cpus);
  if (raw.rtapp !== undefined) return rtappTasks(cx, path, raw, group, cpus);
  if (raw.name === undefined) throw src.fail(path, "a task needs a 'name'");
  const program = raw.program === undefined ? undefined : programOf(src, [...path, 'program'], raw.program);
  const count = raw.count ?? 1;
  const out: TaskSpec[] = [];
  for (let i = 1; i <= count; i++) {
    const t: TaskSpec = {
      name: raw.count === undefined ? raw.name : `${raw.name}-${i}`,
      group, line,
      ...(program ? { program } : {}),
      ...(raw.nice !== undefined ? { nice: raw.nice } : {}),
      ...(cpus ? { cpus } : {}),
    };
    out.push(t);
  }
  return out;
}

function cpusOf(src: YamlSource, path: readonly PathSeg[], v: number[] | string | number): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return [...new Set(v)].sort((a, b) => a - b);
  try {
    const list = parseCpuList(v);
    if (list.length === 0) throw new RangeError('empty');
    return list;
  } catch {
    throw src.fail(path, `bad cpu list '${v}' (like 0-3,6)`);
  }
}

/** Parse a program's text form; a ProgramError points at the line inside the YAML file. */
function programOf(src: YamlSource, path: readonly PathSeg[], text: string): Program {
  try {
    return parseProgram(text);
  } catch (e) {
    if (!(e instanceof ProgramError)) throw e;
    const line = src.contentLine(path) + (e.line ?? 1) - 1;
    const col = e.column === undefined ? '' : ` (column ${e.column} of the program)`;
    throw new ScenarioError(src.file, line, `program: ${e.reason}${col}`, { code: 'EINVAL', cause: e });
  }
}

function rtappTasks(cx: TaskContext, path: readonly PathSeg[], raw: RawTask, group: string, cpus: number[] | undefined): TaskSpec[] {
  const { src } = cx;
  const line = src.line([...path, 'rtapp']);
  if (raw.count !== undefined) throw src.fail([...path, 'count'], "'count' does not apply to rt-app tasks (use 'instance' in the rt-app file)");
  const base = src.file.startsWith('<') ? process.cwd() : dirname(resolve(src.file));
  const file = resolve(base, raw.rtapp!);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(src.file, line, `rt-app file ${raw.rtapp!}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let imp;
  try {
    imp = importRtApp(text);
  } catch (e) {
    if (e instanceof ProgramError) throw new ScenarioError(src.file, line, `rt-app file ${raw.rtapp!}: ${e.pointer}: ${e.reason}`, { code: 'EINVAL', cause: e });
    throw e;
  }
  const note = (w: string): void => { cx.warnings.push(`${src.file}:${line}: rt-app ${raw.rtapp!}: ${w}`); };
  imp.warnings.forEach(note);
  if (imp.durationNs !== undefined) cx.rtappDurationNs = Math.max(cx.rtappDurationNs ?? 0, imp.durationNs);
  const perTask = new Map<string, number>();
  for (const th of imp.programs) perTask.set(th.name, (perTask.get(th.name) ?? 0) + 1);
  const prefix = raw.name === undefined ? '' : `${raw.name}.`;
  return imp.programs.map((th) => {
    if (th.policy === 'SCHED_FIFO' || th.policy === 'SCHED_RR') {
      note(`tasks/${th.name}: per-task ${th.policy} is not simulated; it runs in its group's class (set 'policy: ${th.policy === 'SCHED_FIFO' ? 'fifo' : 'rr'}' on the group)`);
    }
    const many = (perTask.get(th.name) ?? 1) > 1;
    const t: TaskSpec = {
      name: `${prefix}${th.name}${many ? `-${th.instance + 1}` : ''}`,
      group: th.taskgroup === undefined ? group : joinGroup(group, th.taskgroup),
      program: th.program,
      line,
      ...(raw.nice !== undefined ? { nice: raw.nice } : {}),
      ...(cpus ? { cpus } : {}),
    };
    return t;
  });
}
