import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asCgroupKernel, Cgroup } from '../../api/cgroup.js';
import { cgkit, ndjson, simKernel } from './group-cli.test-util.js';

const SIM = ['--backend', 'sim'];

for (const layout of ['unified', 'hybrid', 'legacy'] as const) {
  describe(`cgkit kill/freeze/thaw on --backend sim (${layout})`, () => {
    it('kill empties a group whose processes fork, groups below it too', async () => {
      const k = simKernel(layout);
      const g = await Cgroup.create(k, '/farm', { enableInParents: true });
      // Processes in leaves only: on v2 a group with controllers on for its children holds none itself.
      await (await Cgroup.create(k, '/farm/a', { enableInParents: true })).exec(['loop { fork { sleep 10s }; sleep 20ms }']);
      await (await Cgroup.create(k, '/farm/b', { enableInParents: true })).exec(['hog']);
      await asCgroupKernel(k).sleep(100);
      assert.ok((await g.procs({ recursive: true })).length >= 4);
      const r = await cgkit(['kill', ...SIM, '/farm'], k);
      assert.equal(r.status, 0, r.err);
      assert.match(r.out, /^\/farm: SIGKILL sent to \d+ processes\n$/);
      assert.deepEqual(await g.procs({ recursive: true }), []);
      assert.equal((await cgkit(['delete', ...SIM, '/farm'], k)).status, 0, 'empty: removable without --kill');
    });

    it('kill -s TERM signals without waiting; --json says how many', async () => {
      const k = simKernel(layout);
      const g = await Cgroup.create(k, '/t', { enableInParents: true });
      await g.exec(['hog']);
      await g.exec(['hog']);
      const r = await cgkit(['kill', ...SIM, '--json', '-s', 'TERM', '/t'], k);
      assert.equal(r.status, 0, r.err);
      assert.deepEqual(JSON.parse(r.out), { path: '/t', signal: 'SIGTERM', signalled: 2 });
      assert.deepEqual(await g.procs(), []);
      const bad = await cgkit(['kill', ...SIM, '-s', 'SIGNOPE', '/t'], k);
      assert.equal(bad.status, 1);
      assert.match(bad.err, /^cgkit: EINVAL: .*SIGNOPE/);
    });

    it('freeze stops the group using CPU; thaw lets it run again', async () => {
      const k = simKernel(layout);
      const g = await Cgroup.create(k, '/cold', { enableInParents: true });
      const h = await g.exec(['hog']);
      const ck = asCgroupKernel(k);
      await ck.sleep(50);
      assert.equal((await cgkit(['freeze', ...SIM, '/cold'], k)).status, 0);
      assert.equal(k.task(h.pid)!.state, 'frozen');
      const a = (await g.stats()).cpu!.usageUsec;
      await ck.sleep(200);
      assert.equal((await g.stats()).cpu!.usageUsec, a, 'no CPU while frozen');
      assert.equal((await cgkit(['thaw', ...SIM, '/cold'], k)).status, 0);
      await ck.sleep(100);
      assert.ok((await g.stats()).cpu!.usageUsec > a, 'runs once thawed');
      await g.delete({ kill: true });
    });

    it('the root group is refused for kill and freeze', async () => {
      const k = simKernel(layout);
      for (const cmd of ['kill', 'freeze']) {
        assert.deepEqual(await cgkit([cmd, ...SIM, '/'], k), { out: '', err: `cgkit: refusing to ${cmd} the root group\n`, status: 1 });
      }
    });
  });
}

describe('cgkit events on --backend sim', () => {
  it('--initial, then populated going false when the last task exits; simulated time is run', async () => {
    const k = simKernel();
    const g = await Cgroup.create(k, '/ev', { enableInParents: true });
    await g.exec(['run 300ms; exit']);
    const r = await cgkit(['events', ...SIM, '--initial', '/ev', '-n', '3'], k);
    assert.equal(r.status, 0, r.err);
    const lines = r.out.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 3, r.out);
    assert.match(lines[0]!, /^0\.000s \/ev: populated$/);
    assert.match(lines[1]!, /^0\.000s \/ev: thawed$/);
    const m = /^(\d+\.\d+)s \/ev: empty \(not populated\)$/.exec(lines[2]!);
    assert.ok(m, lines[2]);
    assert.ok(Number(m[1]) >= 0.29 && Number(m[1]) <= 0.4, m[1]);
    await g.delete();
  });

  it('--json: one object per event with exact counters; a pids.max hit is reported', async () => {
    const k = simKernel();
    const g = await Cgroup.create(k, '/forky', { enableInParents: true, settings: { 'pids.max': 2 } });
    await g.exec(['run 10ms; fork { sleep 1s }; fork { sleep 1s }; fork { sleep 1s }; sleep 1s']);
    const r = await cgkit(['events', ...SIM, '--json', '/forky', '-n', '1'], k);
    assert.equal(r.status, 0, r.err);
    const [e] = ndjson(r.out) as { path: string; type: string; count: number; delta: number }[];
    assert.equal(e!.path, '/forky');
    assert.equal(e!.type, 'pids.max');
    assert.ok(e!.count >= 1 && e!.delta >= 1);
    await g.delete({ kill: true });
  });

  it('stops at --timeout (simulated) when nothing happens', async () => {
    const k = simKernel();
    await Cgroup.create(k, '/quiet', { enableInParents: true });
    const before = k.now;
    const r = await cgkit(['events', ...SIM, '/quiet', '--timeout', '2'], k);
    assert.deepEqual(r, { out: '', err: '', status: 0 });
    assert.equal(k.now - before, 2e9);
  });
});
