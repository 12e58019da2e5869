import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cgroup } from '../../api/cgroup.js';
import type { SimKernel } from '../../api/sim-kernel.js';
import { cgkit, simKernel } from './group-cli.test-util.js';

const SIM = ['--backend', 'sim'];

/** Tasks still alive other than init and the simulated kernel's `cgkit` parent of commands. */
const running = (k: SimKernel) => k.ps().filter((t) => t.state !== 'zombie' && t.tid !== 1 && t.name !== 'cgkit');

describe('cgkit exec on --backend sim', () => {
  it('runs the program under the limits in simulated time and reports its CPU use', async () => {
    const r = await cgkit(['exec', ...SIM, '--cpu-max', '50000/100000', '--', 'loop 10 { run 100ms }']);
    assert.equal(r.status, 0, r.err);
    const m = /^\/cgkit-exec-\d+: pid \d+ exited with status 0 after (\d+\.\d+) s simulated\ncpu usage 1\.000s \(user 1\.000s, system 0\.000s\); throttled in (\d+) of (\d+) periods/.exec(r.out);
    assert.ok(m, r.out);
    // 1 s of CPU at half a CPU takes about 2 s; the quota throttled it in most periods.
    assert.ok(Number(m[1]) >= 1.8 && Number(m[1]) <= 2.1, m[1]);
    assert.ok(Number(m[2]) >= 15, m[2]);
  });

  it('--json: the summary with exact counters; the exit status is the program\'s', async () => {
    const r = await cgkit(['exec', ...SIM, '--json', '-g', '/job', '--', 'run 30ms; exit 3']);
    assert.equal(r.status, 3, r.err);
    const j = JSON.parse(r.out) as { path: string; status: unknown; exitStatus: number; stats: { cpu: { usageUsec: number } } };
    assert.equal(j.path, '/job');
    assert.deepEqual(j.status, { code: 3, signal: null });
    assert.equal(j.exitStatus, 3);
    assert.equal(j.stats.cpu.usageUsec, 30_000);
    assert.match(r.out, /"usageUsec": 30000,/);
  });

  it('a group it made is removed afterwards; --keep keeps it; an existing -g group is used and never removed', async () => {
    const k = simKernel();
    let r = await cgkit(['exec', ...SIM, '-g', '/made', '--', 'run 1ms'], k);
    assert.equal(r.status, 0, r.err);
    await assert.rejects(Cgroup.open(k, '/made'), { code: 'ENOENT' });
    r = await cgkit(['exec', ...SIM, '-g', '/kept', '--keep', '--', 'run 1ms'], k);
    assert.equal(r.status, 0);
    assert.match(r.err, /kept \/kept/);
    await Cgroup.open(k, '/kept');
    const mine = await Cgroup.create(k, '/mine', { enableInParents: true, settings: { 'pids.max': 20 } });
    r = await cgkit(['exec', ...SIM, '-g', '/mine', '--cpu-weight', '500', '--', 'run 5ms'], k);
    assert.equal(r.status, 0, r.err);
    assert.equal(await mine.get('cpu.weight'), 500, 'settings applied to the existing group');
    assert.equal(await mine.get('pids.max'), 20);
  });

  it('processes the command left behind are killed when the group is removed', async () => {
    const k = simKernel();
    const r = await cgkit(['exec', ...SIM, '-g', '/forks', '--', 'run 1ms; fork { hog }; fork { hog }; run 10ms'], k);
    assert.equal(r.status, 0, r.err);
    assert.deepEqual(running(k), [], 'no task left running');
    await assert.rejects(Cgroup.open(k, '/forks'), { code: 'ENOENT' });
  });

  it("the program's first instruction already runs in the group (a fork at once lands there)", async () => {
    const k = simKernel();
    const r = await cgkit(['exec', ...SIM, '-g', '/first', '--keep', '--', 'fork { hog }; run 10ms'], k);
    assert.equal(r.status, 0, r.err);
    const left = running(k);
    assert.equal(left.length, 1);
    assert.deepEqual(left[0]!.cgroups.map((c) => c.path), ['/first']);
    await (await Cgroup.open(k, '/first')).delete({ kill: true });
  });

  it('a program still running at --timeout is killed: 128+9', async () => {
    const r = await cgkit(['exec', ...SIM, '--timeout', '0.5', '--', 'hog']);
    assert.equal(r.status, 137);
    assert.match(r.err, /still running after 0\.5 s of simulated time: killed/);
    assert.match(r.out, /was killed by SIGKILL after 0\.500 s simulated/);
  });

  it('bad limits: 125, the errno, and no group made', async () => {
    const k = simKernel();
    for (const [opt, value, code] of [['--cpu-weight', '0', 'ERANGE'], ['--cpu-max', '50000/', 'EINVAL'], ['--memory-max', '1.5G', 'EINVAL'], ['--pids-max', '-1', 'EINVAL'], ['--cpus', '0-x', 'EINVAL'], ['--cpu-max', '100/100000', 'EINVAL']] as const) {
      const r = await cgkit(['exec', ...SIM, '-g', '/never', opt, value, '--', 'run 1ms'], k);
      assert.equal(r.status, 125, `${opt} ${value}: ${r.err}`);
      assert.match(r.err, new RegExp(`^cgkit: ${code}: `), `${opt} ${value}`);
      await assert.rejects(Cgroup.open(k, '/never'), { code: 'ENOENT' });
    }
  });

  it('a program that does not parse: 125 and the group is removed', async () => {
    const k = simKernel();
    const r = await cgkit(['exec', ...SIM, '-g', '/bad', '--', 'run forever please'], k);
    assert.equal(r.status, 125);
    assert.match(r.err, /^cgkit: /);
    await assert.rejects(Cgroup.open(k, '/bad'), { code: 'ENOENT' });
  });

  it('run in-process, it gives back the signal handlers it installed', async () => {
    const before = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((sig) => process.listenerCount(sig));
    assert.equal((await cgkit(['exec', ...SIM, '--', 'run 1ms'])).status, 0);
    assert.equal((await cgkit(['exec', ...SIM, '--', 'run forever please'])).status, 125);
    assert.deepEqual(['SIGINT', 'SIGTERM', 'SIGHUP'].map((sig) => process.listenerCount(sig)), before);
  });

  it('--timeout and --json are refused on the host before anything is done', async () => {
    const r = await cgkit(['exec', '--timeout', '1', '--', 'true']);
    assert.equal(r.status, 125);
  });

  it('the parents it made for the group are removed with it; parents that were there stay', async () => {
    const k = simKernel();
    let r = await cgkit(['exec', ...SIM, '-g', '/a/b/c', '--', 'run 1ms'], k);
    assert.equal(r.status, 0, r.err);
    await assert.rejects(Cgroup.open(k, '/a'), { code: 'ENOENT' });
    await Cgroup.create(k, '/p', { enableInParents: true });
    r = await cgkit(['exec', ...SIM, '-g', '/p/q/r', '--', 'run 1ms'], k);
    assert.equal(r.status, 0, r.err);
    await assert.rejects(Cgroup.open(k, '/p/q'), { code: 'ENOENT' });
    await Cgroup.open(k, '/p');
  });

  it('limits on the root group are refused before anything is written: 125', async () => {
    const k = simKernel();
    const before = await (await Cgroup.open(k, '/')).procs();
    for (const root of ['/', '//']) {
      const r = await cgkit(['exec', ...SIM, '-g', root, '--pids-max', '5', '--', 'run 1ms'], k);
      assert.deepEqual(r, { out: '', err: 'cgkit: refusing to set limits on the root group\n', status: 125 });
    }
    assert.deepEqual(await (await Cgroup.open(k, '/')).procs(), before, 'nothing was started');
  });
});
