import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KERNEL_CONTROLLER_ORDER } from '../layout.js';
import {
  CONTROLLERS, controllerByName, controllerId, controllerMask, filesFor, maskNames, threadedControllers, v1Controllers, v1Name, v2Controllers,
} from './index.js';

describe('controller registry', () => {
  it('is in the kernel order', () => {
    assert.deepEqual(CONTROLLERS.map((c) => c.name), [...KERNEL_CONTROLLER_ORDER]);
  });

  it('looks up by name and by the v1 name', () => {
    assert.equal(controllerByName.get('blkio'), controllerByName.get('io'));
    assert.equal(v1Name('io'), 'blkio');
    assert.equal(v1Name('cpu'), 'cpu');
    assert.throws(() => controllerId('nope'), RangeError);
  });

  it('derives masks from registry indexes', () => {
    assert.equal(controllerMask(['cpuset']), 1);
    assert.equal(controllerMask(['cpu', 'memory']), (1 << 1) | (1 << 4));
    assert.equal(controllerMask(['blkio']), controllerMask(['io']));
    assert.deepEqual(maskNames(controllerMask(['pids', 'cpu', 'io'])), ['cpu', 'io', 'pids']);
  });

  it('lists v2, threaded and v1 controllers like the kernel', () => {
    assert.deepEqual(v2Controllers, ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc']);
    assert.deepEqual(threadedControllers, ['cpuset', 'cpu', 'perf_event', 'pids']);
    assert.deepEqual(v1Controllers, [...KERNEL_CONTROLLER_ORDER]);
  });

  it('lists the files of a cgroup; every file name carries its controller prefix and is unique per version and place', () => {
    for (const version of [1, 2] as const) {
      for (const isRoot of [true, false]) {
        const files = filesFor(version, isRoot);
        const names = files.map((f) => f.file.name);
        assert.equal(new Set(names).size, names.length, `duplicate file on v${version} root=${isRoot}`);
        for (const { controller, file } of files) {
          const prefix = version === 1 ? (controller.legacyName ?? controller.name) : controller.name;
          assert.ok(file.name.startsWith(`${prefix}.`), `${file.name} of ${controller.name}`);
        }
      }
    }
    const v2root = filesFor(2, true).map((f) => f.file.name);
    assert.deepEqual(v2root, [
      'cpuset.cpus.effective', 'cpuset.cpus.isolated', 'cpuset.mems.effective', 'io.stat', 'memory.numa_stat', 'memory.reclaim',
      'memory.stat', 'misc.capacity', 'misc.current', 'misc.peak',
    ]);
    const noFeatures = filesFor(2, false, () => false).map((f) => f.file.name);
    assert.ok(!noFeatures.includes('io.latency') && !noFeatures.includes('io.prio.class'));
    assert.ok(filesFor(2, false).some((f) => f.file.name === 'io.latency'));
  });

  it('every writable file parses, validates and applies; every file reads or writes', () => {
    for (const c of CONTROLLERS) {
      for (const f of c.files as readonly { name: string; read?: unknown; apply?: unknown }[]) {
        assert.ok(f.read !== undefined || f.apply !== undefined, f.name);
      }
    }
  });
});
