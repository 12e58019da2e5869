/**
 * More of the Cgroup API suite (see cgroup-suite.test-util.ts): thread
 * moves, kill and freeze details, the parents a create makes, reuse and
 * delete. Run on the simulator and on the host like the rest.
 */
import assert from 'node:assert/strict';
import type { CgroupKernel } from '../core/backend.js';
import { CgroupError } from '../core/errors.js';
import { parseProcCgroup } from '../core/format/proccgroup.js';
import { Cgroup, type CreateOptions } from './cgroup.js';
import type { SuiteBackend, WithGroup } from './cgroup-suite.test-util.js';
import type { GroupDir } from './group-dirs.js';

/**
 * A group below the test's own root. The root existed before this create,
 * so on v2 the controllers are enabled in it on purpose (enableInParents):
 * the test owns it.
 */
export const mk = (k: CgroupKernel, path: string, opts: CreateOptions = {}): Promise<Cgroup> => Cgroup.create(k, path, { enableInParents: true, ...opts });

export async function poll(k: CgroupKernel, what: string, ok: () => Promise<boolean>, ms = 5000): Promise<void> {
  for (let t = 0; t <= ms; t += 20) {
    if (await ok()) return;
    await k.sleep(20);
  }
  assert.fail(`timed out waiting for ${what}`);
}

export const rejects = async (p: Promise<unknown>, code: string): Promise<void> => {
  await assert.rejects(p, (e: unknown) => e instanceof CgroupError && e.code === code);
};

const present = async (k: CgroupKernel, dir: string): Promise<boolean> =>
  k.fs.stat(dir).then(() => true, (e: unknown) => {
    if (e instanceof CgroupError && e.code === 'ENOENT') return false;
    throw e;
  });

/** The group of `tid` in hierarchy `d` (logical path), from /proc/<tid>/cgroup. */
async function groupOf(k: CgroupKernel, tid: number, d: GroupDir): Promise<string | undefined> {
  const lines = parseProcCgroup(await k.fs.readFile(`/proc/${tid}/cgroup`));
  const c = d.controllers[0] === 'io' ? 'blkio' : d.controllers[0];
  return lines.find((l) => (d.version === 2 ? l.hierarchyId === 0 : c !== undefined && l.controllers.includes(c)))?.path;
}

/** Is a freeze asked for in the group's freezer (v2 cgroup.freeze where it exists, else the v1 freezer)? */
async function freezeAsked(k: CgroupKernel, g: Cgroup): Promise<boolean> {
  const v2 = g.dirs.find((d) => d.version === 2);
  if (v2 && (await present(k, `${v2.dir}/cgroup.freeze`))) return (await k.fs.readFile(`${v2.dir}/cgroup.freeze`)).trim() === '1';
  return (await k.fs.readFile(`${g.dirOf('freezer')!}/freezer.state`)).trim() !== 'THAWED';
}

const ended = (k: CgroupKernel, p: Promise<unknown>): Promise<boolean> => Promise.race([p.then(() => true), k.sleep(20).then(() => false)]);

export function lifecycleCases(b: SuiteBackend, withGroup: WithGroup): void {
  withGroup('attach with thread moves one thread: v1 hierarchies always, v2 within a threaded subtree', async (k, root, t) => {
    const argv = b.threaded(30);
    if (!argv) {
      t.skip('this backend cannot start a process with two threads');
      return;
    }
    const a = await mk(k, `${root.path}/a`);
    const c = await mk(k, `${root.path}/c`);
    const h = await a.exec(argv, { stdio: 'ignore' });
    await poll(k, 'the second thread', async () => { const ts = await a.threads(); return ts.length === 2 && ts.includes(h.pid); });
    const tid = (await a.threads()).find((x) => x !== h.pid)!;
    if (c.dirs.some((d) => d.version === 1)) {
      await c.attach(tid, { thread: true });
      assert.deepEqual(await c.threads(), [tid]);
      assert.deepEqual(await a.threads(), [h.pid]);
      for (const d of c.dirs) {
        // The v2 tree of a hybrid host holds no controller here: the thread stays with its process.
        assert.equal(await groupOf(k, tid, d), d.version === 1 ? c.path : a.path, d.mount.mountPoint);
      }
    } else {
      // v2 alone: a single thread cannot leave its process's domain group.
      await rejects(c.attach(tid, { thread: true }), 'ENOTSUP');
      assert.deepEqual(await a.threads(), [h.pid, tid].sort((x, y) => x - y));
    }
    const v2 = root.dirs.find((d) => d.version === 2);
    if (!v2) return;
    // A threaded subtree: the process in `tr` (the thread root), one thread moved into `tr/t1`.
    const t1 = await mk(k, `${root.path}/tr/t1`, { controllers: ['cpu', 'pids'] });
    await k.fs.writeFile(`${t1.dirs.find((d) => d.version === 2)!.dir}/cgroup.type`, 'threaded');
    const tr = await Cgroup.open(k, `${root.path}/tr`, { controllers: ['cpu', 'pids'] });
    const h2 = await tr.exec(argv, { stdio: 'ignore' });
    await poll(k, 'the second thread', async () => { const ts = await tr.threads(); return ts.length === 2 && ts.includes(h2.pid); });
    const tid2 = (await tr.threads()).find((x) => x !== h2.pid)!;
    await t1.attach(tid2, { thread: true });
    assert.deepEqual(await t1.threads(), [tid2]);
    for (const d of t1.dirs) assert.equal(await groupOf(k, tid2, d), t1.path, d.mount.mountPoint);
  });

  withGroup('kill counts and waits in the v2 tree cgroup.kill works in, and reaches a process in a v1 hierarchy only', async (k, root, t) => {
    const g = await mk(k, `${root.path}/v2only`);
    const v2 = g.dirs.find((d) => d.version === 2);
    if (!v2 || !(await present(k, `${v2.dir}/cgroup.kill`))) {
      t.skip('no cgroup.kill');
      return;
    }
    // In the group's v2 directory only (its v1 directories are empty).
    const h = await k.exec({ argv: b.sleep(30), procsFiles: [`${v2.dir}/cgroup.procs`], stdio: 'ignore' });
    assert.equal(await g.kill(), 1);
    assert.deepEqual(await g.procs({ recursive: true }), []);
    assert.equal((await k.fs.readFile(`${v2.dir}/cgroup.procs`)).trim(), '');
    await poll(k, 'the exit status', () => ended(k, h.exited));
    assert.equal((await h.exited).signal, 'SIGKILL');
    // In one v1 directory of the group only (outside its v2 one): delete sees it, kill reaches it by pid.
    const v1 = g.dirs.find((d) => d.version === 1);
    if (!v1) return;
    const h1 = await k.exec({ argv: b.sleep(30), procsFiles: [`${v1.dir}/cgroup.procs`], stdio: 'ignore' });
    await rejects(g.delete({ timeoutMs: 100 }), 'EBUSY');
    assert.equal(await g.kill(), 1);
    await poll(k, 'the exit status', () => ended(k, h1.exited));
    assert.equal((await h1.exited).signal, 'SIGKILL');
    assert.deepEqual(await g.procs({ recursive: true }), []);
  });

  withGroup('kill leaves a group that was frozen frozen', async (k, root) => {
    const g = await mk(k, `${root.path}/ice`);
    const h = await g.exec(b.sleep(30), { stdio: 'ignore' });
    await g.freeze();
    assert.equal(await g.kill({ signal: 'SIGTERM' }), 1);
    assert.equal(await freezeAsked(k, g), true, 'still frozen after SIGTERM');
    await g.thaw();
    await poll(k, 'the SIGTERM to end it', () => ended(k, h.exited));
    assert.equal((await h.exited).signal, 'SIGTERM');
    await g.exec(b.sleep(30), { stdio: 'ignore' });
    await g.freeze();
    assert.equal(await g.kill(), 1);
    assert.deepEqual(await g.procs(), []);
    assert.equal(await freezeAsked(k, g), true, 'still frozen after SIGKILL');
    await g.thaw();
  });

  withGroup('create records the parents it made; delete({ parents }) removes those left empty', async (k, root) => {
    const leaf = await mk(k, `${root.path}/p/q/leaf`);
    const expect = leaf.dirs.flatMap((d) => ['p', 'p/q', 'p/q/leaf'].map((s) => `${d.dir.slice(0, -'/p/q/leaf'.length)}/${s}`));
    assert.deepEqual([...leaf.created].sort(), expect.sort());
    const other = await mk(k, `${root.path}/p/other`);
    assert.deepEqual([...other.created].sort(), other.dirs.map((d) => d.dir).sort());
    assert.deepEqual((await Cgroup.open(k, leaf.path)).created, []);
    await leaf.delete({ parents: true });
    for (const d of leaf.dirs) {
      assert.equal(await present(k, d.dir), false);
      assert.equal(await present(k, d.dir.slice(0, -'/leaf'.length)), false, 'q, made for leaf, is gone');
      assert.equal(await present(k, d.dir.slice(0, -'/q/leaf'.length)), true, 'p still holds other');
    }
    await other.delete({ parents: true });
    for (const d of other.dirs) assert.equal(await present(k, d.dir.slice(0, -'/other'.length)), true, 'p was not made for other');
    const solo = await mk(k, `${root.path}/s/t`);
    await solo.delete({ parents: true });
    for (const d of solo.dirs) assert.equal(await present(k, d.dir.slice(0, -'/t'.length)), false);
    for (const d of root.dirs) assert.equal(await present(k, d.dir), true);
  });

  withGroup('create with reuse changes an existing group with rollback', async (k, root) => {
    const path = `${root.path}/job`;
    const g = await mk(k, path, { settings: { 'cpu.weight': 200, 'pids.max': 10 } });
    // cpu.weight is written first, then the kernel refuses a CPU the machine does not have.
    await assert.rejects(mk(k, path, { reuse: true, settings: { 'cpu.weight': 300, 'cpuset.cpus': [1000] } }), CgroupError);
    assert.equal(await g.get('cpu.weight'), 200);
    for (const d of g.dirs) assert.equal(await present(k, d.dir), true);
    const again = await mk(k, path, { reuse: true, settings: { 'pids.max': 20 } });
    assert.deepEqual(again.created, []);
    assert.equal(await g.get('pids.max'), 20);
  });

  withGroup('delete without kill: a process anywhere below is EBUSY before anything is removed', async (k, root) => {
    const p = await mk(k, `${root.path}/p`);
    const busy = await mk(k, `${root.path}/p/a`);
    const empty = [await mk(k, `${root.path}/p/b`), await mk(k, `${root.path}/p/c/d`), await mk(k, `${root.path}/p/e`)];
    await busy.exec(b.sleep(30), { stdio: 'ignore' });
    await rejects(p.delete({ timeoutMs: 100 }), 'EBUSY');
    for (const g of [p, busy, ...empty]) for (const d of g.dirs) assert.equal(await present(k, d.dir), true, d.dir);
    await p.delete({ kill: true });
    for (const d of p.dirs) assert.equal(await present(k, d.dir), false);
  });
}
