import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimKernel } from './sim-kernel.js';
import { CgroupError } from '../core/errors.js';

const R = '/sys/fs/cgroup';

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    assert.ok(e instanceof CgroupError, `expected a CgroupError, got ${String(e)}`);
    return e.code;
  }
  return 'ok';
}

test('unified layout: the root lists the core files and v2 controllers', async () => {
  const k = new SimKernel({ layout: 'unified' });
  const names = await k.fs.readdir(R);
  for (const f of ['cgroup.controllers', 'cgroup.procs', 'cgroup.subtree_control', 'cgroup.stat', 'cpu.stat']) assert.ok(names.includes(f), f);
  assert.ok(!names.includes('cgroup.type'), 'no cgroup.type on the root');
  assert.equal(await k.fs.readFile(`${R}/cgroup.controllers`), 'cpuset cpu io memory hugetlb pids rdma misc\n');
  assert.equal(await k.fs.readFile(`${R}/cgroup.procs`), '1\n');
});

test('mkdir, populated tracking through a nested tree, and rmdir rules', async () => {
  const k = new SimKernel();
  await k.fs.mkdir(`${R}/a`);
  await k.fs.mkdir(`${R}/a/b`);
  await k.fs.mkdir(`${R}/a/b/c`);
  const pid = k.spawn({ cgroup: `${R}/a/b/c` });
  assert.equal(await k.fs.readFile(`${R}/a/cgroup.events`), 'populated 1\nfrozen 0\n');
  assert.equal(await code(k.fs.rmdir(`${R}/a/b/c`)), 'EBUSY');
  assert.equal(await code(k.fs.rmdir(`${R}/a/b`)), 'EBUSY');
  k.exit(pid);
  assert.equal(await k.fs.readFile(`${R}/a/b/cgroup.events`), 'populated 0\nfrozen 0\n');
  await k.fs.rmdir(`${R}/a/b/c`);
  assert.equal(await code(k.fs.mkdir(`${R}/a/b`)), 'EEXIST');
  assert.equal(await code(k.fs.rmdir(`${R}/nope`)), 'ENOENT');
});

test('a zombie is not listed in cgroup.procs and does not block rmdir', async () => {
  const k = new SimKernel();
  await k.fs.mkdir(`${R}/z`);
  const parent = k.spawn({ cgroup: `${R}/z` });
  const child = k.fork(parent);
  await k.fs.writeFile(`${R}/cgroup.procs`, `${parent}`);
  k.exit(child, 3);
  assert.equal(k.task(child)?.state, 'zombie');
  assert.equal(await k.fs.readFile(`${R}/z/cgroup.procs`), '');
  await k.fs.rmdir(`${R}/z`);
  assert.equal(await k.fs.readFile(`/proc/${child}/cgroup`), '0::/z (deleted)\n');
  assert.equal(k.wait(child), 3);
  assert.equal(k.task(child), undefined);
});

test('subtree_control: top-down enabling and the no-internal-process rule', async () => {
  const k = new SimKernel();
  await k.fs.mkdir(`${R}/a`);
  await k.fs.mkdir(`${R}/a/b`);
  assert.equal(await code(k.fs.writeFile(`${R}/a/cgroup.subtree_control`, '+memory')), 'ENOENT');
  assert.equal(await code(k.fs.writeFile(`${R}/cgroup.subtree_control`, 'memory')), 'EINVAL');
  assert.equal(await code(k.fs.writeFile(`${R}/cgroup.subtree_control`, '+bogus')), 'EINVAL');
  await k.fs.writeFile(`${R}/cgroup.subtree_control`, '+memory +pids');
  assert.equal(await k.fs.readFile(`${R}/a/cgroup.controllers`), 'memory pids\n');
  const pid = k.spawn({ cgroup: `${R}/a` });
  assert.equal(await code(k.fs.writeFile(`${R}/a/cgroup.subtree_control`, '+memory')), 'EBUSY');
  await k.fs.writeFile(`${R}/a/b/cgroup.procs`, `${pid}`);
  await k.fs.writeFile(`${R}/a/cgroup.subtree_control`, '+memory');
  assert.equal(await code(k.fs.writeFile(`${R}/a/cgroup.procs`, `${pid}`)), 'EBUSY');
  assert.equal(await code(k.fs.writeFile(`${R}/cgroup.subtree_control`, '-memory')), 'EBUSY');
  assert.ok((await k.fs.readdir(`${R}/a/b`)).includes('memory.max'));
});

test('threaded mode: domain invalid, thread moves within a domain, procs unreadable', async () => {
  const k = new SimKernel();
  await k.fs.writeFile(`${R}/cgroup.subtree_control`, '+cpu +pids');
  await k.fs.mkdir(`${R}/d`);
  await k.fs.mkdir(`${R}/d/t1`);
  await k.fs.mkdir(`${R}/d/t2`);
  await k.fs.writeFile(`${R}/d/t1/cgroup.type`, 'threaded');
  assert.equal(await k.fs.readFile(`${R}/d/cgroup.type`), 'domain threaded\n');
  assert.equal(await k.fs.readFile(`${R}/d/t2/cgroup.type`), 'domain invalid\n');
  assert.equal(await code(k.fs.writeFile(`${R}/d/t1/cgroup.type`, 'domain')), 'EINVAL');
  const pid = k.spawn({ cgroup: `${R}/d` });
  const tid = k.spawnThread(pid);
  assert.equal(await code(k.fs.writeFile(`${R}/d/t2/cgroup.procs`, `${pid}`)), 'ENOTSUP');
  await k.fs.writeFile(`${R}/d/t1/cgroup.threads`, `${tid}`);
  assert.equal(await k.fs.readFile(`${R}/d/t1/cgroup.threads`), `${tid}\n`);
  assert.equal(await code(k.fs.readFile(`${R}/d/t1/cgroup.procs`)), 'ENOTSUP');
  assert.equal(await k.fs.readFile(`${R}/d/cgroup.procs`), `${pid}\n`);
  assert.equal(await code(k.fs.writeFile(`${R}/cgroup.threads`, `${tid}`)), 'ENOTSUP');
});

test('depth and descendant limits give EAGAIN; max reads back as max', async () => {
  const k = new SimKernel();
  await k.fs.mkdir(`${R}/l`);
  await k.fs.writeFile(`${R}/l/cgroup.max.depth`, '1');
  await k.fs.mkdir(`${R}/l/a`);
  assert.equal(await code(k.fs.mkdir(`${R}/l/a/b`)), 'EAGAIN');
  await k.fs.writeFile(`${R}/l/cgroup.max.descendants`, '1');
  assert.equal(await code(k.fs.mkdir(`${R}/l/c`)), 'EAGAIN');
  assert.equal(await code(k.fs.writeFile(`${R}/l/cgroup.max.depth`, '-1')), 'ERANGE');
  assert.equal(await code(k.fs.writeFile(`${R}/l/cgroup.max.depth`, 'x')), 'EINVAL');
  await k.fs.writeFile(`${R}/l/cgroup.max.depth`, '2147483647');
  assert.equal(await k.fs.readFile(`${R}/l/cgroup.max.depth`), 'max\n');
});

test('delegation: a user may move processes only below a common ancestor it may write', async () => {
  const k = new SimKernel();
  await k.fs.mkdir(`${R}/deleg`);
  await k.fs.mkdir(`${R}/deleg/a`);
  await k.fs.mkdir(`${R}/other`);
  for (const f of ['', '/cgroup.procs', '/cgroup.threads', '/cgroup.subtree_control']) await k.fs.chown(`${R}/deleg${f}`, 1000, 1000);
  const user = k.spawn({ cgroup: `${R}/deleg`, uid: 1000 });
  const fs = k.as(user).fs;
  await fs.mkdir(`${R}/deleg/b`);
  assert.equal((await fs.stat(`${R}/deleg/b/cgroup.procs`)).uid, 1000);
  await fs.writeFile(`${R}/deleg/b/cgroup.procs`, '0');
  await fs.writeFile(`${R}/deleg/cgroup.procs`, `${user}`);
  assert.equal(await code(fs.writeFile(`${R}/deleg/a/cgroup.procs`, `${user}`)), 'EACCES');
  assert.equal(await code(fs.writeFile(`${R}/other/cgroup.procs`, `${user}`)), 'EACCES');
  assert.equal(await code(fs.writeFile(`${R}/deleg/cgroup.max.depth`, '3')), 'EACCES');
  assert.equal(await code(fs.chown(`${R}/deleg/a`, 0, 0)), 'EPERM');
});

test('freeze is hierarchical and SIGKILL still ends frozen tasks; cgroup.kill empties a subtree', async () => {
  const k = new SimKernel();
  await k.fs.mkdir(`${R}/f`);
  await k.fs.mkdir(`${R}/f/g`);
  const a = k.spawn({ cgroup: `${R}/f/g` });
  const b = k.fork(a);
  const c = k.spawn({ cgroup: `${R}/f/g` });
  await k.fs.writeFile(`${R}/f/cgroup.freeze`, '1');
  assert.equal(await k.fs.readFile(`${R}/f/g/cgroup.events`), 'populated 1\nfrozen 1\n');
  assert.equal(k.task(a)?.state, 'frozen');
  k.kill(c, 'TERM');
  assert.equal(k.task(c), undefined, 'a fatal signal ends a v2-frozen task at once');
  assert.equal(k.task(b)?.state, 'frozen');
  assert.equal(await code(k.fs.writeFile(`${R}/f/cgroup.freeze`, '2')), 'ERANGE');
  await k.fs.writeFile(`${R}/f/cgroup.kill`, '1');
  assert.equal(await k.fs.readFile(`${R}/f/cgroup.events`), 'populated 0\nfrozen 1\n');
  assert.equal(await code(k.fs.writeFile(`${R}/f/cgroup.kill`, '0')), 'ERANGE');
});

test('pids.max: a fork past the limit fails with EAGAIN and counts an event', async () => {
  const k = new SimKernel();
  await k.fs.writeFile(`${R}/cgroup.subtree_control`, '+pids');
  await k.fs.mkdir(`${R}/p`);
  await k.fs.writeFile(`${R}/p/pids.max`, '2');
  const a = k.spawn({ cgroup: `${R}/p` });
  k.fork(a);
  assert.throws(() => k.fork(a), (e: unknown) => e instanceof CgroupError && e.code === 'EAGAIN');
  assert.equal(await k.fs.readFile(`${R}/p/pids.current`), '2\n');
  assert.equal(await k.fs.readFile(`${R}/p/pids.events`), 'max 1\n');
});

test('hybrid layout: v1 hierarchies, tasks sorted, /proc/<pid>/cgroup lines', async () => {
  const k = new SimKernel({ layout: 'hybrid' });
  assert.deepEqual(await k.fs.readdir(R), ['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'pids', 'systemd', 'unified']);
  await k.fs.mkdir(`${R}/cpu/g`);
  assert.equal(await k.fs.readFile(`${R}/cpu/g/cpu.shares`), '1024\n');
  const pid = k.spawn({ cgroup: `${R}/cpu/g` });
  const tid = k.spawnThread(pid);
  await k.fs.writeFile(`${R}/cpu/tasks`, `${tid}`);
  assert.equal(await k.fs.readFile(`${R}/cpu/g/tasks`), `${pid}\n`);
  const lines = (await k.fs.readFile(`/proc/${pid}/cgroup`)).trim().split('\n');
  assert.ok(lines.includes('2:cpu:/g'), lines.join('|'));
  assert.equal(lines.at(-1), '0::/');
  assert.equal(await code(k.fs.rename(`${R}/cpu/g`, `${R}/cpu/h`)), 'ok');
  assert.equal(await code(k.fs.rename(`${R}/unified`, `${R}/x`)), 'EBUSY');
});

test('v1 freezer: a FROZEN task holds even SIGKILL until THAWED', async () => {
  const k = new SimKernel({ layout: 'hybrid' });
  await k.fs.mkdir(`${R}/freezer/ice`);
  const pid = k.spawn({ cgroup: `${R}/freezer/ice` });
  await k.fs.writeFile(`${R}/freezer/ice/freezer.state`, 'FROZEN');
  assert.equal(await k.fs.readFile(`${R}/freezer/ice/freezer.state`), 'FROZEN\n');
  k.kill(pid, 'KILL');
  assert.equal((await k.fs.readFile(`/proc/${pid}/stat`)).split(' ')[2], 'D');
  await k.fs.writeFile(`${R}/freezer/ice/freezer.state`, 'THAWED');
  assert.equal(k.task(pid), undefined);
  assert.equal(await k.fs.readFile(`${R}/freezer/ice/tasks`), '');
});

test('pids wrap at pid_max to 300 and skip pids in use; kill of a zombie is accepted', () => {
  const k = new SimKernel({ pidMax: 302 });
  const pids: number[] = [];
  for (let i = 0; i < 300; i++) pids.push(k.spawn());
  assert.deepEqual([pids[0], pids.at(-1)], [2, 301]);
  assert.throws(() => k.spawn(), (e: unknown) => e instanceof CgroupError && e.code === 'EAGAIN');
  k.exit(pids[5]!);
  k.exit(pids.at(-1)!);
  assert.equal(k.spawn(), 301, 'after a wrap, pids below 300 are not handed out again');
  k.exit(301);
  const child = k.fork(pids[0]!);
  assert.equal(child, 301);
  k.exit(child);
  assert.equal(k.task(child)?.state, 'zombie');
  k.kill(child, 'TERM');
  assert.equal(k.wait(child), 0);
  assert.throws(() => k.wait(child), (e: unknown) => e instanceof CgroupError && e.code === 'ECHILD');
});

test('v1 notify_on_release: the release event names the emptied cgroup', async () => {
  const k = new SimKernel({ layout: 'legacy' });
  await k.fs.writeFile(`${R}/pids/release_agent`, '/sbin/agent');
  await k.fs.writeFile(`${R}/pids/notify_on_release`, '1');
  await k.fs.mkdir(`${R}/pids/job`);
  assert.equal(await k.fs.readFile(`${R}/pids/job/notify_on_release`), '1\n');
  const pid = k.spawn({ cgroup: `${R}/pids/job` });
  k.exit(pid);
  assert.deepEqual(k.releases.map((r) => [r.path, r.agent]), [['/job', '/sbin/agent']]);
});

test('v1 binding rules: one hierarchy per controller, rebinding only while a hierarchy is just its root', async () => {
  const k = new SimKernel({ layout: 'unified' });
  k.mount('cgroup', '/mnt/cpu', 'cpu,cpuacct');
  assert.equal(await k.fs.readFile(`${R}/cgroup.controllers`), 'cpuset io memory hugetlb pids rdma misc\n');
  assert.ok((await k.fs.readFile('/proc/1/cgroup')).includes(':cpu,cpuacct:/'));
  assert.throws(() => k.mount('cgroup', '/mnt/cpu2', 'cpu'), (e: unknown) => e instanceof CgroupError && e.code === 'EBUSY');
  k.mount('cgroup', '/mnt/cpu-again', 'cpu,cpuacct');
  assert.throws(() => k.mount('cgroup', '/mnt/x', 'bogus'), (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL');
  await k.fs.mkdir('/mnt/cpu/g');
  assert.throws(() => k.remount('/mnt/cpu', 'cpu'), (e: unknown) => e instanceof CgroupError && e.code === 'EBUSY');
  await k.fs.rmdir('/mnt/cpu/g');
  k.remount('/mnt/cpu', 'cpu');
  assert.equal(await k.fs.readFile(`${R}/cgroup.controllers`), 'cpuset io memory hugetlb pids rdma misc\n');
  await k.fs.writeFile(`${R}/cgroup.subtree_control`, '+pids');
  await k.fs.mkdir(`${R}/busy`);
  assert.throws(() => k.mount('cgroup', '/mnt/pids', 'pids'), (e: unknown) => e instanceof CgroupError && e.code === 'EBUSY');
  k.umount('/mnt/cpu');
  k.umount('/mnt/cpu-again');
  assert.equal(await k.fs.readFile(`${R}/cgroup.controllers`), 'cpuset cpu io memory hugetlb pids rdma misc\n');
});

test('memory.max: exceeding it OOM-kills the largest task of the group and counts the events', async () => {
  const k = new SimKernel();
  await k.fs.writeFile(`${R}/cgroup.subtree_control`, '+memory');
  await k.fs.mkdir(`${R}/m`);
  await k.fs.writeFile(`${R}/m/memory.max`, '10M');
  const big = k.spawn({ cgroup: `${R}/m` });
  const small = k.spawn({ cgroup: `${R}/m` });
  k.charge(big, 8n << 20n);
  k.charge(small, 1n << 20n);
  assert.equal(await k.fs.readFile(`${R}/m/memory.current`), `${9 << 20}\n`);
  k.charge(small, 2n << 20n);
  assert.equal(k.task(big)?.state, undefined, 'the largest task was killed and reaped by init');
  assert.equal(await k.fs.readFile(`${R}/m/memory.current`), `${3 << 20}\n`);
  const events = await k.fs.readFile(`${R}/m/memory.events`);
  assert.match(events, /^max 1$/m);
  assert.match(events, /^oom_kill 1$/m);
  assert.throws(() => k.charge(small, 20n << 20n), (e: unknown) => e instanceof CgroupError && e.code === 'ENOMEM');
});

test('/proc files read in the kernel formats', async () => {
  const k = new SimKernel({ layout: 'hybrid', cpus: 4 });
  const pid = k.spawn({ name: 'worker', uid: 1000, gid: 1000 });
  const tid = k.spawnThread(pid);
  const stat = (await k.fs.readFile(`/proc/${pid}/stat`)).trim().split(' ');
  assert.equal(stat.length, 52);
  assert.deepEqual(stat.slice(0, 4), [`${pid}`, '(worker)', 'S', '1']);
  assert.equal(stat[19], '2', 'num_threads');
  const status = await k.fs.readFile(`/proc/${pid}/status`);
  assert.match(status, /^Name:\tworker$/m);
  assert.match(status, /^Uid:\t1000\t1000\t1000\t1000$/m);
  assert.match(status, /^Cpus_allowed_list:\t0-3$/m);
  assert.equal(await k.fs.readFile(`/proc/${pid}/schedstat`), '0 0 0\n');
  assert.deepEqual(await k.fs.readdir(`/proc/${pid}/task`), [`${pid}`, `${tid}`]);
  k.kill(pid, 'STOP');
  assert.equal((await k.fs.readFile(`/proc/${tid}/stat`)).split(' ')[2], 'T');
  const cgroups = await k.fs.readFile('/proc/cgroups');
  assert.match(cgroups, /^#subsys_name\thierarchy\tnum_cgroups\tenabled\n/);
  assert.match(cgroups, /^blkio\t1\t1\t1$/m);
  assert.equal(await k.fs.readFile(`/proc/self/cgroup`), await k.fs.readFile('/proc/1/cgroup'));
});

test('a value refused by a controller table carries the file path', async () => {
  const k = new SimKernel();
  await k.fs.writeFile(`${R}/cgroup.subtree_control`, '+cpu');
  await k.fs.mkdir(`${R}/w`);
  await assert.rejects(k.fs.writeFile(`${R}/w/cpu.weight`, '0'), (e: unknown) =>
    e instanceof CgroupError && e.code === 'ERANGE' && e.errno === -34 && e.syscall === 'write' && e.path === `${R}/w/cpu.weight`);
  assert.equal(await k.fs.readFile(`${R}/w/cpu.weight`), '100\n', 'nothing was written');
});

test('spawn into a v2 cgroup checks the parent task\'s permission like clone3(CLONE_INTO_CGROUP)', async () => {
  const k = new SimKernel();
  await k.fs.mkdir(`${R}/mine`);
  await k.fs.mkdir(`${R}/theirs`);
  for (const f of ['', '/cgroup.procs']) await k.fs.chown(`${R}/mine${f}`, 1000, 1000);
  const user = k.spawn({ cgroup: `${R}/mine`, uid: 1000 });
  assert.ok(k.spawn({ ppid: user, cgroup: `${R}/mine` }) > 0);
  assert.throws(() => k.spawn({ ppid: user, cgroup: `${R}/theirs` }), (e: unknown) => e instanceof CgroupError && e.code === 'EACCES' && e.syscall === 'clone');
});
