import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CgroupError } from '../errors.js';
import { einval, erange } from './refuse.js';

describe('write-handler errors', () => {
  it('carry the errno, the write syscall and the reason', () => {
    for (const [e, code, errno] of [[einval('bad'), 'EINVAL', -22], [erange('big'), 'ERANGE', -34]] as const) {
      assert.ok(e instanceof CgroupError);
      assert.equal(e.code, code);
      assert.equal(e.errno, errno);
      assert.equal(e.syscall, 'write');
      assert.equal(e.path, undefined);
    }
    assert.equal(einval('bad').detail, 'bad');
  });
});
