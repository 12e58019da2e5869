/**
 * Freezing, thawing and killing a whole group, on whichever interface the
 * kernel has: v2 `cgroup.freeze`/`cgroup.kill` (also present in the v2 tree
 * of a hybrid host), else the v1 freezer and signals sent by pid.
 */
import type { CgroupKernel } from '../core/backend.js';
import { CgroupError } from '../core/errors.js';
import { parseFlat } from '../core/format/keyed.js';
import { parseProcCgroup } from '../core/format/proccgroup.js';
import type { MountSpec } from '../core/layout.js';
import { descendantDirs, exists, readPids } from './cgroup-tree.js';
import type { GroupDirs } from './group-dirs.js';

const POLL_MS = 10;

interface Freezer {
  kind: 'v1' | 'v2';
  dir: string;
  mount: MountSpec;
}

/** The interface that freezes this group: v2 `cgroup.freeze` where it exists, else the v1 freezer. */
export async function freezerOf(k: CgroupKernel, g: GroupDirs): Promise<Freezer> {
  if (g.v2 && (await exists(k, `${g.v2.dir}/cgroup.freeze`))) return { kind: 'v2', dir: g.v2.dir, mount: g.v2.mount };
  const v1 = g.dirOf('freezer');
  if (v1 && v1.version === 1) return { kind: 'v1', dir: v1.dir, mount: v1.mount };
  throw new CgroupError('ENOTSUP', 'write', g.path, 'no freezer: the kernel has no cgroup.freeze and the group spans no v1 freezer hierarchy');
}

/** Does `line` of /proc/<pid>/cgroup describe hierarchy `m`? */
function lineOf(m: MountSpec, controllers: readonly string[], hierarchyId: number): boolean {
  if (m.version === 2) return hierarchyId === 0 && controllers.length === 0;
  if (m.name !== undefined && controllers.includes(`name=${m.name}`)) return true;
  return controllers.some((c) => m.controllers.includes(c === 'blkio' ? 'io' : c));
}

/**
 * EDEADLK when the calling process itself is in `dir` (of hierarchy
 * `mount`) or below it: freezing it would never finish, killing it would
 * kill cgkit. The host's /proc/self/cgroup tells; on the simulator the
 * caller is no task, so nothing is refused.
 */
export async function refuseSelf(k: CgroupKernel, dir: string, mount: MountSpec, what: 'freeze' | 'kill'): Promise<void> {
  if (k.kind === 'sim') return;
  const refuse = (where: string): CgroupError =>
    new CgroupError('EDEADLK', 'write', dir, `the calling process is in ${where}, inside the group: it would ${what} itself`);
  // Every process is somewhere in each hierarchy: the root holds them all.
  if (dir === mount.mountPoint) throw refuse(dir);
  const line = parseProcCgroup(await k.fs.readFile('/proc/self/cgroup')).find((l) => lineOf(mount, l.controllers, l.hierarchyId));
  if (!line) return;
  const rel = line.path.replace(/ \(deleted\)$/, '');
  const mine = rel === '/' ? mount.mountPoint : `${mount.mountPoint}${rel}`;
  if (mine === dir || mine.startsWith(`${dir}/`)) throw refuse(mine);
}

/** Was a freeze asked for (by this group's own file), whether or not it has completed? */
async function freezeRequested(k: CgroupKernel, f: Freezer): Promise<boolean> {
  if (f.kind === 'v2') return (await k.fs.readFile(`${f.dir}/cgroup.freeze`)).trim() === '1';
  return (await k.fs.readFile(`${f.dir}/freezer.state`)).trim() !== 'THAWED';
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
  return setFrozenVia(k, await freezerOf(k, g), frozen, timeoutMs);
}

/** setFrozen through a known freezer; a freeze of a group holding the caller is EDEADLK (nothing written). */
async function setFrozenVia(k: CgroupKernel, f: Freezer, frozen: boolean, timeoutMs: number): Promise<void> {
  if (frozen) await refuseSelf(k, f.dir, f.mount, 'freeze');
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

/**
 * Every process in `dir` and its descendants (one hierarchy's view). A v2
 * threaded group refuses to list processes (ENOTSUP): its processes are
 * listed by its thread root, which is `dir` or one of the groups above.
 */
export async function subtreeProcs(k: CgroupKernel, dir: string): Promise<number[]> {
  const all = new Set<number>();
  for (const d of [dir, ...(await descendantDirs(k, dir))]) {
    try {
      for (const p of await readPids(k, `${d}/cgroup.procs`)) all.add(p);
    } catch (e) {
      if (!(e instanceof CgroupError && (e.code === 'ENOENT' || (e.code === 'ENOTSUP' && d !== dir)))) throw e;
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

/** Every process in the group or below it in any of its hierarchies (a process may sit in some of them only). */
export async function groupProcs(k: CgroupKernel, g: GroupDirs): Promise<number[]> {
  const all = new Set<number>();
  for (const d of g.dirs) for (const p of await subtreeProcs(k, d.dir)) all.add(p);
  return [...all].sort((a, b) => a - b);
}

/**
 * Kill every process of the group and its descendants (in any of its
 * hierarchies), and wait until none is left. SIGKILL uses `cgroup.kill`
 * where the kernel has it, counting and waiting in that v2 directory;
 * processes the group's v1 directories hold outside it, and other
 * signals, go by pid: the group is frozen so nothing forks while the
 * signal goes to each pid, then put back as it was: thawed so the signal
 * is acted on, or, if it was frozen before, left frozen (after a SIGKILL
 * it is thawed until its tasks are gone, then frozen again). A group
 * holding the caller is EDEADLK, nothing signalled. Returns how many
 * processes were signalled.
 */
export async function killGroup(k: CgroupKernel, g: GroupDirs, signal: NodeJS.Signals | number, timeoutMs: number, self = process.pid): Promise<number> {
  const isKill = signal === 'SIGKILL' || signal === 9;
  let killed = 0;
  if (isKill && g.v2 && (await exists(k, `${g.v2.dir}/cgroup.kill`))) {
    const dir = g.v2.dir;
    await refuseSelf(k, dir, g.v2.mount, 'kill');
    killed = (await subtreeProcs(k, dir)).length;
    await k.fs.writeFile(`${dir}/cgroup.kill`, '1');
    await waitEmpty(k, dir, timeoutMs);
    if ((await groupProcs(k, g)).length === 0) return killed;
  }
  const f = await freezerOf(k, g).catch(() => undefined);
  if (!f) {
    const d = g.dirs.find((x) => x.version === 1) ?? g.dirs[0]!;
    await refuseSelf(k, d.dir, d.mount, 'kill');
    return killed + (await signalEach(k, g, signal, isKill, timeoutMs, self));
  }
  await refuseSelf(k, f.dir, f.mount, 'kill');
  const wasFrozen = await freezeRequested(k, f);
  try {
    return killed + (await signalEach(k, g, signal, isKill, timeoutMs, self, {
      before: () => setFrozenVia(k, f, true, timeoutMs),
      after: () => (wasFrozen && !isKill ? Promise.resolve() : setFrozenVia(k, f, false, timeoutMs)),
    }));
  } finally {
    if (wasFrozen && isKill) await setFrozenVia(k, f, true, timeoutMs);
  }
}

/** Signal each process of the group (all but `self`), between `around.before` and `.after`, until none is left for SIGKILL. */
async function signalEach(
  k: CgroupKernel, g: GroupDirs, signal: NodeJS.Signals | number, isKill: boolean, timeoutMs: number, self: number,
  around?: { before(): Promise<void>; after(): Promise<void> },
): Promise<number> {
  let sent = 0;
  for (let waited = 0; ; waited += POLL_MS) {
    await around?.before();
    const pids = (await groupProcs(k, g)).filter((p) => p !== self);
    for (const p of pids) {
      try {
        k.signal(p, signal);
        sent++;
      } catch (e) {
        if (!(e instanceof CgroupError && e.code === 'ESRCH')) throw e;
      }
    }
    await around?.after();
    if (!isKill || pids.length === 0) return sent;
    if (waited >= timeoutMs) break;
    await k.sleep(POLL_MS);
  }
  throw new CgroupError('ETIMEDOUT', 'kill', procsDir(g), `processes were still in the group after ${timeoutMs} ms`);
}

/** Wait until the group's subtree has no process. */
export async function waitEmpty(k: CgroupKernel, dir: string, timeoutMs: number): Promise<void> {
  for (let waited = 0; ; waited += POLL_MS) {
    if ((await subtreeProcs(k, dir)).length === 0) return;
    if (waited >= timeoutMs) throw new CgroupError('ETIMEDOUT', 'kill', dir, `processes were still in the group after ${timeoutMs} ms`);
    await k.sleep(POLL_MS);
  }
}
