import { isErrnoLike } from '../core/errors.js';
import type { CgroupFs } from '../core/fs.js';
import type { Backend } from './adapter.js';

const RMDIR_RETRY_MS = 5000;

/** Every directory of the tree at `dir`, parents before children. */
async function walk(fs: CgroupFs, dir: string, out: string[]): Promise<void> {
  out.push(dir);
  let entries;
  try {
    entries = await fs.readdirEntries(dir);
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory) await walk(fs, `${dir}/${e.name}`, out);
}

async function tryWrite(fs: CgroupFs, path: string, data: string): Promise<void> {
  try {
    await fs.writeFile(path, data);
  } catch {
    // absent in this hierarchy or not applicable: nothing to undo
  }
}

async function rmdirPatiently(fs: CgroupFs, dir: string): Promise<string | undefined> {
  const deadline = Date.now() + RMDIR_RETRY_MS;
  for (;;) {
    try {
      await fs.rmdir(dir);
      return undefined;
    } catch (e) {
      if (isErrnoLike(e) && e.code === 'ENOENT') return undefined;
      // Tasks killed a moment ago may still be leaving their cgroups.
      if (!(isErrnoLike(e) && e.code === 'EBUSY') || Date.now() > deadline) {
        return `${dir}: ${isErrnoLike(e) ? e.code : String(e)}`;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * Undo a case, whatever state it left: thaw every group (v1 frozen tasks
 * cannot die until thawed), kill every task the case made, then remove the
 * case's groups deepest first. Returns what could not be removed.
 */
export async function teardown(b: Backend, bases: readonly string[]): Promise<string[]> {
  const leaks: string[] = [];
  const dirs: string[] = [];
  for (const base of bases) await walk(b.fs, base, dirs);
  for (const dir of dirs) {
    const names = new Set(await b.fs.readdir(dir).catch(() => [] as string[]));
    if (names.has('freezer.state')) await tryWrite(b.fs, `${dir}/freezer.state`, 'THAWED');
    if (names.has('cgroup.freeze')) await tryWrite(b.fs, `${dir}/cgroup.freeze`, '0');
  }
  try {
    await b.procs.releaseAll();
  } catch (e) {
    leaks.push(`tasks: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const dir of [...dirs].reverse()) {
    const leak = await rmdirPatiently(b.fs, dir);
    if (leak !== undefined) leaks.push(leak);
  }
  return leaks;
}
