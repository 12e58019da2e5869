import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CgroupError } from './errors.js';
import { codeOfErrno, errnoOf, strerror } from './errno.js';

test('errors have the shape of Node fs errors', () => {
  const e = new CgroupError('EBUSY', 'rmdir', '/sys/fs/cgroup/a');
  assert.equal(e.code, 'EBUSY');
  assert.equal(e.errno, -16);
  assert.equal(e.syscall, 'rmdir');
  assert.equal(e.path, '/sys/fs/cgroup/a');
  assert.match(e.message, /^EBUSY: Device or resource busy, rmdir '\/sys\/fs\/cgroup\/a'/);
});

test('errno 95 is ENOTSUP, as Node names it on Linux', () => {
  assert.equal(codeOfErrno(95), 'ENOTSUP');
  assert.equal(errnoOf('ENOTSUP'), 95);
  assert.equal(strerror('ENOTSUP'), 'Operation not supported');
});
