import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CgroupError } from '../core/errors.js';
import type { CgroupFs, CgroupStat, DirEntry } from '../core/fs.js';
import { removeTree, Scratch } from './scratch.js';

/** A directory-only CgroupFs in memory that can refuse rmdir with EBUSY a few times. */
class DirsFs implements CgroupFs {
  readonly dirs = new Set<string>(['/sys/fs/cgroup/x', '/sys/fs/cgroup/y']);
  readonly removed: string[] = [];
  busy = new Map<string, number>();
  async mkdir(path: string): Promise<void> {
    if (this.dirs.has(path)) throw new CgroupError('EEXIST', 'mkdir', path);
    if (!this.dirs.has(path.slice(0, path.lastIndexOf('/')))) throw new CgroupError('ENOENT', 'mkdir', path);
    this.dirs.add(path);
  }
  async rmdir(path: string): Promise<void> {
    if (!this.dirs.has(path)) throw new CgroupError('ENOENT', 'rmdir', path);
    const n = this.busy.get(path) ?? 0;
    if (n > 0) {
      this.busy.set(path, n - 1);
      throw new CgroupError('EBUSY', 'rmdir', path);
    }
    if ([...this.dirs].some((d) => d.startsWith(path + '/'))) throw new CgroupError('EBUSY', 'rmdir', path);
    this.dirs.delete(path);
    this.removed.push(path);
  }
  async readdir(path: string): Promise<string[]> {
    return (await this.readdirEntries(path)).map((e) => e.name);
  }
  async readdirEntries(path: string): Promise<DirEntry[]> {
    if (!this.dirs.has(path)) throw new CgroupError('ENOENT', 'scandir', path);
    return [...this.dirs].filter((d) => d.startsWith(path + '/') && !d.slice(path.length + 1).includes('/'))
      .map((d) => ({ name: d.slice(path.length + 1), isDirectory: true }));
  }
  async readFile(path: string): Promise<string> { throw new CgroupError('ENOENT', 'open', path); }
  async writeFile(path: string): Promise<void> { throw new CgroupError('ENOENT', 'open', path); }
  async stat(path: string): Promise<CgroupStat> { throw new CgroupError('ENOENT', 'stat', path); }
  async chown(path: string): Promise<void> { throw new CgroupError('ENOENT', 'chown', path); }
  async chmod(path: string): Promise<void> { throw new CgroupError('ENOENT', 'chmod', path); }
  async rename(from: string): Promise<void> { throw new CgroupError('ENOENT', 'rename', from); }
}

test('one top per parent, groups below it, all removed deepest first', async () => {
  const fs = new DirsFs();
  const s = new Scratch(fs);
  assert.match(s.name, /^cgkit-test-[0-9a-f]{12}$/);
  const [a, b] = await Promise.all([s.top('/sys/fs/cgroup/x'), s.top('/sys/fs/cgroup/x')]);
  assert.equal(a, b);
  const g = await s.group('/sys/fs/cgroup/x', 'g');
  await fs.mkdir(`${g}/deep`);
  await s.dispose();
  assert.deepEqual(fs.removed, [`${g}/deep`, g, a]);
  assert.deepEqual([...fs.dirs], ['/sys/fs/cgroup/x', '/sys/fs/cgroup/y']);
});

test('a failed top is not remembered', async () => {
  const fs = new DirsFs();
  const s = new Scratch(fs);
  await assert.rejects(s.top('/sys/fs/cgroup/missing/y'), (e: unknown) => e instanceof CgroupError);
  fs.dirs.add('/sys/fs/cgroup/missing/y');
  assert.equal(await s.top('/sys/fs/cgroup/missing/y'), `/sys/fs/cgroup/missing/y/${s.name}`);
  await s.dispose();
});

test('removeTree retries EBUSY briefly, then reports it; a missing tree is fine', async () => {
  const fs = new DirsFs();
  await fs.mkdir('/sys/fs/cgroup/x/a');
  fs.busy.set('/sys/fs/cgroup/x/a', 2);
  await removeTree(fs, '/sys/fs/cgroup/x/a');
  assert.deepEqual(fs.removed, ['/sys/fs/cgroup/x/a']);
  await removeTree(fs, '/sys/fs/cgroup/x/a');
  await fs.mkdir('/sys/fs/cgroup/x/b');
  fs.busy.set('/sys/fs/cgroup/x/b', 1000);
  await assert.rejects(removeTree(fs, '/sys/fs/cgroup/x/b'), (e: unknown) => e instanceof CgroupError && e.code === 'EBUSY');
});

test('dispose kills the sleepers it started and reports every failure', async () => {
  const fs = new DirsFs();
  const s = new Scratch(fs);
  const sl = s.spawnSleeper(30);
  fs.busy.set(await s.group('/sys/fs/cgroup/x', 'g'), 1000);
  fs.busy.set(await s.top('/sys/fs/cgroup/y'), 1000);
  await assert.rejects(s.dispose(), (e: unknown) => e instanceof AggregateError && e.errors.length === 2
    && e.errors.every((x: unknown) => x instanceof CgroupError && x.code === 'EBUSY'));
  await sl.exited;
  assert.throws(() => process.kill(sl.pid, 0), /ESRCH/);
});
