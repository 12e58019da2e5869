/**
 * `cgkit top [GROUP]`: groups ordered by resource use, like systemd-cgtop.
 * CPU % comes from the change of each group's CPU usage over the interval
 * (100 % is one CPU busy); IO rates likewise from its byte counters. On
 * `--backend sim` the interval is simulated time.
 */
import { Command, Option } from 'commander';
import { Cgroup } from '../../api/cgroup.js';
import type { CgroupKernel } from '../../core/backend.js';
import { CgroupError } from '../../core/errors.js';
import type { CliContext } from './context.js';
import { addBackendOptions, openBackend, positiveInt, runAction, secondsOption, type BackendOptions } from './group-backend.js';
import { humanBytes, isTty, printJsonLine, table } from './group-output.js';

/** What one look at a group gives. */
export interface GroupSample {
  path: string;
  tasks: number;
  usageUsec: bigint | undefined;
  memoryBytes: bigint | undefined;
  readBytes: bigint | undefined;
  writeBytes: bigint | undefined;
}

/** One line of the table: rates over the interval (null before there is one, or where the kernel has no counter). */
export interface TopRow {
  path: string;
  tasks: number;
  cpuPercent: number | null;
  memoryBytes: bigint | null;
  readBytesPerSec: number | null;
  writeBytesPerSec: number | null;
}

export type TopOrder = 'cpu' | 'memory' | 'tasks' | 'io' | 'path';

const gone = (e: unknown): boolean => e instanceof CgroupError && (e.code === 'ENOENT' || e.code === 'ENODEV');

/** Processes of `g` and below; groups down to `depth` levels are sampled, deeper ones only counted. */
async function sampleTree(k: CgroupKernel, g: Cgroup, depth: number, out: GroupSample[]): Promise<number> {
  const at = out.length;
  out.push({ path: g.path, tasks: 0, usageUsec: undefined, memoryBytes: undefined, readBytes: undefined, writeBytes: undefined });
  const s = await g.stats();
  let tasks: number;
  if (depth > 0) {
    tasks = (await g.procs()).length;
    for (const name of await g.children()) {
      try {
        tasks += await sampleTree(k, await Cgroup.open(k, `${g.path === '/' ? '' : g.path}/${name}`), depth - 1, out);
      } catch (e) {
        if (!gone(e)) throw e;
      }
    }
  } else {
    tasks = (await g.procs({ recursive: true })).length;
  }
  const io = s.io?.devices;
  out[at] = {
    path: g.path,
    tasks,
    usageUsec: s.cpu?.usageUsec,
    memoryBytes: s.memory?.current,
    readBytes: io ? io.reduce((a, d) => a + d.rbytes, 0n) : undefined,
    writeBytes: io ? io.reduce((a, d) => a + d.wbytes, 0n) : undefined,
  };
  return tasks;
}

export async function sampleGroups(k: CgroupKernel, path: string, depth: number): Promise<GroupSample[]> {
  const out: GroupSample[] = [];
  await sampleTree(k, await Cgroup.open(k, path), depth, out);
  return out;
}

/** Rates between two looks `ms` apart. */
export function topRows(prev: readonly GroupSample[] | undefined, now: readonly GroupSample[], ms: number): TopRow[] {
  const before = new Map((prev ?? []).map((s) => [s.path, s]));
  const rate = (a: bigint | undefined, b: bigint | undefined, scale: number): number | null =>
    a === undefined || b === undefined || ms <= 0 || b < a ? null : (Number(b - a) * scale) / ms;
  return now.map((s) => {
    const p = before.get(s.path);
    return {
      path: s.path,
      tasks: s.tasks,
      // usec per ms of interval / 10 = percent of one CPU
      cpuPercent: rate(p?.usageUsec, s.usageUsec, 0.1),
      memoryBytes: s.memoryBytes ?? null,
      readBytesPerSec: rate(p?.readBytes, s.readBytes, 1000),
      writeBytesPerSec: rate(p?.writeBytes, s.writeBytes, 1000),
    };
  });
}

export function sortRows(rows: TopRow[], order: TopOrder): TopRow[] {
  const key = (r: TopRow): number => {
    switch (order) {
      case 'cpu': return r.cpuPercent ?? -1;
      case 'memory': return r.memoryBytes === null ? -1 : Number(r.memoryBytes);
      case 'tasks': return r.tasks;
      case 'io': return (r.readBytesPerSec ?? 0) + (r.writeBytesPerSec ?? 0);
      case 'path': return 0;
    }
  };
  return rows.sort((a, b) => key(b) - key(a) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function formatTop(rows: readonly TopRow[]): string {
  const rate = (v: number | null): string => (v === null ? '-' : `${humanBytes(Math.round(v))}/s`);
  return table(
    ['Group', 'Tasks', '%CPU', 'Memory', 'Input/s', 'Output/s'],
    rows.map((r) => [r.path, String(r.tasks), r.cpuPercent === null ? '-' : r.cpuPercent.toFixed(1), r.memoryBytes === null ? '-' : humanBytes(r.memoryBytes), rate(r.readBytesPerSec), rate(r.writeBytesPerSec)]),
    ['left', 'right', 'right', 'right', 'right', 'right'],
  );
}

interface TopOptions extends BackendOptions {
  order: TopOrder;
  delay: number;
  iterations?: number;
  batch?: boolean;
  depth: number;
  json?: boolean;
}

const CLEAR = '\u001b[H\u001b[2J';

export function topCommand(cli: CliContext): Command {
  return addBackendOptions(new Command('top'))
    .description('groups ordered by CPU, memory, tasks or IO, refreshed every interval (like systemd-cgtop)')
    .argument('[group]', 'show this group and the groups below it', '/')
    .addOption(new Option('--order <by>', 'sort by').choices(['cpu', 'memory', 'tasks', 'io', 'path']).default('cpu'))
    .addOption(new Option('-d, --delay <sec>', 'interval (simulated on --backend sim)').argParser(secondsOption).default(1000, '1'))
    .option('-n, --iterations <n>', 'stop after N tables (default: never; 1 on --backend sim)', positiveInt('the iteration count'))
    .option('-b, --batch', 'print one table after another instead of redrawing the screen')
    .option('--depth <n>', 'levels of groups below GROUP to show', positiveInt('the depth', 0), 3)
    .option('--json', 'one JSON object per interval (NDJSON)')
    .action((path: string, opts: TopOptions) => runAction(cli, async () => {
      const b = await openBackend(cli, opts, false);
      if (opts.delay <= 0) throw new CgroupError('EINVAL', 'clock_nanosleep', undefined, 'the delay must be more than 0');
      const n = opts.iterations ?? (b.kind === 'sim' ? 1 : Infinity);
      const redraw = !opts.batch && !opts.json && isTty(cli.stdout);
      let prev = await sampleGroups(b.kernel, path, opts.depth);
      let prevMs = b.nowMs();
      for (let i = 0; i < n; i++) {
        await b.kernel.sleep(opts.delay);
        const now = await sampleGroups(b.kernel, path, opts.depth);
        const nowMs = b.nowMs();
        const rows = sortRows(topRows(prev, now, nowMs - prevMs), opts.order);
        if (opts.json) printJsonLine(cli.stdout, { timeMs: Math.round(nowMs), intervalMs: Math.round(nowMs - prevMs), groups: rows });
        else cli.stdout.write(`${redraw ? CLEAR : i > 0 ? '\n' : ''}${formatTop(rows)}\n`);
        prev = now;
        prevMs = nowMs;
      }
    }));
}
