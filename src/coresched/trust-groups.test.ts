import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { checkCookies, snapshot } from './check.test-util.js';
import { FakeCoreSchedKernel } from './fake-kernel.test-util.js';
import { TrustGroups } from './trust-groups.js';

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

function setup() {
  const k = new FakeCoreSchedKernel();
  const tg = new TrustGroups(k);
  return { k, tg };
}

test('a new manager has only the root group, with every task in it', () => {
  const { k, tg } = setup();
  const a = k.spawn();
  assert.deepEqual(tg.groups().map((g) => [g.name, g.cookieId, g.cookie, g.properties]), [['/', 0, 0n, 'SAME_COOKIE_FOR_CHILD']]);
  assert.deepEqual(tg.members('/'), [1, k.self, a]);
  assert.equal(tg.groupOf(a), '/');
  assert.throws(() => tg.groupOf(999), code('ESRCH'));
});

test('the first member gets a new cookie; later ones share it and the manager thread keeps cookie 0', () => {
  const { k, tg } = setup();
  const [a, b, c] = [k.spawn(), k.spawn(), k.spawn()];
  const g = tg.create('job');
  assert.equal(g.cookieId, 1);
  assert.equal(tg.group('job').cookie, 0n, 'empty: cookie 0');
  tg.addThread('job', a);
  k.log.length = 0;
  tg.addThread('job', b);
  const me = k.self;
  assert.deepEqual(k.log, [`share-from ${me} ${a}`, `share-to ${me} ${b} thread`, `share-from ${me} 1`], 'take the cookie, push it, get cookie 0 back from an untagged task (init)');
  const cookie = tg.group('job').cookie;
  assert.notEqual(cookie, 0n);
  assert.deepEqual([k.getCookie(a), k.getCookie(b), k.getCookie(c), k.getCookie(me)], [cookie, cookie, 0n, 0n]);
  assert.deepEqual(tg.members('job'), [a, b]);
  assert.deepEqual(tg.members('/'), [1, me, c]);
  checkCookies(tg, k);
});

test('adding a process adds all its threads; procs lists processes', () => {
  const { k, tg } = setup();
  const p = k.spawn();
  const t1 = k.thread(p);
  const t2 = k.thread(p);
  tg.create('vm');
  tg.addProcess('vm', t1); // any thread names its process
  assert.deepEqual(tg.members('vm'), [p, t1, t2]);
  assert.deepEqual(tg.procs('vm'), [p]);
  checkCookies(tg, k);
});

test('groups hold distinct cookies; moving to root clears it; an emptied group gets a new cookie when refilled', () => {
  const { k, tg } = setup();
  const [a, b] = [k.spawn(), k.spawn()];
  tg.create('x');
  tg.create('y');
  tg.addThread('x', a);
  tg.addThread('y', b);
  const first = tg.group('x').cookie;
  assert.notEqual(first, tg.group('y').cookie);
  tg.addThread('y', a); // from x to y
  assert.equal(k.getCookie(a), tg.group('y').cookie);
  assert.equal(tg.group('x').cookie, 0n);
  tg.addThread('/', a);
  assert.equal(k.getCookie(a), 0n);
  tg.addThread('x', a);
  assert.notEqual(tg.group('x').cookie, first, 'a fresh cookie');
  checkCookies(tg, k);
});

test('remove: EBUSY with tasks, EBUSY for root; cookie ids are never reused', () => {
  const { k, tg } = setup();
  const a = k.spawn();
  tg.create('x');
  tg.addThread('x', a);
  assert.throws(() => tg.remove('x'), code('EBUSY'));
  assert.throws(() => tg.remove('/'), code('EBUSY'));
  assert.throws(() => tg.remove('nope'), code('ENOENT'));
  k.exit(a);
  tg.remove('x');
  assert.equal(tg.create('y').cookieId, 2);
  assert.equal(tg.create('x').cookieId, 3);
});

test('names: digits EINVAL, a file name EEXIST, a taken name EEXIST, slash EINVAL; nothing changes', () => {
  const { k, tg } = setup();
  tg.create('web');
  const before = snapshot(tg, k);
  assert.throws(() => tg.create('1234'), code('EINVAL'));
  assert.throws(() => tg.create('tasks'), code('EEXIST'));
  assert.throws(() => tg.create('web'), code('EEXIST'));
  assert.throws(() => tg.create('a/b'), code('EINVAL'));
  assert.throws(() => tg.create('a b'), code('EINVAL'));
  assert.throws(() => tg.create('x'.repeat(256)), code('ENAMETOOLONG'));
  assert.throws(() => tg.create('ok', { mode: 0o10000 }), code('EINVAL'));
  assert.throws(() => tg.create('ok', { properties: 'SOMETIMES' as never }), code('EINVAL'));
  assert.deepEqual(snapshot(tg, k), before);
  tg.rename('web', 'www');
  assert.deepEqual(tg.groups().map((g) => [g.name, g.cookieId]), [['/', 0], ['www', 1]]);
});

test('owner and mode decide who adds tasks; the ptrace rule decides which tasks', () => {
  const { k, tg } = setup();
  const alice = { uid: 1000, gid: 1000 };
  const bob = { uid: 2000, gid: 1000 };
  const mallory = { uid: 3000, gid: 3000 };
  const [aTask, bTask, rootTask] = [k.spawn({ uid: 1000 }), k.spawn({ uid: 2000 }), k.spawn()];
  assert.throws(() => tg.create('mine', {}, alice), code('EACCES'), 'only root makes groups in a 0755 root');
  tg.create('team');
  assert.throws(() => tg.chown('team', 1000, 1000, alice), code('EPERM'));
  tg.chown('team', 1000, 1000);
  const before = snapshot(tg, k);
  assert.throws(() => tg.addThread('team', aTask, mallory), code('EACCES'));
  assert.throws(() => tg.addThread('team', rootTask, alice), code('EPERM'));
  assert.throws(() => tg.addThread('team', bTask, bob), code('EACCES'), 'mode 0755: the group may not write');
  assert.throws(() => tg.chmod('team', 0o775, bob), code('EPERM'));
  assert.deepEqual(snapshot(tg, k), before);
  tg.addThread('team', aTask, alice);
  tg.chmod('team', 0o775, alice);
  tg.addThread('team', bTask, bob);
  assert.throws(() => tg.addThread('/', bTask, bob), code('EACCES'), 'the root group is root\'s');
  assert.throws(() => tg.setProperties('team', 'NEW_COOKIE_FOR_CHILD', mallory), code('EACCES'));
  tg.setProperties('team', 'NEW_COOKIE_FOR_CHILD', bob);
  assert.deepEqual(tg.members('team'), [aTask, bTask]);
  checkCookies(tg, k);
});

test('per-task properties override the group and can be dropped', () => {
  const { k, tg } = setup();
  const a = k.spawn({ uid: 1000 });
  tg.create('g', { properties: 'ROOT_COOKIE_FOR_CHILD' });
  tg.addThread('g', a);
  assert.deepEqual(tg.taskProperty(a), { effective: 'ROOT_COOKIE_FOR_CHILD', override: undefined });
  tg.setTaskProperty(a, 'NEW_COOKIE_FOR_CHILD');
  assert.deepEqual(tg.taskProperty(a), { effective: 'NEW_COOKIE_FOR_CHILD', override: 'NEW_COOKIE_FOR_CHILD' });
  assert.throws(() => tg.setTaskProperty(a, 'SAME_COOKIE_FOR_CHILD', { uid: 1000, gid: 1000 }), code('EACCES'));
  assert.throws(() => tg.setTaskProperty(a, 'ALWAYS' as never), code('EINVAL'));
  tg.setTaskProperty(a, undefined);
  assert.equal(tg.taskProperty(a).effective, 'ROOT_COOKIE_FOR_CHILD');
});

test('the manager thread itself as a member: it keeps its group cookie across other operations', () => {
  const { k, tg } = setup();
  const [a, b, c] = [k.spawn(), k.spawn(), k.spawn()];
  tg.create('mgr');
  tg.create('other');
  tg.addThread('mgr', k.self);
  tg.addThread('other', a);
  tg.addThread('other', b); // borrows other's cookie, then needs a new one of its own: it was the only holder
  assert.equal(tg.groupOf(k.self), 'mgr');
  assert.notEqual(k.getCookie(k.self), 0n);
  assert.notEqual(k.getCookie(k.self), tg.group('other').cookie);
  checkCookies(tg, k);
  tg.addThread('mgr', c);
  tg.addThread('/', a); // cookie 0 borrowed from init
  assert.equal(k.getCookie(a), 0n);
  assert.equal(k.getCookie(k.self), tg.group('mgr').cookie);
  checkCookies(tg, k);
  tg.addThread('/', k.self);
  assert.equal(k.getCookie(k.self), 0n);
  checkCookies(tg, k);
});

test('manager thread = init and no other untagged task: EAGAIN before anything changes, then fine once one exists', () => {
  const k = new FakeCoreSchedKernel({ self: 'init' });
  const tg = new TrustGroups(k);
  const [a, b] = [k.spawn(), k.spawn()];
  tg.create('x');
  tg.create('y');
  tg.addThread('x', a); // CREATE: no borrowing
  tg.addThread('y', b);
  const before = snapshot(tg, k);
  assert.throws(() => tg.addThread('x', b), code('EAGAIN'), 'init could not get cookie 0 back');
  assert.deepEqual(snapshot(tg, k), before);
  k.spawn(); // untagged, in the root group
  tg.addThread('x', b);
  assert.equal(k.getCookie(1), 0n);
  checkCookies(tg, k);
});

test('init stays in the root group: the manager takes cookie 0 from it', () => {
  const { k, tg } = setup();
  tg.create('g');
  assert.throws(() => tg.addThread('g', 1), code('EPERM'));
  assert.throws(() => tg.addProcess('g', 1), code('EPERM'));
  tg.addThread('/', 1);
  assert.equal(tg.groupOf(1), '/');
  assert.equal(k.getCookie(1), 0n);
});

test('ESRCH for a task that is gone; nothing changes', () => {
  const { k, tg } = setup();
  const a = k.spawn();
  tg.create('g');
  k.exit(a);
  assert.throws(() => tg.addThread('g', a), code('ESRCH'));
  assert.throws(() => tg.addThread('g', 0), code('EINVAL'));
  assert.deepEqual(tg.members('g'), []);
});
