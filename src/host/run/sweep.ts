/**
 * Leftovers of host runs that ended without cleaning up (killed with
 * SIGKILL, power cut in the middle, a crash), at the root of a hierarchy:
 *
 * - `cgkit-run-<pid>-<starttime>-<hex>` groups whose process is gone, or
 *   whose pid now names a later process (another start time); the older
 *   `cgkit-run-<pid>-<hex>` form goes by the pid alone;
 * - feature probe groups (features.ts) `cgkit-probe-<pid>-<starttime>-<hex>`
 *   by the same rule, and any `cgkit-probe-…` group older than a minute (a
 *   probe lives for milliseconds).
 *
 * A run's workers end themselves soon after the run's end (thread-env.ts);
 * the sweep SIGKILLs any still there (only processes whose command line
 * carries the worker marker: anything else is left alone and reported),
 * then removes the groups deepest first.
 */
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CgroupFs } from '../../core/fs.js';
import type { LayoutSpec } from '../../core/layout.js';
import { groupsUnder, removeTree } from '../scratch.js';
import { WORKER_MARKER } from '../worker/protocol.js';
import { PROBE_PREFIX } from '../features.js';
import { HostFs } from '../hostfs.js';
import { isSameProcessAlive, parseOwnedName } from '../proc-stat.js';
import { pidsIn, RUN_PREFIX } from './subtree.js';

/** A probe group older than this is a leftover, whoever made it. */
export const PROBE_MAX_AGE_MS = 60_000;

export interface SweepReport {
  /** Groups removed (the tops; everything below them went too). */
  removed: string[];
  /** Worker processes killed. */
  killed: number[];
  /** Processes found in a leftover group that are not workers: not touched. */
  spared: { pid: number; group: string }[];
  /** What could not be done (an undeletable group, say). */
  errors: unknown[];
}

export interface SweepOptions {
  /**
   * Is the process that made a group alive? Given the pid and, when the
   * name records it, the start time. Default: the pid is a live process
   * (not a zombie) with that start time.
   */
  isAlive?: (pid: number, startTicks: string | undefined) => boolean;
  /** Age of a group in ms, `undefined` when unknown. Default: from its directory's mtime (on a HostFs). */
  ageMs?: (fs: CgroupFs, path: string) => Promise<number | undefined>;
}

const alive = (pid: number, startTicks: string | undefined): boolean => isSameProcessAlive(pid, startTicks);

async function dirAgeMs(fs: CgroupFs, path: string): Promise<number | undefined> {
  if (!(fs instanceof HostFs)) return undefined;
  try {
    return Date.now() - (await stat(posix.join(fs.root, path))).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Is the group `name` at a hierarchy's root a leftover? */
async function isLeftover(fs: CgroupFs, dir: string, name: string, opts: SweepOptions): Promise<boolean> {
  const isAlive = opts.isAlive ?? alive;
  const run = parseOwnedName(RUN_PREFIX, name);
  if (run) return !isAlive(run.pid, run.startTicks);
  if (!/^cgkit-probe-[0-9a-f-]+$/.test(name)) return false;
  const probe = parseOwnedName(PROBE_PREFIX, name);
  if (probe && !isAlive(probe.pid, probe.startTicks)) return true;
  const age = await (opts.ageMs ?? dirAgeMs)(fs, dir);
  return age !== undefined && age > PROBE_MAX_AGE_MS;
}

function isWorker(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').includes(WORKER_MARKER);
  } catch {
    return false;
  }
}

/** The leftover tops of dead runs, in every hierarchy of `layout`. */
export async function findLeftovers(fs: CgroupFs, layout: LayoutSpec, opts: SweepOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const mp of new Set(layout.mounts.map((m) => m.mountPoint))) {
    let names: string[];
    try {
      names = await fs.readdir(mp);
    } catch {
      continue; // a hierarchy we cannot read holds nothing we made
    }
    for (const n of names) {
      const dir = posix.join(mp, n);
      if (await isLeftover(fs, dir, n, opts)) out.push(dir);
    }
  }
  return out;
}

export async function sweepLeftovers(fs: CgroupFs, layout: LayoutSpec, opts: SweepOptions = {}): Promise<SweepReport> {
  const report: SweepReport = { removed: [], killed: [], spared: [], errors: [] };
  const tops = await findLeftovers(fs, layout, opts);
  if (tops.length === 0) return report;
  const groups: string[] = [];
  for (const t of tops) {
    try {
      await groupsUnder(fs, t, groups);
    } catch (e) {
      report.errors.push(e);
    }
  }
  for (let waited = 0; ; waited += 25) {
    const workers: number[] = [];
    for (const g of groups) {
      let pids: number[];
      try {
        pids = await pidsIn(fs, [g]);
      } catch (e) {
        report.errors.push(e);
        continue;
      }
      for (const pid of pids) {
        if (pid === process.pid) continue;
        if (isWorker(pid)) workers.push(pid);
        else if (waited === 0) report.spared.push({ pid, group: g });
      }
    }
    if (workers.length === 0 || waited >= 3000) break;
    for (const pid of workers) {
      try {
        process.kill(pid, 'SIGKILL');
        if (!report.killed.includes(pid)) report.killed.push(pid);
      } catch {
        // gone by itself
      }
    }
    await sleep(25);
  }
  for (const t of tops) {
    try {
      await removeTree(fs, t);
      report.removed.push(t);
    } catch (e) {
      report.errors.push(e);
    }
  }
  return report;
}
