/**
 * Scenarios on the real kernel (root only): a small scenario runs through
 * runScenario with HostScenarioBackend, and afterwards nothing of it is
 * left. The host is shared and loaded by others: only coarse facts are
 * checked (every task ran, the weighted group got more than the task beside
 * it), never tight shares or wall time.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CgroupError } from '../core/errors.js';
import { Hierarchies } from './hier.js';
import { loadScenario, runScenario, type RunResult, type Scenario } from './index.js';
import { startTicksOf } from '../host/proc-stat.js';
import { HostScenarioBackend, type HostBackendOptions } from './host-backend.js';
import { probeHostRun, type HostRunEnv } from '../host/run/probe.js';

const probed = await probeHostRun();
const skip = typeof probed === 'string' ? `host scenario tests: ${probed}` : false;
if (skip) console.log(`# skipped: ${skip}`);

const SCENARIO = `name: host-smoke
machine: { cpus: 1 }
layout: hybrid
duration: 2s
groups:
  /guest: { cpu.shares: 2048 }
  /side: {}
tasks:
  - { name: host, group: /, program: hog }
  - { name: guest, group: /guest, program: hog, count: 2 }
  - name: side
    group: /side
    program: |
      thread { name side-thread; loop { run 2ms; sleep 20ms } }
      loop { run 2ms; sleep 20ms }
timeline:
  - { at: 1500ms, kill: { task: guest-2 } }
`;

async function make(env: HostRunEnv, s: Scenario, over: Partial<HostBackendOptions> = {}): Promise<HostScenarioBackend> {
  const h = new Hierarchies(env.layout, '', s);
  return HostScenarioBackend.create({
    fs: env.fs, layout: env.layout, cpus: s.cpus, allowedCpus: env.allowedCpus, taskset: env.taskset,
    mountPoints: h.used.map((m) => m.mountPoint), v2Controllers: h.v2Controllers, lifetimeMs: 60_000, ...over,
  });
}

/** Not running (gone, or a zombie waiting for its reaper). */
const gone = (pid: number): boolean => startTicksOf(pid) === undefined;

describe('HostScenarioBackend', { skip }, () => {
  const env = probed as HostRunEnv;

  it('runs a scenario on the host and leaves nothing behind', async () => {
    const s = loadScenario(SCENARIO);
    const b = await make(env, s);
    let r: RunResult;
    let pids: number[];
    try {
      r = await runScenario(s, b, { base: b.base, backend: 'host', samples: 10 });
      pids = r.tasks.map((t) => t.pid);
    } finally {
      await b.dispose();
    }
    const task = (name: string) => r.tasks.find((t) => t.name === name);
    const group = (path: string) => r.groups.find((g) => g.path === path)!;
    for (const name of ['host', 'guest-1', 'guest-2', 'side', 'side-thread']) {
      assert.ok((task(name)?.runtimeNs ?? 0) > 0, `${name} ran: ${JSON.stringify(task(name))}`);
    }
    assert.equal(task('side-thread')!.group, '/side');
    assert.notEqual(task('side-thread')!.pid, task('side')!.pid);
    assert.equal(task('guest-2')!.exited, true);
    assert.equal(task('host')!.exited, false);
    for (const g of ['/', '/guest', '/side']) assert.ok(group(g).runtimeNs > 0, `${g} used CPU`);
    assert.ok(group('/guest').sharePct > task('host')!.sharePct, `/guest (2048 shares) ${group('/guest').sharePct}% vs host ${task('host')!.sharePct}%`);
    assert.equal(r.series?.groups.length, 3);

    // Nothing left: no group of the run in any hierarchy, no worker alive.
    for (const m of env.layout.mounts) assert.equal(existsSync(`${m.mountPoint}/${b.subtree.name}`), false, m.mountPoint);
    for (const pid of pids) assert.ok(gone(pid), `task ${pid} is gone`);
    await b.dispose(); // again: nothing to do
  });

  it('refuses what the host cannot do, with the errno', async () => {
    const s = loadScenario('name: x\nmachine: { cpus: 1 }\nlayout: hybrid\nduration: 1s\n');
    const b = await make(env, s);
    try {
      const code = (f: () => unknown): Promise<string> => Promise.resolve().then(f).then(() => 'ok', (e: unknown) => (e instanceof CgroupError ? e.code : String(e)));
      assert.equal(await code(() => b.setPolicy(`${b.subtree.cpuRun}`, 'rr')), 'ENOTSUP');
      assert.equal(await code(() => b.setPolicy(`${b.subtree.cpuRun}`, 'fair')), 'ok');
      assert.equal(await code(() => b.spawn({ program: 'hog', cpus: [1] })), 'EINVAL');
      assert.equal(await code(() => b.spawn({ program: 'hog', nice: 20 })), 'EINVAL');
      assert.equal(await code(() => b.spawn({ program: 'hog', cgroup: b.subtree.cpuTop })), 'EPERM');
      assert.equal(await code(() => b.kill(process.pid)), 'ESRCH');
      assert.deepEqual(await new Promise((resolve) => { resolve(b.onSlice(() => assert.fail('no slices on the host'))()); }), undefined);
    } finally {
      await b.dispose();
    }
    await assert.rejects(Promise.resolve().then(() => b.spawn({ program: 'hog' })), { code: 'ENODEV' });
    for (const m of env.layout.mounts) assert.equal(existsSync(`${m.mountPoint}/${b.subtree.name}`), false, m.mountPoint);
  });

  it('a taskset that hangs is killed after its timeout: the spawn fails with ETIMEDOUT, and the run still cleans up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgkit-taskset-'));
    const hang = join(dir, 'taskset');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 60\n');
    chmodSync(hang, 0o755);
    const s = loadScenario('name: x\nmachine: { cpus: 1 }\nlayout: hybrid\nduration: 1s\n');
    const b = await make(env, s, { taskset: hang, tasksetTimeoutMs: 300 });
    try {
      const err = await b.spawn({ program: 'hog', cpus: [0] }).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof CgroupError, String(err));
      assert.equal(err.code, 'ETIMEDOUT');
      assert.match(err.message, /taskset -a -p -c \d+ \d+ \(task\) did not finish in 0\.3 s/);
    } finally {
      await b.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
    for (const m of env.layout.mounts) assert.equal(existsSync(`${m.mountPoint}/${b.subtree.name}`), false, m.mountPoint);
  });
});
