import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CgroupError } from '../errors.js';
import { parseU64 } from './int.js';
import { formatIdList, formatWords, parseIdList, parseWords } from './lists.js';

const isEinval = (e: unknown): boolean => e instanceof CgroupError && e.code === 'EINVAL';

// Read once from the test host (Linux 6.18).
const ROOT_PROCS_HEAD = '1\n2\n3\n4\n5\n55\n58\n77\n79\n268\n803\n';
const V2_ROOT_CONTROLLERS = 'hugetlb\n';
const V2_EMPTY_SUBTREE_CONTROL = ''; // an empty list prints nothing at all, not even a newline
const CPUACCT_USAGE_PERCPU = '12796852502 18434379792 \n'; // note the space before the newline

test('cgroup.procs from the host', () => {
  assert.deepEqual(parseIdList(ROOT_PROCS_HEAD), [1, 2, 3, 4, 5, 55, 58, 77, 79, 268, 803]);
  assert.equal(formatIdList(parseIdList(ROOT_PROCS_HEAD)), ROOT_PROCS_HEAD);
  assert.deepEqual(parseIdList(''), []);
  assert.equal(formatIdList([]), '');
});

test('ids that are not plain decimal are EINVAL, never NaN or a hex reading', () => {
  for (const t of ['abc\n', '0x10\n', '1e3\n', '-1\n', '1.5\n', '99999999999999999999\n']) {
    assert.throws(() => parseIdList(t), isEinval, t);
  }
});

test('cgroup.controllers, an empty cgroup.subtree_control, cpuacct.usage_percpu', () => {
  assert.deepEqual(parseWords(V2_ROOT_CONTROLLERS), ['hugetlb']);
  assert.equal(formatWords(['hugetlb']), V2_ROOT_CONTROLLERS);
  assert.deepEqual(parseWords(V2_EMPTY_SUBTREE_CONTROL), []);
  assert.equal(formatWords([]), V2_EMPTY_SUBTREE_CONTROL);
  assert.deepEqual(parseWords(CPUACCT_USAGE_PERCPU).map((w) => parseU64(w)), [12796852502n, 18434379792n]);
  assert.equal(formatWords(['cpuset', 'cpu', 'io', 'memory', 'pids']), 'cpuset cpu io memory pids\n');
});

test('property: id lists and word lists round-trip both ways', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4194304 })), (ids) => {
    const text = formatIdList(ids);
    assert.deepEqual(parseIdList(text), ids);
    assert.equal(formatIdList(parseIdList(text)), text);
  }));
  fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-z_+-][a-z0-9_.=]{0,10}$/), { maxLength: 15 }), (ws) => {
    const text = formatWords(ws);
    assert.deepEqual(parseWords(text), ws);
    assert.equal(formatWords(parseWords(text)), text);
  }));
});
