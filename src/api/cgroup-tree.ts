/**
 * Making and removing a group's directories: parents first, with v1 cpuset
 * masks copied from the parent and v2 controllers enabled top-down (in
 * ancestors that existed before only when the caller allows it); removal
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

/** Controllers of `controllers` that `dir` does not enable for its children. */
async function notEnabled(k: CgroupKernel, dir: string, controllers: readonly string[]): Promise<string[]> {
  const on = new Set(parseWords(await k.fs.readFile(`${dir}/cgroup.subtree_control`)));
  return controllers.filter((c) => !on.has(c));
}

function notEnabledError(dir: string, missing: readonly string[]): CgroupError {
  const list = missing.join(', ');
  return new CgroupError('ENOENT', 'write', `${dir}/cgroup.subtree_control`,
    `controller ${list} is not enabled for the children of ${dir}, which this create did not make: enable ${missing.length > 1 ? 'them' : 'it'} there (${missing.map((c) => `+${c}`).join(' ')} in its cgroup.subtree_control) or pass enableInParents`);
}

/**
 * Before anything is made: on v2, every ancestor of `d.dir` that exists
 * (the mount root included) must already enable the group's controllers
 * for its children, unless `enableInParents`; then they must at least be
 * offered there. ENOENT otherwise. Ancestors this create will make are
 * not checked: they get the controllers from the lowest existing one.
 */
export async function checkParents(k: CgroupKernel, d: GroupDir, enableInParents: boolean): Promise<void> {
  if (d.version !== 2 || d.controllers.length === 0) return;
  for (const p of [d.mount.mountPoint, ...chain(d).slice(0, -1)]) {
    if (!(await exists(k, p))) return;
    const missing = await notEnabled(k, p, d.controllers);
    if (missing.length === 0) continue;
    if (!enableInParents) throw notEnabledError(p, missing);
    const offered = new Set(parseWords(await k.fs.readFile(`${p}/cgroup.controllers`)));
    const absent = missing.filter((c) => !offered.has(c));
    if (absent.length > 0) throw new CgroupError('ENOENT', 'write', `${p}/cgroup.subtree_control`, `controller ${absent.join(', ')} is not available here`);
  }
}

/** One `cgroup.subtree_control` write: the controllers it turned on in `dir`. */
export interface Enabled {
  readonly dir: string;
  readonly controllers: readonly string[];
}

/**
 * Enable `controllers` for `d.dir` on v2, top-down: each ancestor from the
 * mount root to the group's parent gets `+ctrl` where it is missing. An
 * ancestor that existed before (not in `made`) is written only with
 * `enableInParents`; without it a missing controller there is ENOENT. A
 * controller an ancestor does not offer is ENOENT. Returns the writes made.
 */
async function enableTopDown(k: CgroupKernel, d: GroupDir, made: ReadonlySet<string>, enableInParents: boolean, done: Enabled[]): Promise<void> {
  if (d.version !== 2 || d.controllers.length === 0) return;
  for (const p of [d.mount.mountPoint, ...chain(d).slice(0, -1)]) {
    const missing = await notEnabled(k, p, d.controllers);
    if (missing.length === 0) continue;
    if (!made.has(p) && !enableInParents) throw notEnabledError(p, missing);
    const offered = new Set(parseWords(await k.fs.readFile(`${p}/cgroup.controllers`)));
    const absent = missing.filter((c) => !offered.has(c));
    if (absent.length > 0) throw new CgroupError('ENOENT', 'write', `${p}/cgroup.subtree_control`, `controller ${absent.join(', ')} is not available here`);
    await k.fs.writeFile(`${p}/cgroup.subtree_control`, missing.map((c) => `+${c}`).join(' '));
    done.push({ dir: p, controllers: missing });
  }
}

/** What makeDir did, for the handle and for rollback. */
export interface MadeDirs {
  /** Directories made, parents first. */
  made: string[];
  /** subtree_control writes, in order. */
  enabled: Enabled[];
}

/**
 * Make `d.dir` with its missing parents, then enable the group's v2
 * controllers in its ancestors (see enableTopDown). EEXIST when `d.dir`
 * itself exists and `reuse` is false. On failure what was done is undone.
 */
export async function makeDir(k: CgroupKernel, d: GroupDir, mode: number | undefined, reuse: boolean, enableInParents = false): Promise<MadeDirs> {
  const out: MadeDirs = { made: [], enabled: [] };
  try {
    for (const dir of chain(d)) {
      const last = dir === d.dir;
      try {
        await k.fs.mkdir(dir, mode);
        out.made.push(dir);
      } catch (e) {
        if (!(e instanceof CgroupError && e.code === 'EEXIST') || (last && !reuse)) throw e;
        continue;
      }
      if (d.version === 1 && d.controllers.includes('cpuset')) await seedCpuset(k, dir);
    }
    await enableTopDown(k, d, new Set(out.made), enableInParents, out.enabled);
    return out;
  } catch (e) {
    throw await undoMade(k, out, e);
  }
}

/**
 * Undo a create: remove the directories made (children first), then turn
 * off again what was enabled in ancestors that existed before (deepest
 * first; the removed ones took theirs with them). Returns the error to
 * throw: `cause` itself, or an AggregateError with `cause` first when
 * undoing failed too.
 */
export async function undoMade(k: CgroupKernel, m: MadeDirs, cause: unknown): Promise<unknown> {
  const errors: unknown[] = [];
  try {
    await removeDirs(k, m.made);
  } catch (e) {
    errors.push(e);
  }
  const made = new Set(m.made);
  for (const en of [...m.enabled].reverse()) {
    if (made.has(en.dir)) continue;
    try {
      await k.fs.writeFile(`${en.dir}/cgroup.subtree_control`, en.controllers.map((c) => `-${c}`).join(' '));
    } catch (e) {
      errors.push(e);
    }
  }
  return errors.length === 0 ? cause : new AggregateError([cause, ...errors], 'the create failed and could not be fully undone', { cause });
}

/**
 * Remove parents a create made (`dirs`), deepest first, where they are
 * empty: one that still has child groups or tasks (EBUSY, ENOTEMPTY) or is
 * gone (ENOENT) is left alone. Other errors are thrown after trying all.
 */
export async function removeEmptyParents(k: CgroupKernel, dirs: readonly string[]): Promise<void> {
  const depth = (d: string): number => d.split('/').length;
  const errors: unknown[] = [];
  for (const d of [...dirs].sort((a, b) => depth(b) - depth(a))) {
    try {
      await k.fs.rmdir(d);
    } catch (e) {
      if (e instanceof CgroupError && (e.code === 'EBUSY' || e.code === 'ENOTEMPTY' || e.code === 'ENOENT')) continue;
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} parent groups could not be removed`);
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
