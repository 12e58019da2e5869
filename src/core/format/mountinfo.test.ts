import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CgroupError } from '../errors.js';
import {
  escapeMountField, formatMountInfo, formatMountInfoLine, parseMountInfo, parseMountInfoLine,
  unescapeMountField, type MountInfo,
} from './mountinfo.js';
import { HYBRID_CGROUP_MOUNTINFO } from './host-texts.test-util.js';

const HOST = HYBRID_CGROUP_MOUNTINFO;

test('parses the cgroup mounts of a hybrid host', () => {
  const ms = parseMountInfo(HOST);
  assert.equal(ms.length, 11);
  assert.deepEqual(ms[1], {
    mountId: 32, parentId: 31, major: 0, minor: 29, root: '/', mountPoint: '/sys/fs/cgroup/cpu',
    mountOptions: ['rw', 'relatime'], optionalFields: [], fsType: 'cgroup', source: 'cgroup',
    superOptions: ['rw', 'cpu'],
  });
  assert.deepEqual(ms[9]!.superOptions, ['rw', 'name=systemd']);
  assert.equal(ms[10]!.fsType, 'cgroup2');
  assert.deepEqual(ms[10]!.superOptions, ['rw']);
  assert.equal(ms[0]!.fsType, 'tmpfs');
});

test('optional fields run up to the separator', () => {
  const m = parseMountInfoLine('29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 master:1 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot');
  assert.deepEqual(m.optionalFields, ['shared:4', 'master:1']);
  assert.equal(m.fsType, 'cgroup2');
  assert.deepEqual(m.superOptions, ['rw', 'nsdelegate', 'memory_recursiveprot']);
});

test('octal escapes in paths are undone', () => {
  const m = parseMountInfoLine('50 31 0:40 /sub\\134dir /mnt/my\\040cg\\011x rw - cgroup my\\040src rw,pids');
  assert.equal(m.root, '/sub\\dir');
  assert.equal(m.mountPoint, '/mnt/my cg\tx');
  assert.equal(m.source, 'my src');
  assert.equal(unescapeMountField('a\\012b'), 'a\nb');
  assert.equal(escapeMountField('a b\\c'), 'a\\040b\\134c');
});

test('a bind mount of a sub-directory keeps its root', () => {
  const m = parseMountInfoLine('60 31 0:36 /cgkit /mnt/pids-sub rw,relatime - cgroup cgroup rw,pids');
  assert.equal(m.root, '/cgkit');
  assert.equal(m.minor, 36);
});

test('malformed lines are EINVAL', () => {
  for (const line of [
    '',
    '31 23 0:28 / /sys/fs/cgroup rw,relatime tmpfs tmpfs rw',
    '31 23 0:28 / /sys/fs/cgroup rw - tmpfs',
    '31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw extra',
    'x 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw',
    '31 23 028 / /sys/fs/cgroup rw - tmpfs tmpfs rw',
  ]) {
    assert.throws(() => parseMountInfoLine(line), (e: unknown) => e instanceof CgroupError && e.code === 'EINVAL', line);
  }
});

test('blank lines between entries are skipped; format gives the host text back', () => {
  assert.equal(parseMountInfo(HOST + '\n').length, 11);
  assert.equal(formatMountInfo(parseMountInfo(HOST)), HOST);
});

const word = fc.stringMatching(/^[a-z0-9_=:.]{1,8}$/);
const pathText = fc.array(fc.stringMatching(/^[a-z \t\n\\]{1,6}$/), { maxLength: 3 }).map((xs) => '/' + xs.join('/'));
const entry: fc.Arbitrary<MountInfo> = fc.record({
  mountId: fc.nat(), parentId: fc.nat(), major: fc.nat(4095), minor: fc.nat(),
  root: pathText, mountPoint: pathText,
  mountOptions: fc.array(word, { maxLength: 4 }),
  optionalFields: fc.array(word, { maxLength: 3 }),
  fsType: word, source: fc.stringMatching(/^[a-z \\]{1,8}$/),
  superOptions: fc.array(word, { minLength: 1, maxLength: 4 }),
}).map((r) => ({ ...r }));

test('property: parse(format(m)) is m', () => {
  fc.assert(fc.property(entry, (m) => {
    assert.deepEqual(parseMountInfoLine(formatMountInfoLine(m)), m);
  }));
});

test('property: unescape(escape(s)) is s and escaped text has no separators', () => {
  fc.assert(fc.property(fc.string(), (s) => {
    const e = escapeMountField(s);
    assert.equal(unescapeMountField(e), s);
    assert.doesNotMatch(e, /[ \t\n]/);
  }));
});
