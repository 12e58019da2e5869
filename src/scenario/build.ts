/**
 * Setting a scenario up on a backend: the group tree (made top-down, with
 * controllers enabled in parents on v2 and each group's files written right
 * after it is made), group policies, and the tasks. Every kernel refusal
 * becomes a ScenarioError with the errno and the YAML line.
 */
import { translateWrite } from '../api/settings.js';
import type { ScenarioBackend } from './backend.js';
import { kernelRefused } from './errors.js';
import type { Hierarchies } from './hier.js';
import type { TrustGroups } from '../coresched/trust-groups.js';
import { joinTrust, setUpTrust } from './trust.js';
import { parentOf } from './paths.js';
import type { FileWrite, GroupPolicy, Scenario, TaskSpec } from './types.js';

export interface Ctx {
  readonly s: Scenario;
  readonly b: ScenarioBackend;
  readonly h: Hierarchies;
  /** Pid of each task by scenario name. */
  readonly pids: Map<string, number>;
  /** The scenario's trust groups, once made (trust.ts). */
  trust?: TrustGroups;
  /** Releases what the backend opened for trust groups (the host's event socket). */
  trustClose?: () => Promise<void>;
}

const rel = (group: string, file: string): string => `${group === '/' ? '' : group}/${file}`;

/**
 * Write one scenario file. A scenario written for one cgroup version that
 * runs on a hierarchy of the other (a unified-layout file on a hybrid host's
 * v1 cpu hierarchy) has its writes translated: `cpu.weight` becomes
 * `cpu.shares`, `cpu.max` the two CFS files, and a file without an
 * equivalent is refused with ENOTSUP.
 */
export async function writeFile(cx: Ctx, w: FileWrite): Promise<void> {
  const m = cx.h.mountOfFile(w.file);
  const written = cx.s.layout === 'unified' ? 2 : 1;
  try {
    const writes = m.version === written ? [{ file: w.file, text: w.value }] : translateWrite(w.file, w.value, m.version);
    for (const x of writes) await cx.b.fs.writeFile(`${cx.h.dir(m, w.group)}/${x.file}`, x.text);
  } catch (e) {
    throw kernelRefused(cx.s.file, w.line, `writing ${rel(w.group, w.file)} ${JSON.stringify(w.value)}`, e);
  }
}

export function setPolicy(cx: Ctx, group: string, policy: GroupPolicy, line: number): void {
  try {
    cx.b.setPolicy(cx.h.dir(cx.h.primary, group), policy);
  } catch (e) {
    throw kernelRefused(cx.s.file, line, `setting policy ${policy} on ${group}`, e);
  }
}

/** Put `pid` (its whole process) into `group` in every hierarchy the scenario uses. */
export async function placeProcess(cx: Ctx, pid: number, group: string, line: number, skipPrimary = false): Promise<void> {
  for (const m of cx.h.used) {
    if (skipPrimary && m === cx.h.primary) continue;
    const path = `${cx.h.dir(m, group)}/cgroup.procs`;
    try {
      await cx.b.fs.writeFile(path, String(pid));
    } catch (e) {
      throw kernelRefused(cx.s.file, line, `moving pid ${pid} to ${group} (${m.mountPoint})`, e);
    }
  }
}

export async function spawnTask(cx: Ctx, t: TaskSpec): Promise<number> {
  let pid: number;
  try {
    pid = await cx.b.spawn({
      cgroup: cx.h.dir(cx.h.primary, t.group),
      name: t.name,
      ...(t.program ? { program: t.program } : {}),
      ...(t.nice !== undefined ? { nice: t.nice } : {}),
      ...(t.cpus ? { cpus: [...t.cpus] } : {}),
    });
  } catch (e) {
    throw kernelRefused(cx.s.file, t.line, `spawning ${t.name} in ${t.group}`, e);
  }
  cx.pids.set(t.name, pid);
  await placeProcess(cx, pid, t.group, t.line, true);
  await joinTrust(cx, t.name, pid);
  return pid;
}

/** Make the tree, write the groups' files, set policies, spawn the tasks. */
export async function build(cx: Ctx): Promise<void> {
  const { s, b, h } = cx;
  const parents = new Set(s.groups.filter((g) => g.path !== '/').map((g) => parentOf(g.path)));
  const enable = h.v2Controllers.map((c) => `+${c}`).join(' ');
  for (const g of s.groups) {
    for (const m of h.used) {
      const dir = h.dir(m, g.path);
      if (g.path !== '/') {
        try {
          await b.fs.mkdir(dir);
        } catch (e) {
          throw kernelRefused(s.file, g.line, `making group ${g.path} (${m.mountPoint})`, e);
        }
      }
      if (m.version === 2 && enable !== '' && parents.has(g.path)) {
        try {
          await b.fs.writeFile(`${dir}/cgroup.subtree_control`, enable);
        } catch (e) {
          throw kernelRefused(s.file, g.line, `enabling ${enable} in ${rel(g.path, 'cgroup.subtree_control')}`, e);
        }
      }
    }
    for (const w of g.files) await writeFile(cx, w);
    if (g.policy) setPolicy(cx, g.path, g.policy.value, g.policy.line);
  }
  const trust = await setUpTrust(cx);
  if (trust !== undefined) cx.trust = trust;
  for (const t of s.tasks) await spawnTask(cx, t);
}
