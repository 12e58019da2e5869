import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimKernel } from '../api/sim-kernel.js';

test('a new v2 cpuset child inherits its parent\'s effective CPUs and takes tasks at once', () => {
  const k = new SimKernel({ cpus: 4 });
  k.fs.writeFileSync('/sys/fs/cgroup/cgroup.subtree_control', '+cpuset');
  k.fs.mkdirSync('/sys/fs/cgroup/g');
  assert.equal(k.fs.readFileSync('/sys/fs/cgroup/g/cpuset.cpus.effective'), '0-3\n');
  const pid = k.spawn({});
  k.fs.writeFileSync('/sys/fs/cgroup/g/cgroup.procs', String(pid));
  assert.equal(k.fs.readFileSync('/sys/fs/cgroup/g/cgroup.procs'), `${pid}\n`);
});

test('a mkdir that fails leaves no child behind', () => {
  const k = new SimKernel({ cpus: 2 });
  k.fs.writeFileSync('/sys/fs/cgroup/cgroup.max.descendants', '1');
  k.fs.mkdirSync('/sys/fs/cgroup/a');
  assert.throws(() => k.fs.mkdirSync('/sys/fs/cgroup/b'), { code: 'EAGAIN' });
  assert.deepEqual(k.fs.readdirSync('/sys/fs/cgroup').filter((n) => !n.includes('.')), ['a']);
});
