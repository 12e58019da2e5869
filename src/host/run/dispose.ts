/**
 * Ending a host run: kill every process in its subtree, wait until they
 * are gone, remove the groups deepest first. The async form reports every
 * failure; the sync form is the last resort of a process `exit` handler.
 */
import { readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CgroupFs } from '../../core/fs.js';
import type { RunSubtree } from './subtree.js';
import type { WorkerProc } from './worker-proc.js';

const WAIT_MS = 5_000;

/** SIGKILL a pid found in the run's groups; never this process or its parent. */
function killFound(pid: number): void {
  if (pid === process.pid || pid === process.ppid || pid <= 1) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function disposeRun(fs: CgroupFs, subtree: RunSubtree, procs: readonly WorkerProc[]): Promise<void> {
  const errors: unknown[] = [];
  if (subtree.canKill && subtree.v2Top !== undefined) {
    try {
      await fs.writeFile(`${subtree.v2Top}/cgroup.kill`, '1');
    } catch (e) {
      errors.push(e);
    }
  }
  for (const p of procs) p.handle.kill('SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(procs.map((p) => p.handle.exited)),
    new Promise<void>((resolve) => { timer = setTimeout(resolve, WAIT_MS); }),
  ]);
  clearTimeout(timer);
  // Forked children (and anything the kill above missed) are found in the groups.
  for (let waited = 0; ; waited += 25) {
    let left: number[];
    try {
      left = await subtree.pids();
    } catch (e) {
      errors.push(e);
      break;
    }
    left = left.filter((p) => p !== process.pid);
    if (left.length === 0 || waited >= WAIT_MS) break;
    for (const pid of left) killFound(pid);
    await sleep(25);
  }
  errors.push(...await subtree.remove());
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} failures while cleaning up ${subtree.name}`);
}

function groupsSync(root: string, dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(posix.join(root, dir), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return;
  }
  out.push(dir);
  for (const n of names) groupsSync(root, posix.join(dir, n), out);
}

export function disposeRunSync(subtree: RunSubtree, procs: readonly WorkerProc[], root = '/'): void {
  const at = (p: string): string => posix.join(root, p);
  if (subtree.canKill && subtree.v2Top !== undefined) {
    try {
      writeFileSync(at(`${subtree.v2Top}/cgroup.kill`), '1');
    } catch {
      // killed one by one below
    }
  }
  for (const p of procs) p.handle.kill('SIGKILL');
  const groups: string[] = [];
  for (const t of subtree.tops) groupsSync(root, t, groups);
  for (const g of groups) {
    try {
      for (const w of readFileSync(at(`${g}/cgroup.procs`), 'utf8').split('\n')) if (/^\d+$/.test(w)) killFound(Number(w));
    } catch {
      // gone
    }
  }
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (const g of groups.reverse()) {
    for (let attempt = 0; attempt < 80; attempt++) {
      try {
        rmdirSync(at(g));
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EBUSY') break;
        Atomics.wait(nap, 0, 0, 25);
      }
    }
  }
}
