/** The Cgroup API suite on the simulated kernel, unified and hybrid; and what only the simulator can show. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CgroupKernel } from '../core/backend.js';
import { CgroupError } from '../core/errors.js';
import { Cgroup } from './cgroup.js';
import { cgroupSuite } from './cgroup-suite.test-util.js';
import { simCgroupKernel, type SimCgroupKernel } from './sim-backend.js';
import { SimKernel } from './sim-kernel.js';

const sec = (s: number): string => `${Math.round(s * 1000)}ms`;
const ALL = '+cpu +cpuset +memory +pids +io';

/** A fresh simulated machine; on v2 its root enables the controllers for its children, as an init system does. */
async function boot(layout: 'unified' | 'hybrid' | 'legacy'): Promise<SimCgroupKernel> {
  const k = simCgroupKernel(new SimKernel({ layout, cpus: 2, seed: 1 }));
  if (layout === 'unified') await k.fs.writeFile('/sys/fs/cgroup/cgroup.subtree_control', ALL);
  return k;
}

for (const layout of ['unified', 'hybrid', 'legacy'] as const) {
  describe(`Cgroup on the simulated kernel (${layout})`, () => {
    cgroupSuite({
      name: `sim ${layout}`,
      open: () => boot(layout),
      sleep: (s) => [`sleep ${sec(s)}`],
      forker: (n, s) => [`${Array.from({ length: n }, () => `fork { sleep ${sec(s)} }`).join('; ')}; sleep ${sec(s)}`],
      exit: (code) => [`exit ${code}`],
      spin: () => ['hog'],
      threaded: (s) => [`thread { sleep ${sec(s)} }; sleep ${sec(s)}`],
    });
  });
}

const rejects = async (p: Promise<unknown>, code: string): Promise<void> => {
  await assert.rejects(p, (e: unknown) => e instanceof CgroupError && e.code === code);
};

/**
 * The simulated kernel seen as a host whose caller is task `pid`: its
 * /proc/self/cgroup is that task's. (On the simulator proper the caller
 * is no task, and nothing is refused.)
 */
function callerIs(k: SimCgroupKernel, pid: number): CgroupKernel {
  const fs = new Proxy(k.fs, {
    get(target, prop) {
      if (prop === 'readFile') return (path: string) => target.readFile(path === '/proc/self/cgroup' ? `/proc/${pid}/cgroup` : path);
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    kind: 'host', fs, layout: k.layout, features: k.features,
    signal: (p, s) => k.signal(p, s), exec: (o) => k.exec(o), sleep: (ms) => k.sleep(ms),
  };
}

async function frozenAsked(k: CgroupKernel, g: Cgroup): Promise<boolean> {
  const v2 = g.dirs.find((d) => d.version === 2);
  if (v2) return (await k.fs.readFile(`${v2.dir}/cgroup.freeze`)).trim() === '1';
  return (await k.fs.readFile(`${g.dirOf('freezer')!}/freezer.state`)).trim() !== 'THAWED';
}

for (const layout of ['unified', 'hybrid', 'legacy'] as const) {
  describe(`a group holding the caller (${layout})`, () => {
    it('is neither killed nor frozen: EDEADLK, nothing written; other groups are', async () => {
      const sim = await boot(layout);
      const app = await Cgroup.create(sim, '/app/inner');
      const other = await Cgroup.create(sim, '/other');
      const self = await app.exec(['sleep 60s'], { stdio: 'ignore' });
      const victim = await other.exec(['sleep 60s'], { stdio: 'ignore' });
      const host = callerIs(sim, self.pid);
      for (const path of ['/app/inner', '/app', '/']) {
        const g = await Cgroup.open(host, path);
        await rejects(g.kill(), 'EDEADLK');
        await rejects(g.kill({ signal: 'SIGTERM' }), 'EDEADLK');
        // The v2 root has no cgroup.freeze: nothing freezes it.
        await rejects(g.freeze(), path === '/' && layout !== 'legacy' ? 'ENOTSUP' : 'EDEADLK');
        await rejects(g.delete({ kill: true }), 'EDEADLK');
      }
      assert.deepEqual(await app.procs(), [self.pid]);
      assert.equal(await frozenAsked(sim, app), false);
      const g = await Cgroup.open(host, '/other');
      await g.freeze();
      await g.thaw();
      assert.equal(await g.kill(), 1);
      // exited settles as simulated time passes.
      while (!(await Promise.race([victim.exited.then(() => true), sim.sleep(10).then(() => false)])));
      assert.equal((await victim.exited).signal, 'SIGKILL');
      assert.deepEqual(await app.procs(), [self.pid]);
    });
  });
}

describe('create and the v2 ancestors that existed before it (unified)', () => {
  const subtree = async (k: CgroupKernel, dir: string): Promise<string> => (await k.fs.readFile(`${dir}/cgroup.subtree_control`)).trim();
  const R = '/sys/fs/cgroup';

  it('never writes the mount root: a controller it does not enable is ENOENT, nothing made', async () => {
    const k = simCgroupKernel(new SimKernel({ layout: 'unified' }));
    await rejects(Cgroup.create(k, '/x'), 'ENOENT');
    await rejects(Cgroup.create(k, '/x/y', { controllers: ['pids'] }), 'ENOENT');
    assert.equal(await subtree(k, R), '');
    await rejects(k.fs.stat(`${R}/x`), 'ENOENT');
    await k.fs.writeFile(`${R}/cgroup.subtree_control`, '+pids');
    const g = await Cgroup.create(k, '/x/y', { controllers: ['pids'], settings: { 'pids.max': 3 } });
    assert.equal(await g.get('pids.max'), 3);
    assert.equal(await subtree(k, R), 'pids');
    assert.equal(await subtree(k, `${R}/x`), 'pids', 'x was made by this create: written');
    await rejects(Cgroup.create(k, '/z', { controllers: ['pids', 'memory'] }), 'ENOENT');
    assert.equal(await subtree(k, R), 'pids');
  });

  it('writes an existing parent only with enableInParents; a failed create turns it off again', async () => {
    const k = simCgroupKernel(new SimKernel({ layout: 'unified' }));
    await k.fs.writeFile(`${R}/cgroup.subtree_control`, ALL);
    await Cgroup.create(k, '/p');
    await rejects(Cgroup.create(k, '/p/c'), 'ENOENT');
    assert.equal(await subtree(k, `${R}/p`), '');
    await rejects(k.fs.stat(`${R}/p/c`), 'ENOENT');
    // The kernel refuses CPU 1000 on a 2-CPU machine after the parent was written and /p/c made.
    await assert.rejects(Cgroup.create(k, '/p/c', { enableInParents: true, settings: { 'cpuset.cpus': [1000] } }), CgroupError);
    assert.equal(await subtree(k, `${R}/p`), '');
    await rejects(k.fs.stat(`${R}/p/c`), 'ENOENT');
    const c = await Cgroup.create(k, '/p/c', { enableInParents: true, settings: { 'cpu.weight': 50 } });
    assert.equal(await c.get('cpu.weight'), 50);
    assert.equal(await subtree(k, `${R}/p`), 'cpuset cpu io memory pids');
    // Parents made by the create are written without asking, and removed on failure.
    await Cgroup.create(k, '/q/r/s');
    assert.equal(await subtree(k, `${R}/q`), 'cpuset cpu io memory pids');
    assert.equal(await subtree(k, `${R}/q/r`), 'cpuset cpu io memory pids');
    await assert.rejects(Cgroup.create(k, '/u/v/w', { settings: { 'cpuset.cpus': [1000] } }), CgroupError);
    await rejects(k.fs.stat(`${R}/u`), 'ENOENT');
    assert.equal(await subtree(k, R), 'cpuset cpu io memory pids');
  });
});
