import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuacct, cpuacctCharge } from './cpuacct.js';
import { Harness } from './testing.test-util.js';

describe('cpuacct (v1)', () => {
  it('a new child reads as on a 2-CPU host', () => {
    const h = new Harness(cpuacct, 1);
    const c = h.mkdir(h.root, 'c');
    assert.deepEqual(h.fileNames(c), [
      'cpuacct.stat', 'cpuacct.usage', 'cpuacct.usage_all', 'cpuacct.usage_percpu', 'cpuacct.usage_percpu_sys',
      'cpuacct.usage_percpu_user', 'cpuacct.usage_sys', 'cpuacct.usage_user',
    ]);
    assert.deepEqual(h.fileNames(h.root), h.fileNames(c));
    assert.equal(h.read(c, 'cpuacct.stat'), 'user 0\nsystem 0\n');
    assert.equal(h.read(c, 'cpuacct.usage'), '0\n');
    assert.equal(h.read(c, 'cpuacct.usage_all'), 'cpu user system\n0 0 0\n1 0 0\n');
    assert.equal(h.read(c, 'cpuacct.usage_percpu'), '0 0 \n');
    assert.equal(h.read(c, 'cpuacct.usage_percpu_sys'), '0 0 \n');
    assert.equal(h.read(c, 'cpuacct.usage_percpu_user'), '0 0 \n');
    assert.equal(h.read(c, 'cpuacct.usage_sys'), '0\n');
    assert.equal(h.read(c, 'cpuacct.usage_user'), '0\n');
  });

  it('charges are hierarchical and shown per CPU and in USER_HZ ticks', () => {
    const h = new Harness(cpuacct, 1);
    const p = h.mkdir(h.root, 'p');
    const c = h.mkdir(p, 'c');
    cpuacctCharge(c, 1, 25000000n, 'user');
    cpuacctCharge(c, 0, 7000000n, 'system');
    cpuacctCharge(p, 0, 1n, 'user');
    assert.equal(h.read(c, 'cpuacct.usage'), '32000000\n');
    assert.equal(h.read(p, 'cpuacct.usage'), '32000001\n');
    assert.equal(h.read(h.root, 'cpuacct.usage_user'), '25000001\n');
    assert.equal(h.read(c, 'cpuacct.usage_percpu'), '7000000 25000000 \n');
    assert.equal(h.read(c, 'cpuacct.usage_all'), 'cpu user system\n0 0 7000000\n1 25000000 0\n');
    assert.equal(h.read(c, 'cpuacct.stat'), 'user 2\nsystem 0\n');
  });

  it('cpuacct.usage accepts only zero (kstrtoull) and resets this group only', () => {
    const h = new Harness(cpuacct, 1);
    const c = h.mkdir(h.root, 'c');
    cpuacctCharge(c, 0, 5n, 'user');
    for (const [w, e] of [['1', 'EINVAL'], ['abc', 'EINVAL'], ['-0', 'EINVAL'], [' 0', 'EINVAL'], ['0x0', 'OK']] as const) {
      assert.equal(h.tryWrite(c, 'cpuacct.usage', w), e, w);
    }
    assert.equal(h.read(c, 'cpuacct.usage'), '0\n');
    assert.equal(h.read(h.root, 'cpuacct.usage'), '5\n');
    assert.equal(h.tryWrite(c, 'cpuacct.usage_user', '0'), 'EINVAL');
  });
});
