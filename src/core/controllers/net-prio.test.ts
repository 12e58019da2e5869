import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { net_prio } from './net-prio.js';
import { Harness } from './testing.test-util.js';

describe('net_prio (v1 bookkeeping)', () => {
  it('net_prio: css ids, ifpriomap for lo, ENODEV for unknown interfaces', () => {
    const h = new Harness(net_prio, 1);
    const a = h.mkdir(h.root, 'a');
    const b = h.mkdir(h.root, 'b');
    assert.deepEqual([h.read(h.root, 'net_prio.prioidx'), h.read(a, 'net_prio.prioidx'), h.read(b, 'net_prio.prioidx')], ['1\n', '2\n', '3\n']);
    h.rmdir(a);
    assert.equal(h.read(h.mkdir(h.root, 'c'), 'net_prio.prioidx'), '2\n');
    assert.equal(h.read(b, 'net_prio.ifpriomap'), 'lo 0\n');
    h.write(b, 'net_prio.ifpriomap', 'lo 5');
    assert.equal(h.read(b, 'net_prio.ifpriomap'), 'lo 5\n');
    assert.equal(h.read(h.mkdir(b, 'g'), 'net_prio.ifpriomap'), 'lo 5\n');
    assert.equal(h.tryWrite(b, 'net_prio.ifpriomap', 'eth0 1'), 'ENODEV');
    assert.equal(h.tryWrite(b, 'net_prio.ifpriomap', 'lo'), 'EINVAL');
  });
});
