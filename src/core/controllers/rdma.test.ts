import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rdma } from './rdma.js';
import { Harness } from './testing.test-util.js';

describe('rdma (no devices)', () => {
  it('rdma reads empty; parse errors EINVAL, unknown device ENODEV', () => {
    const h = new Harness(rdma, 2);
    const c = h.mkdir(h.root, 'c');
    assert.deepEqual(h.fileNames(h.root), []);
    assert.equal(h.read(c, 'rdma.max'), '');
    assert.equal(h.read(c, 'rdma.current'), '');
    assert.equal(h.tryWrite(c, 'rdma.max', 'mlx4_0 hca_handle=2 hca_object=max'), 'ENODEV');
    assert.equal(h.tryWrite(c, 'rdma.max', 'mlx4_0 hca_handle=-1'), 'EINVAL');
    assert.equal(h.tryWrite(c, 'rdma.max', 'mlx4_0 foo=1'), 'EINVAL');
    assert.equal(h.tryWrite(c, 'rdma.max', 'mlx4_0 hca_handle'), 'EINVAL');
  });
});
