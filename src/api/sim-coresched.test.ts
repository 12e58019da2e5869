/**
 * prctl(PR_SCHED_CORE) on the simulated kernel: the kernel's errno cases in
 * its order of checks, cookies by scope, inheritance on fork and clone, and
 * what core scheduling costs as cgroup and task figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimKernel } from './sim-kernel.js';
import { schedCore } from '../model/coresched.js';

const MS = 1_000_000;

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'no error';
}

test('a machine without SMT has no core scheduling: ENODEV before any other check', () => {
  const k = new SimKernel({ cpus: 2 });
  const p = k.spawn();
  assert.equal(code(() => k.coresched.create(1, p, 'thread-group')), 'ENODEV');
  assert.equal(code(() => schedCore(k.kernel, 1, { cmd: 9, pid: -1, scope: 7 })), 'ENODEV');
});

test('argument errors are EINVAL, an unknown pid ESRCH, a foreign task EPERM', () => {
  const k = new SimKernel({ cpus: 4, smt: 2 });
  const mine = k.spawn({ uid: 1000 });
  const theirs = k.spawn({ uid: 1001 });
  const kk = k.kernel;
  assert.equal(code(() => schedCore(kk, mine, { cmd: 1, pid: 0, scope: 3 })), 'EINVAL');
  assert.equal(code(() => schedCore(kk, mine, { cmd: 4, pid: 0, scope: 0 })), 'EINVAL');
  assert.equal(code(() => schedCore(kk, mine, { cmd: 1, pid: -2, scope: 0 })), 'EINVAL');
  assert.equal(code(() => schedCore(kk, mine, { cmd: 1, pid: 0, scope: 0, uaddr: 4096 })), 'EINVAL', 'only get takes an address');
  assert.equal(code(() => schedCore(kk, mine, { cmd: 0, pid: 0, scope: 1, uaddr: 4096 })), 'EINVAL', 'get reads one thread');
  assert.equal(code(() => schedCore(kk, mine, { cmd: 0, pid: 0, scope: 0, uaddr: 4100 })), 'EINVAL', 'misaligned');
  assert.equal(code(() => schedCore(kk, mine, { cmd: 0, pid: 0, scope: 0, uaddr: 0 })), 'EFAULT', 'NULL');
  assert.equal(code(() => schedCore(kk, mine, { cmd: 3, pid: theirs, scope: 1 })), 'EPERM', 'ptrace access comes before the scope check of share from');
  assert.equal(code(() => schedCore(kk, mine, { cmd: 3, pid: mine, scope: 1 })), 'EINVAL');
  assert.equal(code(() => k.coresched.create(mine, 4242, 'thread')), 'ESRCH');
  assert.equal(code(() => k.coresched.create(mine, theirs, 'thread')), 'EPERM');
  assert.equal(k.coresched.getCookie(theirs), 0n, 'nothing changed');
  assert.equal(code(() => k.coresched.create(1, theirs, 'thread')), 'no error', 'root may');
});

test('a group scope is checked whole before any cookie changes', async () => {
  const k = new SimKernel({ cpus: 2, smt: 2 });
  const leader = k.spawn({ uid: 1000 });
  k.setpgid(leader, 0);
  const sibling = k.spawn({ uid: 1000 });
  k.setpgid(sibling, leader);
  const foreign = k.spawn({ uid: 1001 });
  k.setpgid(foreign, leader);
  assert.equal(code(() => k.coresched.create(leader, leader, 'process-group')), 'EPERM');
  assert.deepEqual([leader, sibling, foreign].map((p) => k.coresched.getCookie(p)), [0n, 0n, 0n]);
  k.setpgid(foreign, 0);
  const th = k.spawnThread(leader);
  const childOfThread = k.fork(th);
  assert.equal((await k.fs.readFile(`/proc/${th}/stat`)).split(' ')[4], String(leader), 'a thread shows its process\'s group');
  k.coresched.create(leader, leader, 'process-group');
  assert.equal(k.coresched.getCookie(childOfThread), k.coresched.getCookie(leader), 'a child forked by a thread is in the process group');
  const id = k.coresched.getCookie(leader);
  assert.notEqual(id, 0n);
  assert.equal(k.coresched.getCookie(sibling), id, 'one cookie for the whole group');
  assert.equal(k.coresched.getCookie(foreign), 0n);
});

test('cookies follow fork and clone; a thread-group create covers every thread', () => {
  const k = new SimKernel({ cpus: 2, smt: 2 });
  const p = k.spawn();
  const th = k.spawnThread(p);
  k.coresched.create(1, p, 'thread-group');
  const id = k.coresched.getCookie(p);
  assert.equal(k.coresched.getCookie(th), id);
  const child = k.fork(p);
  const childThread = k.spawnThread(child);
  assert.equal(k.coresched.getCookie(child), id, 'fork copies the cookie');
  assert.equal(k.coresched.getCookie(childThread), id, 'clone copies it too');
  k.coresched.create(1, th, 'thread');
  assert.notEqual(k.coresched.getCookie(th), id, 'a thread scope changes one thread');
  assert.equal(k.coresched.getCookie(p), id);
});

test('share to pushes the caller\'s cookie (none included); share from pulls one into the caller', () => {
  const k = new SimKernel({ cpus: 2, smt: 2 });
  const a = k.spawn();
  const b = k.spawn();
  const c = k.spawn();
  k.coresched.create(1, a, 'thread-group');
  k.coresched.shareTo(a, b, 'thread-group');
  assert.equal(k.coresched.getCookie(b), k.coresched.getCookie(a));
  k.coresched.shareFrom(c, a);
  assert.equal(k.coresched.getCookie(c), k.coresched.getCookie(a));
  k.coresched.shareTo(1, b, 'thread-group');
  assert.equal(k.coresched.getCookie(b), 0n, 'an untagged caller clears the cookie');
});

test('two tagged hogs on one core: each runs half the time and cpu.stat shows the forced idle', async () => {
  const k = new SimKernel({ cpus: 2, smt: 2 });
  for (const g of ['a', 'b']) await k.fs.mkdir(`/sys/fs/cgroup/${g}`);
  const a = k.spawn({ cgroup: '/sys/fs/cgroup/a', program: 'hog' });
  const b = k.spawn({ cgroup: '/sys/fs/cgroup/b', program: 'hog' });
  k.coresched.create(1, a, 'thread-group');
  k.coresched.create(1, b, 'thread-group');
  k.runSync(1000 * MS);
  const stat = async (g: string) => Object.fromEntries((await k.fs.readFile(`/sys/fs/cgroup${g}/cpu.stat`)).trim().split('\n').map((l) => l.split(' ')).map(([key, v]) => [key, Number(v)]));
  const sa = await stat('/a');
  const sb = await stat('/b');
  assert.ok(Math.abs(sa.usage_usec! - 500_000) < 20_000, `a used ${sa.usage_usec} µs`);
  assert.equal(sa['core_sched.force_idle_usec'], sa.usage_usec, 'a kept its sibling idle whenever it ran');
  assert.equal(sa.usage_usec! + sb.usage_usec!, 1_000_000);
  const root = await stat('');
  assert.equal(root['core_sched.force_idle_usec'], 1_000_000);
  const ts = k.taskStats().find((t) => t.tid === a)!;
  assert.equal(Math.floor(ts.forcedIdleNs / 1000), sa['core_sched.force_idle_usec']);
  const sched = await k.fs.readFile(`/proc/${a}/sched`);
  const field = (key: string) => sched.split('\n').find((l) => l.startsWith(`${key} `))?.split(':')[1]?.trim();
  assert.equal(field('core_forceidle_sum'), `${Math.floor(ts.forcedIdleNs / 1e6)}.${String(ts.forcedIdleNs % 1e6).padStart(6, '0')}`, 'milliseconds with ns decimals');
  assert.equal(field('se.sum_exec_runtime'), `${Math.floor(ts.runtimeNs / 1e6)}.${String(ts.runtimeNs % 1e6).padStart(6, '0')}`);
});

test('without SMT cpu.stat and /proc/<pid>/sched have no core scheduling lines', async () => {
  const k = new SimKernel({ cpus: 2 });
  assert.doesNotMatch(await k.fs.readFile('/sys/fs/cgroup/cpu.stat'), /core_sched/);
  const p = k.spawn({ program: 'hog' });
  assert.doesNotMatch(await k.fs.readFile(`/proc/${p}/sched`), /forceidle/);
});
