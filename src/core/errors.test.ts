import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { readFile } from 'node:fs/promises';
import { getSystemErrorName } from 'node:util';
import { CgroupError, fail, isErrnoLike, toCgroupError } from './errors.js';
import { codeOfErrno, ERRNO, type ErrnoCode, errnoOf, isErrnoCode, strerror } from './errno.js';

const codes = Object.keys(ERRNO) as ErrnoCode[];

test('every errno number is the one Linux uses, under the name Node gives it', () => {
  const linux = constants.errno as Record<string, number>;
  for (const c of codes) {
    // Node has no constant for ENOTUNIQ (76), and libuv no name for it, ECHILD (10)
    // or EDEADLK (35): they keep <errno.h>'s names.
    if (c === 'ENOTUNIQ') continue;
    assert.equal(errnoOf(c), linux[c], c);
    if (c === 'ECHILD' || c === 'EDEADLK') continue;
    assert.equal(getSystemErrorName(-errnoOf(c)), c, c);
  }
  assert.equal(errnoOf('ENOTUNIQ'), 76);
  assert.equal(errnoOf('ECHILD'), 10);
  assert.equal(new Set(codes.map(errnoOf)).size, codes.length, 'two codes share a number');
});

test('codeOfErrno inverts errnoOf, for positive and negative numbers', () => {
  for (const c of codes) {
    assert.equal(codeOfErrno(errnoOf(c)), c);
    assert.equal(codeOfErrno(-errnoOf(c)), c);
  }
  assert.equal(codeOfErrno(0), undefined);
  assert.equal(codeOfErrno(8), undefined); // ENOEXEC: no cgroup operation returns it
});

test('strerror texts are the C library\'s; unknown codes come back as given', () => {
  assert.equal(strerror('EBUSY'), 'Device or resource busy');
  assert.equal(strerror('ERANGE'), 'Numerical result out of range');
  assert.equal(strerror('EOVERFLOW'), 'Value too large for defined data type');
  assert.equal(strerror('EOPNOTSUPP'), 'EOPNOTSUPP');
  assert.equal(strerror('toString'), 'toString');
  assert.ok(isErrnoCode('EINVAL'));
  assert.ok(!isErrnoCode('EOPNOTSUPP'));
  assert.ok(!isErrnoCode(22));
  assert.ok(!isErrnoCode('toString'), 'inherited properties are not codes');
  assert.throws(() => toCgroupError({ code: 'constructor' }, 'write'));
});

test('CgroupError: code, negative errno, syscall, path, detail, message', () => {
  const e = new CgroupError('ERANGE', 'write', '/sys/fs/cgroup/a/cpu.weight', 'out of range: 0');
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'CgroupError');
  assert.equal(e.code, 'ERANGE');
  assert.equal(e.errno, -34);
  assert.equal(e.syscall, 'write');
  assert.equal(e.path, '/sys/fs/cgroup/a/cpu.weight');
  assert.equal(e.detail, 'out of range: 0');
  assert.equal(e.message, "ERANGE: Numerical result out of range, write '/sys/fs/cgroup/a/cpu.weight' (out of range: 0)");
  const bare = fail('EINVAL', 'write');
  assert.equal(bare.path, undefined);
  assert.equal(bare.detail, undefined);
  assert.equal(bare.message, 'EINVAL: Invalid argument, write');
});

test('a real Node fs error converts to the same shape', async () => {
  const missing = '/nonexistent-cgkit-errors-test/cgroup.procs';
  const err = await readFile(missing).then(() => undefined, (e: unknown) => e);
  assert.ok(isErrnoLike(err));
  const c = toCgroupError(err, 'read');
  assert.ok(c instanceof CgroupError);
  assert.equal(c.code, 'ENOENT');
  assert.equal(c.errno, (err as { errno: number }).errno);
  assert.equal(c.syscall, 'open');
  assert.equal(c.path, missing);
});

test('toCgroupError keeps CgroupErrors, maps EOPNOTSUPP to ENOTSUP, rethrows what has no known code', () => {
  const mine = fail('EBUSY', 'rmdir', '/a');
  assert.equal(toCgroupError(mine, 'write'), mine);
  const op = toCgroupError({ code: 'EOPNOTSUPP' }, 'write', '/a/cgroup.kill');
  assert.equal(op.code, 'ENOTSUP');
  assert.equal(op.errno, -95);
  assert.equal(op.path, '/a/cgroup.kill');
  const noPath = toCgroupError({ code: 'EACCES', syscall: 'mkdir' }, 'write', '/fallback');
  assert.equal(noPath.syscall, 'mkdir');
  assert.equal(noPath.path, '/fallback');
  const odd = { code: 'ENOEXEC' };
  assert.throws(() => toCgroupError(odd, 'write'), (e: unknown) => e === odd);
  const plain = new TypeError('x');
  assert.throws(() => toCgroupError(plain, 'write'), (e: unknown) => e === plain);
  assert.ok(!isErrnoLike(null));
  assert.ok(!isErrnoLike({ code: 5 }));
});
