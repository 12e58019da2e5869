/**
 * Freezing, thawing and killing a whole group, on whichever interface the
 * kernel has: v2 `cgroup.freeze`/`cgroup.kill` (also present in the v2 tree
 * of a hybrid host), else the v1 freezer and signals sent by pid.
 */
import type { CgroupKernel } from '../core/backend.js';
import { CgroupError } from '../core/errors.js';
import { parseFlat } from '../core/format/keyed.js';
import { descendantDirs, exists, readPids } from './cgroup-tree.js';
import type { GroupDirs } from './group-dirs.js';

const POLL_MS = 10;

type Freezer = { kind: 'v2'; dir: string } | { kind: 'v1'; dir: string };

/** The interface that freezes this group: v2 `cgroup.freeze` where it exists, else the v1 freezer. */
export async function freezerOf(k: CgroupKernel, g: GroupDirs): Promise<Freezer> {
  if (g.v2 && (await exists(k, `${g.v2.dir}/cgroup.freeze`))) return { kind: 'v2', dir: g.v2.dir };
  const v1 = g.dirOf('freezer');
  if (v1 && v1.version === 1) return { kind: 'v1', dir: v1.dir };
  throw new CgroupError('ENOTSUP', 'write', g.path, 'no freezer: the kernel has no cgroup.freeze and the group spans no v1 freezer hierarchy');
}

async function isFrozen(k: CgroupKernel, f: Freezer): Promise<boolean> {
  if (f.kind === 'v2') return parseFlat(await k.fs.readFile(`${f.dir}/cgroup.events`)).get('frozen') === '1';
  return (await k.fs.readFile(`${f.dir}/freezer.state`)).trim() === 'FROZEN';
}

async function request(k: CgroupKernel, f: Freezer, frozen: boolean): Promise<void> {
  if (f.kind === 'v2') await k.fs.writeFile(`${f.dir}/cgroup.freeze`, frozen ? '1' : '0');
  else await k.fs.writeFile(`${f.dir}/freezer.state`, frozen ? 'FROZEN' : 'THAWED');
}

/**
 * Freeze (or thaw) and wait until the kernel reports the new state. On
 * timeout a freeze is undone (no half-frozen group is left) and ETIMEDOUT
 * is thrown.
 */
export async function setFrozen(k: CgroupKernel, g: GroupDirs, frozen: boolean, timeoutMs: number): Promise<void> {
  const f = await freezerOf(k, g);
  await request(k, f, frozen);
  for (let waited = 0; ; waited += POLL_MS) {
    if ((await isFrozen(k, f)) === frozen) return;
    if (waited >= timeoutMs) break;
    await k.sleep(POLL_MS);
    // The v1 freezer retries a freeze that is still FREEZING when FROZEN is written again.
    if (frozen && f.kind === 'v1') await request(k, f, true);
  }
  if (frozen) await request(k, f, false).catch(() => undefined);
  throw new CgroupError('ETIMEDOUT', 'write', f.dir, `the group did not become ${frozen ? 'frozen' : 'thawed'} within ${timeoutMs} ms`);
}

/** Every process of the group and its descendants, read from the first hierarchy's `cgroup.procs`. */
export async function subtreeProcs(k: CgroupKernel, dir: string): Promise<number[]> {
  const all = new Set<number>();
  for (const d of [dir, ...(await descendantDirs(k, dir))]) {
    try {
      for (const p of await readPids(k, `${d}/cgroup.procs`)) all.add(p);
    } catch (e) {
      if (!(e instanceof CgroupError && e.code === 'ENOENT')) throw e;
    }
  }
  return [...all].sort((a, b) => a - b);
}

/** The directory whose `cgroup.procs` lists the group's processes: the v2 one on unified hosts, else the first. */
export function procsDir(g: GroupDirs): string {
  const first = g.dirs.find((d) => d.version === 1) ?? g.dirs[0];
  if (!first) throw new CgroupError('ENOENT', 'open', g.path, 'the group has no directory');
  return first.dir;
}

/**
 * Kill every process of the group and its descendants, and wait until none
 * is left. SIGKILL uses `cgroup.kill` where the kernel has it; otherwise
 * (and for other signals) the group is frozen so nothing forks while the
 * signal goes to each pid, then thawed so the signal is acted on.
 */
export async function killGroup(k: CgroupKernel, g: GroupDirs, signal: NodeJS.Signals | number, timeoutMs: number, self = process.pid): Promise<number> {
  const dir = procsDir(g);
  const isKill = signal === 'SIGKILL' || signal === 9;
  if (isKill && g.v2 && (await exists(k, `${g.v2.dir}/cgroup.kill`))) {
    const victims = (await subtreeProcs(k, dir)).length;
    await k.fs.writeFile(`${g.v2.dir}/cgroup.kill`, '1');
    await waitEmpty(k, dir, timeoutMs);
    return victims;
  }
  const f = await freezerOf(k, g).catch(() => undefined);
  let sent = 0;
  for (let waited = 0; ; waited += POLL_MS) {
    if (f) await setFrozen(k, g, true, timeoutMs);
    const pids = (await subtreeProcs(k, dir)).filter((p) => p !== self);
    for (const p of pids) {
      try {
        k.signal(p, signal);
        sent++;
      } catch (e) {
        if (!(e instanceof CgroupError && e.code === 'ESRCH')) throw e;
      }
    }
    if (f) await setFrozen(k, g, false, timeoutMs);
    if (!isKill || pids.length === 0) return sent;
    if (waited >= timeoutMs) break;
    await k.sleep(POLL_MS);
  }
  throw new CgroupError('ETIMEDOUT', 'kill', dir, `processes were still in the group after ${timeoutMs} ms`);
}

/** Wait until the group's subtree has no process. */
export async function waitEmpty(k: CgroupKernel, dir: string, timeoutMs: number): Promise<void> {
  for (let waited = 0; ; waited += POLL_MS) {
    if ((await subtreeProcs(k, dir)).length === 0) return;
    if (waited >= timeoutMs) throw new CgroupError('ETIMEDOUT', 'kill', dir, `processes were still in the group after ${timeoutMs} ms`);
    await k.sleep(POLL_MS);
  }
}
