/**
 * The `trust:` section of a scenario: core scheduling trust groups (the
 * coreschedfs seed) on a machine with SMT.
 *
 *   trust:
 *     customer-a: { cgroup: /customers/a }                        every task of the cgroup, now and later
 *     browser: { tasks: [browser], properties: NEW_COOKIE_FOR_CHILD }
 *     /: { tasks: [backup] }                                       the root group: untagged
 *
 * A group names scenario tasks (whole processes, added when they are
 * spawned) and/or binds one cgroup of the scenario; `properties` decides
 * what forks of its tasks do (default SAME_COOKIE_FOR_CHILD).
 */
import { GROUP_FILES, PROPERTIES, ROOT, checkGroupName, type ForkProperty } from '../coresched/types.js';
import { CgroupError } from '../core/errors.js';
import type { PathSeg, YamlSource } from './yaml-source.js';
import type { TrustSpec } from './types.js';

interface RawTrust { tasks?: string[]; cgroup?: string; properties?: string }

/**
 * Parses the section. `group` normalises a cgroup path (failing at `path`);
 * `taskLine` gives the line of a named task, undefined for an unknown name.
 */
export function trustOf(
  src: YamlSource,
  group: (path: PathSeg[], p: string) => string,
  taskLine: (name: string) => number | undefined,
  taskGroup: (name: string) => string | undefined,
  smt: number,
): TrustSpec[] {
  const out: TrustSpec[] = [];
  const owner = new Map<string, string>();
  for (const e of src.entries(['trust'])) {
    const p: PathSeg[] = ['trust', e.key];
    if (smt < 2) throw src.fail(p, 'trust groups need core scheduling, which needs SMT: set machine.smt to 2 or more', true);
    if (e.key !== ROOT) {
      try {
        checkGroupName(e.key);
      } catch (err) {
        throw src.fail(p, err instanceof CgroupError && err.detail !== undefined ? err.detail : String(err), true);
      }
      if ((GROUP_FILES as readonly string[]).includes(e.key)) throw src.fail(p, `'${e.key}' is the name of a file of the coreschedfs root: choose another group name`, true);
    }
    const raw = (e.value ?? {}) as RawTrust;
    const tasks = raw.tasks ?? [];
    tasks.forEach((name, i) => {
      if (taskLine(name) === undefined) throw src.fail([...p, 'tasks', i], `no task named '${name}'`);
      const before = owner.get(name);
      if (before !== undefined) throw src.fail([...p, 'tasks', i], `task '${name}' is already in trust group ${before}`);
      owner.set(name, e.key);
    });
    if (e.key === ROOT && raw.cgroup !== undefined) throw src.fail([...p, 'cgroup'], 'the root group holds every untagged task: it cannot be bound to a cgroup');
    const spec: TrustSpec = {
      name: e.key,
      tasks,
      line: e.line,
      ...(raw.cgroup !== undefined ? { cgroup: group([...p, 'cgroup'], raw.cgroup) } : {}),
      ...(raw.properties !== undefined ? { properties: raw.properties as ForkProperty } : {}),
    };
    out.push(spec);
  }
  const bound = new Map<string, string>();
  for (const t of out) {
    if (t.cgroup === undefined) continue;
    const other = bound.get(t.cgroup);
    if (other !== undefined) throw src.fail(['trust', t.name, 'cgroup'], `cgroup ${t.cgroup} is already bound to trust group ${other}`);
    bound.set(t.cgroup, t.name);
  }
  // A task named in one group but running in a cgroup bound to another would silently follow the binding.
  for (const t of out) {
    t.tasks.forEach((name, i) => {
      const g = taskGroup(name);
      const binder = g === undefined ? undefined : [...bound].filter(([cg]) => cg === '/' || g === cg || g.startsWith(`${cg}/`)).sort((a, b) => b[0].length - a[0].length)[0];
      if (binder !== undefined && binder[1] !== t.name) {
        throw src.fail(['trust', t.name, 'tasks', i], `task '${name}' runs in ${g}, which is bound to trust group ${binder[1]}: a bound cgroup's tasks are that group's`);
      }
    });
  }
  return out;
}

/** JSON schema of the section (the property names are checked by the loader). */
export const TRUST_SCHEMA = {
  type: 'object',
  additionalProperties: {
    anyOf: [
      { type: 'null' },
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          tasks: { type: 'array', items: { type: 'string', minLength: 1 } },
          cgroup: { type: 'string' },
          properties: { enum: [...PROPERTIES] },
        },
      },
    ],
  },
} as const;
