/**
 * Making and removing a group's directories: parents first, with v1 cpuset
 * masks copied from the parent and v2 controllers enabled top-down; removal
 * deepest first, waiting out EBUSY while killed tasks are still leaving.
 */
import type { CgroupKernel } from '../core/backend.js';
import { CgroupError } from '../core/errors.js';
import { parseWords } from '../core/format/lists.js';
import type { GroupDir } from './group-dirs.js';

/** Does `path` exist (as anything)? Errors other than ENOENT are thrown. */
export async function exists(k: CgroupKernel, path: string): Promise<boolean> {
  try {
    await k.fs.stat(path);
    return true;
  } catch (e) {
    if (e instanceof CgroupError && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) return false;
    throw e;
  }
}

/** Directories from just below the mount point down to `d.dir`. */
function chain(d: GroupDir): string[] {
  const root = d.mount.mountPoint;
  const rest = d.dir.slice(root.length).split('/').filter((s) => s !== '');
  const out: string[] = [];
  let cur = root;
  for (const s of rest) out.push((cur = `${cur}/${s}`));
  return out;
}

function parentOf(dir: string): string {
  return dir.slice(0, dir.lastIndexOf('/'));
}

/**
 * A v1 cpuset group starts with empty `cpuset.cpus`/`cpuset.mems`, and no
 * task can join it (ENOSPC) until both are set: give it its parent's.
 */
async function seedCpuset(k: CgroupKernel, dir: string): Promise<void> {
  for (const f of ['cpuset.cpus', 'cpuset.mems']) {
    const mine = (await k.fs.readFile(`${dir}/${f}`)).trim();
    if (mine !== '') continue;
    const parent = (await k.fs.readFile(`${parentOf(dir)}/${f}`)).trim();
    if (parent !== '') await k.fs.writeFile(`${dir}/${f}`, parent);
  }
}

/**
 * Enable `controllers` for `d.dir` on v2: every ancestor from the mount
 * root down to the group's parent gets `+ctrl` in `cgroup.subtree_control`
 * where it is missing. A controller the parent does not offer is ENOENT.
 */
async function enableTopDown(k: CgroupKernel, d: GroupDir): Promise<void> {
  if (d.version !== 2 || d.controllers.length === 0) return;
  const parents = [d.mount.mountPoint, ...chain(d).slice(0, -1)];
  for (const p of parents) {
    const offered = new Set(parseWords(await k.fs.readFile(`${p}/cgroup.controllers`)));
    const on = new Set(parseWords(await k.fs.readFile(`${p}/cgroup.subtree_control`)));
    const missing = d.controllers.filter((c) => !on.has(c));
    if (missing.length === 0) continue;
    const absent = missing.filter((c) => !offered.has(c));
    if (absent.length > 0) throw new CgroupError('ENOENT', 'write', `${p}/cgroup.subtree_control`, `controller ${absent.join(', ')} is not available here`);
    await k.fs.writeFile(`${p}/cgroup.subtree_control`, missing.map((c) => `+${c}`).join(' '));
  }
}

/**
 * Make `d.dir` with its missing parents. Returns the directories it made,
 * parents first (for rollback). EEXIST when `d.dir` itself exists and
 * `reuse` is false.
 */
export async function makeDir(k: CgroupKernel, d: GroupDir, mode: number | undefined, reuse: boolean): Promise<string[]> {
  const made: string[] = [];
  try {
    for (const dir of chain(d)) {
      const last = dir === d.dir;
      try {
        await k.fs.mkdir(dir, mode);
        made.push(dir);
      } catch (e) {
        if (!(e instanceof CgroupError && e.code === 'EEXIST') || (last && !reuse)) throw e;
        continue;
      }
      if (d.version === 1 && d.controllers.includes('cpuset')) await seedCpuset(k, dir);
    }
    await enableTopDown(k, d);
    return made;
  } catch (e) {
    await removeDirs(k, made).catch(() => undefined);
    throw e;
  }
}

/** rmdir each of `dirs`, last first (children before parents). */
export async function removeDirs(k: CgroupKernel, dirs: readonly string[], timeoutMs = 2000): Promise<void> {
  for (const d of [...dirs].reverse()) await rmdirPatiently(k, d, timeoutMs);
}

/** rmdir, retrying EBUSY (tasks still exiting) until `timeoutMs`; a missing dir is fine. */
export async function rmdirPatiently(k: CgroupKernel, dir: string, timeoutMs: number): Promise<void> {
  const step = 10;
  for (let waited = 0; ; waited += step) {
    try {
      await k.fs.rmdir(dir);
      return;
    } catch (e) {
      if (e instanceof CgroupError && e.code === 'ENOENT') return;
      if (!(e instanceof CgroupError && e.code === 'EBUSY') || waited >= timeoutMs) throw e;
      await k.sleep(step);
    }
  }
}

/** Every cgroup directory below `dir` (not `dir` itself), parents before children. */
export async function descendantDirs(k: CgroupKernel, dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await k.fs.readdirEntries(dir);
  } catch (e) {
    if (e instanceof CgroupError && e.code === 'ENOENT') return out;
    throw e;
  }
  for (const e of entries) {
    if (!e.isDirectory) continue;
    const sub = `${dir}/${e.name}`;
    out.push(sub, ...(await descendantDirs(k, sub)));
  }
  return out;
}

/** Pids (or tids, with `file` = `tasks`/`cgroup.threads`) listed in a group file. */
export async function readPids(k: CgroupKernel, path: string): Promise<number[]> {
  const text = await k.fs.readFile(path);
  return [...new Set(text.split('\n').filter((l) => l.trim() !== '').map(Number))].sort((a, b) => a - b);
}
