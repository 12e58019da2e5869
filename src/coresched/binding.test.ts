import { strict as assert } from 'node:assert';
import { mock, test } from 'node:test';
import { checkCookies, snapshot } from './check.test-util.js';
import { FakeCoreSchedKernel } from './fake-kernel.test-util.js';
import { TrustGroups } from './trust-groups.js';

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;
const CG = '/sys/fs/cgroup';

async function setup(reportsMoves = true) {
  const k = new FakeCoreSchedKernel({ reportsMoves });
  const tg = new TrustGroups(k, { cgroups: k.sim });
  for (const d of ['jobs', 'jobs/a', 'jobs/a/build', 'jobs/b', 'other']) await k.sim.fs.mkdir(`${CG}/${d}`);
  return { k, tg };
}

test('binding: the present tasks of the cgroup and its descendants join the group', async () => {
  const { k, tg } = await setup();
  const [p, q, outside] = [k.spawn({ cgroup: `${CG}/jobs/a` }), k.spawn({ cgroup: `${CG}/jobs/a/build` }), k.spawn({ cgroup: `${CG}/other` })];
  const pt = k.thread(p);
  tg.create('job-a');
  await tg.bind('job-a', '/jobs/a');
  assert.deepEqual(tg.members('job-a'), [p, pt, q].sort((x, y) => x - y));
  assert.equal(tg.group('job-a').cgroup, '/jobs/a');
  assert.equal(tg.groupOf(outside), '/');
  checkCookies(tg, k);
  tg.unbind('job-a');
  assert.deepEqual([tg.members('job-a').length, tg.group('job-a').cgroup], [3, undefined], 'unbinding keeps the members');
  tg.close();
});

test('binding: forks follow even when the group says NEW_COOKIE_FOR_CHILD; tasks moved in join, moved out go to root', async () => {
  const { k, tg } = await setup();
  const p = k.spawn({ cgroup: `${CG}/jobs/a` });
  tg.create('job-a', { properties: 'NEW_COOKIE_FOR_CHILD' });
  await tg.bind('job-a', '/jobs/a');
  const child = k.fork(p);
  assert.equal(tg.groupOf(child), 'job-a', 'in the same cgroup, so in the same group');
  const newcomer = k.spawn({ cgroup: `${CG}/other` });
  await k.move(newcomer, `${CG}/jobs/a/build`);
  await tg.settled();
  assert.equal(tg.groupOf(newcomer), 'job-a');
  await k.move(child, `${CG}/other`);
  await tg.settled();
  assert.equal(tg.groupOf(child), '/');
  assert.equal(k.getCookie(child), 0n);
  checkCookies(tg, k);
  tg.close();
});

test('binding: a task written by hand stays when it is outside the cgroup; a bound task cannot be written elsewhere', async () => {
  const { k, tg } = await setup();
  const p = k.spawn({ cgroup: `${CG}/jobs/a` });
  const helper = k.spawn({ cgroup: `${CG}/other` });
  tg.create('job-a');
  tg.create('elsewhere');
  await tg.bind('job-a', '/jobs/a');
  tg.addThread('job-a', helper);
  await tg.rescan();
  assert.deepEqual(tg.members('job-a'), [p, helper]);
  assert.throws(() => tg.addThread('elsewhere', p), code('EBUSY'));
  tg.addThread('elsewhere', helper);
  checkCookies(tg, k);
  tg.close();
});

test('binding: without move events a rescan (or a poll) picks up moves', async () => {
  const { k, tg } = await setup(false);
  tg.create('job-b');
  await tg.bind('job-b', '/jobs/b');
  const t = k.spawn({ cgroup: `${CG}/other` });
  await tg.settled();
  await k.move(t, `${CG}/jobs/b`);
  await tg.settled();
  assert.equal(tg.groupOf(t), '/', 'not seen yet: the race window');
  await tg.rescan();
  assert.equal(tg.groupOf(t), 'job-b');

  mock.timers.enable({ apis: ['setInterval'] });
  try {
    tg.create('job-a');
    await tg.bind('job-a', '/jobs/a', { pollMs: 100 });
    const u = k.spawn({ cgroup: `${CG}/other` });
    await tg.settled();
    await k.move(u, `${CG}/jobs/a`);
    mock.timers.tick(100);
    await tg.settled();
    assert.equal(tg.groupOf(u), 'job-a');
    tg.close();
  } finally {
    mock.timers.reset();
  }
  checkCookies(tg, k);
});

test('binding: a task cloned straight into a bound cgroup joins on its fork event', async () => {
  const { k, tg } = await setup(false);
  tg.create('job-b');
  await tg.bind('job-b', '/jobs/b');
  const t = k.spawn({ cgroup: `${CG}/jobs/b` });
  await tg.settled();
  assert.equal(tg.groupOf(t), 'job-b');
  checkCookies(tg, k);
});

test('binding: a subtree bound to another group belongs to that group', async () => {
  const { k, tg } = await setup();
  const [p, q] = [k.spawn({ cgroup: `${CG}/jobs` }), k.spawn({ cgroup: `${CG}/jobs/a` })];
  tg.create('all-jobs');
  tg.create('job-a');
  await tg.bind('job-a', '/jobs/a');
  await tg.bind('all-jobs', '/jobs');
  await tg.rescan();
  assert.deepEqual([tg.members('all-jobs'), tg.members('job-a')], [[p], [q]]);
  checkCookies(tg, k);
  tg.close();
});

test('binding: a removed cgroup empties the group at the next rescan', async () => {
  const { k, tg } = await setup();
  const p = k.spawn({ cgroup: `${CG}/jobs/b` });
  tg.create('job-b');
  await tg.bind('job-b', '/jobs/b');
  await k.move(p, `${CG}/other`);
  await k.sim.fs.rmdir(`${CG}/jobs/b`);
  await tg.rescan();
  assert.deepEqual(tg.members('job-b'), []);
  assert.equal(k.getCookie(p), 0n);
  tg.close();
});

test('binding errors: root, twice, one cgroup for two groups, missing cgroup, no cgroup kernel, other users\' tasks; nothing changes', async () => {
  const { k, tg } = await setup();
  const theirs = k.spawn({ cgroup: `${CG}/jobs/b`, uid: 2000 });
  tg.create('x');
  tg.create('y');
  tg.chown('y', 1000, 1000);
  await tg.bind('x', '/jobs/a');
  const before = snapshot(tg, k);
  await assert.rejects(tg.bind('/', '/jobs/b'), code('EINVAL'));
  await assert.rejects(tg.bind('x', '/jobs/b'), code('EBUSY'));
  await assert.rejects(tg.bind('y', '/jobs/a'), code('EBUSY'));
  await assert.rejects(tg.bind('y', '/nope'), code('ENOENT'));
  await assert.rejects(tg.bind('y', 'jobs/b'), code('EINVAL'));
  await k.sim.fs.mkdir(`${CG}/jobs/c`);
  await assert.rejects(tg.bind('y', '/jobs/c', {}, { uid: 1000, gid: 1000 }), code('EACCES'), 'no write access to the cgroup: later tasks would join with the manager\'s rights');
  await k.sim.fs.chown(`${CG}/jobs/b/cgroup.procs`, 1000, 1000);
  await assert.rejects(tg.bind('y', '/jobs/b', {}, { uid: 1000, gid: 1000 }), code('EPERM'), 'a task of another user is in it');
  await assert.rejects(tg.bind('y', '/jobs/b', {}, { uid: 3000, gid: 3000 }), code('EACCES'));
  await assert.rejects(tg.bind('y', '/jobs/b', { pollMs: 0 }), code('EINVAL'));
  const bare = new TrustGroups(k);
  bare.create('y');
  await assert.rejects(bare.bind('y', '/jobs/b'), code('ENODEV'));
  bare.close();
  assert.deepEqual(snapshot(tg, k), before);
  assert.equal(tg.groupOf(theirs), '/');
  tg.close();
});

test('binding: a group removed while its bind runs is not bound, and close() stops every poll', async () => {
  const { k, tg } = await setup(false);
  tg.create('job');
  const pending = tg.bind('job', '/jobs/a', { pollMs: 50 });
  tg.remove('job');
  await assert.rejects(pending, code('ENOENT'));
  assert.deepEqual(tg.groups().map((g) => g.name), ['/']);
  for (const t of k.tasks()) assert.equal(k.getCookie(t), 0n);
  tg.close();
});
