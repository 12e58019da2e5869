import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isSameProcessAlive, ownedName, parseOwnedName, startTicksOf } from './proc-stat.js';

const linux = process.platform === 'linux' ? false : 'not Linux';

test('startTicksOf: field 22 of /proc/<pid>/stat for a live process, undefined once it is gone', { skip: linux }, async () => {
  const own = startTicksOf(process.pid);
  assert.match(own ?? '', /^\d+$/);
  // Counted after the command name, which may hold spaces and parentheses.
  const stat = readFileSync('/proc/self/stat', 'latin1');
  assert.equal(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19], own);
  assert.equal(isSameProcessAlive(process.pid, own), true);
  assert.equal(isSameProcessAlive(process.pid, `${Number(own) + 1}`), false, 'another start time: another process');
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = child.pid!;
  const ticks = startTicksOf(pid);
  assert.match(ticks ?? '', /^\d+$/);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(startTicksOf(pid), undefined, 'reaped');
  assert.equal(isSameProcessAlive(pid, ticks), false);
  for (const bad of [0, -1, 1.5]) assert.equal(startTicksOf(bad), undefined);
});

test('owned names: made with pid and start time, read back in both the new and the older form', () => {
  assert.equal(ownedName('cgkit-run', '0a1b', { pid: 42, startTicks: '777' }), 'cgkit-run-42-777-0a1b');
  assert.equal(ownedName('cgkit-run', '0a1b', { pid: 42, startTicks: undefined }), 'cgkit-run-42-0a1b');
  assert.deepEqual(parseOwnedName('cgkit-run', 'cgkit-run-42-777-0a1b'), { pid: 42, startTicks: '777' });
  assert.deepEqual(parseOwnedName('cgkit-probe', ownedName('cgkit-probe', 'ff')), { pid: process.pid, startTicks: startTicksOf(process.pid) });
  assert.deepEqual(parseOwnedName('cgkit-run', 'cgkit-run-42-99'), { pid: 42, startTicks: undefined });
  assert.deepEqual(parseOwnedName('cgkit-probe', 'cgkit-probe-42-777-123456'), { pid: 42, startTicks: '777' });
  for (const other of ['cgkit-run-42', 'cgkit-run-x-1', 'cgkit-run-42-777-0A1B', 'cgkit-run-0-ab', 'cgkit-probe-42-ab', 'cgkit-run-42-1-2-ab']) {
    assert.equal(parseOwnedName('cgkit-run', other), undefined, other);
  }
});
