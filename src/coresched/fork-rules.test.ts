import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { checkCookies } from './check.test-util.js';
import { FakeCoreSchedKernel } from './fake-kernel.test-util.js';
import { TrustGroups } from './trust-groups.js';

function setup(synchronousEvents = true) {
  const k = new FakeCoreSchedKernel({ synchronousEvents });
  const tg = new TrustGroups(k);
  return { k, tg };
}

test('SAME_COOKIE_FOR_CHILD: forks and threads join the parent\'s group with its cookie', () => {
  const { k, tg } = setup();
  const job = k.spawn();
  tg.create('customer-a');
  tg.addProcess('customer-a', job);
  const child = k.fork(job);
  const th = k.thread(child);
  const grandchild = k.fork(th);
  assert.deepEqual(tg.members('customer-a'), [job, child, th, grandchild]);
  assert.equal(k.getCookie(grandchild), tg.group('customer-a').cookie);
  assert.equal(tg.groupOf(k.spawn()), '/', 'a process started elsewhere stays in root');
  checkCookies(tg, k);
});

test('NEW_COOKIE_FOR_CHILD: each child gets its own automatic group, removed with its last task', () => {
  const { k, tg } = setup();
  const browser = k.spawn({ uid: 1000 });
  tg.create('browser', { properties: 'NEW_COOKIE_FOR_CHILD' });
  tg.chown('browser', 1000, 1000);
  tg.addThread('browser', browser);
  const r1 = k.fork(browser);
  const r2 = k.fork(browser);
  const r1thread = k.thread(r1); // the child's group is SAME_COOKIE_FOR_CHILD
  const g1 = tg.group(`task-${r1}`);
  const g2 = tg.group(`task-${r2}`);
  assert.deepEqual([g1.auto, g1.properties, g1.uid, g1.gid], [true, 'SAME_COOKIE_FOR_CHILD', 1000, 1000]);
  assert.deepEqual(tg.members(g1.name), [r1, r1thread]);
  const cookies = new Set([tg.group('browser').cookie, g1.cookie, g2.cookie]);
  assert.equal(cookies.size, 3, 'three distinct cookies');
  checkCookies(tg, k);
  k.exit(r1thread);
  assert.ok(tg.groups().some((g) => g.name === g1.name), 'a task left');
  k.exit(r1);
  assert.ok(!tg.groups().some((g) => g.name === g1.name), 'removed with its last task');
  assert.ok(tg.create('later').cookieId > g2.cookieId, 'its cookie id is not reused');
  checkCookies(tg, k);
});

test('NEW_COOKIE_FOR_CHILD on threads: one group per vCPU thread', () => {
  const { k, tg } = setup();
  const vm = k.spawn();
  tg.create('vm-1');
  tg.addThread('vm-1', vm);
  tg.setTaskProperty(vm, 'NEW_COOKIE_FOR_CHILD');
  const vcpus = [k.thread(vm), k.thread(vm)];
  assert.deepEqual(vcpus.map((t) => tg.groupOf(t)), vcpus.map((t) => `task-${t}`));
  assert.notEqual(k.getCookie(vcpus[0]!), k.getCookie(vcpus[1]!));
  assert.equal(tg.taskProperty(vcpus[0]!).override, undefined, 'overrides are not inherited');
  checkCookies(tg, k);
});

test('ROOT_COOKIE_FOR_CHILD: children go back to the root group, untagged', () => {
  const { k, tg } = setup();
  const launcher = k.spawn();
  tg.create('svc', { properties: 'ROOT_COOKIE_FOR_CHILD' });
  tg.addThread('svc', launcher);
  const child = k.fork(launcher);
  assert.equal(tg.groupOf(child), '/');
  assert.equal(k.getCookie(child), 0n);
  assert.notEqual(k.getCookie(launcher), 0n);
  checkCookies(tg, k);
});

test('a root member with a NEW_COOKIE_FOR_CHILD override: its children get groups of their own', () => {
  const { k, tg } = setup();
  const shell = k.spawn();
  tg.setTaskProperty(shell, 'NEW_COOKIE_FOR_CHILD');
  const a = k.fork(shell);
  const b = k.fork(shell);
  assert.deepEqual([tg.groupOf(a), tg.groupOf(b), tg.groupOf(shell)], [`task-${a}`, `task-${b}`, '/']);
  checkCookies(tg, k);
});

test('exit leaves the group; an emptied group stays with cookie 0', () => {
  const { k, tg } = setup();
  const a = k.spawn();
  const t = k.thread(a);
  tg.create('g');
  tg.addProcess('g', a);
  k.exit(t);
  assert.deepEqual(tg.members('g'), [a]);
  k.exit(a);
  assert.deepEqual([tg.members('g'), tg.group('g').cookie], [[], 0n]);
});

test('late events: the child runs with its parent\'s cookie until its event is handled (the race window)', () => {
  const { k, tg } = setup(false);
  const browser = k.spawn();
  tg.create('browser', { properties: 'NEW_COOKIE_FOR_CHILD' });
  tg.addThread('browser', browser);
  k.flush();
  const r = k.fork(browser);
  const rThread = k.thread(r); // forked inside the window: the parent's cookie again
  assert.equal(k.getCookie(r), tg.group('browser').cookie, 'inside the window');
  assert.equal(tg.groupOf(r), '/', 'not placed yet');
  k.flush();
  assert.equal(tg.groupOf(r), `task-${r}`);
  assert.deepEqual(tg.members(`task-${r}`), [r, rThread], 'the thread followed its parent\'s new group');
  assert.notEqual(k.getCookie(rThread), tg.group('browser').cookie);
  checkCookies(tg, k);
});

test('late events: a child that exited before its fork event is handled leaves no trace and no error', () => {
  const { k, tg } = setup(false);
  const p = k.spawn();
  tg.create('g', { properties: 'NEW_COOKIE_FOR_CHILD' });
  k.flush();
  tg.addThread('g', p);
  const short = k.fork(p);
  k.exit(short);
  const sameLived = k.fork(p);
  k.flush();
  assert.deepEqual(tg.errors, []);
  assert.deepEqual(tg.groups().map((g) => g.name), ['/', 'g', `task-${sameLived}`]);
  checkCookies(tg, k);
});

test('late events: a parent moved to another group before its child\'s event: the child joins the parent\'s group now', () => {
  const { k, tg } = setup(false);
  const p = k.spawn();
  tg.create('a');
  tg.create('b');
  k.flush();
  tg.addThread('a', p);
  tg.addThread('b', k.spawn());
  const child = k.fork(p); // cookie of a
  tg.addThread('b', p);
  k.flush();
  assert.equal(tg.groupOf(child), 'b');
  assert.equal(k.getCookie(child), tg.group('b').cookie);
  checkCookies(tg, k);
});

test('late events: a parent moved back to root before its child\'s event: the child is untagged too', () => {
  const { k, tg } = setup(false);
  const p = k.spawn();
  tg.create('a');
  k.flush();
  tg.addThread('a', p);
  const child = k.fork(p); // cookie of a
  tg.addThread('/', p);
  k.flush();
  assert.equal(tg.groupOf(child), '/');
  assert.equal(k.getCookie(child), 0n);
  checkCookies(tg, k);
});

test('a task tagged outside the manager keeps passing its cookie on in the root group', () => {
  const { k, tg } = setup();
  const p = k.spawn();
  k.create(k.self, p, 'thread'); // as `coresched new` would
  const child = k.fork(p);
  assert.equal(tg.groupOf(child), '/');
  assert.equal(k.getCookie(child), k.getCookie(p));
  assert.notEqual(k.getCookie(child), 0n);
});
