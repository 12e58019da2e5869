import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimKernel } from '../../api/sim-kernel.js';
import { runScript } from './harness.test.util.js';

/** The shell over the simulated kernel: each command against the real model. */

const V2 = ['cpuset', 'cpu', 'io', 'memory', 'perf_event', 'hugetlb', 'pids', 'rdma', 'misc'];
const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

describe('cgkit shell over SimKernel', () => {
  it('creates groups, enables controllers top-down and prints kernel errors', async () => {
    const r = await runScript(new SimKernel(), [
      'mkdir -p a/b', 'echo +pids > cgroup.subtree_control', 'cat a/cgroup.controllers',
      'echo +pids > a/b/cgroup.subtree_control', 'echo +memory > a/cgroup.subtree_control', 'cat a/cgroup.subtree_control',
      'echo 5 > a/pids.max', 'cat a/pids.max', 'echo -1 > a/pids.max', 'echo 2 > a/cgroup.max.depth', 'mkdir a/b/c', 'mkdir a/b/c/d',
      'cat a/cgroup.stat',
    ].join('\n'));
    assert.equal(r.out, [
      'pids', '5', // an empty cgroup.subtree_control reads as nothing at all, not an empty line
      // Every controller bound to v2 is listed, 0 where the group has no css of it (cgroup_stat_show).
      'nr_descendants 2', ...V2.map((c) => `nr_subsys_${c} ${c === 'perf_event' ? 3 : c === 'pids' ? 1 : 0}`),
      'nr_dying_descendants 0', ...V2.map((c) => `nr_dying_subsys_${c} 0`),
    ].join('\n') + '\n');
    assert.deepEqual(lines(r.err), [
      'cgkit: echo: write error: No such file or directory', // +pids below a, which does not enable it
      'cgkit: echo: write error: No such file or directory', // +memory, not enabled at the root
      'cgkit: echo: write error: Invalid argument',
      "mkdir: cannot create directory 'a/b/c/d': Resource temporarily unavailable",
    ]);
    assert.equal(r.status, 1);
  });

  it('spawn, fork, thread, ps, kill, exit-task and wait', async () => {
    const k = new SimKernel();
    const r = await runScript(k, [
      'mkdir a', 'spawn --name web --cgroup a >/dev/null; P=$!', 'fork $P >/dev/null; C=$!', 'thread $P >/dev/null; T=$!',
      'echo $P $C $T', 'cat a/cgroup.procs', 'kill -STOP $P', 'exit-task $T', 'kill $C', 'ps', 'wait $C', 'echo $?', 'kill $C', 'rmdir a',
    ].join('\n'));
    const out = lines(r.out);
    const [p, c, t] = (out[0] ?? '').split(' ');
    assert.deepEqual(out.slice(1, 3).sort(), [p, c].sort(), 'cgroup.procs lists both processes');
    const ps = out.slice(3, -1);
    assert.match(ps[0] ?? '', /^\s*PID +TID +PPID +UID +STATE +NAME +CGROUP$/);
    assert.ok(ps.some((l) => new RegExp(`^\\s*${p} +${p} +1 +0 stopped +web +/a$`).test(l)), ps.join('\n'));
    assert.ok(ps.some((l) => new RegExp(`^\\s*${c} +${c} +${p} +0 zombie +web +/a$`).test(l)), ps.join('\n'));
    assert.ok(!ps.some((l) => new RegExp(`^\\s*\\d+ +${t} `).test(l)), 'the thread has exited');
    assert.equal(out[out.length - 1], '143', 'wait gives the status as sh reports a death by SIGTERM');
    assert.deepEqual(lines(r.err), [`kill: (${c}) - No such process`, "rmdir: failed to remove 'a': Device or resource busy"]);
  });

  it('tree shows groups and processes; --json ps and tree', async () => {
    const k = new SimKernel();
    const r = await runScript(k, 'mkdir -p a/b c\nspawn --cgroup a/b --name w >/dev/null\ntree\n');
    const pid = k.ps().find((t) => t.name === 'w')?.tid;
    assert.ok(r.out.startsWith('.\n'));
    assert.ok(r.out.includes(`├── a/\n│   └── b/\n│       └── ${pid} w\n└── c/\n`), r.out);
    const j = await runScript(k, 'tree a\nps\ncat a/b/cgroup.events\n', { json: true });
    const [tree, ps, events] = lines(j.out).map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(tree, { name: 'a', path: '/sys/fs/cgroup/a', procs: [], threads: [], children: [{ name: 'b', path: '/sys/fs/cgroup/a/b', procs: [{ pid, name: 'w' }], threads: [], children: [] }] });
    assert.ok(Array.isArray(ps) && ps.some((t: { pid: number; cgroups: { path: string }[] }) => t.pid === pid && t.cgroups[0]?.path === '/a/b'));
    assert.deepEqual(events, { populated: 1, frozen: 0 });
  });

  it('delegation: as PID acts with the task\'s credentials; the common-ancestor rule refuses a move out', async () => {
    const k = new SimKernel();
    const r = await runScript(k, [
      'mkdir d', 'spawn --uid 1000 --gid 1000 --cgroup d --name user >/dev/null; U=$!',
      'chown 1000:1000 d d/cgroup.procs d/cgroup.threads d/cgroup.subtree_control',
      'as $U mkdir d/x', 'as $U echo $U > d/x/cgroup.procs', 'cat d/x/cgroup.procs',
      'mkdir e', 'chown 1000 e/cgroup.procs', 'as $U echo $U > e/cgroup.procs',
      'as $U mkdir f', 'as $U echo 1 > d/x/cgroup.procs', 'as $U chown 1000 d',
      'ls -l d',
    ].join('\n'));
    const u = k.ps().find((t) => t.name === 'user')?.tid;
    assert.equal(lines(r.out)[0], String(u));
    assert.deepEqual(lines(r.err), [
      'cgkit: echo: write error: Permission denied',
      "mkdir: cannot create directory 'f': Permission denied",
      'cgkit: echo: write error: Permission denied',
      "chown: changing ownership of 'd': Operation not permitted",
    ]);
    assert.ok(lines(r.out).includes('-rw-r--r-- 1 1000 1000 0 cgroup.procs'), r.out);
    assert.ok(lines(r.out).includes('drwxr-xr-x 2 1000 1000 0 x'), r.out);
  });

  it('hybrid: starts in the v2 tree, v1 groups rename, ps names hierarchies', async () => {
    const k = new SimKernel({ layout: 'hybrid' });
    const r = await runScript(k, [
      'pwd', 'cd /sys/fs/cgroup/cpu', 'mkdir g', 'mv g h', 'spawn --cgroup /sys/fs/cgroup/cpu/h --name v1 >/dev/null',
      'echo 512 > h/cpu.shares', 'cat h/cpu.shares', 'ls', 'ps',
    ].join('\n'));
    const out = lines(r.out);
    assert.equal(out[0], '/sys/fs/cgroup/unified');
    assert.equal(out[1], '512');
    assert.ok(out.includes('h') && !out.includes('g'), r.out);
    assert.ok(out.some((l) => / v1 +cpu:\/h$/.test(l)), r.out);
  });

  it('legacy: starts at /sys/fs/cgroup and lists the hierarchies', async () => {
    const r = await runScript(new SimKernel({ layout: 'legacy' }), 'pwd\nls\ncat /proc/1/cgroup\n');
    const out = lines(r.out);
    assert.equal(out[0], '/sys/fs/cgroup');
    for (const h of ['cpu', 'cpuacct', 'memory', 'pids', 'freezer']) assert.ok(out.includes(h), h);
    assert.ok(out.some((l) => /^\d+:cpu:\/$/.test(l)), r.out);
  });
});
