import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { FakeCoreSchedKernel } from './fake-kernel.test-util.js';

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

test('fake kernel: fork and clone copy the cookie, exec keeps it, cookies are allocated 1, 2, ...', () => {
  const k = new FakeCoreSchedKernel();
  const a = k.spawn({ uid: 1000 });
  assert.equal(k.getCookie(a), 0n);
  k.create(1, a, 'thread');
  assert.equal(k.getCookie(a), 1n);
  const child = k.fork(a);
  const th = k.thread(a);
  k.exec(child);
  assert.deepEqual([k.getCookie(child), k.getCookie(th)], [1n, 1n]);
  k.create(1, child, 'thread');
  assert.equal(k.getCookie(child), 2n);
});

test('fake kernel: scopes, SHARE_TO and SHARE_FROM act as the kernel does', () => {
  const k = new FakeCoreSchedKernel();
  const p = k.spawn({ uid: 1000 });
  const t2 = k.thread(p);
  const c = k.fork(p); // same process group as p
  const other = k.spawn({ uid: 1000 });
  k.create(1, p, 'thread-group');
  assert.deepEqual([k.getCookie(p), k.getCookie(t2), k.getCookie(c)], [1n, 1n, 0n]);
  k.create(1, c, 'process-group');
  assert.deepEqual([k.getCookie(p), k.getCookie(t2), k.getCookie(c), k.getCookie(other)], [2n, 2n, 2n, 0n]);
  k.shareTo(p, other, 'thread');
  assert.equal(k.getCookie(other), 2n);
  k.shareFrom(1, other);
  assert.equal(k.getCookie(1), 2n);
  k.shareTo(c, 0, 'thread'); // pid 0: the caller itself
  assert.equal(k.getCookie(c), 2n);
});

test('fake kernel: ESRCH, EPERM (checked on every task first) and EINVAL', () => {
  const k = new FakeCoreSchedKernel();
  const mine = k.spawn({ uid: 1000 });
  const theirs = k.thread(k.spawn({ uid: 2000 }));
  const mixed = k.spawn({ uid: 1000 });
  k.setpgid(k.sim.task(theirs)!.tgid, mixed);
  assert.throws(() => k.getCookie(4242), code('ESRCH'));
  assert.throws(() => k.create(mine, theirs, 'thread'), code('EPERM'));
  assert.throws(() => k.create(mine, mixed, 'process-group'), code('EPERM'));
  assert.equal(k.getCookie(mixed), 0n, 'nothing changed by the refused call');
  assert.throws(() => k.create(mine, -1, 'thread'), code('EINVAL'));
  assert.throws(() => k.create(mine, mine, 'session' as never), code('EINVAL'));
  k.exit(mine);
  assert.throws(() => k.getCookie(mine), code('ESRCH'));
});

test('fake kernel: late events wait for flush()', () => {
  const k = new FakeCoreSchedKernel({ synchronousEvents: false });
  const seen: string[] = [];
  k.watch((e) => seen.push(e.kind));
  const p = k.spawn();
  k.exit(p);
  assert.deepEqual(seen, []);
  k.flush();
  assert.deepEqual(seen, ['fork', 'exit']);
});
