/**
 * Load a scenario: YAML text → checked Scenario (see types.ts), or a
 * ScenarioError with the file and line at fault.
 */
import { readFileSync } from 'node:fs';
import { ScenarioError } from './errors.js';
import { parseExpectation, type Expectation } from './expect.js';
import { tasksOf, type TaskContext } from './load-tasks.js';
import { trustOf } from './load-trust.js';
import { ancestorsAndSelf, normGroup, splitFilePath } from './paths.js';
import { ACTIONS } from './schema.js';
import type { Action, FileWrite, GroupPolicy, GroupSpec, Scenario, ScenarioLayout, TaskSpec, TimedAction } from './types.js';
import { formatDuration, parseDuration } from './units.js';
import { YamlSource, type PathSeg } from './yaml-source.js';

export interface LoadOptions {
  /** File name for messages and for resolving rt-app paths (default `<scenario>`, relative to the working directory). */
  file?: string;
  /** Replace the scenario's duration. */
  durationNs?: number;
  /** Replace the scenario's seed. */
  seed?: number;
}

interface Raw {
  name?: string; description?: string; machine?: { cpus?: number; smt?: number; hz?: number };
  layout?: ScenarioLayout; seed?: number; duration?: string | number;
  groups?: Record<string, Record<string, unknown> | null>; tasks?: unknown[]; timeline?: Record<string, unknown>[]; expect?: unknown[];
  trust?: Record<string, unknown>;
}

export function loadScenarioFile(path: string, opts: Omit<LoadOptions, 'file'> = {}): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError(path, undefined, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return loadScenario(text, { ...opts, file: path });
}

export function loadScenario(text: string, opts: LoadOptions = {}): Scenario {
  const file = opts.file ?? '<scenario>';
  const src = new YamlSource(text, file);
  const raw = src.data as Raw;
  const cx: TaskContext = { src, warnings: [] };
  const dur = (path: PathSeg[], v: string | number): number => {
    try { return parseDuration(v); } catch (e) { throw src.fail(path, (e as Error).message); }
  };
  const group = (path: PathSeg[], p: string, key = false): string =>
    normGroup(p, () => src.fail(path, `'${p}' is not a group path (like / or /guest/web)`, key));

  // Groups as declared.
  const declared = new Map<string, { files: FileWrite[]; policy?: { value: GroupPolicy; line: number }; line: number }>();
  for (const g of src.entries(['groups'])) {
    const path = group(['groups', g.key], g.key, true);
    if (declared.has(path)) throw src.fail(['groups', g.key], `group ${path} is declared twice`, true);
    const d: { files: FileWrite[]; policy?: { value: GroupPolicy; line: number }; line: number } = { files: [], line: g.line };
    for (const f of src.entries(['groups', g.key])) {
      if (f.key === 'policy') d.policy = { value: f.value as GroupPolicy, line: f.line };
      else d.files.push({ group: path, file: f.key, value: fileValue(f.value), line: f.line });
    }
    declared.set(path, d);
  }

  // Tasks.
  const tasks: TaskSpec[] = [];
  (raw.tasks ?? []).forEach((_, i) => tasks.push(...tasksOf(cx, ['tasks', i])));

  // Timeline.
  const timeline: TimedAction[] = [];
  (raw.timeline ?? []).forEach((item, i) => {
    const at = dur(['timeline', i, 'at'], item['at'] as string);
    const kind = ACTIONS.find((a) => a in item)!;
    const p: PathSeg[] = ['timeline', i, kind];
    const line = src.line(['timeline', i]);
    let a: Action;
    switch (kind) {
      case 'write': {
        const writes = src.entries(p).map((w): FileWrite => {
          const sp = splitFilePath(w.key);
          if (!w.key.startsWith('/') || !sp) throw src.fail([...p, w.key], `'${w.key}' is not a file path (like /guest/cpu.max)`, true);
          return { group: group([...p, w.key], sp.group, true), file: sp.file, value: fileValue(w.value), line: w.line };
        });
        a = { kind, writes };
        break;
      }
      case 'move': {
        const m = item[kind] as { task: string; to: string };
        a = { kind, task: m.task, to: group([...p, 'to'], m.to) };
        break;
      }
      case 'spawn':
        a = { kind, tasks: tasksOf(cx, p) };
        break;
      case 'kill': {
        const k = item[kind] as { task: string; signal?: string | number };
        a = { kind, task: k.task, signal: k.signal ?? 'SIGKILL' };
        break;
      }
      case 'freeze':
      case 'thaw':
        a = { kind, group: group(p, item[kind] as string) };
        break;
      case 'policy': {
        const [[g, pol]] = Object.entries(item[kind] as Record<string, GroupPolicy>) as [[string, GroupPolicy]];
        a = { kind, group: group([...p, g], g, true), policy: pol };
        break;
      }
    }
    timeline.push({ ...a, atNs: at, line });
  });
  timeline.sort((x, y) => x.atNs - y.atNs); // stable: same time keeps file order

  // Duration, machine.
  let durationNs = opts.durationNs;
  if (durationNs === undefined && raw.duration !== undefined) durationNs = dur(['duration'], raw.duration);
  durationNs ??= cx.rtappDurationNs;
  if (durationNs === undefined) throw new ScenarioError(file, 1, "missing 'duration' (e.g. duration: 10s)");
  if (durationNs <= 0) throw src.fail(['duration'], 'the duration must be more than 0');
  const warnings = cx.warnings;
  for (const t of timeline) {
    if (t.atNs > durationNs) warnings.push(`${file}:${t.line}: the ${t.kind} at ${formatDuration(t.atNs)} never happens: the run ends at ${formatDuration(durationNs)}`);
  }

  // Names.
  const names = new Map<string, number>();
  const spawnedAt = new Map<string, number>();
  for (const t of [...tasks, ...timeline.flatMap((a) => (a.kind === 'spawn' ? a.tasks : []))]) {
    const first = names.get(t.name);
    if (first !== undefined) throw new ScenarioError(file, t.line, `task name '${t.name}' is used twice (also on line ${first})`);
    names.set(t.name, t.line);
  }
  for (const a of timeline) if (a.kind === 'spawn') for (const t of a.tasks) spawnedAt.set(t.name, a.atNs);
  for (const a of timeline) {
    if (a.kind !== 'move' && a.kind !== 'kill') continue;
    if (!names.has(a.task)) throw new ScenarioError(file, a.line, `no task named '${a.task}'`);
    if ((spawnedAt.get(a.task) ?? 0) > a.atNs) throw new ScenarioError(file, a.line, `task '${a.task}' is spawned only later`);
  }

  // The tree: declared groups and every group something refers to, parents first.
  const mentioned: { path: string; line: number }[] = [...declared].map(([path, d]) => ({ path, line: d.line }));
  for (const t of tasks) mentioned.push({ path: t.group, line: t.line });
  for (const a of timeline) {
    if (a.kind === 'write') for (const w of a.writes) mentioned.push({ path: w.group, line: w.line });
    else if (a.kind === 'move') mentioned.push({ path: a.to, line: a.line });
    else if (a.kind === 'spawn') for (const t of a.tasks) mentioned.push({ path: t.group, line: t.line });
    else if (a.kind === 'freeze' || a.kind === 'thaw' || a.kind === 'policy') mentioned.push({ path: a.group, line: a.line });
  }
  const taskGroups = new Map(tasks.map((t) => [t.name, t.group]));
  for (const a of timeline) if (a.kind === 'spawn') for (const t of a.tasks) taskGroups.set(t.name, t.group);
  const trust = trustOf(src, (p, x) => group(p, x), (n) => names.get(n), (n) => taskGroups.get(n), raw.machine?.smt ?? 1);
  for (const t of trust) if (t.cgroup !== undefined) mentioned.push({ path: t.cgroup, line: t.line });
  const groups = tree(mentioned, declared);

  // Expectations.
  const known = new Set(groups.map((g) => g.path));
  const expect: Expectation[] = (raw.expect ?? []).map((e, i) => {
    const line = src.line(['expect', i]);
    const text = typeof e === 'string' ? e : Object.entries(e as Record<string, unknown>).map(([k, v]) => `${k}: ${String(v)}`)[0]!;
    let x: Expectation;
    try { x = parseExpectation(text, line); } catch (err) { throw new ScenarioError(file, line, (err as Error).message); }
    if (x.target.kind === 'group' && !known.has(x.target.path)) throw new ScenarioError(file, line, `no group ${x.target.path} in the scenario`);
    if (x.target.kind === 'task' && !names.has(x.target.name)) throw new ScenarioError(file, line, `no task named '${x.target.name}'`);
    if (x.window && x.window.toNs > durationNs) throw new ScenarioError(file, line, 'the window ends after the run');
    return x;
  });

  const seed = opts.seed ?? raw.seed;
  const m = raw.machine ?? {};
  if (m.smt !== undefined && (m.cpus ?? 1) % m.smt !== 0) throw src.fail(['machine', 'smt'], `smt ${m.smt} must divide cpus (${m.cpus ?? 1}): cpus counts hardware threads`);
  return {
    name: raw.name ?? (file.startsWith('<') ? 'scenario' : file.replace(/^.*\//, '').replace(/\.ya?ml$/, '')),
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    file,
    cpus: m.cpus ?? 1,
    ...(m.smt !== undefined ? { smt: m.smt } : {}),
    ...(m.hz !== undefined ? { hz: m.hz } : {}),
    layout: raw.layout ?? 'unified',
    ...(seed !== undefined ? { seed } : {}),
    durationNs, groups, tasks, timeline, expect, trust, warnings,
  };
}

function fileValue(v: unknown): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

function tree(
  mentioned: { path: string; line: number }[],
  declared: Map<string, { files: FileWrite[]; policy?: { value: GroupPolicy; line: number }; line: number }>,
): GroupSpec[] {
  const firstLine = new Map<string, number>([['/', 1]]);
  const children = new Map<string, string[]>();
  for (const { path, line } of mentioned) {
    for (const g of ancestorsAndSelf(path)) {
      if (firstLine.has(g)) continue;
      firstLine.set(g, line);
      const parent = g.slice(0, g.lastIndexOf('/')) || '/';
      children.set(parent, [...(children.get(parent) ?? []), g]);
    }
  }
  const out: GroupSpec[] = [];
  const visit = (g: string): void => {
    const d = declared.get(g);
    out.push({ path: g, files: d?.files ?? [], line: d?.line ?? firstLine.get(g)!, ...(d?.policy ? { policy: d.policy } : {}) });
    for (const c of children.get(g) ?? []) visit(c);
  };
  visit('/');
  return out;
}
