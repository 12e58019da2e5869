import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { builtinLayout } from '../../core/layout.js';
import { HostFs } from '../hostfs.js';
import { startTicksOf } from '../proc-stat.js';
import { runName } from './subtree.js';
import { findLeftovers, sweepLeftovers } from './sweep.js';

// A fake hybrid tree in a temporary directory: plain directories stand for groups (no processes in them).
const root = mkdtempSync(join(tmpdir(), 'cgkit-sweep-'));
after(() => rmSync(root, { recursive: true, force: true }));
const fs = new HostFs({ root });
const layout = builtinLayout('hybrid');
const at = (p: string): string => join(root, p);
const DEAD = 4_194_304; // pids are below pid_max, which is at most 2^22: never a live process
const OWN = startTicksOf(process.pid)!;

function make(p: string): void {
  mkdirSync(at(p), { recursive: true });
}

describe('the leftover sweep', () => {
  it('removes the subtrees of dead runs, in every hierarchy, and nothing else', async () => {
    const dead = `cgkit-run-${DEAD}-0a1b2c3d`;
    const live = `cgkit-run-${process.pid}-${OWN}-99`;
    for (const h of ['cpu', 'cpuacct', 'cpuset', 'unified']) {
      make(`/sys/fs/cgroup/${h}/${dead}/run/guest/web`);
      make(`/sys/fs/cgroup/${h}/${dead}/stage`);
      make(`/sys/fs/cgroup/${h}/${live}/run`);
    }
    make(`/sys/fs/cgroup/cpu/cgkit-run-${DEAD}`); // not a run's name: no random part
    make(`/sys/fs/cgroup/cpu/cgkit-test-${DEAD}-ab`);
    make(`/sys/fs/cgroup/cpu/nested/cgkit-run-${DEAD}-ab`); // not at a hierarchy's root
    const isAlive = (pid: number): boolean => pid !== DEAD;

    assert.deepEqual((await findLeftovers(fs, layout, { isAlive })).sort(),
      ['cpu', 'cpuacct', 'cpuset', 'unified'].map((h) => `/sys/fs/cgroup/${h}/${dead}`).sort());
    const r = await sweepLeftovers(fs, layout, { isAlive });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.killed, []);
    assert.equal(r.removed.length, 4);
    for (const h of ['cpu', 'cpuacct', 'cpuset', 'unified']) {
      assert.equal(existsSync(at(`/sys/fs/cgroup/${h}/${dead}`)), false, h);
      assert.equal(existsSync(at(`/sys/fs/cgroup/${h}/${live}/run`)), true, h);
    }
    for (const kept of [`cgkit-run-${DEAD}`, `cgkit-test-${DEAD}-ab`, `nested/cgkit-run-${DEAD}-ab`]) {
      assert.equal(existsSync(at(`/sys/fs/cgroup/cpu/${kept}`)), true, kept);
    }
    assert.deepEqual(await sweepLeftovers(fs, layout, { isAlive }), { removed: [], killed: [], spared: [], errors: [] });
  });

  it('takes a run whose pid is gone for dead by default, and its own for alive', async () => {
    make(`/sys/fs/cgroup/pids/cgkit-run-${DEAD}-01`);
    make(`/sys/fs/cgroup/pids/cgkit-run-${process.pid}-02`);
    assert.deepEqual(await findLeftovers(fs, layout), [`/sys/fs/cgroup/pids/cgkit-run-${DEAD}-01`]);
  });

  it('names a run by its pid and start time; a pid now used by a later process is a dead run', async () => {
    const name = runName();
    assert.match(name, new RegExp(`^cgkit-run-${process.pid}-${OWN}-[0-9a-f]{8}$`));
    const reused = `cgkit-run-${process.pid}-${Number(OWN) + 1}-0c`; // our pid, another start time
    for (const n of [name, reused, `cgkit-run-${DEAD}-${OWN}-0d`]) make(`/sys/fs/cgroup/memory/${n}`);
    assert.deepEqual((await findLeftovers(fs, builtinLayout('hybrid'))).filter((p) => p.includes('/memory/')).sort(),
      [`/sys/fs/cgroup/memory/${reused}`, `/sys/fs/cgroup/memory/cgkit-run-${DEAD}-${OWN}-0d`].sort());
  });

  it('sweeps feature probe groups of dead processes, and any older than a minute', async () => {
    const v2 = '/sys/fs/cgroup/unified';
    const young = [`cgkit-probe-${process.pid}-${OWN}-0a0a0a0a0a0a`, 'cgkit-probe-0b0b0b0b0b0b'];
    const old = [`cgkit-probe-${process.pid}-${OWN}-0c0c0c0c0c0c`, 'cgkit-probe-0d0d0d0d0d0d'];
    const dead = `cgkit-probe-${DEAD}-5-0e0e0e0e0e0e`;
    for (const n of [...young, ...old, dead]) make(`${v2}/${n}`);
    const past = new Date(Date.now() - 120_000);
    for (const n of old) utimesSync(at(`${v2}/${n}`), past, past);
    const r = await sweepLeftovers(fs, layout);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.removed.filter((p) => p.includes('cgkit-probe-')).sort(), [...old, dead].map((n) => `${v2}/${n}`).sort());
    for (const n of young) assert.equal(existsSync(at(`${v2}/${n}`)), true, n);
  });
});
