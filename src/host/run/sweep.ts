/**
 * Leftovers of host runs that ended without cleaning up (killed with
 * SIGKILL, power cut in the middle, a crash): `cgkit-run-<pid>-<hex>`
 * groups at the root of a hierarchy whose `<pid>` is no longer alive. Their
 * workers end themselves within a fraction of a second of the run's end;
 * the sweep SIGKILLs any still there (only processes whose command line
 * carries the worker marker: anything else is left alone and reported),
 * then removes the groups deepest first.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CgroupFs } from '../../core/fs.js';
import type { LayoutSpec } from '../../core/layout.js';
import { groupsUnder, removeTree } from '../scratch.js';
import { WORKER_MARKER } from '../worker/protocol.js';
import { startTicksOf } from '../worker/thread-env.js';
import { pidsIn, RUN_NAME } from './subtree.js';

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
  /** Is the run with this pid alive? Default: the process exists and is not a zombie. */
  isAlive?: (pid: number) => boolean;
}

const alive = (pid: number): boolean => pid === process.pid || startTicksOf(pid) !== undefined;

function isWorker(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').includes(WORKER_MARKER);
  } catch {
    return false;
  }
}

/** The leftover tops of dead runs, in every hierarchy of `layout`. */
export async function findLeftovers(fs: CgroupFs, layout: LayoutSpec, opts: SweepOptions = {}): Promise<string[]> {
  const isAlive = opts.isAlive ?? alive;
  const out: string[] = [];
  for (const mp of new Set(layout.mounts.map((m) => m.mountPoint))) {
    let names: string[];
    try {
      names = await fs.readdir(mp);
    } catch {
      continue; // a hierarchy we cannot read holds nothing we made
    }
    for (const n of names) {
      const m = RUN_NAME.exec(n);
      if (m && !isAlive(Number(m[1]))) out.push(posix.join(mp, n));
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
