import { CgroupError } from '../core/errors.js';
import type { Sim } from './invariants-world.test-util.js';

/** Files read into every snapshot (where the group has them). */
const WATCH_V2 = [
  'cgroup.procs', 'cgroup.threads', 'cgroup.type', 'cgroup.controllers', 'cgroup.subtree_control', 'cgroup.events',
  'cgroup.stat', 'cgroup.freeze', 'cgroup.max.depth', 'cgroup.max.descendants', 'cgroup.pressure',
  'pids.max', 'pids.current', 'pids.peak', 'pids.events', 'pids.events.local',
  'memory.max', 'memory.high', 'memory.current', 'memory.peak', 'memory.events', 'memory.oom.group',
  'cpu.weight', 'cpu.max', 'cpuset.cpus', 'cpuset.mems', 'cpuset.cpus.effective', 'cpuset.mems.effective',
  'cpuset.cpus.partition', 'io.weight',
];
const WATCH_V1 = [
  'tasks', 'cgroup.procs', 'notify_on_release', 'cgroup.clone_children', 'release_agent',
  'pids.max', 'pids.current', 'pids.peak', 'pids.events',
  'memory.limit_in_bytes', 'memory.memsw.limit_in_bytes', 'memory.usage_in_bytes', 'memory.memsw.usage_in_bytes',
  'memory.max_usage_in_bytes', 'memory.failcnt', 'memory.oom_control',
  'cpu.shares', 'cpu.cfs_quota_us', 'cpu.cfs_period_us', 'cpuset.cpus', 'cpuset.mems', 'cpuset.effective_cpus',
  'freezer.state', 'freezer.self_freezing', 'freezer.parent_freezing',
];

/** Files a refused fork may still change: the kernel counts the refusal (and the levels it charged on the way keep their peak). */
export const FORK_COUNTERS = new Set(['pids.events', 'pids.events.local', 'pids.peak']);

export interface Dir {
  /** Absolute path. */
  path: string;
  /** Path of the parent directory, null for a hierarchy root. */
  parent: string | null;
  mountPoint: string;
  version: 1 | 2;
  /** Child directory paths. */
  children: string[];
  /** Watched file name -> content, or `!CODE` when reading failed. */
  files: Map<string, string>;
}

/**
 * Everything the test observes after a step, through the filesystem (as
 * root) and the task list: every group of every mounted hierarchy, its
 * listing and owner, the watched files, every task, the release log.
 */
export interface Snapshot {
  dirs: Map<string, Dir>;
  /** Per mount point, directories parents first. */
  byMount: Map<string, Dir[]>;
  tasks: ReturnType<Sim['ps']>;
  /** tid -> /proc/<tid>/cgroup. */
  procCgroup: Map<number, string>;
  /** Flat view for comparing two snapshots. */
  flat: Map<string, string>;
}

function read(sim: Sim, path: string): string {
  try {
    return sim.fs.readFileSync(path);
  } catch (e) {
    if (e instanceof CgroupError) return `!${e.code}`;
    throw e;
  }
}

/** `deep`: read every file of every group, not just the watched ones (slower; for long bug hunts). */
export function snapshot(sim: Sim, deep = false): Snapshot {
  const dirs = new Map<string, Dir>();
  const byMount = new Map<string, Dir[]>();
  const flat = new Map<string, string>();
  for (const m of sim.kernel.layout.mounts) {
    const list: Dir[] = [];
    byMount.set(m.mountPoint, list);
    const walk = (path: string, parent: string | null) => {
      const entries = sim.fs.readdirEntriesSync(path);
      const st = sim.fs.statSync(path);
      flat.set(`D ${path}`, `${st.uid}:${st.gid}:${st.mode.toString(8)} ${entries.map((e) => e.name).join('|')}`);
      const d: Dir = { path, parent, mountPoint: m.mountPoint, version: m.version, children: [], files: new Map() };
      dirs.set(path, d);
      list.push(d);
      const names = new Set(entries.filter((e) => !e.isDirectory).map((e) => e.name));
      for (const f of deep ? [...names] : m.version === 2 ? WATCH_V2 : WATCH_V1) {
        if (!names.has(f)) continue;
        const text = read(sim, `${path}/${f}`);
        d.files.set(f, text);
        flat.set(`F ${path}/${f}`, text);
      }
      for (const e of entries) {
        if (!e.isDirectory) continue;
        const child = `${path}/${e.name}`;
        d.children.push(child);
        walk(child, path);
      }
    };
    walk(m.mountPoint, null);
  }
  const tasks = sim.ps();
  const procCgroup = new Map<number, string>();
  for (const t of tasks) {
    const where = t.cgroups.map((c) => `${c.mountPoint}:${c.path}`).join(' ');
    flat.set(`T ${t.tid}`, `tgid=${t.tgid} ppid=${t.ppid} uid=${t.uid} ${t.state} ${where}`);
    const text = read(sim, `/proc/${t.tid}/cgroup`);
    procCgroup.set(t.tid, text);
    flat.set(`P ${t.tid}`, text);
  }
  flat.set('releases', String(sim.releases.length));
  return { dirs, byMount, tasks, procCgroup, flat };
}

/** Keys whose values differ between two snapshots (first `limit`), ignoring files named in `ignore`. */
export function diffSnapshots(a: Snapshot, b: Snapshot, ignore: ReadonlySet<string> = new Set(), limit = 8): string[] {
  const out: string[] = [];
  const keys = new Set([...a.flat.keys(), ...b.flat.keys()]);
  for (const key of keys) {
    if (key.startsWith('F ') && ignore.has(key.slice(key.lastIndexOf('/') + 1))) continue;
    const x = a.flat.get(key);
    const y = b.flat.get(key);
    if (x === y) continue;
    out.push(`${key}: ${JSON.stringify(x)} -> ${JSON.stringify(y)}`);
    if (out.length >= limit) break;
  }
  return out;
}
