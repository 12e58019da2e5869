import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { net_cls } from './net-cls.js';
import { Harness } from './testing.test-util.js';

describe('net_cls (v1 bookkeeping)', () => {
  it('net_cls.classid is inherited and stored in 32 bits', () => {
    const h = new Harness(net_cls, 1);
    const c = h.mkdir(h.root, 'c');
    assert.equal(h.read(c, 'net_cls.classid'), '0\n');
    h.write(c, 'net_cls.classid', '0x100001');
    assert.equal(h.read(c, 'net_cls.classid'), '1048577\n');
    assert.equal(h.read(h.mkdir(c, 'g'), 'net_cls.classid'), '1048577\n');
    h.write(c, 'net_cls.classid', '4294967297');
    assert.equal(h.read(c, 'net_cls.classid'), '1\n');
    assert.equal(h.tryWrite(c, 'net_cls.classid', '-1'), 'EINVAL');
  });
});
