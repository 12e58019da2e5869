import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CgroupError } from '../errors.js';
import { formatProcCgroup, parseProcCgroup } from './proccgroup.js';

// Read once from the test host: /proc/self/cgroup on a hybrid layout.
const HOST = `9:name=systemd:/
8:pids:/
7:blkio:/
6:freezer:/
5:devices:/
4:memory:/process_api/aab7a7e804f158ddf3e89a9911bcf67b
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`;

test('hybrid /proc/self/cgroup from the host', () => {
  const lines = parseProcCgroup(HOST);
  assert.equal(lines.length, 10);
  assert.deepEqual(lines[0], { hierarchyId: 9, controllers: ['name=systemd'], path: '/' });
  assert.deepEqual(lines.find((l) => l.controllers.includes('memory')),
    { hierarchyId: 4, controllers: ['memory'], path: '/process_api/aab7a7e804f158ddf3e89a9911bcf67b' });
  assert.deepEqual(lines[9], { hierarchyId: 0, controllers: [], path: '/' });
  assert.equal(formatProcCgroup(lines), HOST);
});

test('co-mounted controllers, a path with colons, a zombie\'s deleted group', () => {
  const [a, b, c] = parseProcCgroup('3:cpu,cpuacct:/a:b\n0::/x/y (deleted)\n12:net_cls,net_prio:/\n');
  assert.deepEqual(a, { hierarchyId: 3, controllers: ['cpu', 'cpuacct'], path: '/a:b' });
  assert.equal(b?.path, '/x/y (deleted)');
  assert.deepEqual(c?.controllers, ['net_cls', 'net_prio']);
});

test('malformed lines are EINVAL', () => {
  for (const t of ['cpu:/\n', 'x::/\n', '0::\n', '0::relative\n', '-1::/\n']) {
    assert.throws(() => parseProcCgroup(t), (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL', t);
  }
});

test('property: /proc/<pid>/cgroup round-trips both ways', () => {
  const line = fc.record({
    hierarchyId: fc.nat(64),
    controllers: fc.array(fc.stringMatching(/^[a-z_=]{1,10}$/), { maxLength: 3 }),
    path: fc.stringMatching(/^\/[^\n]{0,30}$/),
  });
  fc.assert(fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
    const text = formatProcCgroup(lines);
    assert.deepEqual(parseProcCgroup(text), lines.map((l) => ({ ...l, controllers: [...l.controllers] })));
    assert.equal(formatProcCgroup(parseProcCgroup(text)), text);
  }));
});
