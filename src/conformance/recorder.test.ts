import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CgroupError } from '../core/errors.js';
import type { Case } from './case.js';
import { Recorder, errnoOutcome, isPidListFile } from './recorder.js';
import { unmetNeed } from './runner.js';
import { firstDifference } from './transcript.js';

class Probe extends Recorder {
  name(pid: number, n: string): void {
    this.names.set(pid, n);
  }
  norm(abs: string, path: string, content: string): string {
    return this.normalize(abs, path, content);
  }
  lines(content: string): string {
    return this.cgroupLines(content);
  }
}

const bases = new Map([['', '/sys/fs/cgroup/unified/cgkit-test-x'], ['cpu', '/sys/fs/cgroup/cpu/cgkit-test-x']]);

test('case paths resolve against the base of their hierarchy', () => {
  const r = new Probe(bases, 'cgkit-test-x');
  assert.equal(r.resolve(''), '/sys/fs/cgroup/unified/cgkit-test-x');
  assert.equal(r.resolve('a/cgroup.procs'), '/sys/fs/cgroup/unified/cgkit-test-x/a/cgroup.procs');
  assert.equal(r.resolve('cpu:'), '/sys/fs/cgroup/cpu/cgkit-test-x');
  assert.equal(r.resolve('cpu:a/cpu.shares'), '/sys/fs/cgroup/cpu/cgkit-test-x/a/cpu.shares');
  assert.equal(r.resolve('/proc/7/cgroup'), '/proc/7/cgroup');
  assert.throws(() => r.resolve('memory:a'), /did not declare/);
  assert.throws(() => r.resolve('a/../../x'), /leaves the base/);
});

test('pid lists are shown by name: v2 sorted, v1 in file order with a sortedness mark', () => {
  const r = new Probe(bases, 'cgkit-test-x');
  r.name(300, 'p1');
  r.name(200, 'p2');
  r.name(310, 't1');
  assert.equal(r.norm('/x/cgroup.procs', 'a/cgroup.procs', '300\n200\n'), 'p1\np2\n');
  assert.equal(r.norm('/x/cgroup.threads', 'a/cgroup.threads', '310\n300\n'), 'p1\nt1\n');
  assert.equal(r.norm('/x/tasks', 'cpu:a/tasks', '200\n300\n310\n'), 'p2\np1\nt1\n');
  assert.equal(r.norm('/x/tasks', 'cpu:a/tasks', '300\n200\n'), 'p1\np2\n(not sorted)\n');
  assert.equal(r.norm('/x/cgroup.procs', 'a/cgroup.procs', '999\n'), '?\n');
  assert.equal(r.norm('/x/cgroup.events', 'a/cgroup.events', 'populated 1\n'), 'populated 1\n');
  assert.ok(isPidListFile('cpu:tasks') && isPidListFile('a/cgroup.threads') && !isPidListFile('a/cgroup.procs.x'));
});

test('/proc/<pid>/cgroup keeps the lines of the case, base shown as <base>', () => {
  const r = new Probe(bases, 'cgkit-test-x');
  assert.equal(r.lines('1:cpu:/cgkit-test-x/a\n2:memory:/elsewhere\n0::/cgkit-test-x\n'), '1:cpu:/<base>/a\n0::/<base>\n');
});

test('steps check expectations without stopping the case', () => {
  const r = new Probe(bases, 'cgkit-test-x');
  r.step('write a/cgroup.type "domain"', 'EINVAL', 'EINVAL');
  r.step('mkdir b', 'EAGAIN', 'ok');
  r.log('spawn p1');
  assert.deepEqual(r.transcript, ['write a/cgroup.type "domain" -> EINVAL', 'mkdir b -> EAGAIN', 'spawn p1']);
  assert.equal(r.failures.length, 1);
  assert.match(r.failures[0] ?? '', /step 2 `mkdir b`: got EAGAIN, expected ok/);
});

test('errors become their errno code; other throws are not swallowed', () => {
  assert.equal(errnoOutcome(new CgroupError('EBUSY', 'rmdir')), 'EBUSY');
  assert.equal(errnoOutcome({ code: 'EOPNOTSUPP' }), 'ENOTSUP');
  assert.throws(() => errnoOutcome(new TypeError('bug')), TypeError);
});

test('a case is skipped with the reason its needs are not met', () => {
  const c = (needs: Case['needs']): Case => ({ id: 'x', title: 'x', rule: 'x', needs, run: () => Promise.resolve() });
  const hybrid = { v2Root: '/sys/fs/cgroup/unified', v2Controllers: ['hugetlb'], v1Mounts: new Map([['cpu', '/sys/fs/cgroup/cpu']]) };
  assert.equal(unmetNeed(c({ v2: true, v2Domain: true }), hybrid), undefined);
  assert.equal(unmetNeed(c({ v2Controllers: ['pids'] }), hybrid), "pids is not enabled in the v2 root's cgroup.subtree_control (the suite never changes a root)");
  assert.equal(unmetNeed(c({ v1: ['cpu', 'memory'] }), hybrid), 'no v1 hierarchy with memory');
  assert.equal(unmetNeed(c({ v2: true }), { ...hybrid, v2Root: undefined }), 'no cgroup v2 hierarchy');
  assert.equal(unmetNeed(c({ v2Domain: true }), { ...hybrid, v2Controllers: [] }), "no domain controller is enabled in the v2 root's cgroup.subtree_control (the suite never changes a root)");
});

test('the first difference between transcripts is reported with both sides', () => {
  assert.equal(firstDifference(['a -> ok'], ['a -> ok']), undefined);
  const d = firstDifference(['a -> ok', 'b -> EBUSY'], ['a -> ok', 'b -> ok']) ?? '';
  assert.match(d, /step 2:\n {2}sim: {2}b -> EBUSY\n {2}host: b -> ok/);
  assert.match(firstDifference(['a'], []) ?? '', /host: \(end of transcript\)/);
});
