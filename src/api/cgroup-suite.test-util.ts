/**
 * The Cgroup API tests, written once and run on every kernel: the simulated
 * one (unified and hybrid layouts) and the host (cgroup.host.test.ts).
 * Each backend supplies the commands the tests start, in its own language:
 * argv of real programs on the host, program text on the simulator.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it, type TestContext } from 'node:test';
import type { CgroupKernel } from '../core/backend.js';
import { Cgroup } from './cgroup.js';
import { lifecycleCases, mk, poll, rejects } from './cgroup-suite-life.test-util.js';
import type { CgroupEvent } from './events.js';

export interface SuiteBackend {
  name: string;
  /** A fresh kernel view for one test, or a reason to skip. */
  open(): Promise<CgroupKernel | string>;
  /** Commands: sleep about `sec` seconds; fork `n` children that sleep, then sleep; exit with `code`; spin. */
  sleep(sec: number): string[];
  forker(n: number, sec: number): string[];
  exit(code: number): string[];
  spin(): string[];
  /** A process with two threads that sleeps about `sec` seconds; undefined where the backend cannot start one. */
  threaded(sec: number): string[] | undefined;
}

/** Register a test that works in its own `/cgkit-test-<hex>` group (made, then removed with everything in it). */
export type WithGroup = (title: string, fn: (k: CgroupKernel, root: Cgroup, t: TestContext) => Promise<void>) => void;

/** Register the suite; every test works in its own `/cgkit-test-<hex>` group and removes it. */
export function cgroupSuite(b: SuiteBackend): void {
  const withGroup: WithGroup = (title, fn) => {
    it(`${b.name}: ${title}`, async (t: TestContext) => {
      const k = await b.open();
      if (typeof k === 'string') {
        t.skip(k);
        return;
      }
      const root = await Cgroup.create(k, `/cgkit-test-${randomBytes(6).toString('hex')}`);
      try {
        await fn(k, root, t);
      } finally {
        await root.delete({ kill: true });
      }
      for (const d of root.dirs) await rejects(k.fs.stat(d.dir), 'ENOENT');
    });
  };
  const sub = (root: Cgroup, name: string): string => `${root.path}/${name}`;

  withGroup('create makes the group in every hierarchy it spans; delete removes the subtree', async (k, root) => {
    const g = await mk(k, `${sub(root, 'a')}/b/c`);
    for (const d of g.dirs) assert.ok((await k.fs.stat(d.dir)).isDirectory, d.dir);
    await rejects(mk(k, `${sub(root, 'a')}/b/c`), 'EEXIST');
    assert.deepEqual(await (await Cgroup.open(k, sub(root, 'a'))).children(), ['b']);
    await (await Cgroup.open(k, sub(root, 'a'))).delete();
    await rejects(Cgroup.open(k, `${sub(root, 'a')}/b/c`), 'ENOENT');
    await rejects(mk(k, `${sub(root, 'x')}/../y`), 'EINVAL');
  });

  withGroup('typed set and get; bad values are refused before anything is written', async (k, root) => {
    const g = await mk(k, sub(root, 'job'), { settings: { 'cpu.weight': 200, 'pids.max': 10 } });
    assert.equal(await g.get('cpu.weight'), 200);
    assert.equal(await g.get('pids.max'), 10);
    await g.set({ 'cpu.max': { quotaUs: 20_000, periodUs: 100_000 }, 'memory.max': 64n << 20n });
    assert.deepEqual(await g.get('cpu.max'), { quotaUs: 20_000, periodUs: 100_000 });
    assert.equal(await g.get('memory.max'), 64n << 20n);
    await g.set({ 'cpu.max': { quotaUs: 'max', periodUs: 100_000 }, 'memory.max': 'max', 'pids.max': 'max' });
    assert.deepEqual(await g.get('cpu.max'), { quotaUs: 'max', periodUs: 100_000 });
    assert.equal(await g.get('memory.max'), 'max');
    assert.equal(await g.get('pids.max'), 'max');

    await rejects(g.set({ 'cpu.weight': 0 }), 'ERANGE');
    await rejects(g.set({ 'cpu.weight': 10_001 }), 'ERANGE');
    await rejects(g.set({ 'cpu.weight': 1.5 }), 'EINVAL');
    await rejects(g.set({ 'cpu.max': { quotaUs: 500, periodUs: 100_000 } }), 'EINVAL');
    await rejects(g.set({ 'memory.max': -5n }), 'EINVAL');
    // One bad value refuses the whole set: the good one is not written either.
    await rejects(g.set({ 'pids.max': 7, 'cpu.weight': 0 }), 'ERANGE');
    await rejects(mk(k, sub(root, 'never'), { settings: { 'cpu.weight': -1 } }), 'ERANGE');
    await rejects(Cgroup.open(k, sub(root, 'never')), 'ENOENT');
    assert.equal(await g.get('cpu.weight'), 200);
    assert.equal(await g.get('pids.max'), 'max');
  });

  withGroup('exec: the command starts inside the group and its exit status comes back', async (k, root) => {
    const g = await mk(k, sub(root, 'run'));
    const h = await g.exec(b.sleep(2), { stdio: 'ignore' });
    const where = await k.fs.readFile(`/proc/${h.pid}/cgroup`);
    for (const d of g.dirs) {
      const rel = d.dir.slice(d.mount.mountPoint.length);
      assert.ok(where.split('\n').some((l) => l.endsWith(`:${rel}`)), `${where} has ${rel}`);
    }
    assert.deepEqual(await g.procs(), [h.pid]);
    h.kill('SIGKILL');
    await poll(k, 'the sleeper to end', async () => { await k.sleep(10); return (await g.procs()).length === 0; });
    const done = await g.exec(b.exit(3), { stdio: 'ignore' });
    await poll(k, 'exit 3', async () => (await Promise.race([done.exited.then(() => true), k.sleep(20).then(() => false)])));
    assert.deepEqual(await done.exited, { code: 3, signal: null });
  });

  withGroup('attach moves a process into every hierarchy; a refused move is undone', async (k, root) => {
    const a = await mk(k, sub(root, 'a'));
    const c = await mk(k, sub(root, 'c'));
    const h = await a.exec(b.sleep(5), { stdio: 'ignore' });
    await c.attach(h.pid);
    assert.deepEqual(await a.procs(), []);
    assert.deepEqual(await c.procs(), [h.pid]);
    assert.deepEqual(await c.threads(), [h.pid]);
    await rejects(c.attach(-3), 'EINVAL');
    await c.kill();
    assert.deepEqual(await c.procs(), []);
  });

  withGroup('freeze and thaw: a frozen group uses no CPU', async (k, root) => {
    const g = await mk(k, sub(root, 'cold'));
    await g.exec(b.spin(), { stdio: 'ignore' });
    await k.sleep(100);
    await g.freeze({ timeoutMs: 5000 });
    const a = (await g.stats()).cpu!.usageUsec;
    await k.sleep(200);
    const z = (await g.stats()).cpu!.usageUsec;
    assert.equal(z, a, 'no CPU time while frozen');
    await g.thaw();
    await k.sleep(200);
    assert.ok((await g.stats()).cpu!.usageUsec > z, 'runs again once thawed');
    await g.kill();
  });

  withGroup('kill empties a group whose processes fork, below it too', async (k, root) => {
    // Processes in leaves only: v2 allows none beside children that have controllers.
    const g = await mk(k, sub(root, 'forks'));
    const a = await mk(k, `${sub(root, 'forks')}/a`);
    const c = await mk(k, `${sub(root, 'forks')}/b/c`);
    const h = await a.exec(b.forker(3, 30), { stdio: 'ignore' });
    await c.exec(b.forker(2, 30), { stdio: 'ignore' });
    await poll(k, 'the forks', async () => (await g.procs({ recursive: true })).length >= 7);
    const n = await g.kill();
    assert.ok(n >= 7, `signalled ${n}`);
    assert.deepEqual(await g.procs({ recursive: true }), []);
    await poll(k, 'the exit status', async () => (await Promise.race([h.exited.then(() => true), k.sleep(20).then(() => false)])));
    assert.equal((await h.exited).signal, 'SIGKILL');
  });

  withGroup('statistics are typed: CPU, memory and pids counters as bigint', async (k, root) => {
    const g = await mk(k, sub(root, 'busy'), { settings: { 'pids.max': 50 } });
    await g.exec(b.spin(), { stdio: 'ignore' });
    await k.sleep(300);
    const s = await g.stats();
    assert.equal(typeof s.cpu!.usageUsec, 'bigint');
    assert.ok(s.cpu!.usageUsec > 50_000n, `usage ${s.cpu!.usageUsec} µs`);
    assert.ok(s.cpu!.userUsec + s.cpu!.systemUsec <= s.cpu!.usageUsec + 20_000n);
    assert.equal(s.pids!.current, 1n);
    assert.equal(s.pids!.max, 50n);
    assert.equal(typeof s.memory!.current, 'bigint');
    await g.kill();
  });

  withGroup('events: populated goes to false when the last task exits; a pids.max hit is reported', async (k, root) => {
    const g = await mk(k, sub(root, 'ev'), { settings: { 'pids.max': 2 } });
    const ac = new AbortController();
    const seen: CgroupEvent[] = [];
    const it = g.events({ signal: ac.signal, pollMs: 20 });
    const reader = (async () => {
      for await (const e of it) {
        seen.push(e);
        if (e.type === 'populated' && !e.populated) break;
      }
    })();
    await it.ready;
    await g.exec(b.forker(3, 0.5), { stdio: 'ignore' });
    await poll(k, 'populated false', async () => seen.some((e) => e.type === 'populated' && !e.populated), 8000);
    ac.abort();
    await reader;
    const pop = seen.filter((e) => e.type === 'populated').map((e) => (e as { populated: boolean }).populated);
    assert.deepEqual(pop.slice(0, 1), [true]);
    assert.equal(pop.at(-1), false);
    const hit = seen.find((e) => e.type === 'pids.max');
    assert.ok(hit && hit.type === 'pids.max' && hit.delta >= 1n, `events: ${JSON.stringify(seen, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
  });
  lifecycleCases(b, withGroup);
}
