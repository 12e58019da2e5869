import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CgroupError } from '../core/errors.js';
import { parseProcCgroup } from '../core/format/proccgroup.js';
import { formatProcCgroups, parseProcCgroups, pidCgroupFor, v1ControllerName, v2ControllerName } from './proc-cgroups.js';
import { HYBRID_PROC_CGROUPS } from '../core/format/host-texts.test-util.js';

const HOST = HYBRID_PROC_CGROUPS;

test('parses every controller with v2 spelling, hierarchy and enabled', () => {
  const ks = parseProcCgroups(HOST);
  assert.deepEqual(ks.map((k) => k.name), [
    'cpuset', 'cpu', 'cpuacct', 'io', 'memory', 'devices', 'freezer', 'net_cls', 'perf_event', 'net_prio', 'hugetlb', 'pids',
  ]);
  assert.deepEqual(ks[3], { name: 'io', v1Name: 'blkio', hierarchy: 7, numCgroups: 1, enabled: true });
  assert.equal(ks[4]!.numCgroups, 35);
  assert.equal(ks[10]!.hierarchy, 0);
});

test('format gives the kernel text back', () => {
  assert.equal(formatProcCgroups(parseProcCgroups(HOST)), HOST);
});

test('columns are found by header name; a disabled controller is enabled=false', () => {
  const ks = parseProcCgroups('#subsys_name enabled hierarchy\nmemory 0 0\npids 1 0\n');
  assert.deepEqual(ks, [
    { name: 'memory', v1Name: 'memory', hierarchy: 0, enabled: false },
    { name: 'pids', v1Name: 'pids', hierarchy: 0, enabled: true },
  ]);
});

test('malformed text is EINVAL', () => {
  for (const text of ['', 'cpu 1 1 1\n', '#foo bar\n', '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu 1 1\n', '#subsys_name enabled\ncpu yes\n']) {
    assert.throws(() => parseProcCgroups(text), (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL', JSON.stringify(text));
  }
});

test('only blkio is spelled differently on v1', () => {
  assert.equal(v2ControllerName('blkio'), 'io');
  assert.equal(v1ControllerName('io'), 'blkio');
  for (const n of ['cpu', 'memory', 'pids', 'hugetlb']) {
    assert.equal(v2ControllerName(n), n);
    assert.equal(v1ControllerName(n), n);
  }
});

// Literal /proc/self/cgroup of a process on the same host (memory path renamed).
const SELF = `9:name=systemd:/
8:pids:/
7:blkio:/
6:freezer:/
5:devices:/
4:memory:/example/group
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`;

test('pidCgroupFor matches v2 by id 0 and v1 by controllers and name', () => {
  const ls = parseProcCgroup(SELF + '10:cpuacct,cpu:/both\n');
  assert.equal(pidCgroupFor(ls, { version: 2, controllers: [] })?.hierarchyId, 0);
  assert.equal(pidCgroupFor(ls, { version: 1, controllers: ['memory'] })?.path, '/example/group');
  assert.equal(pidCgroupFor(ls, { version: 1, controllers: [], name: 'systemd' })?.hierarchyId, 9);
  assert.equal(pidCgroupFor(ls, { version: 1, controllers: ['cpu', 'cpuacct'] })?.path, '/both');
  assert.equal(pidCgroupFor(ls, { version: 1, controllers: ['io'] })?.hierarchyId, 7);
  assert.equal(pidCgroupFor(ls, { version: 1, controllers: ['rdma'] }), undefined);
  assert.equal(pidCgroupFor(ls, { version: 1, controllers: ['cpu'] })?.hierarchyId, 1, 'cpu alone is not cpu,cpuacct');
});
