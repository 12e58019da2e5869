import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CgroupError } from '../core/errors.js';
import { checkHostPath, isWithin } from './paths.js';

function code(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof CgroupError);
    return e.code;
  }
}

test('cgroup paths and /proc reads are accepted', () => {
  assert.equal(checkHostPath('/sys/fs/cgroup', 'scandir', 'read').prefix, '/sys/fs/cgroup');
  assert.equal(checkHostPath('/sys/fs/cgroup/unified/a/cgroup.procs', 'write', 'write').prefix, '/sys/fs/cgroup');
  assert.equal(checkHostPath('/proc/123/cgroup', 'open', 'read').prefix, '/proc');
  assert.equal(checkHostPath('/sys/fs/cgroup/a..b/.x', 'mkdir', 'write').prefix, '/sys/fs/cgroup');
});

test('malformed paths are EINVAL', () => {
  for (const p of [
    'sys/fs/cgroup/a', '', '/sys/fs/cgroup/../etc', '/sys/fs/cgroup/./a', '/sys/fs/cgroup/a/..',
    '/sys/fs/cgroup//a', '/sys/fs/cgroup/a/', '/sys/fs/cgroup/a\0b', '/',
  ]) {
    assert.equal(code(() => checkHostPath(p, 'open', 'read')), 'EINVAL', JSON.stringify(p));
  }
});

test('paths outside the cgroup tree and /proc are EACCES', () => {
  for (const p of ['/etc/passwd', '/sys/fs/cgroupx', '/sys/fs', '/procfoo/1', '/tmp']) {
    assert.equal(code(() => checkHostPath(p, 'open', 'read')), 'EACCES', p);
  }
});

test('/proc is read-only', () => {
  assert.equal(code(() => checkHostPath('/proc/self/oom_score_adj', 'open', 'write')), 'EACCES');
  assert.equal(code(() => checkHostPath('/proc/self/cgroup', 'open', 'read')), undefined);
});

test('errors name the syscall and the path', () => {
  try {
    checkHostPath('/etc/shadow', 'mkdir', 'write');
    assert.fail('accepted');
  } catch (e) {
    assert.ok(e instanceof CgroupError);
    assert.equal(e.syscall, 'mkdir');
    assert.equal(e.path, '/etc/shadow');
    assert.match(e.detail ?? '', /outside \/sys\/fs\/cgroup and \/proc/);
  }
});

test('isWithin compares whole segments', () => {
  assert.ok(isWithin('/a/b', '/a'));
  assert.ok(isWithin('/a', '/a'));
  assert.ok(!isWithin('/ab', '/a'));
  assert.ok(isWithin('/x', '/'));
});
