import { SCHED_PRIO_TO_WEIGHT } from '../core/controllers/cpu-weight.js';
import { formatCpuList } from '../core/format/cpulist.js';
import type { Hierarchy } from './cgroup.js';
import type { Kernel } from './kernel.js';
import { v1Name } from './registry.js';
import type { Task } from './task.js';

/** A synthetic file or directory of /proc. */
export type ProcNode =
  | { kind: 'dir'; entries: () => string[] }
  | { kind: 'file'; read: () => string };

const TASK_FILES = ['cgroup', 'sched', 'schedstat', 'stat', 'status'];
const PROC_FILES = [...TASK_FILES, 'mountinfo', 'task'];

/** One-letter state, as /proc/<pid>/stat shows it. */
export function stateChar(k: Kernel, t: Task): string {
  if (t.exited) return 'Z';
  if (t.stopped) return 'T';
  if (k.isFrozen(t)) return [...k.frozenBy.values()].some((s) => s.has(t.tid)) ? 'D' : 'S';
  return t.runnable ? 'R' : 'S';
}

const STATE_NAME: Record<string, string> = { R: 'R (running)', S: 'S (sleeping)', D: 'D (disk sleep)', T: 'T (stopped)', Z: 'Z (zombie)' };

/** /proc/<pid>/cgroup: one line per hierarchy, newest first; v1 shows `/` for an exiting task. */
export function procCgroup(k: Kernel, t: Task): string {
  const hs = [...k.hierarchies].filter((h) => h.version === 1 || h.mountPoints.length > 0).sort((a, b) => b.id - a.id);
  let s = '';
  for (const h of hs) {
    const cg = t.cgroups.get(h);
    let path = cg ? cg.path : '/';
    if (h.version === 1 && t.exited) path = '/';
    if (h.version === 2 && cg?.dead) path += ' (deleted)';
    s += `${h.procLabel(v1Name)}:${path}\n`;
  }
  return s;
}

function procStat(k: Kernel, t: Task): string {
  const leader = k.leader(t);
  const nthreads = leader.exited && t.isLeader ? 1 : k.liveThreads(t).length || 1;
  const prio = 20 + t.nice;
  const f = [
    t.tid, `(${t.name.slice(0, 15)})`, stateChar(k, t), t.ppid, leader.pgid, leader.pgid, 0, -1, 4194560,
    0, 0, 0, 0, t.utimeTicks, t.stimeTicks, 0, 0, prio, t.nice, nthreads, 0, t.startTicks,
    t.exited ? 0 : 0, t.exited ? 0 : Number(t.rss / 4096n), '18446744073709551615', 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, t.exitCode,
  ];
  return f.join(' ') + '\n';
}

function procStatus(k: Kernel, t: Task): string {
  const st = STATE_NAME[stateChar(k, t)]!;
  const kb = (b: bigint) => `${String(b / 1024n).padStart(8)} kB`;
  const lines: [string, string][] = [
    ['Name', t.name.slice(0, 15)], ['Umask', '0022'], ['State', st], ['Tgid', `${t.tgid}`], ['Ngid', '0'],
    ['Pid', `${t.tid}`], ['PPid', `${t.ppid}`], ['TracerPid', '0'],
    ['Uid', `${t.uid}\t${t.uid}\t${t.uid}\t${t.uid}`], ['Gid', `${t.gid}\t${t.gid}\t${t.gid}\t${t.gid}`],
    ['FDSize', '64'], ['Groups', ' '], ['NStgid', `${t.tgid}`], ['NSpid', `${t.tid}`], ['NSpgid', `${k.leader(t).pgid}`], ['NSsid', `${k.leader(t).pgid}`],
    ['Kthread', '0'],
  ];
  if (!t.exited) lines.push(['VmRSS', kb(k.leader(t).rss)]);
  lines.push(
    ['Threads', `${t.exited ? 1 : k.liveThreads(t).length}`],
    ['Cpus_allowed_list', formatCpuList(t.allowedCpus ?? k.cpus).trim()],
    ['Mems_allowed_list', formatCpuList(k.mems).trim()],
    ['voluntary_ctxt_switches', `${t.nvcsw}`], ['nonvoluntary_ctxt_switches', `${t.nivcsw}`],
  );
  return lines.map(([a, b]) => `${a}:\t${b}\n`).join('');
}

/**
 * /proc/<pid>/sched (proc_sched_show_task), the fields the simulator keeps:
 * times as milliseconds with six decimals, counts as integers, keys padded
 * to 45 columns. core_forceidle_sum is there on a kernel with core
 * scheduling (here: with SMT), schedstats on.
 */
function niceWeight(nice: number): number {
  return SCHED_PRIO_TO_WEIGHT[nice + 20] ?? 1024;
}

function procSched(k: Kernel, t: Task): string {
  const pn = (key: string, ns: bigint): string => `${key.padEnd(45)}:${String(ns / 1_000_000n).padStart(14)}.${String(ns % 1_000_000n).padStart(6, '0')}\n`;
  const p = (key: string, v: number | bigint): string => `${key.padEnd(45)}:${String(v).padStart(21)}\n`;
  const threads = t.exited ? 1 : k.liveThreads(t).length;
  return `${t.name.slice(0, 15)} (${t.tid}, #threads: ${threads})\n${'-'.repeat(67)}\n`
    + pn('se.sum_exec_runtime', t.runtimeNs) + p('se.nr_migrations', t.migrations)
    + p('nr_switches', t.nvcsw + t.nivcsw) + p('nr_voluntary_switches', t.nvcsw) + p('nr_involuntary_switches', t.nivcsw)
    + p('se.load.weight', BigInt(niceWeight(t.nice)) * 1024n)
    + (k.smt > 1 ? pn('core_forceidle_sum', t.forceIdleNs) : '')
    + p('policy', 0) + p('prio', 120 + t.nice);
}

function taskDir(withTasks: boolean): ProcNode {
  return { kind: 'dir', entries: () => (withTasks ? PROC_FILES : TASK_FILES) };
}

function taskFile(k: Kernel, t: Task, name: string): ProcNode | undefined {
  switch (name) {
    case 'cgroup': return { kind: 'file', read: () => procCgroup(k, t) };
    case 'stat': return { kind: 'file', read: () => procStat(k, t) };
    case 'status': return { kind: 'file', read: () => procStatus(k, t) };
    case 'schedstat': return { kind: 'file', read: () => `${t.runtimeNs} ${t.waitNs} ${t.timeslices}\n` };
    case 'sched': return { kind: 'file', read: () => procSched(k, t) };
    default: return undefined;
  }
}

/** /proc/cgroups: subsys_name, hierarchy, num_cgroups, enabled. */
function procCgroups(k: Kernel): string {
  let s = '#subsys_name\thierarchy\tnum_cgroups\tenabled\n';
  for (const d of k.known) {
    const h = k.hierarchies.find((x) => x.controllers.includes(d.name));
    let n = 0;
    if (h) for (const c of h.root.descendantsPre()) if (c.css.has(d.name)) n++;
    s += `${v1Name(d.name)}\t${h && h.version === 1 ? h.id : 0}\t${Math.max(n, 1)}\t1\n`;
  }
  return s;
}

/** /proc/self/mountinfo lines for the cgroup mounts (and the tmpfs that holds v1 mount points). */
function mountinfo(k: Kernel): string {
  let id = 30;
  let s = '';
  const root = '/sys/fs/cgroup';
  if (k.layout.kind !== 'unified') s += `${++id} 23 0:${id - 2} / ${root} rw,nosuid,nodev,noexec - tmpfs tmpfs ro,mode=755\n`;
  const parent = id;
  const line = (h: Hierarchy, mp: string) => {
    const opts = h.version === 2 ? 'rw' : ['rw', ...h.controllers.map(v1Name), ...(h.name ? [`name=${h.name}`] : [])].join(',');
    const fstype = h.version === 2 ? 'cgroup2 cgroup2' : 'cgroup cgroup';
    s += `${++id} ${parent} 0:${id - 2} / ${mp} rw,relatime - ${fstype} ${opts}\n`;
  };
  for (const h of k.hierarchies.filter((x) => x.version === 1)) for (const mp of h.mountPoints) line(h, mp);
  if (k.dfl.mountPoints.length) line(k.dfl, k.dfl.mountPoint);
  return s;
}

/** Resolve a path below /proc (`segs` excludes "proc"); `self` is the acting task. */
export function resolveProc(k: Kernel, segs: string[], actor: Task): ProcNode | undefined {
  if (segs.length === 0) {
    return { kind: 'dir', entries: () => ['cgroups', 'mounts', 'self', ...[...k.tasks.values()].filter((t) => t.isLeader).map((t) => `${t.tid}`)] };
  }
  const [first, ...rest] = segs as [string, ...string[]];
  if (first === 'cgroups' && rest.length === 0) return { kind: 'file', read: () => procCgroups(k) };
  if (first === 'mounts' && rest.length === 0) return { kind: 'file', read: () => mountinfo(k).split('\n').filter(Boolean).map((l) => { const [pre, post] = l.split(' - '); const p = pre!.split(' '); const q = post!.split(' '); return `${q[1]} ${p[4]} ${q[0]} ${q[2]} 0 0`; }).join('\n') + '\n' };
  const t = first === 'self' ? actor : /^\d+$/.test(first) ? k.tasks.get(Number(first)) : undefined;
  if (!t) return undefined;
  if (rest.length === 0) return taskDir(true);
  if (rest[0] === 'mountinfo' && rest.length === 1) return { kind: 'file', read: () => mountinfo(k) };
  if (rest[0] === 'task') {
    const threads = t.exited ? [t] : k.liveThreads(t);
    if (rest.length === 1) return { kind: 'dir', entries: () => threads.map((x) => `${x.tid}`) };
    const th = threads.find((x) => `${x.tid}` === rest[1]);
    if (!th) return undefined;
    if (rest.length === 2) return taskDir(false);
    return rest.length === 3 ? taskFile(k, th, rest[2]!) : undefined;
  }
  return rest.length === 1 ? taskFile(k, t, rest[0]!) : undefined;
}
