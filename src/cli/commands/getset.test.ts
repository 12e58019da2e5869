import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cgkit, simKernel } from './group-cli.test-util.js';

const SIM = ['--backend', 'sim'];

for (const layout of ['unified', 'hybrid'] as const) {
  describe(`cgkit create/get/set/delete on --backend sim (${layout})`, () => {
    it('creates a group with typed settings and reads them back as set accepts them', async () => {
      const k = simKernel(layout);
      const c = await cgkit(['create', ...SIM, '/jobs/a', 'cpu.weight=200', 'cpu.max=50000/100000', 'memory.max=512M', 'pids.max=max'], k);
      assert.deepEqual(c, { out: '', err: '', status: 0 });
      const g = await cgkit(['get', ...SIM, '/jobs/a', 'cpu.weight', 'cpu.max', 'memory.max', 'pids.max'], k);
      assert.equal(g.status, 0, g.err);
      assert.equal(g.out, 'cpu.weight=200\ncpu.max=50000/100000\nmemory.max=536870912\npids.max=max\n');
      // Without keys: every setting the group has, including those above.
      const all = await cgkit(['get', ...SIM, '/jobs/a'], k);
      assert.match(all.out, /^cpu\.weight=200$/m);
      assert.match(all.out, /^cpuset\.cpus=/m);
      assert.match(all.out, /^memory\.max=536870912$/m);
    });

    it('set takes the documented forms; a partial cpu.max keeps the period', async () => {
      const k = simKernel(layout);
      assert.equal((await cgkit(['create', ...SIM, '/g'], k)).status, 0);
      let r = await cgkit(['set', ...SIM, '/g', 'cpu.max=20000 50000', 'memory.max=1G', 'cpuset.cpus=1'], k);
      assert.equal(r.status, 0, r.err);
      r = await cgkit(['set', ...SIM, '/g', 'cpu.max=30000'], k);
      assert.equal(r.status, 0, r.err);
      const g = await cgkit(['get', ...SIM, '/g', 'cpu.max', 'memory.max', 'cpuset.cpus'], k);
      assert.equal(g.out, 'cpu.max=30000/50000\nmemory.max=1073741824\ncpuset.cpus=1\n');
      r = await cgkit(['set', ...SIM, '/g', 'cpu.max=max'], k);
      assert.equal(r.status, 0, r.err);
      assert.equal((await cgkit(['get', ...SIM, '/g', 'cpu.max'], k)).out, 'cpu.max=max/50000\n');
    });

    it('a refused value exits 1 with the errno and changes nothing, not even the good values given with it', async () => {
      const k = simKernel(layout);
      await cgkit(['create', ...SIM, '/g', 'cpu.weight=300', 'pids.max=50'], k);
      const r = await cgkit(['set', ...SIM, '/g', 'pids.max=7', 'cpu.weight=0'], k);
      assert.equal(r.status, 1);
      assert.equal(r.out, '');
      assert.match(r.err, /^cgkit: ERANGE: .*cpu\.weight/);
      const bad = await cgkit(['set', ...SIM, '/g', 'cpu.max=500/100000'], k);
      assert.equal(bad.status, 1);
      assert.match(bad.err, /^cgkit: EINVAL: /);
      const syntax = await cgkit(['set', ...SIM, '/g', 'memory.max=lots'], k);
      assert.equal(syntax.status, 1);
      assert.match(syntax.err, /^cgkit: EINVAL: .*memory\.max.*"lots"/);
      const unknown = await cgkit(['set', ...SIM, '/g', 'cpu.shares=10'], k);
      assert.equal(unknown.status, 1);
      assert.match(unknown.err, /EINVAL.*unknown setting/);
      assert.equal((await cgkit(['get', ...SIM, '/g', 'cpu.weight', 'pids.max', 'cpu.max'], k)).out, 'cpu.weight=300\npids.max=50\ncpu.max=max/100000\n');
    });

    it('create refuses a bad value before making anything; delete removes the subtree', async () => {
      const k = simKernel(layout);
      const r = await cgkit(['create', ...SIM, '/never', 'cpu.weight=10001'], k);
      assert.equal(r.status, 1);
      assert.match(r.err, /ERANGE/);
      const g = await cgkit(['get', ...SIM, '/never'], k);
      assert.equal(g.status, 1);
      assert.match(g.err, /^cgkit: ENOENT/);
      assert.equal((await cgkit(['create', ...SIM, '/a/b/c'], k)).status, 0);
      const again = await cgkit(['create', ...SIM, '/a/b/c'], k);
      assert.equal(again.status, 1);
      assert.match(again.err, /EEXIST/);
      assert.equal((await cgkit(['create', ...SIM, '--reuse', '/a/b/c', 'pids.max=3'], k)).status, 0);
      assert.equal((await cgkit(['delete', ...SIM, '/a'], k)).status, 0);
      assert.match((await cgkit(['get', ...SIM, '/a/b'], k)).err, /ENOENT/);
      assert.deepEqual(await cgkit(['delete', ...SIM, '/'], k), { out: '', err: 'cgkit: refusing to delete the root group\n', status: 1 });
      assert.deepEqual(await cgkit(['set', ...SIM, '/', 'pids.max=5'], k), { out: '', err: 'cgkit: refusing to change the settings of the root group\n', status: 1 });
    });

    it('delete is EBUSY while a process is in the group, and --kill empties it first', async () => {
      const k = simKernel(layout);
      await cgkit(['create', ...SIM, '/busy'], k);
      const dir = layout === 'unified' ? '/sys/fs/cgroup/busy' : '/sys/fs/cgroup/cpu/busy';
      const pid = k.spawn({ cgroup: dir, program: 'hog' });
      const r = await cgkit(['delete', ...SIM, '/busy'], k);
      assert.equal(r.status, 1);
      assert.match(r.err, /EBUSY/);
      assert.equal((await cgkit(['delete', ...SIM, '--kill', '/busy'], k)).status, 0);
      assert.equal(k.task(pid), undefined, 'the process was killed (and reaped by init)');
    });

    it('--json prints typed values; byte counts past 2^53 are exact integer literals', async () => {
      const k = simKernel(layout);
      // Past 2^53 and page aligned; a double would print it as 1152921504606851000.
      const big = (1n << 60n) + 4096n;
      assert.equal((await cgkit(['create', ...SIM, '/g', `memory.max=${big}`, 'cpu.max=25000/100000', 'cpuset.cpus=0-1'], k)).status, 0);
      const r = await cgkit(['get', ...SIM, '--json', '/g', 'memory.max', 'cpu.max', 'cpuset.cpus', 'cpu.idle'], k);
      assert.equal(r.status, 0, r.err);
      assert.match(r.out, new RegExp(`"memory\\.max": ${big}\\b`));
      assert.deepEqual(JSON.parse(r.out), {
        path: '/g',
        settings: { 'memory.max': Number(big), 'cpu.max': { quotaUs: 25000, periodUs: 100000 }, 'cpuset.cpus': [0, 1], 'cpu.idle': false },
      });
    });
  });
}

describe('cgkit get/set usage', () => {
  it('--layout without --backend sim is a usage error (2)', async () => {
    const r = await cgkit(['get', '--layout', 'hybrid', '/g']);
    assert.equal(r.status, 2);
    assert.match(r.err, /--layout: only with --backend sim/);
  });

  it('an unknown backend is a usage error', async () => {
    const r = await cgkit(['get', '--backend', 'cloud', '/g']);
    assert.equal(r.status, 2);
    assert.match(r.err, /cloud/);
  });
});
