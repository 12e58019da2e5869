import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinLayout, CGROUP_ROOT, type LayoutSpec } from './layout.js';
import { mountOfController } from './mounts.js';

describe('mountOfController', () => {
  it('a hybrid layout: the v1 mount carrying the controller, else the v2 tree when the controller exists there', () => {
    const hybrid = builtinLayout('hybrid');
    assert.equal(mountOfController(hybrid, 'cpu')?.mountPoint, `${CGROUP_ROOT}/cpu`);
    assert.equal(mountOfController(hybrid, 'cpuacct')?.mountPoint, `${CGROUP_ROOT}/cpuacct`);
    assert.equal(mountOfController(hybrid, 'blkio')?.mountPoint, `${CGROUP_ROOT}/blkio`, 'the v1 spelling of io');
    assert.equal(mountOfController(hybrid, 'hugetlb')?.mountPoint, `${CGROUP_ROOT}/unified`);
  });

  it('nothing for an unknown controller, a v1-only one without its mount, or one the kernel lacks', () => {
    assert.equal(mountOfController(builtinLayout('hybrid'), 'nope'), undefined);
    assert.equal(mountOfController(builtinLayout('unified'), 'cpuacct'), undefined, 'cpuacct has no v2 form');
    assert.equal(mountOfController(builtinLayout('legacy'), 'hugetlb'), undefined, 'no v1 hugetlb mount and no v2 tree');
    const noMemory: LayoutSpec = { ...builtinLayout('unified'), controllers: ['cpu', 'io'] };
    assert.equal(mountOfController(noMemory, 'memory'), undefined);
    assert.equal(mountOfController(noMemory, 'cpu')?.mountPoint, CGROUP_ROOT);
  });
});
